# Homework template: fill in every function that raises NotImplementedError.
# Keep the names, arguments and return shapes: the grader calls them as they are.
"""XOR with a two-layer ReLU network (Assignment 3 §4).

Network: ŷ = W2 ReLU(W1 x + b1) + b2 with x (2,), W1 (2, 2), b1 (2,), W2 (1, 2), b2 (1,);
y is a float and the loss is ℓ = ½(ŷ − y)². ReLU's derivative at 0 is 0.
"""

import numpy as np


def xor_single_layer_possible():
    """Can a single layer ŷ = ReLU(W x + b) represent XOR on {0, 1}²? Returns a bool."""
    raise NotImplementedError


def xor_params():
    """Parameters of the two-layer network that compute XOR exactly.

    Returns ``(W1 (2, 2), b1 (2,), W2 (1, 2), b2 (1,))`` with ŷ(x) = XOR(x1, x2) at the four
    inputs x in {0, 1}².
    """
    raise NotImplementedError


def xor_net_grads(x, y, W1, b1, W2, b2):
    """Gradients of ℓ = ½(ŷ − y)² for one example.

    x: (2,); y: float; W1 (2, 2), b1 (2,), W2 (1, 2), b2 (1,). Returns
    ``{"dW1", "db1", "dW2", "db2"}``, each shaped like its parameter.
    """
    raise NotImplementedError
