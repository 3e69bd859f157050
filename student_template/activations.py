# Homework template: fill in every function that raises NotImplementedError.
# Keep the names, arguments and return shapes: the grader calls them as they are.
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
    raise NotImplementedError


def sigmoid_grad(z):
    """Derivative of the sigmoid, σ(z)(1 − σ(z)), elementwise.

    z: array of any shape; returns an array of the same shape, finite for any finite z.
    """
    raise NotImplementedError


def relu(z):
    """ReLU, max(z, 0), elementwise. z: any shape; returns the same shape."""
    raise NotImplementedError


def relu_grad(z):
    """Derivative of ReLU: 1 where z > 0 and 0 where z <= 0 (so relu_grad(0) = 0).

    z: any shape; returns a float array of the same shape.
    """
    raise NotImplementedError


def tanh(z):
    """Hyperbolic tangent, elementwise. z: any shape; returns the same shape."""
    raise NotImplementedError


def tanh_grad(z):
    """Derivative of tanh, 1 − tanh(z)², elementwise. z: any shape; returns the same shape."""
    raise NotImplementedError


def softmax(z):
    """Softmax over the last axis, numerically stable.

    z: (..., K), any number of leading axes (a single vector (K,) too); returns the same shape,
    each slice along the last axis positive and summing to 1. softmax([1000, 1000]) = [.5, .5].
    """
    raise NotImplementedError


def softmax_jacobian(z):
    """Jacobian of the softmax of one vector: J[i, j] = ∂s_i/∂z_j = diag(s) − s sᵀ.

    z: (K,); returns (K, K).
    """
    raise NotImplementedError


def sigmoid_grad_expr():
    """dσ/dz as a sympy expression in the module's symbol ``z`` (σ(z) = 1/(1 + exp(−z)))."""
    raise NotImplementedError


def tanh_grad_expr():
    """d tanh(z)/dz as a sympy expression in the module's symbol ``z``."""
    raise NotImplementedError


def softmax_as_logistic(W, b):
    """A two-class softmax is a logistic regression.

    W: (2, D), b: (2,). Returns ``(w, c)`` with w (D,) and c a float such that
    softmax(W x + b)[0] = σ(w·x + c) for every x (D,).
    """
    raise NotImplementedError
