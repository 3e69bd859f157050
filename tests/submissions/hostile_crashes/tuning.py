"""An ordinary RecursionError in one function; the other is right."""

import math


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    combinations = math.prod(int(n) for n in value_counts)
    total_epochs = combinations * int(epochs_per_run)
    return combinations, total_epochs, total_epochs * minutes_per_epoch


def random_search_trials(p_good, confidence):
    return random_search_trials(p_good, confidence)
