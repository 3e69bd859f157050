"""Grader for tuning (Homework 1 P2), 6 points.

``random_search_trials`` is exact: at a boundary, where 1 - (1 - p)**N equals the confidence
exactly, N trials suffice (a logarithm rounded in floating point says N + 1), and one float above
it they do not (a logarithm nudged down by an epsilon says N); where the confidence is at most
p_good, one trial suffices; with a tiny p_good N is 1e12 to 1e13, which no loop counts up to
within a call's time limit.
"""

import math
from fractions import Fraction

from autograder import checks
from autograder.spec import Module
import reference.tuning as ref

M = Module("tuning", total=6, source="Homework 1 P2",
           manual=("Why shuffle the training set every epoch?",
                   "How does the batch size change the noise of the gradient estimate?"))

COST_NAMES = ("combinations", "total_epochs", "total_minutes")


def _expect_cost(got, expected):
    got = checks.expect_sequence(got, 3)
    for name, g, e in zip(COST_NAMES, got, expected):
        checks.expect_int(g, e, name=name)


@M.case("grid_search_cost", "worked", points=2)
def grid_search_cost_worked(f, rng):
    _expect_cost(f([10, 6, 5], 10, 2), (300, 3000, 6000))


@M.case("grid_search_cost", "random", points=1)
def grid_search_cost_random(f, rng):
    searches = [([int(n) for n in rng.integers(1, 9, size)], int(rng.integers(1, 50)), int(rng.integers(1, 30)))
                for size in (1, 2, 4)]
    for search, got in zip(searches, f.each(searches)):
        _expect_cost(got, ref.grid_search_cost(*search))


@M.case("random_search_trials", "worked", points=1)
def random_search_trials_worked(f, rng):
    for want, got in zip((59, 104), f.each([(0.05, 0.95), (0.05, 0.995)])):
        checks.expect_int(got, want)


def _exact_boundary(p_good, n):
    """(p_good, confidence, n) where confidence = 1 - (1 - p_good)**n exactly, in fractions."""
    exact = 1 - (1 - Fraction(p_good)) ** n
    if Fraction(float(exact)) != exact:
        raise ValueError(f"1 - (1 - {p_good})**{n} is not a float")
    return p_good, float(exact), n


# 1 - 0.5**2 is exactly 0.75 (a float log gets that one right); then boundaries where
# ceil(log(1 - c) / log(1 - p)), with log, log1p, log2, log10 or numpy's, answers n + 1; and
# confidence = p_good, where one trial is exactly enough (floor(1.0) + 1 is 2)
BOUNDARIES = [_exact_boundary(p, n) for p, n in ((0.5, 2), (0.25, 3), (0.4375, 6), (0.03125, 10),
                                                 (0.109375, 6), (0.203125, 3), (0.875, 7), (0.3, 1))]
# one float above a boundary, n trials fall short (by 2**-53): N is n + 1. A logarithm nudged down
# by an epsilon to fix the boundaries, ceil(x - 1e-9), says n; a float log says n + 1 at these two
ABOVE = [(p, math.nextafter(c, 1), n + 1) for p, c, n in (BOUNDARIES[1], BOUNDARIES[4])]


def _boundary_mistakes(p, c, n):
    """The named mistakes of an exact boundary: one trial too many."""
    if n == 1:
        return {f"one trial suffices: 1 - (1 - p)**1 is p, and confidence = p_good = {p}; the "
                "logarithms' ratio is exactly 1 here (floor(1.0) + 1 is 2), or the search starts "
                "at N = 2": 2}
    return {f"floating-point rounding at an exact boundary: 1 - (1 - {p})**{n} is exactly {c}, so "
            f"{n} trials suffice, but a rounded logarithm (or floor(...) + 1) gives one more; check "
            "whether N - 1 trials already suffice, 1 - (1 - p)**(N - 1) >= confidence": n + 1}


def _above_mistakes(p, c, n):
    below = math.nextafter(c, 0)                    # the boundary: 1 - (1 - p)**(n - 1) exactly
    return {f"one float above an exact boundary: 1 - (1 - {p})**{n - 1} is exactly {below!r}, "
            f"{c - below:.3g} short of {c!r}, so {n - 1} trials fall short and N is {n}; a logarithm "
            "nudged down by an epsilon (ceil(x - 1e-9)) answers one too few": n - 1}


@M.case("random_search_trials", "boundary", points=1)
def random_search_trials_boundary(f, rng):
    instances = [(*b, _boundary_mistakes(*b)) for b in BOUNDARIES] + \
        [(*a, _above_mistakes(*a)) for a in ABOVE]
    for (p, c, n, mistakes), got in zip(instances, f.each((p, c) for p, c, _, _ in instances)):
        checks.expect_int(got, n, name="N", mistakes=mistakes)


@M.case("random_search_trials", "random", points=0.5)
def random_search_trials_random(f, rng):
    draws = []
    while len(draws) < 6:
        p, c = float(rng.uniform(0.01, 0.6)), float(rng.uniform(0.5, 0.999))
        exact = ref.random_search_trials(p, c)
        # stay clear of boundaries, where rounding, not the method, decides between N and N + 1
        if abs(1 - (1 - p) ** exact - c) < 1e-9 or abs(1 - (1 - p) ** (exact - 1) - c) < 1e-9:
            continue
        draws.append((p, c, exact))
    p = float(rng.uniform(0.2, 0.6))
    draws.append((p, p * float(rng.uniform(0.1, 0.9)), 1))          # confidence below p_good
    for (p, c, exact), got in zip(draws, f.each((p, c) for p, c, _ in draws)):
        checks.expect_int(got, exact, mistakes={} if exact > 1 else {
            f"confidence {c} is below p_good {p}, so one trial suffices (1 - (1 - p)**1 is p): "
            "does the search start at N = 2?": 2})


@M.case("random_search_trials", "tiny_p", points=0.5)
def random_search_trials_tiny_p(f, rng):
    # p_good a multiple of 2**-53 near 1e-13, so 1 - p_good is exact in floating point and
    # log(1 - p_good) as good as log1p(-p_good); N of 1e12 to 1e13: counting to it takes hours even
    # in C. ln(1 - c) / ln(1 - p) stays 0.1 clear of an integer, where floats are not exact enough.
    draws = []
    while len(draws) < 3:
        p, c = int(rng.integers(2000, 8000)) * 2.0 ** -53, float(rng.uniform(0.5, 0.95))
        ratio = math.log1p(-c) / math.log1p(-p)
        if abs(ratio - round(ratio)) >= 0.1:
            draws.append((p, c, ref.random_search_trials(p, c)))
    for (p, c, exact), got in zip(draws, f.each((p, c) for p, c, _ in draws)):
        checks.expect_int(got, exact, name="N", mistakes={
            "ln(1 - p) is not -p: -ln(1 - p) = p + p**2/2 + ..., and N is large enough for the "
            "difference to count (math.log1p(-p) computes ln(1 - p))":
                math.ceil(-math.log1p(-c) / p)})
