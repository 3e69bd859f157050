"""One thread per process, everywhere the grader runs numpy or torch (the trusted process, the
zygote and every sandbox): the workers of a batch fill the cores, and 2 cores shared by
oversubscribed thread pools run slower than 2 single-threaded processes."""

import os

SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def limit_threads(force: bool = False) -> None:
    """Sets the thread-count variables before numpy or torch is imported (``force``: even where
    the environment set them)."""
    for var, value in SINGLE_THREAD.items():
        if force:
            os.environ[var] = value
        else:
            os.environ.setdefault(var, value)
