"""Process hygiene shared by the trusted side's forked helpers and by every process of the jail
(the zygote, its twin, C1 to C3): one thread per process, a forked child that holds none of
its parent's descriptors and dies with its parent, and libc calls that raise when they fail.
Imports nothing of the project, so the jail can use it after its setup.
"""

import ctypes
import os
import signal

# One thread per process, everywhere the grader runs numpy or torch (the trusted process, the
# zygote and every sandbox): a batch's workers fill the cores, and 2 cores shared by
# oversubscribed thread pools run slower than 2 single-threaded processes.
SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
PR_SET_PDEATHSIG = 1

libc = ctypes.CDLL(None, use_errno=True)


def limit_threads(force: bool = False) -> None:
    """Sets the thread-count variables before numpy or torch is imported (``force``: even where
    the environment set them)."""
    for var, value in SINGLE_THREAD.items():
        if force:
            os.environ[var] = value
        else:
            os.environ.setdefault(var, value)


def check(result: int, what: str) -> None:
    """Raises OSError, with errno's words, when a libc call returned non-zero."""
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def close_all_but(keep: set) -> None:
    """Closes every inherited descriptor above 2 but ``keep``: a forked child must not hold the
    zygote's socket (its EOF is how the zygote learns the grader is gone) or a sandbox's."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def die_with_parent(parent: int | None, sig: int = signal.SIGKILL) -> None:
    """``sig`` to this process when its parent dies, even while it computes; it exits at once if
    ``parent`` (its parent's pid) died before the request took effect. ``parent`` None: the
    parent lies outside this PID namespace, where it cannot be checked by pid."""
    check(libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0), "pdeathsig")
    if parent is not None and os.getppid() != parent:
        os._exit(0)
