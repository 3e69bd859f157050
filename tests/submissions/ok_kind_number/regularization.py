"""Regularization: float32 dropout, the expectation by hand and its gradient by derive_by_array,
a CNN class."""

import numpy as np
import sympy
import torch
from torch import nn

yd, alpha, w1, w2, w3, x1, x2, x3 = sympy.symbols("yd alpha w1 w2 w3 x1 x2 x3", real=True)


def dropout_forward(x, p, mask, train=True):
    if not train:
        return tuple(x) if x.ndim == 1 else x
    return (x * mask / (1 - p)).astype(np.float32)


def dropout_test_scale(p):
    return np.float32(1 - p) if p in (0.5,) else 1 - p


def gaussian_dropout_expected_loss_expr():
    # E[J1] = (noiseless residual)**2 / 2 + the noise's variance / 2
    ws, xs = (w1, w2, w3), (x1, x2, x3)
    residual = yd - sympy.Add(*[w * xx for w, xx in zip(ws, xs)])
    return residual ** 2 / 2 + alpha * sympy.Add(*[(w * xx) ** 2 for w, xx in zip(ws, xs)]) / 2


def gaussian_dropout_expected_grad_expr():
    return sympy.derive_by_array(gaussian_dropout_expected_loss_expr(), (w1, w2, w3))


class Net(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.AvgPool2d(7))
        self.dropout = nn.Dropout2d(p)
        self.head = nn.Linear(3 * 4 * 4, 10)

    def forward(self, x):
        return self.head(torch.flatten(self.dropout(self.features(x)), 1))


def build_dropout_cnn(p=0.5):
    return Net(p)


# ---------------------------------------------------------------- rewritten in another form (these definitions win)
def dropout_test_scale(p):
    return sympy.Rational(repr(1 - p))                                   # exact: 4/5 for p = 0.2
