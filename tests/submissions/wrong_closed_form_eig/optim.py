"""Optimizers: Adam, RMSProp, SGD with momentum, gradient descent on a quadratic bowl and
Newton's method (THW2 Q4-Q5, CSC413 Q2, Homework 1 P3).

Parameters and gradients are float64 numpy arrays of any shape (the same shape for all the
arrays of one call); every update returns new arrays and leaves its inputs unchanged.
The symbolic item uses the sympy symbols ``beta1, g, t`` defined below.
"""

import numpy as np
import sympy

beta1, g = sympy.symbols("beta1 g", real=True)
t = sympy.Symbol("t", integer=True, positive=True)


def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """One Adam update, as ``torch.optim.Adam`` (no weight decay, no amsgrad).

    theta, grad, m, v: arrays of one shape; m, v are the first and second moment estimates
    before this update (zeros before the first one); t: this update's 1-based count (1, 2, ...).
    m <- beta1 m + (1 - beta1) g,  v <- beta2 v + (1 - beta2) g**2,
    m_hat = m / (1 - beta1**t),  v_hat = v / (1 - beta2**t),
    theta <- theta - lr * m_hat / (sqrt(v_hat) + eps).
    Returns (theta, m, v), each of theta's shape.
    """
    grad = np.asarray(grad, dtype=float)
    m = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * grad
    v = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * grad ** 2
    m_hat, v_hat = adam_bias_correction(m, v, t, beta1, beta2)
    theta = np.asarray(theta, dtype=float) - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta, m, v


def adam_bias_correction(m, v, t, beta1, beta2):
    """Adam's bias-corrected moments after update number t (1-based).

    m, v: arrays of one shape. Returns (m_hat, v_hat) = (m / (1 - beta1**t), v / (1 - beta2**t)).
    """
    return (np.asarray(m, dtype=float) / (1 - beta1 ** t),
            np.asarray(v, dtype=float) / (1 - beta2 ** t))


def adam_first_moment_expr():
    """Adam's first moment m_t after t updates when m_0 = 0 and every gradient equals g.

    Returns a sympy expression in the symbols ``beta1, g, t`` of this module (closed form, no sum).
    """
    return g * (1 - beta1 ** t)


def rmsprop_step(theta, grad, s, lr, beta2=0.9, eps=1e-8):
    """One RMSProp update in CSC413's form, with eps inside the square root.

    theta, grad, s: arrays of one shape; s is the running mean of squared gradients.
    s <- beta2 s + (1 - beta2) g**2,  theta <- theta - lr * g / sqrt(s + eps).
    Returns (theta, s), each of theta's shape.
    """
    grad = np.asarray(grad, dtype=float)
    s = beta2 * np.asarray(s, dtype=float) + (1 - beta2) * grad ** 2
    theta = np.asarray(theta, dtype=float) - lr * grad / np.sqrt(s + eps)
    return theta, s


def rmsprop_effect():
    """Compared with plain SGD at the same learning rate, does RMSProp move a coordinate
    whose gradients are persistently large (theta1, |g| >> 1) or small (theta2, |g| << 1)
    "slower" or "faster"?

    Returns {"theta1": "slower" or "faster", "theta2": "slower" or "faster"}.
    """
    return {"theta1": "slower", "theta2": "faster"}


def sgd_momentum_step(w, grad, m, lr, momentum):
    """One step of SGD with momentum, as ``torch.optim.SGD(momentum=...)`` (no dampening).

    w, grad, m: arrays of one shape; m is the momentum buffer (zeros before the first step).
    m <- momentum * m + g,  w <- w - lr * m.  Returns (w, m), each of w's shape.
    """
    m = momentum * np.asarray(m, dtype=float) + np.asarray(grad, dtype=float)
    return np.asarray(w, dtype=float) - lr * m, m


def quadratic_gd(H, w0, lr, steps):
    """Gradient descent on J(w) = w^T H w (gradient 2 H w) for ``steps`` iterations.

    H: (d, d) symmetric positive definite; w0: (d,); lr: float; steps: int >= 0.
    Returns w_steps, shape (d,).
    """
    H = np.asarray(H, dtype=float)
    w = np.array(w0, dtype=float)
    for _ in range(int(steps)):
        w = w - lr * 2 * (H @ w)
    return w


def quadratic_gd_closed_form(H, w0, lr, steps):
    """The gradient-descent iterate of ``quadratic_gd`` in closed form.

    With H = Q diag(lam) Q^T: w_t = Q (I - 2 lr diag(lam))**t Q^T w0.
    H: (d, d) symmetric positive definite; w0: (d,). Returns w_steps, shape (d,).
    """
    lam, Q = np.linalg.eig(np.asarray(H, dtype=float))
    return Q @ ((1 - 2 * lr * lam) ** int(steps) * (Q.T @ np.asarray(w0, dtype=float)))


def quadratic_gd_max_lr(H):
    """The supremum of the learning rates for which gradient descent on J(w) = w^T H w
    converges from every starting point: 1 / lambda_max(H).

    H: (d, d) symmetric positive definite. Returns a float.
    """
    return float(1.0 / np.linalg.eigvalsh(np.asarray(H, dtype=float))[-1])


def newton_step(H, w, eta):
    """A damped Newton step on J(w) = w^T H w: w - eta (2H)^{-1} grad J(w), grad J(w) = 2 H w.

    H: (d, d) symmetric positive definite; w: (d,); eta: float. Returns (d,).
    """
    H = np.asarray(H, dtype=float)
    w = np.asarray(w, dtype=float)
    return w - eta * np.linalg.solve(2 * H, 2 * (H @ w))
