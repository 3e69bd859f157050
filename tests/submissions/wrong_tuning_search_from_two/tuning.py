"""Tuning (Homework 1 P2): what a hyperparameter search costs, and how many random trials
find a good configuration."""

import math
from fractions import Fraction


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    """Cost of a full grid search.

    value_counts: list of ints, the number of values tried for each hyperparameter.
    epochs_per_run: int, epochs of one training run; minutes_per_epoch: minutes of one epoch.
    Returns (combinations, total_epochs, total_minutes), each an int: every combination of
    values is trained once.
    """
    combinations = math.prod(int(n) for n in value_counts)
    total_epochs = combinations * int(epochs_per_run)
    return combinations, total_epochs, total_epochs * minutes_per_epoch


def random_search_trials(p_good, confidence):
    """Least number of random trials N such that 1 - (1 - p_good)**N >= confidence.

    p_good: float in (0, 1), the chance that one random configuration is good; it may be tiny
    (1e-13), and N then far too large to count up to. confidence: float in (0, 1).
    Returns N, an int: the least such N exactly, also where 1 - (1 - p_good)**N equals
    confidence exactly.
    """
    def enough(n):
        return 1 - (1 - p_good) ** n >= confidence

    # N may be far too large to count to: double until enough, then halve the gap
    low, high = 1, 2                   # low is never enough
    while not enough(high):
        low, high = high, 2 * high
    while high - low > 1:
        mid = (low + high) // 2
        if enough(mid):
            high = mid
        else:
            low = mid
    return high
