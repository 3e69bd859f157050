"""Backpropagation by hand: dense layers, a small MLP, a computational graph and a regularized
sigmoid unit (Homework 1 P1, Assignment 3 §5, THW2 Q3).

Conventions: a dense layer's weight W is (out, in) and its bias b is (out,), as in
torch.nn.Linear. A batch x is (N, in) and a = x @ W.T + b; a single x (in,) gives a = W @ x + b.
ReLU's derivative at 0 is 0.
"""

import numpy as np


def _act(name, a):
    if name == "relu":
        return np.maximum(a, 0.0)
    if name == "sigmoid":
        e = np.exp(-np.abs(a))
        return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    if name == "tanh":
        return np.tanh(a)
    if name == "identity":
        return a.copy()
    raise ValueError(f"unknown activation {name!r}")


def _act_backward(name, dz, a, z):
    """∂L/∂a from ∂L/∂z for activation ``name`` at pre-activation ``a`` whose output is ``z``,
    in the order torch's autograd multiplies (ReLU passes exactly 0 where a ≤ 0)."""
    if name == "relu":
        return np.where(a > 0, dz, 0.0)
    if name == "sigmoid":
        return dz * (1.0 - z) * z
    if name == "tanh":
        return dz * (1.0 - z * z)
    if name == "identity":
        return dz
    raise ValueError(f"unknown activation {name!r}")


def dense_forward(x, W, b):
    """Affine layer a = x Wᵀ + b.

    x: (N, in) or (in,); W: (out, in); b: (out,). Returns (N, out) or (out,).
    """
    return np.asarray(x, dtype=np.float64) @ np.asarray(W, dtype=np.float64).T + b


def dense_backward(da, x, W, b):
    """Gradients of a dense layer given the upstream gradient ``da`` = ∂L/∂a.

    da: (N, out) with x: (N, in), or da: (out,) with x: (in,); W: (out, in); b: (out,).
    Returns ``(dx, dW, db)``: dx like x, dW (out, in), db (out,), the last two summed over the
    batch.
    """
    da = np.asarray(da, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    da2 = da.reshape(-1, W.shape[0])
    dx = da @ W
    dW = da2.T @ x.reshape(-1, W.shape[1])
    db = da2.sum(axis=0)
    return dx, dW, db


def mlp_forward(x, weights, biases, activation="relu", output_activation="relu"):
    """Forward pass of an MLP: a_l = W_l z_{l−1} + b_l, z_l = act(a_l), z_0 = x.

    x: (in,) or (N, in); weights: list of (out_l, in_l) arrays, layer 1 first; biases: list of
    (out_l,) arrays. ``activation`` is used on the hidden layers and ``output_activation`` on the
    last one; each is "relu", "sigmoid", "tanh" or "identity".
    Returns ``{"a": [a_1, ..., a_L], "z": [z_1, ..., z_L]}``, each (out_l,) or (N, out_l);
    the prediction is z[-1].
    """
    zl = np.asarray(x, dtype=np.float64)
    out = {"a": [], "z": []}
    for l, (W, b) in enumerate(zip(weights, biases)):
        name = output_activation if l == len(weights) - 1 else activation
        a = dense_forward(zl, W, b)
        zl = _act(name, a)
        out["a"].append(a)
        out["z"].append(zl)
    return out


def mlp_backward(x, y, weights, biases, activation="relu", output_activation="relu"):
    """Gradients of L = Σ (ŷ − y)² (summed over outputs and the batch, no ½) for the MLP of
    ``mlp_forward``.

    x: (in,) or (N, in); y: like ŷ (a float for a single output is fine). Returns
    ``{"dW": [dW_1, ..., dW_L], "db": [db_1, ..., db_L], "dx": dx}`` with each dW_l shaped like
    W_l, each db_l like b_l and dx like x.
    """
    x = np.asarray(x, dtype=np.float64)
    cache = mlp_forward(x, weights, biases, activation, output_activation)
    L = len(weights)
    dz = 2.0 * (cache["z"][-1] - np.asarray(y, dtype=np.float64))
    dWs, dbs = [None] * L, [None] * L
    for l in reversed(range(L)):
        name = output_activation if l == L - 1 else activation
        da = _act_backward(name, dz, cache["a"][l], cache["z"][l])
        z_prev = x if l == 0 else cache["z"][l - 1]
        dz, dWs[l], dbs[l] = dense_backward(da, z_prev, weights[l], biases[l])
    return {"dW": dWs, "db": dbs, "dx": dz}


def graph_forward(x, y, z):
    """Forward pass of f = ln x + exp(y)·z through h1 = ln x, h2 = exp y, h3 = h2·z, f = h1 + h3.

    x > 0, y, z: floats (or arrays of one shape, elementwise). Returns
    ``{"h1", "h2", "h3", "f"}``.
    """
    h1 = np.log(x)
    h2 = np.exp(y)
    h3 = h2 * z
    return {"h1": h1, "h2": h2, "h3": h3, "f": h1 + h3}


def graph_backward(x, y, z):
    """Backward pass of ``graph_forward``: the partial derivatives of f.

    x > 0, y, z: floats (or arrays of one shape). Returns
    ``{"df_dh1", "df_dh2", "df_dh3", "df_dx", "df_dy", "df_dz"}``, each like f.
    """
    h = graph_forward(x, y, z)
    df_dh1 = np.ones_like(h["f"])[()]
    df_dh3 = np.ones_like(h["f"])[()]
    df_dh2 = df_dh3 * z
    return {"df_dh1": df_dh1, "df_dh2": df_dh2, "df_dh3": df_dh3,
            "df_dx": df_dh1 / x, "df_dy": df_dh2 * h["h2"], "df_dz": df_dh3 * h["h2"]}


def reg_unit_grads(w, b, x, t, lam):
    """Gradients of a sigmoid unit with squared error and L2 weight penalty.

    y = σ(w·x + b), L = ½(y − t)², R = ½‖w‖², L_reg = L + λR. w, x: (D,); b, t, lam: floats.
    Returns ``{"dL_dy", "dL_dz", "dw", "db", "dx"}``: dL_dy and dL_dz (floats) are derivatives
    of L; dw (D,), db (float) and dx (D,) are derivatives of L_reg.
    """
    w = np.asarray(w, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    y = 1.0 / (1.0 + np.exp(-(w @ x + b)))        # as torch.sigmoid computes it
    dL_dy = y - t
    dL_dz = dL_dy * (1.0 - y) * y
    return {"dL_dy": float(dL_dy), "dL_dz": float(dL_dz), "dw": dL_dz * x + lam * w,
            "db": float(dL_dz), "dx": dL_dz * w}


def reg_unit_step(w, b, x, t, lam, lr=0.1):
    """One gradient-descent step on L_reg of ``reg_unit_grads``.

    Returns ``(w_new (D,), b_new float)``.
    """
    g = reg_unit_grads(w, b, x, t, lam)
    return np.asarray(w, dtype=np.float64) - lr * g["dw"], float(b - lr * g["db"])
