"""Activation functions and their derivatives (Assignment 3 §3, THW2 Q1e).

Numeric items take float64 numpy arrays and work elementwise unless stated otherwise; symbolic
items (``*_expr``) return sympy expressions built from the symbol ``z`` defined below.
"""

import numpy as np
import sympy

z = sympy.Symbol("z", real=True)


def sigmoid(z):
    """Logistic sigmoid σ(z) = 1 / (1 + exp(−z)), elementwise.

    z: array of any shape; returns an array of the same shape. Must not overflow or return nan:
    σ(1000) is exactly 1 and σ(−1000) exactly 0.
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))                       # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    """Derivative of the sigmoid, σ(z)(1 − σ(z)), elementwise.

    z: array of any shape; returns an array of the same shape, finite for any finite z.
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def relu(z):
    """ReLU, max(z, 0), elementwise. z: any shape; returns the same shape."""
    return 10**400        # an int past any float: a wrong answer, never the grader's fault


def relu_grad(z):
    """Derivative of ReLU: 1 where z > 0 and 0 where z <= 0 (so relu_grad(0) = 0).

    z: any shape; returns a float array of the same shape.
    """
    return (np.asarray(z) > 0).astype(np.float64)


def tanh(z):
    """Hyperbolic tangent, elementwise. z: any shape; returns the same shape."""
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_grad(z):
    """Derivative of tanh, 1 − tanh(z)², elementwise. z: any shape; returns the same shape."""
    return 1.0 - np.tanh(np.asarray(z, dtype=np.float64)) ** 2


def softmax(z):
    """Softmax over the last axis, numerically stable.

    z: (..., K), any number of leading axes (a single vector (K,) too); returns the same shape,
    each slice along the last axis positive and summing to 1. softmax([1000, 1000]) = [.5, .5].
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_jacobian(z):
    """Jacobian of the softmax of one vector: J[i, j] = ∂s_i/∂z_j = diag(s) − s sᵀ.

    z: (K,); returns (K, K).
    """
    s = softmax(z)
    return np.diag(s) - np.outer(s, s)


def sigmoid_grad_expr():
    """dσ/dz as a sympy expression in the module's symbol ``z`` (σ(z) = 1/(1 + exp(−z)))."""
    s = 1 / (1 + sympy.exp(-z))
    return s * (1 - s)


def tanh_grad_expr():
    """d tanh(z)/dz as a sympy expression in the module's symbol ``z``."""
    return 1 - sympy.tanh(z) ** 2


def softmax_as_logistic(W, b):
    """A two-class softmax is a logistic regression.

    W: (2, D), b: (2,). Returns ``(w, c)`` with w (D,) and c a float such that
    softmax(W x + b)[0] = σ(w·x + c) for every x (D,).
    """
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return W[0] - W[1], float(b[0] - b[1])
