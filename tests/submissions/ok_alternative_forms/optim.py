"""Correct, but written differently from the reference: torch's arrangement of Adam, inverse
matrices, matrix powers, a symbolic answer given as a string."""
import numpy as np


def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = m * beta1 + grad * (1 - beta1)
    v = v * beta2 + grad * grad * (1 - beta2)
    step_size = lr / (1 - beta1 ** t)
    denom = np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps
    return theta - step_size * m / denom, m, v


def adam_bias_correction(m, v, t, beta1, beta2):
    return m * (1 / (1 - beta1 ** t)), v * (1 / (1 - beta2 ** t))


def adam_first_moment_expr():
    return "g - g*beta1**t"


def rmsprop_step(theta, grad, s, lr, beta2=0.9, eps=1e-8):
    s = s + (1 - beta2) * (grad ** 2 - s)
    return theta - lr * grad * (s + eps) ** -0.5, s


def rmsprop_effect():
    return {"theta1": "Slower", "theta2": "faster "}


def sgd_momentum_step(w, grad, m, lr, momentum):
    new_m = grad + momentum * m
    return w - new_m * lr, new_m


def quadratic_gd(H, w0, lr, steps):
    A = np.eye(len(w0)) - 2 * lr * H
    w = w0
    for _ in range(steps):
        w = A @ w
    return w


def quadratic_gd_closed_form(H, w0, lr, steps):
    lam, Q = np.linalg.eig(H)
    return (Q @ np.diag((1 - 2 * lr * lam) ** steps) @ np.linalg.inv(Q) @ w0).real


def quadratic_gd_max_lr(H):
    return 1 / np.linalg.norm(H, 2)


def newton_step(H, w, eta):
    return w - eta * np.linalg.inv(2 * H) @ (2 * H @ w)
