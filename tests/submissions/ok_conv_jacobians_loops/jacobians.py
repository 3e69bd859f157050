"""Jacobians built entry by entry with loops, returning lists and tuples (correct)."""

import numpy as np


def jacobian_shape(case, n, d, k):
    if case in ("const", "sqnorm", "dot"):
        return [1, d]                      # a list is accepted as well as a tuple
    if case == "matvec":
        return (n, d)
    if case in ("identity", "square"):
        return (d, d)
    if case == "matmul_t":
        return (n, k, k, d)


def jac_const(w):
    return [[0.0] * len(w)]


def jac_sqnorm(w):
    return [[2 * wi for wi in w]]


def jac_dot(w, x):
    return [list(x)]


def jac_matvec(w, X):
    return X


def jac_identity(w):
    d = len(w)
    return [[1.0 if i == j else 0.0 for j in range(d)] for i in range(d)]


def jac_square(w):
    d = len(w)
    return [[2 * w[i] if i == j else 0.0 for j in range(d)] for i in range(d)]


def jac_matmul_t(W, X):
    n, d = X.shape
    k = W.shape[0]
    J = np.zeros((n, k, k, d))
    for i in range(n):
        for j in range(k):
            for a in range(k):
                for l in range(d):
                    if j == a:
                        J[i, j, a, l] = X[i, l]
    return J
