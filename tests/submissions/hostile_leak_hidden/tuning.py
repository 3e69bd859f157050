"""Raises every argument it has seen (leak.py), in every call."""

from leak import leak


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    leak("grid_search_cost", value_counts, epochs_per_run, minutes_per_epoch)


def random_search_trials(p_good, confidence):
    leak("random_search_trials", p_good, confidence)
