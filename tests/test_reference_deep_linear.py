"""reference/deep_linear.py against sympy differentiation and sympy.stats expectations, and
loss_after_steps against a plain Python loop."""

import math
import warnings

import numpy as np
import pytest
import sympy
from sympy import stats

import reference.deep_linear as ref

w1, w2, x = ref.w1, ref.w2, ref.x


def _zero(expr):
    entries = expr if isinstance(expr, sympy.MatrixBase) else [expr]
    return all(sympy.simplify(sympy.expand(e)) == 0 for e in entries)


def _population_loss():
    """E over X ~ N(0, 1) (E[X] = 0, E[X^2] = 1) of the pointwise loss, by sympy.stats."""
    X = stats.Normal("X", 0, 1)
    f = w2 * w1 * X
    return stats.E(sympy.expand((f - 0) ** 2 / 2))


def test_pointwise_loss():
    assert _zero(ref.pointwise_loss_expr() - (w2 * w1 * x - 0) ** 2 / 2)


def test_population_loss_is_the_expectation():
    assert _zero(ref.population_loss_expr() - _population_loss())


def test_grad_and_hessian_by_sympy_diff():
    L = _population_loss()
    grad = ref.population_grad_expr()
    assert grad.shape == (2, 1)
    for got, var in zip(grad, (w1, w2)):
        assert _zero(got - sympy.diff(L, var))
    hess = ref.population_hessian_expr()
    assert hess.shape == (2, 2)
    assert _zero(hess - sympy.hessian(L, (w1, w2)))


def test_not_convex_and_minimum():
    hess = sympy.hessian(_population_loss(), (w1, w2))
    # an indefinite Hessian somewhere refutes convexity
    assert min(np.linalg.eigvalsh(np.array(hess.subs({w1: 1, w2: 1}), dtype=float))) < 0
    assert ref.population_loss_is_convex() is False
    assert ref.population_min_value() == 0


@pytest.mark.parametrize("a,b,want", [(0.0, 3.0, True), (2.0, 0.0, True), (0.0, 0.0, True),
                                      (-0.0, 1.0, True), (1e-12, 2.0, False), (1.0, -1e-9, False),
                                      (1.0, 1.0, False)])
def test_is_minimizer(a, b, want):
    assert ref.is_minimizer(a, b) is want


def test_gd_step_is_a_gradient_step():
    grad = sympy.lambdify((w1, w2), [sympy.diff(_population_loss(), v) for v in (w1, w2)])
    rng = np.random.default_rng(0)
    u, v = rng.normal(size=(2, 4, 1))
    a1, a2 = rng.uniform(0, 1, size=(2, 1, 3))
    g1, g2 = grad(u, v)
    n1, n2 = ref.gd_step(u, v, a1, a2)
    assert n1.shape == n2.shape == (4, 3)
    np.testing.assert_allclose(n1, u - a1 * g1, rtol=1e-13)
    np.testing.assert_allclose(n2, v - a2 * g2, rtol=1e-13)


def _plain_loss(a1, a2, u, v, k):
    for _ in range(k):
        u, v = u - a1 * u * (v * v), v - a2 * (u * u) * v
        if not (math.isfinite(u) and math.isfinite(v)):
            return math.inf
    loss = (u * v) * (u * v) / 2
    return loss if math.isfinite(loss) else math.inf


@pytest.mark.parametrize("k", [0, 1, 10, 60])
def test_loss_after_steps_against_a_plain_loop(k):
    a1 = np.logspace(-3, 1, 13)[:, None]
    a2 = np.logspace(-3, 1, 11)[None, :]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = ref.loss_after_steps(a1, a2, 1.0, 2.0, k)
    assert got.shape == (13, 11)
    assert not np.isnan(got).any()
    want = np.array([[_plain_loss(float(p), float(q), 1.0, 2.0, k) for q in a2[0]] for p in a1[:, 0]])
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=0)
    if k >= 10:
        assert np.isinf(got).any() and np.isfinite(got).any()


def test_loss_after_steps_scalars_and_total_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(ref.loss_after_steps(0.1, 0.1, 1.0, 2.0, 0)) == pytest.approx(2.0)
        huge = ref.loss_after_steps(np.full(3, 50.0), 50.0, 3.0, 4.0, 200)
    assert np.isposinf(huge).all()
