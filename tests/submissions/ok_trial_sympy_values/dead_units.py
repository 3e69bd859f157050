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
    W1 = np.array([[1.0, 1.0], [1.0, -1.0]])
    b1 = np.array([-3.0, -3.0])
    return W1, b1


def relu_net_grads(x, W1, b1, w2, b2):
    """Gradients of the output y (not of a loss) with respect to every parameter.

    x: (2,); W1 (2, 2), b1 (2,), w2 (2,), b2 float. Returns ``{"dW1", "db1", "dw2", "db2"}``,
    each shaped like its parameter (db2 a float).
    """
    x = np.asarray(x, dtype=np.float64)
    a = W1 @ x + b1
    db1 = w2 * (a > 0)
    return {"dW1": np.outer(db1, x), "db1": db1, "dw2": np.maximum(a, 0.0), "db2": 1.0}


def revival_bias_domain():
    """The set of initial biases b of a dead unit (no gradient from the data) for which weight
    decay on the weights only (the weights shrink to 0, the bias stays) eventually revives the
    unit. Returns a sympy ``Set`` such as ``sympy.Interval(...)``.
    """
    return sympy.Interval.open(0, sympy.oo)


def decay_revives_with_bias_penalty():
    """Can weight decay alone revive a dead unit when the biases are penalized too? Returns a bool."""
    return False


# ---------------------------------------------------------------- rewritten in another form (these definitions win)
def revival_bias_domain():
    b = sympy.Symbol("b", real=True)
    return sympy.ConditionSet(b, b > 0, sympy.S.Reals)


def decay_revives_with_bias_penalty():
    return sympy.false
