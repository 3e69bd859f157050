"""The tuning reference against exact arithmetic: counts by brute force over fractions, and
where N is too large to count to, against mpmath's logarithms at 4000 bits."""

import itertools
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from reference.tuning import grid_search_cost, random_search_trials


def test_grid_search_cost_counts_the_grid():
    assert grid_search_cost([10, 6, 5], 10, 2) == (300, 3000, 6000)
    for counts in ([1], [2, 3], [4, 1, 2, 3]):
        grid = list(itertools.product(*(range(n) for n in counts)))
        assert grid_search_cost(counts, 7, 3) == (len(grid), 7 * len(grid), 21 * len(grid))


def _least_trials(p, c):
    """The least N with 1 - (1 - p)^N >= c, in exact rational arithmetic: doubling, then
    bisection (the condition only grows with N)."""
    p, c = Fraction(p), Fraction(c)

    def enough(n):
        return 1 - (1 - p) ** n >= c

    high = 1
    while not enough(high):
        high *= 2
    low = high // 2                    # not enough (or 0)
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if enough(mid) else (mid, high)
    return high


def _exact_boundaries():
    """(p, c, k) with c = 1 - (1 - p)**k exactly a float: p = j / 2**m, every k that fits."""
    for m in range(1, 8):
        for j in range(1, 2 ** m, 2):
            p = Fraction(j, 2 ** m)
            for k in range(1, 60 // m + 1):
                c = 1 - (1 - p) ** k
                if Fraction(float(c)) == c and 0 < c < 1:
                    yield float(p), float(c), k


def test_random_search_trials_worked_and_boundary():
    assert random_search_trials(0.05, 0.95) == 59
    assert random_search_trials(0.05, 0.995) == 104
    assert random_search_trials(0.5, 0.75) == 2
    assert random_search_trials(0.25, 0.578125) == 3       # 1 - 0.75**3, where a float log says 4


def test_random_search_trials_is_exact():
    rng = np.random.default_rng(0)
    cases = [(0.5, 0.5), (0.5, 0.875), (0.25, 0.4375)] + \
            [(float(rng.uniform(0.01, 0.9)), float(rng.uniform(0.05, 0.999))) for _ in range(200)] + \
            [(float(10 ** rng.uniform(-4, 0)) * 0.999, float(rng.uniform(1e-6, 0.9))) for _ in range(30)]
    for p, c in cases:
        assert random_search_trials(p, c) == _least_trials(p, c), (p, c)
        assert isinstance(random_search_trials(p, c), int)


def test_random_search_trials_is_exact_on_every_exact_boundary_and_beside_it():
    boundaries = list(_exact_boundaries())
    assert len(boundaries) > 400
    for p, c, k in boundaries:
        assert random_search_trials(p, c) == k, (p, c)
        for beside in (math.nextafter(c, 0), math.nextafter(c, 1)):
            if 0 < beside < 1:
                assert random_search_trials(p, beside) == _least_trials(p, beside), (p, beside)


def _least_trials_mpmath(p, c):
    """ceil(ln(1 - c) / ln(1 - p)) with mpmath at 4000 bits, where 1 - p and 1 - c are exact
    (a float needs at most 1075 bits for them); a ratio within 2**-3000 of an integer n is
    settled in fractions (only a small n can be an exact boundary: the test asserts it)."""
    with mpmath.workprec(4000):
        x = mpmath.log(1 - mpmath.mpf(c)) / mpmath.log(1 - mpmath.mpf(p))
        n = int(mpmath.nint(x))
        if abs(x - n) > mpmath.mpf(2) ** -3000:
            return max(1, int(mpmath.ceil(x)))
    assert n < 100, (p, c)
    return n if 1 - (1 - Fraction(p)) ** n >= Fraction(c) else n + 1


TINY = (1e-4, 1e-8, 3000 * 2.0 ** -53, 1e-13, 1e-30, 1e-100, 1e-300, 2.2250738585072014e-308, 5e-324)


@pytest.mark.parametrize("p", TINY)
def test_random_search_trials_with_a_tiny_p_good(p):
    """N up to 1e324: no count reaches it, nor does (1 - p)**N in fractions."""
    for c in (5e-324, 1e-300, 1e-10, 0.5, 0.95, 0.999, 1 - 2.0 ** -53):
        assert random_search_trials(p, c) == _least_trials_mpmath(p, c), (p, c)


def test_random_search_trials_near_one():
    for p in (0.9, 0.999999, 1 - 2.0 ** -53):
        for c in (1e-300, 0.5, 1 - 2.0 ** -53):
            assert random_search_trials(p, c) == _least_trials(p, c), (p, c)
