"""The trusted side of the sandbox: starts the zygote, opens a jailed process per submission,
sends requests with a deadline, and turns every way a student process can fail into a
:class:`StudentError` with a message for the report.
"""

from __future__ import annotations

import os
import secrets
import select
import signal
import socket
import threading
import time
from dataclasses import dataclass, field

from .. import codec
from ..paths import secret_dirs
from .protocol import (RUNNER_KINDS, JailRequest, Limits, SandboxFault, SandboxUnavailable, StudentError,
                       SubmissionFiles, describe_end, parse_start, shown)
from .zygote_handle import zygote

OUTPUT_KEPT = 4000           # bytes of the student's printed output kept for the report
START_WAIT = 60.0            # seconds for a jail's first line (the zygote may still be importing)

_SIGNALS = {signal.SIGSEGV: "SIGSEGV (segmentation fault)", signal.SIGABRT: "SIGABRT (abort)",
            signal.SIGKILL: "SIGKILL (killed: memory or process limit?)",
            signal.SIGXCPU: "SIGXCPU (CPU time limit)", signal.SIGBUS: "SIGBUS (bus error)",
            signal.SIGFPE: "SIGFPE (arithmetic fault)", signal.SIGILL: "SIGILL (illegal instruction)",
            signal.SIGXFSZ: "SIGXFSZ (file size limit)"}


def describe_status(status: int | None) -> str:
    """A wait status in words."""
    if status is None:
        return "the process died"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = _SIGNALS.get(sig) or signal.Signals(sig).name
        return f"the process died: {name}"
    code = os.WEXITSTATUS(status)
    return f"the process exited with status {code} (os._exit or sys.exit?)"


def _next_uid() -> int:
    """A uid no other live sandbox of this machine is likely to hold (the process limit counts
    per uid): drawn at random from two billion, so a handful of concurrent sandboxes, from
    however many grading processes, collide with odds below one in a hundred million."""
    return 200_000 + secrets.randbelow(2**31 - 400_000)


@dataclass
class _Process:
    """One jailed process and the descriptors that reach it."""

    sock: socket.socket
    ctrl: int
    pid: int
    pidfd: int
    mode: str
    output: bytearray = field(default_factory=bytearray)
    drain: threading.Thread | None = None

    def kill(self) -> None:
        try:
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        except OSError:
            pass
        if self.mode == "none":            # no PID namespace: its session is all we can reach
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except OSError:
                pass

    def death(self, wait: float) -> str:
        """Why the process ended, from its jail's report if it arrives within ``wait`` seconds."""
        ready, _, _ = select.select([self.ctrl], [], [], wait)
        data = os.read(self.ctrl, 4096).decode(errors="replace") if ready else ""
        return describe_end(data, describe_status) or describe_status(None)

    def close(self) -> None:
        self.kill()
        for closer in (self.sock.close, lambda: os.close(self.ctrl), lambda: os.close(self.pidfd)):
            try:
                closer()
            except OSError:
                pass


class Reply:
    """A value the student's process sent back: ``key``, a digest of the reply's bytes after its
    id (equal keys, equal replies), or None; ``value``, the data it decodes to, its JSON parsed
    only when a case reads it (a reply the memo knows, ``autograder/engine/memo.py``, never is):
    StudentError "crash" if that JSON is malformed, "unencodable" if it is no data or too
    large. ``body``: the whole reply, unparsed, of the runner's form for a returned value
    (``codec.returns_value``), whose "value" that is."""

    def __init__(self, raw, key: bytes | None, body: bytes | None = None):
        self.raw, self.key, self.body = raw, key, body

    @classmethod
    def of(cls, value) -> "Reply":
        """The reply a student's process sends for returning ``value``."""
        encoded = codec.encode(value)
        return cls(encoded, codec.digest(codec.without_id(codec.body({"ok": True, "value": encoded}, 0), 0)))

    @property
    def value(self):
        if self.body is not None:
            try:
                self.raw = codec.loads(self.body, max_values=None)["value"]      # Room counted it
            except codec.TooLarge as exc:
                raise too_large(exc) from None
            except codec.CodecError as exc:
                raise StudentError("crash", f"the student process sent a malformed reply: {exc}") from None
            self.body = None
        try:
            return codec.decode(self.raw)
        except codec.TooLarge as exc:
            raise too_large(exc) from None
        except codec.CodecError as exc:
            raise StudentError("unencodable", f"returned a value that cannot be graded: {exc}") from None


