"""Dead units: a tuple of lists, numpy's bools, a set as text."""

import numpy as np
import sympy


def dead_unit_params():
    return ([[1.0, 1.0], [-1.0, 0.5]], (-2.5, -1.75))


def relu_net_grads(x, W1, b1, w2, b2):
    a = W1 @ x + b1
    gate = np.heaviside(a, 0.0)                  # ReLU'(0) = 0
    db1 = w2 * gate
    return {"dW1": np.outer(db1, x), "db1": db1, "dw2": np.maximum(a, 0).tolist(), "db2": np.float64(1)}


def revival_bias_domain():
    return "Interval.Lopen(0, oo)"


def decay_revives_with_bias_penalty():
    return np.bool_(False)


# ---------------------------------------------------------------- rewritten in another form (these definitions win)
def revival_bias_domain():
    return sympy.Union(sympy.Interval.Lopen(0, 1), sympy.Interval.open(sympy.Rational(1, 2), sympy.oo))
