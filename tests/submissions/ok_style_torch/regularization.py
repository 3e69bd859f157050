"""Regularization with torch: dropout on tensors, sympy expectations, an nn.Module CNN."""

import numpy as np
import sympy
import torch
from torch import nn

yd, alpha, w1, w2, w3, x1, x2, x3 = sympy.symbols("yd alpha w1 w2 w3 x1 x2 x3", real=True)


def T(a):
    return torch.as_tensor(np.asarray(a), dtype=torch.float64)


def dropout_forward(x, p, mask, train=True):
    return T(x) * T(mask) / (1 - p) if train else T(x)


def dropout_test_scale(p):
    return torch.tensor(1.0 - p, dtype=torch.float64)


def _expected_loss():
    eps = sympy.symbols("e1:4", real=True)
    ws, xs = (w1, w2, w3), (x1, x2, x3)
    J = (yd - sum((wk + wk * sympy.sqrt(alpha) * ek) * xk for wk, xk, ek in zip(ws, xs, eps))) ** 2 / 2
    J = sympy.expand(J).subs({ek ** 2: 1 for ek in eps})      # E[eps**2] = 1
    return J.subs({ek: 0 for ek in eps})                        # E[eps] = 0, independent


def gaussian_dropout_expected_loss_expr():
    return _expected_loss()


def gaussian_dropout_expected_grad_expr():
    return sympy.Matrix([sympy.diff(_expected_loss(), wk) for wk in (w1, w2, w3)])


class DropoutCNN(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 5)           # 28 -> 24
        self.pool = nn.MaxPool2d(4)              # 24 -> 6
        self.drop = nn.Dropout(p)
        self.fc = nn.Linear(4 * 6 * 6, 10)

    def forward(self, x):
        h = self.pool(torch.relu(self.conv(x)))
        return self.fc(self.drop(h.flatten(1)))


def build_dropout_cnn(p=0.5):
    return DropoutCNN(p)
