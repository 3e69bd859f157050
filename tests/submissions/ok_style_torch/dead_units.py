"""Dead units with torch autograd."""

import numpy as np
import sympy
import torch


def T(a, grad=False):
    return torch.as_tensor(np.asarray(a), dtype=torch.float64).clone().requires_grad_(grad)


def dead_unit_params():
    return torch.eye(2, dtype=torch.float64), torch.full((2,), -2.5, dtype=torch.float64)


def relu_net_grads(x, W1, b1, w2, b2):
    W1, b1, w2, b2 = T(W1, True), T(b1, True), T(w2, True), T(b2, True)
    y = w2 @ torch.relu(W1 @ T(x) + b1) + b2
    dW1, db1, dw2, db2 = torch.autograd.grad(y, [W1, b1, w2, b2])
    return {"dW1": dW1, "db1": db1, "dw2": dw2, "db2": db2}


def revival_bias_domain():
    return sympy.Interval.open(0, sympy.oo)


def decay_revives_with_bias_penalty():
    return torch.tensor(False)
