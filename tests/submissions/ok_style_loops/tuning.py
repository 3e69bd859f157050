"""Tuning with plain loops: trials stepped from a logarithm's guess, settled exactly near the
boundary."""

import math
from fractions import Fraction


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    combos = 1
    for n in value_counts:
        combos *= n
    return combos, combos * epochs_per_run, combos * epochs_per_run * minutes_per_epoch


def random_search_trials(p_good, confidence):
    # a first guess from logarithms (p_good may be so small that N is too large to count to),
    # then a step at a time to the least N; where floats cannot tell, count exactly
    def found(n):
        return -math.expm1(n * math.log1p(-p_good))

    def enough(n):
        q = found(n)
        if n <= 2000 and abs(q - confidence) < 1e-9:
            return 1 - (1 - Fraction(p_good)) ** n >= Fraction(confidence)
        return q >= confidence

    n = max(1, int(math.log1p(-confidence) / math.log1p(-p_good)))
    while not enough(n):
        n += 1
    while n > 1 and enough(n - 1):
        n -= 1
    return n
