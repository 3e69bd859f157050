"""A different exact XOR solution: |x1 − x2| = ReLU(x1 − x2) + ReLU(x2 − x1); gradients by torch."""

import numpy as np
import torch


def xor_single_layer_possible():
    return False


def xor_params():
    return [[1, -1], [-1, 1]], [0, 0], np.array([[1.0, 1.0]]), [0.0]


def xor_net_grads(x, y, W1, b1, W2, b2):
    ps = [torch.tensor(p, requires_grad=True) for p in (W1, b1, W2, b2)]
    yhat = ps[2] @ torch.relu(ps[0] @ torch.tensor(x) + ps[1]) + ps[3]
    (0.5 * ((yhat - y) ** 2).sum()).backward()
    return dict(zip(("dW1", "db1", "dW2", "db2"), (p.grad for p in ps)))
