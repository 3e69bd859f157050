"""Refuses to stop: ignores every signal it may, and loops catching BaseException, so a
timeout by signal or exception could never end it. random_search_trials is right."""

import math
import signal
import time

for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM, signal.SIGUSR1,
             signal.SIGUSR2, signal.SIGXCPU, signal.SIGVTALRM, signal.SIGPROF, signal.SIGQUIT):
    try:
        signal.signal(_sig, signal.SIG_IGN)
    except (OSError, ValueError):
        pass


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    while True:
        try:
            while True:
                time.sleep(0.01)
        except BaseException:
            continue


def random_search_trials(p_good, confidence):
    n = max(1, math.ceil(math.log1p(-confidence) / math.log1p(-p_good)))
    p, c = p_good, confidence          # settle the last step, in floats (N may be near 1e13)
    while n > 1 and 1 - (1 - p) ** (n - 1) >= c:
        n -= 1
    while not 1 - (1 - p) ** n >= c:
        n += 1
    return n
