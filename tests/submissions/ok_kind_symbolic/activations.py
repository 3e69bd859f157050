"""Activations in float32 where the tolerance allows it, scipy's expit, rewritten derivatives."""

import numpy as np
import sympy
from scipy.special import expit

z = sympy.Symbol("z", real=True)


def sigmoid(z):
    return expit(np.float32(z))


def sigmoid_grad(z):
    s = expit(z)
    return s * (1 - s)


def relu(z):
    return np.maximum(np.asarray(z, dtype=np.float32), np.float32(0))     # relu(1e-300) is 0 here


def relu_grad(z):
    return (np.asarray(z) > 0).astype(np.float32)


def tanh(z):
    return np.tanh(np.float32(z))


def tanh_grad(z):
    return 1 / np.cosh(np.asarray(z)) ** 2 if np.all(np.abs(z) < 300) else 1 - np.tanh(z) ** 2


def softmax(z):
    shifted = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return (e / e.sum(axis=-1, keepdims=True)).tolist()


def softmax_jacobian(z):
    s = np.exp(z - z.max())
    s /= s.sum()
    return np.diag(s) - np.outer(s, s)


def sigmoid_grad_expr():
    return sympy.exp(z) / (1 + sympy.exp(z)) ** 2


def tanh_grad_expr():
    return "sech(z)**2"


def softmax_as_logistic(W, b):
    return (W[0] - W[1]).astype(np.float64), np.float64(b[0] - b[1])


# ---------------------------------------------------------------- rewritten in another form (these definitions win)
def sigmoid_grad_expr():
    zz = sympy.Symbol("z")                              # no assumptions: the name is what counts
    return sympy.Piecewise((sympy.exp(-zz) / (1 + sympy.exp(-zz)) ** 2, sympy.Ne(zz, 1000)),
                           (sympy.Rational(1, 4) * sympy.sech(zz / 2) ** 2, True))


def tanh_grad_expr():
    return "4/(exp(z) + exp(-z))**2"
