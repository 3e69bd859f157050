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
import torch


def sigmoid(z):
    return torch.sigmoid(torch.tensor(z, requires_grad=True))          # requires grad


def relu(z):
    return torch.relu(torch.tensor(z, dtype=torch.float32))            # float32: relu(1e-300) = 0


def relu_grad(z):
    return (np.asarray(z) > 0).astype(np.int8)


def tanh(z):
    return torch.tanh(torch.from_numpy(np.asarray(z)).float())


def softmax_jacobian(z):
    s = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    return tuple(tuple(row) for row in (np.diag(s) - np.outer(s, s)).tolist())


def softmax(z):
    t = torch.tensor(z, requires_grad=True)
    return torch.softmax(t, dim=-1)
