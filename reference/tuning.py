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
    p, c = float(p_good), float(confidence)
    for low, high in _ratio_bounds(p, c):           # ln(1 - c) / ln(1 - p) lies in [low, high]
        n = max(1, math.ceil(low))
        if n == max(1, math.ceil(high)) or _exact_boundary(p, c, n):
            return n


def _ratio_bounds(p, c):
    """Ever tighter bounds (low, high) on x = ln(1 - c) / ln(1 - p), whose ceiling is N: first
    from floats, then from decimals of twice as many digits each time (N is never within
    reach of counting, nor (1 - p)**N of exact fractions)."""
    from decimal import Decimal, localcontext      # here, not at the top: the template copies that
    lp, lc = math.log1p(-p), math.log1p(-c)
    if min(-lp, -lc) > 1e-290 and lc / lp < 2.0 ** 50:     # not subnormal; x well inside a float
        x = lc / lp                    # log1p within a few ulps: 1e-13 is ~450 of them
        yield x * (1 - 1e-13), x * (1 + 1e-13)
    digits = 30 + max(0, math.ceil(math.log10(-lc) - math.log10(-lp)))      # N's digits, and more
    while True:
        with localcontext(prec=digits):
            x = _log1m(Decimal(c)) / _log1m(Decimal(p))
            slack = x.scaleb(10 - digits)                  # the error is below 10**(7 - digits) x
            yield x - slack, x + slack
        digits *= 2


def _log1m(v):
    """ln(1 - v) for a Decimal v in (0, 1), within 10**(6 - precision) of it, relatively."""
    from decimal import Decimal, getcontext
    if v > Decimal("0.001"):
        return (1 - v).ln()            # 1 - v rounded loses at most 3 digits of the logarithm
    total, power, k = Decimal(0), v, 1                     # -(v + v**2 / 2 + v**3 / 3 + ...)
    while True:
        term = power / k
        total -= term
        if term < -total.scaleb(-1 - getcontext().prec):
            return total               # the rest of the series is below a thousandth of this term
        power, k = power * v, k + 1


def _exact_boundary(p, c, n):
    """Whether (1 - p)**n == 1 - c exactly. With 1 - p = a / 2**m and 1 - c = b / 2**s in
    lowest terms (a, b odd), that needs m n = s and a**n = b: a test with numbers of at most
    s bits (s < 1100), whatever n is."""
    q, r = 1 - Fraction(p), 1 - Fraction(c)
    m, s = q.denominator.bit_length() - 1, r.denominator.bit_length() - 1
    return m * n == s and q.numerator ** n == r.numerator
