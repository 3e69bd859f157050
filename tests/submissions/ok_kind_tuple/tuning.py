"""Tuning: counts as numpy ints in a numpy array; trials from logs, settled exactly."""

import math
from fractions import Fraction

import numpy as np


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    combos = np.prod(value_counts, dtype=np.int64)
    return np.array([combos, combos * epochs_per_run, combos * epochs_per_run * minutes_per_epoch])


def random_search_trials(p_good, confidence):
    def enough(k):
        q = -math.expm1(k * math.log1p(-p_good))
        if k > 2000 or abs(q - confidence) > 1e-12:     # an exact tie needs a small k
            return q >= confidence
        return 1 - (1 - Fraction(p_good)) ** k >= Fraction(confidence)

    n = max(1, math.ceil(math.log1p(-confidence) / math.log1p(-p_good)))
    while n > 1 and enough(n - 1):
        n -= 1
    while not enough(n):
        n += 1
    return np.int64(n)


# ---------------------------------------------------------------- rewritten in another form (these definitions win)
import torch


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    combos = int(np.prod(value_counts))
    return torch.tensor([combos, combos * epochs_per_run, combos * epochs_per_run * minutes_per_epoch])
