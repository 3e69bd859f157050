"""Activations, torch everywhere: torch.nn.functional for the values, autograd for every
derivative, tensors returned."""

import numpy as np
import sympy
import torch
import torch.nn.functional as F

z = sympy.Symbol("z", real=True)


def T(a):
    return torch.as_tensor(np.asarray(a), dtype=torch.float64)


def _grad(fn, z):
    x = T(z).clone().requires_grad_(True)
    fn(x).sum().backward()
    return x.grad


def sigmoid(z):
    return torch.sigmoid(T(z))


def sigmoid_grad(z):
    return _grad(torch.sigmoid, z)


def relu(z):
    return F.relu(T(z))


def relu_grad(z):
    return _grad(F.relu, z)          # torch: the gradient at 0 is 0


def tanh(z):
    return torch.tanh(T(z))


def tanh_grad(z):
    return _grad(torch.tanh, z)


def softmax(z):
    return F.softmax(T(z), dim=-1)


def softmax_jacobian(z):
    return torch.autograd.functional.jacobian(lambda v: F.softmax(v, dim=0), T(z))


def sigmoid_grad_expr():
    return sympy.diff(1 / (1 + sympy.exp(-z)), z)


def tanh_grad_expr():
    return sympy.diff(sympy.tanh(z), z)


def softmax_as_logistic(W, b):
    W, b = T(W), T(b)
    return W[0] - W[1], b[0] - b[1]          # c: a 0-d tensor
