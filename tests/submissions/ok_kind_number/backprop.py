"""Backprop with numpy, answers handed back as lists and tuples."""

import numpy as np

ACT = {"relu": (lambda a: np.maximum(a, 0), lambda a: (a > 0) * 1.0),
       "sigmoid": (lambda a: 1 / (1 + np.exp(-a)), lambda a: np.exp(-a) / (1 + np.exp(-a)) ** 2),
       "tanh": (np.tanh, lambda a: 1 - np.tanh(a) ** 2),
       "identity": (lambda a: a, lambda a: np.ones_like(a))}


def dense_forward(x, W, b):
    return (np.einsum("...i,oi->...o", x, W) + b).tolist()


def dense_backward(da, x, W, b):
    da2, x2 = np.atleast_2d(da), np.atleast_2d(x)
    dx = da2 @ W
    return (dx.reshape(np.shape(x)).tolist(), (da2.T @ x2).tolist(), tuple(da2.sum(axis=0)))


def _layers(x, weights, biases, activation, output_activation):
    acts, h = [], np.asarray(x, dtype=float)
    for l, (W, b) in enumerate(zip(weights, biases)):
        f, df = ACT[output_activation if l == len(weights) - 1 else activation]
        a = h @ W.T + b
        acts.append((h, a, df(a)))
        h = f(a)
    return acts, h


def mlp_forward(x, weights, biases, activation="relu", output_activation="relu"):
    acts, _ = _layers(x, weights, biases, activation, output_activation)
    a = [a for _, a, _ in acts]
    z = [h for h, _, _ in acts[1:]]
    z.append(_layers(x, weights, biases, activation, output_activation)[1])
    return {"a": tuple(a), "z": [v.tolist() for v in z]}


def mlp_backward(x, y, weights, biases, activation="relu", output_activation="relu"):
    acts, yhat = _layers(x, weights, biases, activation, output_activation)
    g = 2 * (yhat - np.reshape(y, np.shape(yhat)))
    dW, db = [], []
    for (h, a, d), W in zip(reversed(acts), reversed(weights)):
        delta = g * d
        dW.insert(0, delta.T @ h if delta.ndim == 2 else np.outer(delta, h))
        db.insert(0, delta.sum(axis=0) if delta.ndim == 2 else delta)
        g = delta @ W
    return {"dW": tuple(dW), "db": [list(v) for v in db], "dx": g}


def graph_forward(x, y, z):
    h1, h2 = np.log(x), np.exp(y)
    return {"h1": h1, "h2": h2, "h3": h2 * z, "f": h1 + h2 * z}


def graph_backward(x, y, z):
    return {"df_dh1": np.float64(1), "df_dh2": np.float64(z), "df_dh3": 1, "df_dx": np.reciprocal(x),
            "df_dy": np.exp(y) * z, "df_dz": np.exp(y)}


def reg_unit_grads(w, b, x, t, lam):
    y = 1 / (1 + np.exp(-(w @ x + b)))
    dL_dz = (y - t) * y * (1 - y)
    return {"dL_dy": y - t, "dL_dz": dL_dz, "dw": tuple(dL_dz * x + lam * w), "db": dL_dz,
            "dx": list(dL_dz * w)}


def reg_unit_step(w, b, x, t, lam, lr=0.1):
    grads = reg_unit_grads(w, b, x, t, lam)
    return [w - lr * np.array(grads["dw"]), b - lr * grads["db"]]


# ---------------------------------------------------------------- rewritten in another form (these definitions win)
import torch


def graph_forward(x, y, z):
    x, y, z = (torch.tensor(v, dtype=torch.float64) for v in (x, y, z))
    h1, h2 = torch.log(x), torch.exp(y)
    return {"h1": h1, "h2": h2, "h3": h2 * z, "f": h1 + h2 * z}
