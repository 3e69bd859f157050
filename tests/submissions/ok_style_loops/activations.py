"""Activations in plain Python: math and loops over nested lists, lists returned."""

import math

import sympy

z = sympy.Symbol("z", real=True)


def emap(fn, a):
    """fn on every number of a nested list (or a number), the nesting kept."""
    if hasattr(a, "tolist"):
        a = a.tolist()
    if isinstance(a, list):
        return [emap(fn, v) for v in a]
    return fn(a)


def _sig(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def sigmoid(z):
    return emap(_sig, z)


def sigmoid_grad(z):
    return emap(lambda v: _sig(v) * (1.0 - _sig(v)), z)


def relu(z):
    return emap(lambda v: v if v > 0 else 0.0, z)


def relu_grad(z):
    return emap(lambda v: 1.0 if v > 0 else 0.0, z)


def tanh(z):
    return emap(math.tanh, z)


def tanh_grad(z):
    return emap(lambda v: 1.0 - math.tanh(v) ** 2, z)


def _softmax_row(row):
    top = max(row)
    exps = [math.exp(v - top) for v in row]
    total = sum(exps)
    return [e / total for e in exps]


def softmax(z):
    z = z.tolist() if hasattr(z, "tolist") else z
    if not isinstance(z[0], list):
        return _softmax_row(z)
    return [softmax(row) for row in z]


def softmax_jacobian(z):
    s = softmax(z)
    K = len(s)
    J = []
    for i in range(K):
        row = []
        for j in range(K):
            row.append(s[i] * ((1.0 if i == j else 0.0) - s[j]))
        J.append(row)
    return J


def sigmoid_grad_expr():
    s = 1 / (1 + sympy.exp(-z))
    return s * (1 - s)


def tanh_grad_expr():
    return 1 / sympy.cosh(z) ** 2


def softmax_as_logistic(W, b):
    W, b = W.tolist(), b.tolist()
    w = [W[0][j] - W[1][j] for j in range(len(W[0]))]
    return w, b[0] - b[1]
