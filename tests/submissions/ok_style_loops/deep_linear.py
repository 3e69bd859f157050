"""The deep linear network: symbolic answers as strings, numbers in plain Python loops."""

import math

import sympy

w1, w2, x = sympy.symbols("w1 w2 x", real=True)


def pointwise_loss_expr():
    return "w1**2 * w2**2 * x**2 / 2"


def population_loss_expr():
    return "(w1*w2)**2/2"


def population_grad_expr():
    return ["w1*w2**2", "w2*w1**2"]


def population_hessian_expr():
    return [["w2**2", "2*w1*w2"], ["2*w1*w2", "w1**2"]]


def population_loss_is_convex():
    return False


def population_min_value():
    return 0


def is_minimizer(w1, w2):
    return w1 == 0 or w2 == 0


def _step(u, v, a1, a2):
    return u - a1 * u * v * v, v - a2 * u * u * v


def _each(fn, *args):
    """fn over the broadcast of nested lists (or numbers) of args."""
    args = [a.tolist() if hasattr(a, "tolist") else a for a in args]
    lists = [a for a in args if isinstance(a, list)]
    if not lists:
        return fn(*args)
    n = max(len(a) for a in lists)
    return [_each(fn, *[(a[i if len(a) > 1 else 0] if isinstance(a, list) else a) for a in args])
            for i in range(n)]


def gd_step(w1, w2, alpha1, alpha2):
    pairs = _each(lambda *a: _step(*a), w1, w2, alpha1, alpha2)

    def part(p, i):
        return [part(q, i) for q in p] if isinstance(p, list) else p[i]
    return part(pairs, 0), part(pairs, 1)


def _loss_one(a1, a2, u, v, k):
    for _ in range(k):
        try:
            u, v = _step(u, v, a1, a2)
        except OverflowError:
            return math.inf
        if not (math.isfinite(u) and math.isfinite(v)):
            return math.inf
    try:
        loss = (u * v) ** 2 / 2
    except OverflowError:
        return math.inf
    return loss if math.isfinite(loss) else math.inf


def loss_after_steps(alpha1, alpha2, w1_0, w2_0, k):
    return _each(lambda a1, a2, u, v: _loss_one(a1, a2, u, v, k), alpha1, alpha2, w1_0, w2_0)
