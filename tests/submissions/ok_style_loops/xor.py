"""XOR by hand, plain Python lists."""


def xor_single_layer_possible():
    return False


def xor_params():
    # h1 = ReLU(x1 + x2), h2 = ReLU(x1 + x2 - 1); y = h1 - 2 h2
    return [[1.0, 1.0], [1.0, 1.0]], [0.0, -1.0], [[1.0, -2.0]], [0.0]


def xor_net_grads(x, y, W1, b1, W2, b2):
    a = [W1[i][0] * x[0] + W1[i][1] * x[1] + b1[i] for i in range(2)]
    h = [max(ai, 0.0) for ai in a]
    err = W2[0][0] * h[0] + W2[0][1] * h[1] + b2[0] - y
    da = [W2[0][i] * err if a[i] > 0 else 0.0 for i in range(2)]
    return {"dW1": [[da[i] * x[j] for j in range(2)] for i in range(2)], "db1": da,
            "dW2": [[err * h[0], err * h[1]]], "db2": [err]}
