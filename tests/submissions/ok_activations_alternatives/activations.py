"""Correct answers written differently from the reference: naive formulas that only warn,
strings for symbolic answers, lists instead of arrays."""

import numpy as np
import sympy


def sigmoid(z):
    return 1 / (1 + np.exp(-z))          # overflows with a RuntimeWarning at -1000, but is exact


def sigmoid_grad(z):
    s = sigmoid(z)
    return s - s ** 2


def relu(z):
    return z * (z > 0)


def relu_grad(z):
    return np.where(z > 0, 1.0, 0.0)


def tanh(z):
    return 2 * sigmoid(2 * z) - 1


def tanh_grad(z):
    return 1 - tanh(z) ** 2


def softmax(z):
    lse = np.log(np.sum(np.exp(z - np.max(z, axis=-1, keepdims=True)), axis=-1, keepdims=True))
    return np.exp(z - np.max(z, axis=-1, keepdims=True) - lse)


def softmax_jacobian(z):
    s = softmax(z)
    K = len(z)
    return [[s[i] * ((i == j) - s[j]) for j in range(K)] for i in range(K)]


def sigmoid_grad_expr():
    return "exp(-z)/(1 + exp(-z))**2"


def tanh_grad_expr():
    z = sympy.Symbol("z")                 # no assumptions: the name is what counts
    return sympy.sech(z) ** 2


def softmax_as_logistic(W, b):
    return list(W[0] - W[1]), np.float64(b[0] - b[1])
