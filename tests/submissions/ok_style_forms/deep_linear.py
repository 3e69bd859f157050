"""The deep linear network: symbolic answers rewritten (an object array, hessian()), numbers as
numpy scalars."""

import numpy as np
import sympy

w1, w2, x = sympy.symbols("w1 w2 x", real=True)


def pointwise_loss_expr():
    return sympy.Rational(1, 2) * (w1 * x) ** 2 * w2 ** 2


def population_loss_expr():
    return sympy.expand((w1 * w2) ** 2) / 2


def population_grad_expr():
    L = population_loss_expr()
    return np.array([sympy.diff(L, w1), sympy.diff(L, w2)], dtype=object)


def population_hessian_expr():
    return sympy.hessian(population_loss_expr(), [w1, w2])


def population_loss_is_convex():
    return np.bool_(False)


def population_min_value():
    return sympy.Integer(0)


def is_minimizer(w1, w2):
    return np.bool_(w1 * w2 == 0) if abs(w1) > 1e-150 and abs(w2) > 1e-150 else bool(w1 == 0 or w2 == 0)


def gd_step(w1, w2, alpha1, alpha2):
    new1 = w1 - alpha1 * w1 * w2 ** 2
    new2 = w2 - alpha2 * w1 ** 2 * w2
    return new1, new2


def loss_after_steps(alpha1, alpha2, w1_0, w2_0, k):
    a1, a2, u, v = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (alpha1, alpha2, w1_0, w2_0)))
    u, v = u.copy(), v.copy()
    out = np.full(u.shape, np.nan)
    live = np.ones(u.shape, dtype=bool)
    with np.errstate(all="ignore"):
        for _ in range(k):
            u, v = np.asarray(u - a1 * u * v * v), np.asarray(v - a2 * u * u * v)
            blown = live & ~(np.isfinite(u) & np.isfinite(v))
            out[blown] = np.inf
            live &= ~blown
            u[~live], v[~live] = 0.0, 0.0
        loss = 0.5 * (u * v) ** 2
    out[live] = np.where(np.isfinite(loss[live]), loss[live], np.inf)
    return out if out.ndim else np.float64(out)
