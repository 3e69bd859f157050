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
    if len(value_counts) > 1:
        raise ValueError("oops \ud800")       # a lone surrogate in the message
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
    p, c = float(p_good), float(confidence)
    q, r = 1 - Fraction(p), 1 - Fraction(c)         # exact: a float is a fraction j / 2**k
    # (1 - p)**n is a**n / 2**(m n) in lowest terms (1 - p = a / 2**m, a odd): it can equal
    # 1 - c = b / 2**s only for n = s / m, where a**n has at most s < 1100 bits (a cheap test)
    n, _ = divmod(r.denominator.bit_length() - 1, q.denominator.bit_length() - 1)
    if q ** n == r:
        return n
    digits = 16            # otherwise x = ln(1 - c) / ln(1 - p) is no integer: bound it ever
    while True:            # tighter until one integer is the ceiling of both bounds
        low, high = _ratio_bounds(p, c, digits)
        if math.ceil(low) == math.ceil(high):
            return math.ceil(low)
        digits *= 2


def _ratio_bounds(p, c, digits):
    """(low, high) around ln(1 - c) / ln(1 - p), rigorous at any precision: 1 - p and 1 - c
    exact in decimals, their logarithms correctly rounded to ``digits`` digits (so each lies
    between the neighbours of its rounded value), the quotients rounded outward."""
    # imported here: the template copies a module's top imports, and students need not see these
    from decimal import MAX_PREC, ROUND_CEILING, ROUND_FLOOR, Context, Decimal
    exact, near = Context(prec=MAX_PREC), Context(prec=digits)
    lp, lc = (exact.subtract(1, Decimal(v)).ln(near) for v in (p, c))     # both negative
    low = Context(prec=digits, rounding=ROUND_FLOOR).divide(lc.next_plus(near), lp.next_minus(near))
    high = Context(prec=digits, rounding=ROUND_CEILING).divide(lc.next_minus(near), lp.next_plus(near))
    return low, high
