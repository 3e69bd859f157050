"""reference/regularization.py against sympy.stats expectations, Monte Carlo and torch."""

import numpy as np
import pytest
import sympy
import torch
from sympy import stats

import reference.regularization as ref

W = (ref.w1, ref.w2, ref.w3)
X = (ref.x1, ref.x2, ref.x3)


def _J1():
    """J1 with delta_k = w_k sqrt(alpha) eps_k, eps_k ~ N(0, 1) independent."""
    eps = [stats.Normal(f"eps{k}", 0, 1) for k in (1, 2, 3)]
    yhat = sum((w + w * sympy.sqrt(ref.alpha) * e) * x for w, e, x in zip(W, eps, X))
    return (ref.yd - yhat) ** 2 / 2


def test_expected_loss_by_sympy_stats():
    want = stats.E(sympy.expand(_J1()))
    assert sympy.expand(ref.gaussian_dropout_expected_loss_expr() - want) == 0


def test_expected_grad_by_sympy_stats():
    J1 = _J1()
    got = ref.gaussian_dropout_expected_grad_expr()
    assert got.shape == (3, 1)
    for entry, w in zip(got, W):
        want = stats.E(sympy.expand(sympy.diff(J1, w)))
        assert sympy.expand(entry - want) == 0


def test_expected_loss_monte_carlo():
    rng = np.random.default_rng(0)
    vals = {ref.yd: 0.7, ref.alpha: 0.3, **dict(zip(W, (0.5, -1.0, 2.0))), **dict(zip(X, (1.0, 0.4, -0.3)))}
    w = np.array([0.5, -1.0, 2.0]); x = np.array([1.0, 0.4, -0.3])
    e = rng.normal(size=(400_000, 3))
    mc = np.mean(0.5 * (0.7 - ((w + w * np.sqrt(0.3) * e) * x).sum(1)) ** 2)
    assert float(ref.gaussian_dropout_expected_loss_expr().subs(vals)) == pytest.approx(mc, rel=1e-2)


def test_dropout_forward_matches_torch_expectation_and_eval():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 6))
    mask = (rng.uniform(size=x.shape) > 0.25).astype(float)
    out = ref.dropout_forward(x, 0.25, mask)
    np.testing.assert_allclose(out, np.where(mask == 1, x / 0.75, 0.0))
    np.testing.assert_array_equal(ref.dropout_forward(x, 0.25, mask, train=False), x)
    # torch's inverted dropout keeps the same surviving values
    torch.manual_seed(0)
    t = torch.nn.functional.dropout(torch.tensor(x), p=0.25, training=True).numpy()
    np.testing.assert_allclose(t, ref.dropout_forward(x, 0.25, (t != 0).astype(float)))


def test_dropout_test_scale_matches_training_expectation():
    # non-inverted dropout: E[mask * x] = (1 - p) x, so test-time weights are scaled by 1 - p
    rng = np.random.default_rng(2)
    p = 0.4
    keep = rng.uniform(size=1_000_000) > p
    assert ref.dropout_test_scale(p) == pytest.approx(keep.mean(), abs=3e-3)


def test_build_dropout_cnn_behaviour():
    torch.manual_seed(0)
    net = ref.build_dropout_cnn(0.3)
    assert any(isinstance(m, torch.nn.Conv2d) for m in net.modules())
    assert [m.p for m in net.modules() if isinstance(m, torch.nn.Dropout)] == [0.3]
    x = torch.randn(5, 1, 28, 28)
    net.train()
    assert net(x).shape == (5, 10) and net(x[:1]).shape == (1, 10)
    assert not torch.equal(net(x), net(x))
    net.eval()
    assert torch.equal(net(x), net(x))
