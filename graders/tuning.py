"""Grader for tuning (Homework 1 P2), 6 points."""

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


@M.case("random_search_trials", "boundary", points=1)
def random_search_trials_boundary(f, rng):
    checks.expect_int(f(0.5, 0.75), 2)     # 1 - 0.5**2 is exactly 0.75: N = 2, not 3


@M.case("random_search_trials", "random", points=1)
def random_search_trials_random(f, rng):
    draws = []
    while len(draws) < 6:
        p, c = float(rng.uniform(0.01, 0.6)), float(rng.uniform(0.5, 0.999))
        exact = ref.random_search_trials(p, c)
        # stay clear of boundaries, where rounding, not the method, decides between N and N + 1
        if abs(1 - (1 - p) ** exact - c) < 1e-9 or abs(1 - (1 - p) ** (exact - 1) - c) < 1e-9:
            continue
        draws.append((p, c, exact))
    for (p, c, exact), got in zip(draws, f.each((p, c) for p, c, _ in draws)):
        checks.expect_int(got, exact)
