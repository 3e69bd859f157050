# Homework template: fill in every function that raises NotImplementedError.
# Keep the names, arguments and return shapes: the grader calls them as they are.
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
    raise NotImplementedError


def jac_const(w):
    """Jacobian of the constant f(w) = c (a scalar) at w (d,). Returns (1, d)."""
    raise NotImplementedError


def jac_sqnorm(w):
    """Jacobian of f(w) = ||w||^2 = w^T w at w (d,). Returns (1, d)."""
    raise NotImplementedError


def jac_dot(w, x):
    """Jacobian of f(w) = w^T x with respect to w (d,), for x (d,). Returns (1, d)."""
    raise NotImplementedError


def jac_matvec(w, X):
    """Jacobian of f(w) = X w with respect to w (d,), for X (n, d). Returns (n, d)."""
    raise NotImplementedError


def jac_identity(w):
    """Jacobian of f(w) = w at w (d,). Returns (d, d)."""
    raise NotImplementedError


def jac_square(w):
    """Jacobian of the elementwise square f(w) = w * w at w (d,). Returns (d, d)."""
    raise NotImplementedError


def jac_matmul_t(W, X):
    """Jacobian of f(W) = X W^T, an (n, k) matrix, with respect to W (k, d), for X (n, d).

    Returns J (n, k, k, d) with J[i, j, a, l] = d f[i, j] / d W[a, l] = X[i, l] * delta(j, a).
    """
    raise NotImplementedError
