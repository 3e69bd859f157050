"""Trusted work with a hard time limit: a function run in a forked helper process that is
killed when it overruns, so a student's answer built to make sympy work for minutes costs
the grader ``budget`` seconds and nothing more (a thread could not be stopped).

The helper is forked from the grading process on first use and serves calls until one
overruns; it runs only trusted code on values the trusted side built (pickle crosses between
two trusted processes here, never from a student's). Each grading process has its own.
"""

from __future__ import annotations

import os
import pickle
import signal
import socket
import time

from .codec import frame, recv_frame
from .procutil import close_all_but


class _Helper:
    def __init__(self):
        self.sock, theirs = socket.socketpair()
        self.pid = os.fork()
        if self.pid == 0:
            # the helper holds nothing else: the zygote's socket above all, whose EOF must come
            # when the grader exits
            close_all_but({theirs.fileno()})
            os._exit(_serve(theirs))
        theirs.close()
        self.owner = os.getpid()

    def call(self, fn, args, budget: float):
        """``fn(*args)``'s value, or raises TimeoutError after ``budget`` seconds."""
        self.sock.settimeout(None)
        self.sock.sendall(frame(pickle.dumps((fn, args))))
        ok, value = pickle.loads(recv_frame(self.sock, limit=2**62, deadline=time.monotonic() + budget))
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


def _serve(sock: socket.socket) -> int:
    """The helper's life: answers calls until the grader closes its end; the exit status."""
    while True:
        try:
            fn, args = pickle.loads(recv_frame(sock, limit=2**62))
        except EOFError:
            return 0
        except BaseException:  # noqa: BLE001
            return 1
        try:
            reply = (True, fn(*args))
        except Exception as exc:  # noqa: BLE001 - sent back and raised there
            reply = (False, exc)
        sock.sendall(frame(pickle.dumps(reply)))


_helper: _Helper | None = None


def run(fn, *args, budget: float):
    """``fn(*args)`` in the helper within ``budget`` seconds; TimeoutError past it (the helper is
    then killed, and the next call forks a fresh one)."""
    global _helper
    if _helper is None or _helper.owner != os.getpid():
        _helper = _Helper()
    try:
        return _helper.call(fn, args, budget)
    except (TimeoutError, EOFError, OSError, pickle.PickleError):
        _helper.close()
        _helper = None
        raise TimeoutError(f"no answer within {budget:g} s") from None
