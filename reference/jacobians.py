"""Jacobians of simple vector functions (Assignment 3 §2).

Convention: the Jacobian of f at w has shape "output shape x input shape", with vectors as
columns. So a scalar function of w (d,) has a (1, d) Jacobian, a function from (d,) to (n,) has
an (n, d) one, and f(W) = X W^T, from W (k, d) to an (n, k) matrix, has an (n, k, k, d) one with
J[i, j, a, l] = d f[i, j] / d W[a, l].
"""

import numpy as np


def jacobian_shape(case, n, d, k):
    """Shape of the Jacobian df/dw (or df/dW) for one of the functions below, with w (d,),
    x (d,), X (n, d) and, for "matmul_t", W (k, d):

    "const": f = c (a scalar); "sqnorm": f = ||w||^2; "dot": f = w^T x; "matvec": f = X w;
    "identity": f = w; "square": f = w * w (elementwise); "matmul_t": f = X W^T.
    Returns a tuple of ints, e.g. jacobian_shape("matvec", n, d, k) == (n, d).
    """
    n, d, k = int(n), int(d), int(k)
    shapes = {
        "const": (1, d), "sqnorm": (1, d), "dot": (1, d), "matvec": (n, d),
        "identity": (d, d), "square": (d, d), "matmul_t": (n, k, k, d),
    }
    if case not in shapes:
        raise ValueError(f"unknown case {case!r}; expected one of {sorted(shapes)}")
    return shapes[case]


def jac_const(w):
    """Jacobian of the constant f(w) = c (a scalar) at w (d,). Returns (1, d)."""
    w = np.asarray(w, dtype=np.float64)
    return np.zeros((1, w.shape[0]))


def jac_sqnorm(w):
    """Jacobian of f(w) = ||w||^2 = w^T w at w (d,). Returns (1, d)."""
    w = np.asarray(w, dtype=np.float64)
    return 2.0 * w[None, :]


def jac_dot(w, x):
    """Jacobian of f(w) = w^T x with respect to w (d,), for x (d,). Returns (1, d)."""
    return np.array(x, dtype=np.float64)[None, :]


def jac_matvec(w, X):
    """Jacobian of f(w) = X w with respect to w (d,), for X (n, d). Returns (n, d)."""
    return np.array(X, dtype=np.float64)


def jac_identity(w):
    """Jacobian of f(w) = w at w (d,). Returns (d, d)."""
    w = np.asarray(w, dtype=np.float64)
    return np.eye(w.shape[0])


def jac_square(w):
    """Jacobian of the elementwise square f(w) = w * w at w (d,). Returns (d, d)."""
    w = np.asarray(w, dtype=np.float64)
    return np.diag(2.0 * w)


def jac_matmul_t(W, X):
    """Jacobian of f(W) = X W^T, an (n, k) matrix, with respect to W (k, d), for X (n, d).

    Returns J (n, k, k, d) with J[i, j, a, l] = d f[i, j] / d W[a, l] = X[i, l] * delta(j, a).
    """
    W = np.asarray(W, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    return np.einsum("il,ja->ijal", X, np.eye(W.shape[0]))
