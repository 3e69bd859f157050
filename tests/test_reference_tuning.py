"""The tuning reference against exact arithmetic: counts by brute force over fractions."""

import itertools
import math
from fractions import Fraction

import numpy as np

from reference.tuning import grid_search_cost, random_search_trials


def test_grid_search_cost_counts_the_grid():
    assert grid_search_cost([10, 6, 5], 10, 2) == (300, 3000, 6000)
    for counts in ([1], [2, 3], [4, 1, 2, 3]):
        grid = list(itertools.product(*(range(n) for n in counts)))
        assert grid_search_cost(counts, 7, 3) == (len(grid), 7 * len(grid), 21 * len(grid))


def _least_trials(p, c):
    """The least N with 1 - (1 - p)^N >= c, in exact rational arithmetic, by counting up."""
    p, c, n = Fraction(p), Fraction(c), 1
    while 1 - (1 - p) ** n < c:
        n += 1
    return n


def test_random_search_trials_worked_and_boundary():
    assert random_search_trials(0.05, 0.95) == 59
    assert random_search_trials(0.05, 0.995) == 104
    assert random_search_trials(0.5, 0.75) == 2


def test_random_search_trials_is_exact():
    rng = np.random.default_rng(0)
    cases = [(0.5, 0.5), (0.5, 0.875), (0.25, 0.4375)] + \
            [(float(rng.uniform(0.01, 0.9)), float(rng.uniform(0.05, 0.999))) for _ in range(200)]
    for p, c in cases:
        assert random_search_trials(p, c) == _least_trials(p, c), (p, c)
        assert isinstance(random_search_trials(p, c), int)
