"""reference/optim.py against torch.optim and exact arithmetic, never against itself."""

import numpy as np
import pytest
import sympy
import torch

import reference.optim as ref


def _torch_trajectory(opt_factory, theta0, grads):
    """Runs a torch optimizer on a parameter whose gradient at step i is grads[i]."""
    p = torch.nn.Parameter(torch.tensor(theta0, dtype=torch.float64))
    opt = opt_factory([p])
    out = []
    for gr in grads:
        p.grad = torch.tensor(gr, dtype=torch.float64)
        opt.step()
        out.append((p.detach().numpy().copy(), {k: v.numpy().copy() for k, v in opt.state[p].items()
                                                  if torch.is_tensor(v) and v.shape == p.shape}))
    return out


@pytest.mark.parametrize("shape,kw", [((1,), {}), ((4,), {}),
                                      ((2, 3), dict(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-3))])
def test_adam_matches_torch_adam(shape, kw):
    rng = np.random.default_rng(0)
    theta0 = rng.normal(size=shape)
    grads = rng.normal(size=(50,) + shape) * rng.uniform(0.01, 10, size=shape)
    torch_kw = dict(lr=kw.get("lr", 1e-3), betas=(kw.get("beta1", 0.9), kw.get("beta2", 0.999)),
                    eps=kw.get("eps", 1e-8))
    want = _torch_trajectory(lambda ps: torch.optim.Adam(ps, **torch_kw), theta0, grads)
    theta, m, v = theta0.copy(), np.zeros(shape), np.zeros(shape)
    for t, (gr, (w_theta, state)) in enumerate(zip(grads, want), start=1):
        theta, m, v = ref.adam_step(theta, gr, m, v, t, **kw)
        assert theta.shape == shape
        np.testing.assert_allclose(theta, w_theta, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(m, state["exp_avg"], rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(v, state["exp_avg_sq"], rtol=1e-10, atol=1e-15)


def test_adam_bias_correction_exact():
    m, v = np.array([0.1, -2.0]), np.array([0.01, 4.0])
    mh, vh = ref.adam_bias_correction(m, v, 3, 0.5, 0.75)
    np.testing.assert_allclose(mh, m / (1 - 0.125))
    np.testing.assert_allclose(vh, v / (1 - 27 / 64))


def test_adam_first_moment_expr_against_recursion():
    b, gg = ref.beta1, ref.g
    m = sympy.Integer(0)
    for n in range(1, 7):
        m = sympy.expand(b * m + (1 - b) * gg)
        assert sympy.simplify(ref.adam_first_moment_expr().subs(ref.t, n) - m) == 0


def test_rmsprop_eps_inside_root_matches_hand_loop():
    rng = np.random.default_rng(1)
    theta0 = rng.normal(size=5)
    grads = rng.normal(size=(20, 5)) * 1e-3
    theta, s = theta0.copy(), np.zeros(5)
    th, ss = theta0.tolist(), [0.0] * 5
    for gr in grads:
        theta, s = ref.rmsprop_step(theta, gr, s, 0.01, beta2=0.8, eps=1e-4)
        for i in range(5):
            ss[i] = 0.8 * ss[i] + 0.2 * gr[i] ** 2
            th[i] -= 0.01 * gr[i] / (ss[i] + 1e-4) ** 0.5
    np.testing.assert_allclose(theta, th, rtol=1e-12)
    np.testing.assert_allclose(s, ss, rtol=1e-12)
    # torch's RMSprop (eps outside the root) has the same s but a visibly different theta
    torch_run = _torch_trajectory(lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.8, eps=1e-4),
                                  theta0, grads)
    np.testing.assert_allclose(s, torch_run[-1][1]["square_avg"], rtol=1e-12)
    assert not np.allclose(theta, torch_run[-1][0], rtol=1e-6, atol=0)


def test_rmsprop_effect_direction():
    # a coordinate with gradient 10 moves less than SGD's step, one with gradient 0.1 moves more
    th, _ = ref.rmsprop_step(np.zeros(2), np.array([10.0, 0.1]), np.array([100.0, 0.01]), 1.0, eps=0)
    sgd = -np.array([10.0, 0.1])
    assert abs(th[0]) < abs(sgd[0]) and abs(th[1]) > abs(sgd[1])
    assert ref.rmsprop_effect() == {"theta1": "slower", "theta2": "faster"}


@pytest.mark.parametrize("shape", [(1,), (3,), (2, 2)])
def test_sgd_momentum_matches_torch(shape):
    rng = np.random.default_rng(2)
    w0 = rng.normal(size=shape)
    grads = rng.normal(size=(30,) + shape)
    want = _torch_trajectory(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9), w0, grads)
    w, m = w0.copy(), np.zeros(shape)
    for gr, (w_t, state) in zip(grads, want):
        w, m = ref.sgd_momentum_step(w, gr, m, 0.1, 0.9)
        np.testing.assert_allclose(w, w_t, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(m, state["momentum_buffer"], rtol=1e-12, atol=1e-14)


def _spd(rng, d):
    A = rng.normal(size=(d, d))
    return A @ A.T + 0.5 * np.eye(d)


def test_quadratic_gd_against_torch_autograd():
    rng = np.random.default_rng(3)
    H = _spd(rng, 3)
    w = torch.tensor(rng.normal(size=3), requires_grad=True)
    w0 = w.detach().numpy().copy()
    lr = 0.5 / np.linalg.eigvalsh(H)[-1]
    Ht = torch.tensor(H)
    for _ in range(7):
        (gr,) = torch.autograd.grad(w @ Ht @ w, w)
        w = (w - lr * gr).detach().requires_grad_(True)
    np.testing.assert_allclose(ref.quadratic_gd(H, w0, lr, 7), w.detach().numpy(), rtol=1e-12)
    np.testing.assert_array_equal(ref.quadratic_gd(H, w0, lr, 0), w0)


def test_closed_form_exact_rational():
    # H diagonal in a rotated basis with rational entries; exact iterate by sympy
    H = sympy.Matrix([[3, 1], [1, 3]]) / 4
    w0 = sympy.Matrix([1, -2])
    lr = sympy.Rational(1, 5)
    w = w0
    for _ in range(9):
        w = w - lr * 2 * H * w
    got = ref.quadratic_gd_closed_form(np.array(H, dtype=float), np.array(w0, dtype=float).ravel(), 0.2, 9)
    np.testing.assert_allclose(got, np.array(w, dtype=float).ravel(), rtol=1e-12)


def test_max_lr_is_the_convergence_boundary():
    H = np.diag([0.5, 2.0, 4.0])
    assert ref.quadratic_gd_max_lr(H) == pytest.approx(0.25)
    w0 = np.ones(3)
    assert np.linalg.norm(ref.quadratic_gd(H, w0, 0.249, 3000)) < 1e-3
    assert np.linalg.norm(ref.quadratic_gd(H, w0, 0.251, 3000)) > 1e3


def test_newton_step_is_exact_on_a_quadratic():
    rng = np.random.default_rng(4)
    H, w = _spd(rng, 4), rng.normal(size=4)
    np.testing.assert_allclose(ref.newton_step(H, w, 0.3), 0.7 * w, rtol=1e-10)
    np.testing.assert_allclose(ref.newton_step(H, w, 1.0), np.zeros(4), atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_closed_form_with_a_repeated_eigenvalue_exact_rational(seed):
    """The grader's repeated_eigenvalue instances (the first exactly repeated): the iterate of
    their very floats in exact rational arithmetic."""
    from fractions import Fraction

    from graders.optim import repeated_eigenvalue_instances
    for H, w0, lr, steps in repeated_eigenvalue_instances(np.random.default_rng(seed)):
        Hq = [[Fraction(v) for v in row] for row in H]
        w, rate = [Fraction(v) for v in w0], 2 * Fraction(lr)
        for _ in range(steps):
            w = [wi - rate * sum(h * wj for h, wj in zip(row, w)) for wi, row in zip(w, Hq)]
        got = ref.quadratic_gd_closed_form(H, w0, lr, steps)
        np.testing.assert_allclose(got, [float(v) for v in w], rtol=1e-10, atol=1e-12 * np.linalg.norm(w0))
