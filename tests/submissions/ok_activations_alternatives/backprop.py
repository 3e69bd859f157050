"""Correct answers computed with torch autograd and returned as tensors."""

import math

import numpy as np
import torch

ACT = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "identity": lambda t: t}


def dense_forward(x, W, b):
    return torch.nn.functional.linear(torch.tensor(x), torch.tensor(W), torch.tensor(b))


def dense_backward(da, x, W, b):
    xt, Wt, bt = (torch.tensor(v, requires_grad=True) for v in (x, W, b))
    torch.nn.functional.linear(xt, Wt, bt).backward(torch.tensor(da))
    return xt.grad, Wt.grad, bt.grad


def _forward(xt, ws, bs, activation, output_activation):
    a_s, z_s, z = [], [], xt
    for l, (W, b) in enumerate(zip(ws, bs)):
        a = torch.nn.functional.linear(z, W, b)
        z = ACT[output_activation if l == len(ws) - 1 else activation](a)
        a_s.append(a)
        z_s.append(z)
    return a_s, z_s


def mlp_forward(x, weights, biases, activation="relu", output_activation="relu"):
    a, z = _forward(torch.tensor(x), [torch.tensor(w) for w in weights],
                    [torch.tensor(b) for b in biases], activation, output_activation)
    return {"a": a, "z": z}


def mlp_backward(x, y, weights, biases, activation="relu", output_activation="relu"):
    xt = torch.tensor(x, requires_grad=True)
    ws = [torch.tensor(w, requires_grad=True) for w in weights]
    bs = [torch.tensor(b, requires_grad=True) for b in biases]
    _, z = _forward(xt, ws, bs, activation, output_activation)
    ((z[-1] - torch.as_tensor(y, dtype=torch.float64)) ** 2).sum().backward()
    return {"dW": [w.grad for w in ws], "db": [b.grad for b in bs], "dx": xt.grad}


def graph_forward(x, y, z):
    return {"h1": math.log(x), "h2": math.exp(y), "h3": math.exp(y) * z,
            "f": math.log(x) + math.exp(y) * z}


def graph_backward(x, y, z):
    return {"df_dh1": 1, "df_dh2": z, "df_dh3": 1, "df_dx": 1 / x, "df_dy": z * math.exp(y),
            "df_dz": math.exp(y)}


def reg_unit_grads(w, b, x, t, lam):
    y = 1 / (1 + math.exp(-(float(np.dot(w, x)) + b)))
    d = (y - t) * y * (1 - y)
    return {"dL_dy": y - t, "dL_dz": d, "dw": [d * xi + lam * wi for xi, wi in zip(x, w)],
            "db": d, "dx": [d * wi for wi in w]}


def reg_unit_step(w, b, x, t, lam, lr=0.1):
    g = reg_unit_grads(w, b, x, t, lam)
    return np.asarray(w) - lr * np.asarray(g["dw"]), b - lr * g["db"]
