"""Backprop with torch autograd; every gradient a tensor."""

import numpy as np
import torch

ACTS = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "identity": lambda a: a}


def T(a, grad=False):
    t = torch.as_tensor(np.asarray(a), dtype=torch.float64).clone()
    return t.requires_grad_(grad)


def dense_forward(x, W, b):
    return T(x) @ T(W).T + T(b)


def dense_backward(da, x, W, b):
    x, W, b = T(x, True), T(W, True), T(b, True)
    (x @ W.T + b).backward(T(da))
    return x.grad, W.grad, b.grad


def _forward(x, weights, biases, activation, output_activation):
    a_list, z_list, h = [], [], x
    for i, (W, b) in enumerate(zip(weights, biases)):
        a = h @ W.T + b
        h = ACTS[output_activation if i == len(weights) - 1 else activation](a)
        a_list.append(a)
        z_list.append(h)
    return a_list, z_list


def mlp_forward(x, weights, biases, activation="relu", output_activation="relu"):
    a, z = _forward(T(x), [T(W) for W in weights], [T(b) for b in biases], activation, output_activation)
    return {"a": a, "z": z}


def mlp_backward(x, y, weights, biases, activation="relu", output_activation="relu"):
    x = T(x, True)
    Ws, bs = [T(W, True) for W in weights], [T(b, True) for b in biases]
    _, z = _forward(x, Ws, bs, activation, output_activation)
    loss = ((z[-1] - T(y)) ** 2).sum()
    loss.backward()
    return {"dW": [W.grad for W in Ws], "db": [b.grad for b in bs], "dx": x.grad}


def _graph(x, y, z):
    h1 = torch.log(x)
    h2 = torch.exp(y)
    h3 = h2 * z
    return h1, h2, h3, h1 + h3


def graph_forward(x, y, z):
    return dict(zip(("h1", "h2", "h3", "f"), _graph(T(x), T(y), T(z))))


def graph_backward(x, y, z):
    x, y, z = T(x, True), T(y, True), T(z, True)
    h1, h2, h3, f = _graph(x, y, z)
    d = torch.autograd.grad(f.sum(), [h1, h2, h3, x, y, z])
    return dict(zip(("df_dh1", "df_dh2", "df_dh3", "df_dx", "df_dy", "df_dz"), d))


def reg_unit_grads(w, b, x, t, lam):
    w, b, x = T(w, True), T(b, True), T(x, True)
    zz = w @ x + b
    y = torch.sigmoid(zz)
    loss = 0.5 * (y - t) ** 2
    dL_dy, dL_dz = torch.autograd.grad(loss, [y, zz], retain_graph=True)
    reg = loss + lam * 0.5 * (w @ w)
    dw, db, dx = torch.autograd.grad(reg, [w, b, x])
    return {"dL_dy": dL_dy, "dL_dz": dL_dz, "dw": dw, "db": db, "dx": dx}


def reg_unit_step(w, b, x, t, lam, lr=0.1):
    g = reg_unit_grads(w, b, x, t, lam)
    return T(w) - lr * g["dw"], T(b) - lr * g["db"]
