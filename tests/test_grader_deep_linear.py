"""The loss_after_steps comparison of graders/deep_linear.py: rounding differences pass,
real mistakes fail, and few grid points are skipped as chaotic."""

import numpy as np
import pytest

import graders.deep_linear as G
import reference.deep_linear as ref
from autograder.checks import Mismatch


def _rounding_differently(a1, a2, w10, w20, k):
    """Correct, but with another association and learning rates a few ulps off."""
    a1, a2 = np.broadcast_arrays(np.asarray(a1) * (1 + 4e-16), np.asarray(a2) * (1 - 4e-16))
    u, v = np.full(a1.shape, w10), np.full(a1.shape, w20)
    dead = np.zeros(a1.shape, dtype=bool)
    with np.errstate(all="ignore"):
        for _ in range(k):
            u, v = u - a1 * (u * v * v), v - a2 * (v * u * u)
            dead |= ~np.isfinite(u * v)
        loss = u * u * v * v * 0.5
    return np.where(dead | ~np.isfinite(loss), np.inf, loss)


def _grid(seed, k):
    rng = np.random.default_rng(seed)
    lo, hi = (-3, 0.5) if k <= 50 else (-2, 1.5)
    return (G._grid(rng, lo, hi, 25)[:, None], G._grid(rng, lo, hi, 23)[None, :],
            *(float(z) for z in rng.uniform(0.5, 3.0, size=2)))


def _check(loss_after_steps, a1, a2, w10, w20, k):
    """The grader's check of one grid, on what ``loss_after_steps`` returns for it."""
    G._expect_grid(loss_after_steps(a1.copy(), a2.copy(), w10, w20, k), a1, a2, w10, w20, k)


@pytest.mark.parametrize("k", [10, 50, 200])
def test_rounding_differently_passes_and_few_points_are_skipped(k):
    for seed in range(4):
        a1, a2, w10, w20 = _grid(seed, k)
        _check(_rounding_differently, a1, a2, w10, w20, k)
        *_, stable = G._stable_reference(a1, a2, w10, w20, k)
        assert stable.mean() > 0.95


def test_nan_on_overflow_fails():
    def nan_on_overflow(a1, a2, w10, w20, k):
        out = np.array(ref.loss_after_steps(a1, a2, w10, w20, k), dtype=float)
        out[np.isinf(out)] = np.nan
        return out

    a1, a2, w10, w20 = _grid(0, 200)
    with pytest.raises(Mismatch, match="must be inf"):
        _check(nan_on_overflow, a1, a2, w10, w20, 200)


def test_one_step_short_fails():
    a1, a2, w10, w20 = _grid(1, 10)
    with pytest.raises(Mismatch, match="after k=10 steps"):
        _check(lambda a, b, c, d, k: ref.loss_after_steps(a, b, c, d, k - 1), a1, a2, w10, w20, 10)


def test_finite_where_diverged_fails():
    def capped(a1, a2, w10, w20, k):
        return np.minimum(ref.loss_after_steps(a1, a2, w10, w20, k), 1e6)

    a1, a2, w10, w20 = _grid(2, 100)
    with pytest.raises(Mismatch, match="diverged"):
        _check(capped, a1, a2, w10, w20, 100)
