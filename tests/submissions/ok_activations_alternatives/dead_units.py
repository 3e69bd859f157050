"""Different correct answers: zero weights with a negative bias; the set as a string."""

import numpy as np


def dead_unit_params():
    return np.zeros((2, 2)), np.array([-0.5, -1e-3])


def relu_net_grads(x, W1, b1, w2, b2):
    alive = (np.dot(W1, x) + b1) > 0
    return {"dW1": [[w2[i] * alive[i] * x[j] for j in range(2)] for i in range(2)],
            "db1": [w2[i] * alive[i] for i in range(2)],
            "dw2": np.maximum(np.dot(W1, x) + b1, 0), "db2": 1}


def revival_bias_domain():
    return "Interval.Lopen(0, oo)"


def decay_revives_with_bias_penalty():
    return False