def bare(exc: StudentError) -> StudentError:
    """``exc`` without the frames it was raised through, to be kept and raised again later: a
    frame that holds (by its callers) what holds the error is a cycle that keeps what the
    frames hold (a refused reply, 16 MB) until the garbage collector's next full pass."""
    exc.__traceback__ = exc.__context__ = exc.__cause__ = None
    return exc


def too_large(exc: codec.TooLarge) -> StudentError:
    """The failure of a call whose reply the grader does not read, in the student's terms."""
    return StudentError("unencodable", f"returned a value too large to grade: {exc}")


@dataclass
class Room:
    """What the replies to one request may still hold, counted before any is decoded: bytes,
    and values (``codec.count_values``); a bundle of calls shares one, as one reply would."""

    bytes: int = codec.MAX_MESSAGE
    values: int = codec.MAX_VALUES

    def take(self, body: bytes) -> None:
        """Counts ``body`` against what is left; raises TooLarge if it does not fit."""
        count = codec.count_values(body)
        if count > self.values == codec.MAX_VALUES:
            raise codec.too_many_values(count)
        if count > self.values:
            raise codec.TooLarge(f"it holds {count:,} list entries, numbers and strings, which with the "
                                 f"{codec.MAX_VALUES - self.values:,} the calls before it returned are over "
                                 f"the {codec.MAX_VALUES:,} that are read (a numpy array counts as one)")
        self.bytes -= len(body)
        self.values -= count


class Replies:
    """The replies to a bundle of calls (a "calls" request), in order, up to the first call that
    failed: ``items`` (Reply), ``error`` (that call's StudentError, or None), ``key`` (a digest
    of every reply's key when every call returned a value in the runner's form, else None)."""

    def __init__(self, items: list[Reply], error: StudentError | None = None):
        self.items, self.error = items, error
        keys = [r.key for r in items]
        self.key = None if error is not None or None in keys else codec.digest(b"".join(keys))

    @classmethod
    def gather(cls, calls, call) -> "Replies":
        """``call(args, kwargs)`` (a Reply, or StudentError raised) on each ``[args, kwargs]`` of
        ``calls`` in turn, up to the first that fails, as the runner answers a bundle."""
        items: list[Reply] = []
        for args, kwargs in calls:
            try:
                items.append(call(args, kwargs))
            except StudentError as exc:
                return cls(items, exc)
        return cls(items)


