"""Optimizers with numpy; answers as tuples and lists; m_t from sympy.summation as it comes
(a Piecewise beside the case beta1 = 1)."""

import numpy as np
import sympy

beta1, g = sympy.symbols("beta1 g", real=True)

t = sympy.Symbol("t", integer=True, positive=True)


def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * np.square(grad)
    step = lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return [theta - step, m.tolist(), v]


def adam_bias_correction(m, v, t, beta1, beta2):
    return tuple(a / (1 - b ** t) for a, b in ((m, beta1), (v, beta2)))


def adam_first_moment_expr():
    k = sympy.Symbol("k", integer=True)
    return sympy.summation((1 - beta1) * beta1 ** (t - k) * g, (k, 1, t))


def rmsprop_step(theta, grad, s, lr, beta2=0.9, eps=1e-8):
    s = beta2 * s + (1 - beta2) * grad ** 2
    return (theta - lr * grad / np.sqrt(s + eps), s)


def rmsprop_effect():
    return dict(theta1="slower", theta2="faster")


def sgd_momentum_step(w, grad, m, lr, momentum):
    m = momentum * m + grad
    return w - lr * m, m


def quadratic_gd(H, w0, lr, steps):
    A = np.eye(len(w0)) - 2 * lr * H
    return np.linalg.matrix_power(A, steps) @ w0


def quadratic_gd_closed_form(H, w0, lr, steps):
    lam, Q = np.linalg.eig(H)
    lam, Q = lam.real, Q.real
    return Q @ np.diag((1 - 2 * lr * lam) ** steps) @ np.linalg.inv(Q) @ w0


def quadratic_gd_max_lr(H):
    return np.float64(1) / np.max(np.linalg.eigvalsh(H))


def newton_step(H, w, eta):
    return w - eta * np.linalg.inv(2 * H) @ (2 * H @ w)


# ---------------------------------------------------------------- rewritten in another form (these definitions win)
def quadratic_gd_max_lr(H):
    return np.float32(1 / np.linalg.eigvalsh(H)[-1])                    # float32: 7 digits
