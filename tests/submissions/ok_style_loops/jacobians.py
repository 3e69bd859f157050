"""Jacobians entry by entry in plain Python."""


def jacobian_shape(case, n, d, k):
    if case in ("const", "sqnorm", "dot"):
        return [1, d]
    if case == "matvec":
        return [n, d]
    if case in ("identity", "square"):
        return [d, d]
    return [n, k, k, d]


def jac_const(w):
    return [[0.0 for _ in w]]


def jac_sqnorm(w):
    return [[2 * wi for wi in w]]


def jac_dot(w, x):
    return [[xi for xi in x]]


def jac_matvec(w, X):
    return [[X[i][j] for j in range(len(w))] for i in range(len(X))]


def jac_identity(w):
    d = len(w)
    return [[1.0 if i == j else 0.0 for j in range(d)] for i in range(d)]


def jac_square(w):
    d = len(w)
    return [[2 * w[i] if i == j else 0.0 for j in range(d)] for i in range(d)]


def jac_matmul_t(W, X):
    n, d, k = len(X), len(X[0]), len(W)
    return [[[[X[i][l] if j == a else 0.0 for l in range(d)] for a in range(k)] for j in range(k)]
            for i in range(n)]
