# Homework template: fill in every function that raises NotImplementedError.
# Keep the names, arguments and return shapes: the grader calls them as they are.
"""Regularization: dropout (inverted and at test time), Gaussian dropout on a linear model, and a
small convolutional network with dropout (THW2 Q6, CSC413 Q3, Homework 2 P2D).

Symbolic items are sympy expressions in the symbols ``yd, alpha, w1, w2, w3, x1, x2, x3``
defined below.
"""

import numpy as np
import sympy

yd, alpha, w1, w2, w3, x1, x2, x3 = sympy.symbols("yd alpha w1 w2 w3 x1 x2 x3", real=True)


def dropout_forward(x, p, mask, train=True):
    """Inverted dropout with drop probability p.

    x: array of any shape; mask: 0/1 array of x's shape (1 = keep). In training returns
    x * mask / (1 - p); in evaluation (train=False) returns x unchanged. Same shape as x.
    """
    raise NotImplementedError


def dropout_test_scale(p):
    """For standard (non-inverted) dropout with drop probability p, the factor applied to the
    weights at test time so that expected activations match training. Returns a float."""
    raise NotImplementedError


def gaussian_dropout_expected_loss_expr():
    """E[J1] for Gaussian dropout on a linear model with n = 3 inputs.

    J1 = (yd - sum_k (w_k + delta_k) x_k)**2 / 2 with delta_k = w_k sqrt(alpha) eps_k and
    eps_k ~ N(0, 1) independent. Returns a sympy expression in yd, alpha, w1..w3, x1..x3.
    """
    raise NotImplementedError


def gaussian_dropout_expected_grad_expr():
    """E[dJ1/dw_k] for k = 1, 2, 3 (J1 as in ``gaussian_dropout_expected_loss_expr``).

    Returns a 3x1 sympy Matrix in yd, alpha, w1..w3, x1..x3.
    """
    raise NotImplementedError


def build_dropout_cnn(p=0.5):
    """A small convolutional network for 28x28 grey-scale images with dropout probability p.

    Returns a torch.nn.Module mapping (N, 1, 28, 28) to (N, 10) logits that depend on the
    image through at least one convolutional layer, with an nn.Dropout(p) (active in train
    mode, off in eval mode). Build it from the layers and functions the contract lists under
    "Networks" (docs/ASSIGNMENT.md): the grader rebuilds it from them.
    """
    raise NotImplementedError
