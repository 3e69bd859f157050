"""Optimizers through torch.optim: each step builds the optimizer, loads the state it was
given, steps, and returns the parameter itself (an nn.Parameter, which requires grad)."""

import numpy as np
import sympy
import torch

beta1, g = sympy.symbols("beta1 g", real=True)

t = sympy.Symbol("t", integer=True, positive=True)


def T(a):
    return torch.as_tensor(np.asarray(a), dtype=torch.float64).clone()


def _param(theta, grad):
    p = torch.nn.Parameter(T(theta))
    p.grad = T(grad)
    return p


def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    p = _param(theta, grad)
    opt = torch.optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
    opt.state[p] = {"step": torch.tensor(float(t - 1)), "exp_avg": T(m), "exp_avg_sq": T(v)}
    opt.step()
    return p, opt.state[p]["exp_avg"], opt.state[p]["exp_avg_sq"]


def adam_bias_correction(m, v, t, beta1, beta2):
    return T(m) / (1 - beta1 ** t), T(v) / (1 - beta2 ** t)


def adam_first_moment_expr():
    return g - g * beta1 ** t


def rmsprop_step(theta, grad, s, lr, beta2=0.9, eps=1e-8):
    # torch's RMSprop adds eps outside the root; CSC413's is inside: carry it in the average
    p = _param(theta, grad)
    opt = torch.optim.RMSprop([p], lr=lr, alpha=beta2, eps=0.0)
    opt.state[p] = {"step": torch.tensor(0.0), "square_avg": T(s) + eps / beta2}
    opt.step()
    return p, opt.state[p]["square_avg"] - eps


def rmsprop_effect():
    return {"theta1": "slower", "theta2": "faster"}


def sgd_momentum_step(w, grad, m, lr, momentum):
    p = _param(w, grad)
    opt = torch.optim.SGD([p], lr=lr, momentum=momentum)
    opt.state[p] = {"momentum_buffer": T(m)}
    opt.step()
    return p, opt.state[p]["momentum_buffer"]


def quadratic_gd(H, w0, lr, steps):
    H, w = T(H), T(w0).requires_grad_(True)
    opt = torch.optim.SGD([w], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        (w @ H @ w).backward()
        opt.step()
    return w


def quadratic_gd_closed_form(H, w0, lr, steps):
    lam, Q = torch.linalg.eigh(T(H))
    return Q @ ((1 - 2 * lr * lam) ** steps * (Q.T @ T(w0)))


def quadratic_gd_max_lr(H):
    return 1 / torch.linalg.eigvalsh(T(H)).max()


def newton_step(H, w, eta):
    H, w = T(H), T(w)
    return w - eta * torch.linalg.solve(2 * H, 2 * H @ w)
