"""Memory bombs. grid_search_cost asks for 40 GB at once (numpy, then an anonymous mmap, then
a bytearray); random_search_trials maps 256 MB at a time until refused, lets go, and answers
right: the limit fails the allocation, not the grader."""

import math
import mmap

import numpy as np


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    errors = []
    for grab in (lambda: np.ones(5 * 10**9),
                 lambda: mmap.mmap(-1, 40 * 2**30),
                 lambda: bytearray(40 * 2**30)):
        try:
            grab()
        except (MemoryError, OSError) as exc:
            errors.append(type(exc).__name__)
    raise MemoryError(f"all three refused: {errors}")


def random_search_trials(p_good, confidence):
    hoard = []
    try:
        while True:                    # address space only: fast on any machine, whatever its RAM
            hoard.append(mmap.mmap(-1, 256 * 2**20))
    except (MemoryError, OSError):
        pass
    got = len(hoard)
    for m in hoard:
        m.close()
    hoard.clear()
    if got > 400:                                  # more than 100 GB: there was no limit
        return -1
    n = max(1, math.ceil(math.log1p(-confidence) / math.log1p(-p_good)))
    p, c = p_good, confidence          # settle the last step, in floats (N may be near 1e13)
    while n > 1 and 1 - (1 - p) ** (n - 1) >= c:
        n -= 1
    while not 1 - (1 - p) ** n >= c:
        n += 1
    return n
