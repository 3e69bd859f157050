"""Dead units by hand, plain Python."""

import sympy


def dead_unit_params():
    # a unit w.x + b is dead on the box when |w1| + |w2| + b < 0
    return [[0.5, -1.0], [2.0, 0.25]], [-2.0, -3.0]


def relu_net_grads(x, W1, b1, w2, b2):
    a = [W1[i][0] * x[0] + W1[i][1] * x[1] + b1[i] for i in range(2)]
    on = [1.0 if ai > 0 else 0.0 for ai in a]
    h = [ai if ai > 0 else 0.0 for ai in a]
    db1 = [w2[i] * on[i] for i in range(2)]
    return {"dW1": [[db1[i] * x[j] for j in range(2)] for i in range(2)], "db1": db1,
            "dw2": h, "db2": 1.0}


def revival_bias_domain():
    return "Interval.open(0, oo)"


def decay_revives_with_bias_penalty():
    return False
