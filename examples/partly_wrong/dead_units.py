# Homework template: fill in every function that raises NotImplementedError.
# Keep the names, arguments and return shapes: the grader calls them as they are.
"""Dead ReLU units and weight decay (CSC413 Q1).

Network: h = ReLU(W1 x + b1), y = w2·h + b2 with x (2,) in the box [−1, 1]², W1 (2, 2),
b1 (2,), w2 (2,) and b2 a float. ReLU's derivative at 0 is 0.
"""

import numpy as np
import sympy


def dead_unit_params():
    """First-layer parameters for which both hidden units are dead on the whole input box.

    Returns ``(W1 (2, 2), b1 (2,))`` with W1 x + b1 < 0 (every entry) for every x in [−1, 1]².
    """
    raise NotImplementedError


def relu_net_grads(x, W1, b1, w2, b2):
    """Gradients of the output y (not of a loss) with respect to every parameter.

    x: (2,); W1 (2, 2), b1 (2,), w2 (2,), b2 float. Returns ``{"dW1", "db1", "dw2", "db2"}``,
    each shaped like its parameter (db2 a float).
    """
    raise NotImplementedError


def revival_bias_domain():
    """The set of initial biases b of a dead unit (no gradient from the data) for which weight
    decay on the weights only (the weights shrink to 0, the bias stays) eventually revives the
    unit. Returns a sympy ``Set`` such as ``sympy.Interval(...)``.
    """
    raise NotImplementedError


def decay_revives_with_bias_penalty():
    """Can weight decay alone revive a dead unit when the biases are penalized too? Returns a bool."""
    raise NotImplementedError
