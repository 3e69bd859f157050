"""Trusted work with a hard time and memory limit: a function run in a forked helper process
that is killed when it overruns, so a student's answer built to make sympy work for minutes
costs the grader ``budget`` seconds and nothing more (a thread could not be stopped).

The helper is forked from the grading process on first use and serves calls until one
overruns; it runs only trusted code on values the trusted side built or decoded (pickle
crosses between two trusted processes here, never from a student's). Each grading process has
its own. Its address space may grow by ``MEMORY`` bytes past what it had when forked (beyond
that, ``MemoryError`` is raised in it and sent back), and it dies with the process that forked it.

A helper may call ``run`` itself (the symbolic checker judges an answer in a helper, and bounds
each simplification inside that by a helper of the helper's): the inner budget then never
reaches past the outer call's deadline, less ``RESERVE`` seconds for the outer call to finish.
"""

from __future__ import annotations

import os
import pickle
import resource
import signal
import socket
import time

from .codec import frame, recv_frame
from .sandbox.process import close_all_but, die_with_parent

MEMORY = 1 << 29           # bytes of address space a helper may add to what it was forked with
RESERVE = 0.5              # seconds an outer call keeps for itself after a nested one gives up


class _Helper:
    def __init__(self):
        self.sock, theirs = socket.socketpair()
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:
            _forget_inherited()
            # the helper holds nothing else: the zygote's socket above all, whose EOF must come
            # when the grader exits
            close_all_but({theirs.fileno()})
            die_with_parent(parent)
            _limit_memory(MEMORY)
            os._exit(_serve(theirs))
        theirs.close()
        self.owner = parent

    def call(self, fn, args, deadline: float):
        """``fn(*args)``'s value, or raises TimeoutError once ``deadline`` has passed."""
        self.sock.settimeout(None)
        self.sock.sendall(frame(pickle.dumps((fn, args, deadline))))
        ok, value = pickle.loads(recv_frame(self.sock, limit=2**62, deadline=deadline))
        if not ok:
            raise value
        return value

    def close(self) -> None:
        self.sock.close()
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (OSError, ChildProcessError):
            pass


def _forget_inherited() -> None:
    """In a new helper: the parent's own helper, if any, is not this process's to use or close
    (its descriptor number may be reused here)."""
    global _helper
    if _helper is not None:
        _helper.sock.detach()
        _helper = None


def _limit_memory(extra: int) -> None:
    """Address space: what the helper maps now plus ``extra`` bytes, and never more than the
    process that forked it may have (a nested helper shares its helper's ceiling; only root
    could raise it)."""
    with open("/proc/self/statm") as f:
        limit = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE") + extra
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


_outer_deadline: float | None = None        # in a helper: the deadline of the call it serves


def _serve(sock: socket.socket) -> int:
    """The helper's life: answers calls until the grader closes its end; the exit status."""
    global _outer_deadline
    while True:
        try:
            fn, args, _outer_deadline = pickle.loads(recv_frame(sock, limit=2**62))
        except EOFError:
            return 0
        except BaseException:  # noqa: BLE001
            return 1
        try:
            reply = (True, fn(*args))
        except Exception as exc:  # noqa: BLE001 - sent back and raised there
            reply = (False, exc)
        try:
            data = pickle.dumps(reply)
        except Exception as exc:  # noqa: BLE001 - an exception or value that does not pickle
            data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        sock.sendall(frame(data))


_helper: _Helper | None = None


class HelperDied(RuntimeError):
    """The helper ended before it answered, within its time (killed from outside, or a crash):
    a fault of the grader's, not a verdict on what it was given."""


def close() -> None:
    """Ends this process's helper, if it has one; the next ``run`` forks a fresh one (which
    inherits this process as it is then)."""
    global _helper
    if _helper is not None and _helper.owner == os.getpid():
        _helper.close()
    _helper = None


def run(fn, *args, budget: float):
    """``fn(*args)`` in the helper within ``budget`` seconds; TimeoutError past it (the helper is
    then killed, and the next call forks a fresh one), HelperDied if it ended before. In a
    helper, never past the deadline of the call it serves (less ``RESERVE``): TimeoutError at
    once when no time is left."""
    global _helper
    deadline = time.monotonic() + budget
    if _outer_deadline is not None:
        deadline = min(deadline, _outer_deadline - RESERVE)
        if deadline <= time.monotonic():
            raise TimeoutError("no time left")
    if _helper is None or _helper.owner != os.getpid():
        _helper = _Helper()
    try:
        return _helper.call(fn, args, deadline)
    except TimeoutError:
        close()
        raise TimeoutError(f"no answer within {budget:g} s") from None
    except (EOFError, OSError, pickle.PickleError) as exc:
        close()
        raise HelperDied(f"the bounded helper ended without an answer ({type(exc).__name__})") from None
