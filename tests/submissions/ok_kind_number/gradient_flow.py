"""Gradient flow with numpy's prod and numpy scalars."""

import math

import numpy as np


def chain_gradient(local_grads):
    return np.prod(local_grads)


def residual_gradient(upstream, local_grads):
    return upstream * (math.prod(local_grads) + 1)


def plain_depth_gradient(n_layers, local=0.5, upstream=0.5):
    return np.float64(upstream) * np.power(local, n_layers)


def residual_blocks_gradient(n_layers, local=0.5, upstream=0.5):
    return upstream * np.exp(n_layers / 2 * np.log1p(local ** 2))


# ---------------------------------------------------------------- rewritten in another form (these definitions win)
import sympy
import torch
from fractions import Fraction


def chain_gradient(local_grads):
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    y = x * torch.tensor(local_grads, dtype=torch.float64).prod()
    return torch.autograd.grad(y, x, create_graph=True)[0]            # a 0-d tensor that requires grad


def residual_gradient(upstream, local_grads):
    return sympy.Float(upstream) * (sympy.Mul(*[sympy.Float(g) for g in local_grads]) + 1)


def plain_depth_gradient(n_layers, local=0.5, upstream=0.5):
    return Fraction(upstream) * Fraction(local) ** n_layers


def residual_blocks_gradient(n_layers, local=0.5, upstream=0.5):
    return np.array(upstream * (1 + local * local) ** (n_layers // 2))   # a 0-d array
