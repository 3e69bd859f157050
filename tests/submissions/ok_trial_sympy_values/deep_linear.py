"""A two-layer deep linear network and gradient descent on it (CSC413 Q4).

f(x; w1, w2) = w2 * w1 * x with scalar weights, target 0 and loss l = (f - 0)**2 / 2; the input
X has E[X] = 0 and E[X**2] = 1. Symbolic items are sympy expressions in the symbols
``w1, w2, x`` defined below. Numeric items take floats or numpy arrays that broadcast.
"""

import numpy as np
import sympy

w1, w2, x = sympy.symbols("w1 w2 x", real=True)


def pointwise_loss_expr():
    """The loss on one input x: l(x; w1, w2) = (w2 w1 x)**2 / 2, a sympy expression in w1, w2, x."""
    return (w1 * w2 * x) ** 2 / 2


def population_loss_expr():
    """The population loss L(w1, w2) = E_X[l(X; w1, w2)], a sympy expression in w1, w2."""
    return w1 ** 2 * w2 ** 2 / 2


def population_grad_expr():
    """The gradient of the population loss, [dL/dw1, dL/dw2]: a 2x1 sympy Matrix in w1, w2."""
    return sympy.Matrix([w1 * w2 ** 2, w1 ** 2 * w2])


def population_hessian_expr():
    """The Hessian of the population loss with respect to (w1, w2): a 2x2 sympy Matrix."""
    return sympy.Matrix([[w2 ** 2, 2 * w1 * w2], [2 * w1 * w2, w1 ** 2]])


def population_loss_is_convex():
    """Is the population loss convex in (w1, w2)? Returns a bool."""
    return False


def population_min_value():
    """The minimum value of the population loss over (w1, w2). Returns a number."""
    return 0


def is_minimizer(w1, w2):
    """Is (w1, w2) a global minimizer of the population loss? w1, w2: floats. Returns a bool."""
    return bool(w1 == 0 or w2 == 0)


def gd_step(w1, w2, alpha1, alpha2):
    """One gradient-descent step on the population loss with a learning rate per weight.

    w1, w2, alpha1, alpha2: floats or arrays that broadcast together.
    Returns (w1 - alpha1 w1 w2**2, w2 - alpha2 w1**2 w2), both computed from the old weights,
    each of the broadcast shape (floats for float inputs).
    """
    return w1 - alpha1 * w1 * w2 ** 2, w2 - alpha2 * w1 ** 2 * w2


def loss_after_steps(alpha1, alpha2, w1_0, w2_0, k):
    """The population loss w1**2 w2**2 / 2 after k gradient-descent steps from (w1_0, w2_0).

    alpha1, alpha2: learning rates, floats or arrays that broadcast (a grid, say alpha1 of shape
    (n, 1) and alpha2 of shape (1, m)); w1_0, w2_0: floats (or arrays broadcasting with them);
    k: int >= 0. Returns an array of the broadcast shape (a float when every input is a
    float). An entry whose iterates or loss overflow is inf (never nan), and no floating-point
    warning is raised.
    """
    a1, a2, u, v = (np.array(a, dtype=float) for a in np.broadcast_arrays(alpha1, alpha2, w1_0, w2_0))
    diverged = np.zeros(u.shape, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(int(k)):
            u, v = gd_step(u, v, a1, a2)
            diverged |= ~(np.isfinite(u) & np.isfinite(v))
            u, v = np.where(diverged, 0.0, u), np.where(diverged, 0.0, v)
        loss = np.asarray((u * v) ** 2 / 2)
    return np.where(diverged | ~np.isfinite(loss), np.inf, loss)[()]


# ---------------------------------------------------------------- rewritten in another form (these definitions win)
def population_loss_expr():
    # a polynomial in the weights: sympy prints it as Poly(..., w1, w2, domain='QQ')
    return sympy.Poly(w1 ** 2 * w2 ** 2 / 2, w1, w2)


def population_loss_is_convex():
    # convex needs det(H) >= 0 everywhere; at (1, 1) it is 1 - 4 = -3: sympy's false
    H = sympy.hessian(w1 ** 2 * w2 ** 2 / 2, (w1, w2))
    return H.subs({w1: 1, w2: 1}).det() >= 0
