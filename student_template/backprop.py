# Homework template: fill in every function that raises NotImplementedError.
# Keep the names, arguments and return shapes: the grader calls them as they are.
"""Backpropagation by hand: dense layers, a small MLP, a computational graph and a regularized
sigmoid unit (Homework 1 P1, Assignment 3 §5, THW2 Q3).

Conventions: a dense layer's weight W is (out, in) and its bias b is (out,), as in
torch.nn.Linear. A batch x is (N, in) and a = x @ W.T + b; a single x (in,) gives a = W @ x + b.
ReLU's derivative at 0 is 0.
"""

import numpy as np


def dense_forward(x, W, b):
    """Affine layer a = x Wᵀ + b.

    x: (N, in) or (in,); W: (out, in); b: (out,). Returns (N, out) or (out,).
    """
    raise NotImplementedError


def dense_backward(da, x, W, b):
    """Gradients of a dense layer given the upstream gradient ``da`` = ∂L/∂a.

    da: (N, out) with x: (N, in), or da: (out,) with x: (in,); W: (out, in); b: (out,).
    Returns ``(dx, dW, db)``: dx like x, dW (out, in), db (out,), the last two summed over the
    batch.
    """
    raise NotImplementedError


def mlp_forward(x, weights, biases, activation="relu", output_activation="relu"):
    """Forward pass of an MLP: a_l = W_l z_{l−1} + b_l, z_l = act(a_l), z_0 = x.

    x: (in,) or (N, in); weights: list of (out_l, in_l) arrays, layer 1 first; biases: list of
    (out_l,) arrays. ``activation`` is used on the hidden layers and ``output_activation`` on the
    last one; each is "relu", "sigmoid", "tanh" or "identity".
    Returns ``{"a": [a_1, ..., a_L], "z": [z_1, ..., z_L]}``, each (out_l,) or (N, out_l);
    the prediction is z[-1].
    """
    raise NotImplementedError


def mlp_backward(x, y, weights, biases, activation="relu", output_activation="relu"):
    """Gradients of L = Σ (ŷ − y)² (summed over outputs and the batch, no ½) for the MLP of
    ``mlp_forward``.

    x: (in,) or (N, in); y: like ŷ (a float for a single output is fine). Returns
    ``{"dW": [dW_1, ..., dW_L], "db": [db_1, ..., db_L], "dx": dx}`` with each dW_l shaped like
    W_l, each db_l like b_l and dx like x.
    """
    raise NotImplementedError


def graph_forward(x, y, z):
    """Forward pass of f = ln x + exp(y)·z through h1 = ln x, h2 = exp y, h3 = h2·z, f = h1 + h3.

    x > 0, y, z: floats (or arrays of one shape, elementwise). Returns
    ``{"h1", "h2", "h3", "f"}``.
    """
    raise NotImplementedError


def graph_backward(x, y, z):
    """Backward pass of ``graph_forward``: the partial derivatives of f.

    x > 0, y, z: floats (or arrays of one shape). Returns
    ``{"df_dh1", "df_dh2", "df_dh3", "df_dx", "df_dy", "df_dz"}``, each like f.
    """
    raise NotImplementedError


def reg_unit_grads(w, b, x, t, lam):
    """Gradients of a sigmoid unit with squared error and L2 weight penalty.

    y = σ(w·x + b), L = ½(y − t)², R = ½‖w‖², L_reg = L + λR. w, x: (D,); b, t, lam: floats.
    Returns ``{"dL_dy", "dL_dz", "dw", "db", "dx"}``: dL_dy and dL_dz (floats) are derivatives
    of L; dw (D,), db (float) and dx (D,) are derivatives of L_reg.
    """
    raise NotImplementedError


def reg_unit_step(w, b, x, t, lam, lr=0.1):
    """One gradient-descent step on L_reg of ``reg_unit_grads``.

    Returns ``(w_new (D,), b_new float)``.
    """
    raise NotImplementedError
