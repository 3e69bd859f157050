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
