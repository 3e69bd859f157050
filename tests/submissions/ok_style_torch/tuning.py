"""Tuning with torch for the arithmetic; counts as 0-d tensors."""

import math
from fractions import Fraction

import torch


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    combos = torch.prod(torch.tensor(value_counts, dtype=torch.int64))
    return combos, combos * epochs_per_run, combos * epochs_per_run * minutes_per_epoch


def random_search_trials(p_good, confidence):
    miss = torch.log1p(torch.tensor(-p_good, dtype=torch.float64))
    n = max(1, math.ceil(math.log1p(-confidence) / float(miss)))

    def enough(k):       # exactly where the floating-point test is too close to call
        q = -math.expm1(k * float(miss))
        if k > 2000 or abs(q - confidence) > 1e-12:       # a tie in binary needs a small k
            return q >= confidence
        return 1 - (1 - Fraction(p_good)) ** k >= Fraction(confidence)

    while n > 1 and enough(n - 1):
        n -= 1
    while not enough(n):
        n += 1
    return torch.tensor(n)
