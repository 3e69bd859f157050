"""XOR: another exact network, as nested tuples; numpy's bool."""

import numpy as np


def xor_single_layer_possible():
    return np.array(False)                       # a 0-d bool array


def xor_params():
    # h1 = ReLU(x1 - x2), h2 = ReLU(x2 - x1) + ... : y = h1 + h2 = |x1 - x2|
    return ((2.0, -2.0), (-3.0, 3.0)), (0.0, 0.0), ((0.5, 1 / 3),), (0.0,)


def xor_net_grads(x, y, W1, b1, W2, b2):
    a = W1 @ x + b1
    h = np.where(a > 0, a, 0.0)
    err = (W2 @ h + b2 - y)[0]
    da = np.where(a > 0, W2[0] * err, 0.0)
    return {"dW1": da[:, None] * x[None, :], "db1": tuple(da), "dW2": [list(err * h)], "db2": [err]}
