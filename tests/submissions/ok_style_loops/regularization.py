"""Regularization: dropout with loops, expectations by hand, a CNN (that one needs torch)."""

import sympy
import torch
from torch import nn

yd, alpha, w1, w2, w3, x1, x2, x3 = sympy.symbols("yd alpha w1 w2 w3 x1 x2 x3", real=True)


def _each(fn, a, b):
    if isinstance(a, list):
        return [_each(fn, u, v) for u, v in zip(a, b)]
    return fn(a, b)


def dropout_forward(x, p, mask, train=True):
    if not train:
        return x.tolist()
    return _each(lambda v, keep: v * keep / (1 - p), x.tolist(), mask.tolist())


def dropout_test_scale(p):
    return 1 - p


def gaussian_dropout_expected_loss_expr():
    # E[(r - sum_k w_k sqrt(alpha) eps_k x_k)^2] / 2 with r the noiseless residual
    r = yd - (w1 * x1 + w2 * x2 + w3 * x3)
    return (r ** 2 + alpha * (w1 ** 2 * x1 ** 2 + w2 ** 2 * x2 ** 2 + w3 ** 2 * x3 ** 2)) / 2


def gaussian_dropout_expected_grad_expr():
    r = yd - (w1 * x1 + w2 * x2 + w3 * x3)
    return [[-r * x1 + alpha * w1 * x1 ** 2], [-r * x2 + alpha * w2 * x2 ** 2],
            [-r * x3 + alpha * w3 * x3 ** 2]]


def build_dropout_cnn(p=0.5):
    return nn.Sequential(nn.Conv2d(1, 6, 3, stride=2), nn.ReLU(), nn.Flatten(), nn.Dropout(p),
                         nn.Linear(6 * 13 * 13, 10))
