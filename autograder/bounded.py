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
import select
import signal
import struct
import time

from .procutil import close_all_but

_HEADER = struct.Struct(">Q")


class _Helper:
    def __init__(self):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:                      # the helper: serve until the pipe closes
            close_all_but({to_child_r, from_child_w})   # the zygote's socket above all: its
            code = 0                                     # EOF must come when the grader exits
            try:
                _serve(to_child_r, from_child_w)
            except BaseException:  # noqa: BLE001
                code = 1
            os._exit(code)
        os.close(to_child_r)
        os.close(from_child_w)
        self.owner = os.getpid()

    def call(self, fn, args, budget: float):
        """``fn(*args)``'s value, or raises TimeoutError after ``budget`` seconds."""
        _write(self.to_child, pickle.dumps((fn, args)))
        data = _read(self.from_child, time.monotonic() + budget)
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        return value

    def close(self) -> None:
        for fd in (self.to_child, self.from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (OSError, ChildProcessError):
            pass


def _write(fd: int, data: bytes) -> None:
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _read(fd: int, deadline: float | None) -> bytes:
    buf = b""
    need = _HEADER.size
    header_done = False
    while len(buf) < need:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, max(need - len(buf), 1 << 16))
        if not chunk:
            raise EOFError
        buf += chunk
        if not header_done and len(buf) >= _HEADER.size:
            (size,) = _HEADER.unpack(buf[:_HEADER.size])
            buf, need, header_done = buf[_HEADER.size:], size, True
    return buf


def _serve(rfd: int, wfd: int) -> None:
    while True:
        try:
            fn, args = pickle.loads(_read(rfd, None))
        except EOFError:
            return
        try:
            reply = (True, fn(*args))
        except Exception as exc:  # noqa: BLE001 - sent back and raised there
            reply = (False, exc)
        _write(wfd, pickle.dumps(reply))


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
