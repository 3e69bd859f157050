"""Correct, but written differently: string answers, nested lists, a per-point Python loop."""
import math

import numpy as np


def pointwise_loss_expr():
    return "w1**2 * w2**2 * x**2 / 2"


def population_loss_expr():
    return "(w1*w2)**2/2"


def population_grad_expr():
    return ["w1*w2**2", "w2*w1**2"]


def population_hessian_expr():
    return [["w2**2", "2*w1*w2"], ["2*w2*w1", "w1**2"]]


def population_loss_is_convex():
    return False


def population_min_value():
    return 0.0


def is_minimizer(w1, w2):
    return w1 * w2 == 0


def gd_step(w1, w2, alpha1, alpha2):
    g1 = w1 * w2 * w2
    g2 = w2 * w1 * w1
    return w1 - g1 * alpha1, w2 - g2 * alpha2


def _one(a1, a2, u, v, k):
    for _ in range(k):
        try:
            u, v = u - a1 * (u * v * v), v - a2 * (v * u * u)
        except OverflowError:
            return math.inf
        if math.isinf(u) or math.isinf(v) or math.isnan(u) or math.isnan(v):
            return math.inf
    loss = 0.5 * (u * v) ** 2 if abs(u * v) < 1e154 else math.inf
    return loss


def loss_after_steps(alpha1, alpha2, w1_0, w2_0, k):
    a1, a2 = np.broadcast_arrays(np.asarray(alpha1, float), np.asarray(alpha2, float))
    out = np.empty(a1.shape)
    for idx in np.ndindex(a1.shape):
        out[idx] = _one(float(a1[idx]), float(a2[idx]), float(w1_0), float(w2_0), k)
    return out
