"""Wrong types and huge replies: a bool where an int belongs, a 24 MB array, a number as
text, a complex number, a list of a million entries."""

import numpy as np


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    if list(value_counts) == [10, 6, 5]:
        return 300, 3000, True                       # True == 1, but 6000 is not 1 anyway
    return np.ones(24 * 2**20 // 8)                  # 24 MB (32 MB as text): over the reply limit


def random_search_trials(p_good, confidence):
    if p_good == 0.05:
        return "59"
    if p_good == 0.5:
        return 2 + 0j
    return list(range(10**6))
