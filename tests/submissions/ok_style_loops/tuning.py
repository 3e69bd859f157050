"""Tuning with plain loops: trials counted one by one, settled exactly near the boundary."""

import math
from fractions import Fraction


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    combos = 1
    for n in value_counts:
        combos *= n
    return combos, combos * epochs_per_run, combos * epochs_per_run * minutes_per_epoch


def random_search_trials(p_good, confidence):
    miss, n = 1.0, 0
    while True:
        n += 1
        miss *= 1 - p_good
        found = 1 - miss
        if abs(found - confidence) < 1e-9:          # too close for floats: count exactly
            found = 1 - (1 - Fraction(p_good)) ** n
            if found >= Fraction(confidence):
                return n
        elif found >= confidence:
            return n
