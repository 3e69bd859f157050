"""The deep linear network: sympy for the algebra, torch for the numbers."""

import numpy as np
import sympy
import torch

w1, w2, x = sympy.symbols("w1 w2 x", real=True)


def T(a):
    return torch.as_tensor(np.asarray(a), dtype=torch.float64)


def pointwise_loss_expr():
    return (w2 * w1 * x - 0) ** 2 / 2


def population_loss_expr():
    # E[X] = 0, E[X**2] = 1: replace x**2 by 1 in the expanded loss
    return sympy.expand(pointwise_loss_expr()).subs(x ** 2, 1)


def population_grad_expr():
    L = population_loss_expr()
    return sympy.Matrix([sympy.diff(L, w1), sympy.diff(L, w2)])


def population_hessian_expr():
    return sympy.hessian(population_loss_expr(), (w1, w2))


def population_loss_is_convex():
    return False


def population_min_value():
    return torch.tensor(0.0, dtype=torch.float64)


def is_minimizer(w1, w2):
    return (T(w1) == 0) | (T(w2) == 0)


def gd_step(w1, w2, alpha1, alpha2):
    u, v, a1, a2 = T(w1), T(w2), T(alpha1), T(alpha2)
    return u - a1 * u * v ** 2, v - a2 * u ** 2 * v


def loss_after_steps(alpha1, alpha2, w1_0, w2_0, k):
    a1, a2, u, v = torch.broadcast_tensors(T(alpha1), T(alpha2), T(w1_0), T(w2_0))
    u, v = u.clone(), v.clone()
    gone = torch.zeros(u.shape, dtype=torch.bool)
    for _ in range(k):
        u, v = gd_step(u, v, a1, a2)
        gone |= ~(torch.isfinite(u) & torch.isfinite(v))
        u, v = torch.where(gone, 0.0, u), torch.where(gone, 0.0, v)
    loss = (u * v) ** 2 / 2
    return torch.where(gone | ~torch.isfinite(loss), torch.inf, loss)