class Sandbox:
    """A submission's jailed process, restarted after any death, with per-call deadlines.

    ``guarded``: what the student must never read beyond the answers and the checkout (a
    batch's other students and reports)."""

    def __init__(self, files: SubmissionFiles, limits: Limits | None = None, *,
                 unsandboxed: bool = False, guarded: tuple[str, ...] = ()):
        self.files = files
        self.limits = limits or Limits()
        self.unsandboxed = unsandboxed
        self.guarded = tuple(dict.fromkeys(secret_dirs() + tuple(os.path.realpath(g) for g in guarded)))
        self.proc: _Process | None = None
        self.mode = "?"
        self.notes: list[str] = []             # what the mode lacks here, for the report
        self.generation = 0                    # processes started so far; the live one's number
        self.next_id = 0
        self.output = bytearray()

    @property
    def alive(self) -> bool:
        return self.proc is not None

    # ---------------------------------------------------------------- process life
    def _start(self) -> _Process:
        ours, theirs = socket.socketpair()
        out_r, out_w = os.pipe()
        ctrl_r, ctrl_w = os.pipe()
        request = JailRequest(self.files, _next_uid(), self.limits, self.unsandboxed, self.guarded)
        try:
            try:
                zygote().spawn(request, [theirs.fileno(), out_w, ctrl_w])
            finally:
                theirs.close()
                os.close(out_w)
                os.close(ctrl_w)
            started = parse_start(self._read_line(ctrl_r, START_WAIT))
        except (SandboxUnavailable, SandboxFault):
            for fd in (out_r, ctrl_r):
                os.close(fd)
            ours.close()
            raise
        try:
            pidfd = os.pidfd_open(started.pid)
        except OSError:                   # it died before it could be held: a crash, said so
            pidfd = os.open("/dev/null", os.O_RDONLY)
        proc = _Process(ours, ctrl_r, started.pid, pidfd, started.mode)
        self.mode = started.mode
        self.notes += [n for n in started.notes if n not in self.notes]
        proc.drain = threading.Thread(target=self._drain, args=(out_r,), daemon=True)
        proc.drain.start()
        return proc

    @staticmethod
    def _read_line(fd: int, wait: float) -> str:
        buf = b""
        deadline = time.monotonic() + wait
        while not buf.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                break
            chunk = os.read(fd, 1)
            if not chunk:
                break
            buf += chunk
        return buf.decode(errors="replace").strip()

    def _drain(self, fd: int) -> None:
        """Reads the student's printed output to its end, keeping only the first bytes."""
        try:
            while True:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    break
                if len(self.output) < OUTPUT_KEPT:
                    self.output += chunk[: OUTPUT_KEPT - len(self.output)]
        finally:
            os.close(fd)

    def close(self) -> None:
        if self.proc is not None:
            self.proc.close()
            self.proc = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---------------------------------------------------------------- requests
    def reply(self, message: dict, timeout: float) -> "Reply":
        """Sends ``message``; returns the reply (its value decoded when asked for), or raises
        StudentError."""
        proc = self._post(message, timeout)
        return self._receive(proc, timeout, Room())

    def replies(self, message: dict, count: int, limit) -> Replies:
        """Sends a "calls" ``message`` of ``count`` calls and reads a reply per call as each
        arrives, each within ``limit()`` seconds of the one before (``limit`` raises
        StudentError when no time is left); stops at the first failed call. Raises
        StudentError only when the message could not be sent."""
        proc = self._post(message, limit())
        items: list[Reply] = []
        room = Room()
        try:
            while len(items) < count:
                items.append(self._receive(proc, limit(), room))
        except StudentError as exc:
            if self.proc is proc and exc.kind == "budget":
                self.close()               # its reply would answer the next request
            return Replies(items, bare(exc))
        return Replies(items)

    def _post(self, message: dict, timeout: float) -> _Process:
        """Sends ``message`` to the live process (started if none is): the process."""
        if self.proc is None:
            self.proc = self._start()
            self.generation += 1
        proc = self.proc
        self.next_id += 1
        try:
            self._send(proc, codec.request(message, self.next_id), timeout)
        except (StudentError, SandboxFault):
            self.close()
            raise
        return proc

    def _receive(self, proc: _Process, timeout: float, room: Room) -> Reply:
        """The next reply to the latest request, within ``timeout`` and ``room`` (refused unread
        past it, the process then ended), or StudentError."""
        try:
            body = self._await(proc, timeout, room.bytes)
            room.take(body)
            if codec.returns_value(body, self.next_id):     # the runner's form: parsed if read
                return Reply(None, codec.digest(codec.without_id(body, self.next_id)), body)
            reply = codec.loads(body, max_values=None)                      # room.take counted it
        except codec.TooLarge as exc:
            self.close()
            if exc.size is not None and room.bytes < codec.MAX_MESSAGE:     # a bundle's later reply
                exc = codec.TooLarge(f"a reply of {exc.size:,} bytes, which with the "
                                     f"{codec.MAX_MESSAGE - room.bytes:,} the calls before it returned is "
                                     f"over the {codec.MAX_MESSAGE:,} that are read")
            raise too_large(exc) from None
        except codec.CodecError as exc:
            self.close()
            raise StudentError("crash", f"the student process sent a malformed reply: {exc}") from None
        except (StudentError, SandboxFault):
            self.close()
            raise
        if not isinstance(reply, dict) or reply.get("id") != self.next_id \
                or not isinstance(reply.get("ok"), bool):
            self.close()
            raise StudentError("crash", "the student process sent a malformed reply")
        if reply["ok"]:
            rest = codec.without_id(body, self.next_id)
            return Reply(reply.get("value"), None if rest is None else codec.digest(rest))
        kind, text = reply.get("kind"), reply.get("message")
        if not isinstance(kind, str) or not isinstance(text, str):
            raise StudentError("crash", "the student process sent a malformed reply")
        if kind not in RUNNER_KINDS:       # "timeout", "crash", ... are the grader's to say
            kind = "raised"
        raise StudentError(kind, shown(text))

    @staticmethod
    def _send(proc: _Process, data: bytes, timeout: float) -> None:
        """Sends a framed request to a process that may have died or stopped reading."""
        proc.sock.settimeout(timeout)
        try:
            proc.sock.sendall(data)
        except TimeoutError:
            raise StudentError("timeout", f"timed out after {timeout:g} s") from None
        except OSError:                     # it died between two requests
            raise StudentError("crash", proc.death(2.0)) from None

    @staticmethod
    def _await(proc: _Process, timeout: float, limit: int) -> bytes:
        """The reply's body, whole, within ``timeout`` (a trickled reply times out too); TooLarge
        over ``limit`` bytes, before they are read."""
        try:
            return codec.recv_frame(proc.sock, limit, deadline=time.monotonic() + timeout)
        except (EOFError, ConnectionError):
            raise StudentError("crash", proc.death(2.0)) from None
        except TimeoutError:
            raise StudentError("timeout", f"timed out after {timeout:g} s") from None
