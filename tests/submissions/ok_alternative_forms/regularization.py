"""Correct, but written differently: sympy built by hand, a class-based CNN with Dropout2d."""
import numpy as np
import sympy
import torch

yd, alpha, w1, w2, w3, x1, x2, x3 = sympy.symbols("yd alpha w1 w2 w3 x1 x2 x3", real=True)


def dropout_forward(x, p, mask, train=True):
    if train:
        return np.where(mask > 0, x / (1 - p), 0.0)
    return x


def dropout_test_scale(p):
    return 1.0 - p


def gaussian_dropout_expected_loss_expr():
    e = sympy.symbols("e1:4")
    w, x = [w1, w2, w3], [x1, x2, x3]
    J = sympy.expand((yd - sum((wk + wk * sympy.sqrt(alpha) * ek) * xk for wk, ek, xk in zip(w, e, x))) ** 2 / 2)
    # E[e_k] = 0, E[e_k^2] = 1, E[e_j e_k] = 0
    J = J.subs({ek ** 2: 1 for ek in e})
    return J.subs({ek: 0 for ek in e})


def gaussian_dropout_expected_grad_expr():
    L = gaussian_dropout_expected_loss_expr()
    return [sympy.diff(L, wk) for wk in (w1, w2, w3)]


class _Net(torch.nn.Module):
    def __init__(self, p):
        super().__init__()
        self.c1 = torch.nn.Conv2d(1, 6, 5)
        self.drop = torch.nn.Dropout2d(p)
        self.fc = torch.nn.Linear(6 * 12 * 12, 10)

    def forward(self, x):
        h = torch.nn.functional.max_pool2d(torch.relu(self.c1(x)), 2)
        return self.fc(self.drop(h).reshape(x.shape[0], -1))


def build_dropout_cnn(p=0.5):
    return _Net(p)
