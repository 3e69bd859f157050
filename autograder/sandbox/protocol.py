"""What crosses the sandbox's boundaries, typed in one place: the request that starts a jail
(trusted side -> zygote -> jail), its limits, the lines the jail writes on its control pipe,
and the kinds of failure, with who may report each and how the report shows it.

Imported by the trusted side (client, engine, submission) and by the jail (zygote, jail,
runner); it imports nothing heavy (of the project, ``paths`` only), so the jail can use it
after its setup.
"""

from __future__ import annotations

import json
import os
import re
import socket
import traceback
from dataclasses import asdict, dataclass, field

from ..paths import PACKAGES_HOME

# ---------------------------------------------------------------- what the report shows of the student's words

MESSAGE_CHARS = 2000      # an exception message or trajectory error, as the report shows it
EXCEPTION_CHARS = 500     # what the runner keeps of str(exception), before its type and place
DETAIL_CHARS = 300        # a probe's measurement error, or why a reply could not be encoded
CELL_ERROR_CHARS = 500    # a notebook cell's error in the report's notes

_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7f, *range(0x80, 0xa0)] if c not in (9, 10)}
_CONTROL.update({c: f"\\u{c:04x}" for c in [*range(0x202a, 0x202f), *range(0x2066, 0x206a)]})


def printable(text: str) -> str:
    """``text`` with control characters (terminal escapes, carriage returns, bidi overrides)
    shown as escapes, so the student's words cannot redraw the grader's report."""
    return text.translate(_CONTROL)


_SURROGATE = re.compile("[\ud800-\udfff]")


def whole_text(text: str) -> str:
    """``text`` as UTF-8 can carry it: a lone surrogate (JSON's ``\\ud800`` escape carries one,
    and a file name of bytes that are not UTF-8 decodes to one) as its escape, ``\\ud800``.
    Student text is made whole where it enters the trusted side (a reply: ``codec.loads``; a
    report: ``engine/results.py``), so no digest, writer or terminal meets one."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def shown(text: str, limit: int = MESSAGE_CHARS) -> str:
    """The student's ``text`` as the report may show it: cut to ``limit`` and printable."""
    return printable(text[:limit])


_OURS = os.path.join(PACKAGES_HOME, "autograder")     # the grader's frames, left out of tracebacks


def describe(exc: BaseException) -> str:
    """An exception of the student's code as its reply says it, in the student's process (the
    runner's, and the trajectory probe's): its type, its message cut to EXCEPTION_CHARS, and the
    innermost frame of the student's own code."""
    text = str(exc)
    if len(text) > EXCEPTION_CHARS:
        text = text[:EXCEPTION_CHARS] + "..."
    return f"{type(exc).__name__}: {text}{_where(exc)}" if text else f"{type(exc).__name__}{_where(exc)}"


def _where(exc: BaseException) -> str:
    """The innermost frame of the student's code, as 'file, line N, in f'."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__, limit=None)
              if not f.filename.startswith(_OURS + os.sep)]
    if not frames:
        return ""
    f = frames[-1]
    return f" ({os.path.basename(f.filename)}, line {f.lineno}, in {f.name})"


# ---------------------------------------------------------------- failures

@dataclass(frozen=True)
class FailureKind:
    """A way a student's function can fail to give a value.

    ``reporter``: who may say so, ``"runner"`` (the student's process, so a reply may claim it)
    or ``"grader"`` (the trusted side only: a reply claiming it counts as ``raised``).
    ``shows_call``: whether the report prefixes the call that failed ("called f(...)")."""

    name: str
    reporter: str
    shows_call: bool


FAILURES = {k.name: k for k in (
    FailureKind("import", "runner", False),            # the module failed to import
    FailureKind("missing", "runner", False),           # no such function
    FailureKind("not_implemented", "runner", False),   # still the template's stub
    FailureKind("raised", "runner", True),             # the function raised
    FailureKind("unencodable", "runner", True),        # it returned something that is not data
    FailureKind("timeout", "grader", True),            # past the per-call deadline
    FailureKind("crash", "grader", True),              # its process died or spoke nonsense
    FailureKind("budget", "grader", False),            # the submission's time budget ran out
    FailureKind("skipped", "grader", False),           # not called again after a timeout
    FailureKind("missing_module", "grader", False),    # the module file is not handed in
)}
RUNNER_KINDS = frozenset(k for k, v in FAILURES.items() if v.reporter == "runner")


class StudentError(Exception):
    """The student's code did not produce a value; ``kind`` (a key of FAILURES) says why."""

    def __init__(self, kind: str, message: str):
        if kind not in FAILURES:
            raise ValueError(f"unknown failure kind {kind!r}")
        super().__init__(message)
        self.kind = kind
        self.message = message

    @property
    def shows_call(self) -> bool:
        return FAILURES[self.kind].shows_call


class SandboxUnavailable(RuntimeError):
    """No jail could be made on this machine: nothing can be graded safely."""


class SandboxFault(RuntimeError):
    """A sandbox failed for a reason that is not the student's: its jail reported an error, it
    did not start in time, or the zygote could not take the request. The grader retries in a
    fresh sandbox; a fault that persists leaves the submission not graded, never scored."""


# ---------------------------------------------------------------- the request

@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandbox."""

    memory_mb: int = 1024      # address space of each process, on top of the preloaded libraries
    cpu_s: int = 60            # CPU seconds of each process
    file_mb: int = 16          # largest file it may write
    disk_mb: int = 64          # what the whole sandbox may write (its private /tmp, or in a
                               # container its home and the container's shared folders)
    processes: int = 64        # processes and threads of its uid (and of its cgroup)
    group_memory_mb: int = 2048   # resident memory of all its processes (a cgroup, where one can be made)


@dataclass(frozen=True)
class SubmissionFiles:
    """What the jail copies in and how the runner loads it."""

    root: str                              # the folder the files are read from (trusted side's path)
    files: tuple[str, ...]                 # relative paths of regular files, never through a link
    max_bytes: int                         # bytes read of each file at most
    single: str | None = None              # one .py file serving every module
    cells: int | None = None               # a notebook's number of code cells (each cell's code and
                                           # label go with its own request, never in this one)


MAX_REQUEST_BYTES = 128 * 2**10  # a JailRequest's JSON, sent as one SOCK_SEQPACKET packet (at most
                                 # ~208 KB with Linux's default buffer): of what a submission decides
                                 # it holds its folder's path (4 KB, 24 KB as JSON at worst) and its
                                 # files' names (submission.MAX_NAME_BYTES), nothing per notebook cell


@dataclass(frozen=True)
class JailRequest:
    """Everything the trusted side asks of one sandbox."""

    submission: SubmissionFiles
    uid: int                               # its own unprivileged uid (root and container modes)
    limits: Limits = field(default_factory=Limits)
    unsandboxed: bool = False              # run without isolation where none can be had (mode "none")
    guarded: tuple[str, ...] = ()          # folders the student must never read (the answers,
                                           # other students' work): hidden inside a jail, and in
                                           # a container the jail refuses to start if it can read them

    def dumps(self) -> bytes:
        return json.dumps(asdict(self)).encode()

    @classmethod
    def loads(cls, data: bytes) -> "JailRequest":
        raw = json.loads(data)
        sub = raw["submission"]
        files = SubmissionFiles(sub["root"], tuple(sub["files"]), sub["max_bytes"], sub["single"], sub["cells"])
        return cls(files, raw["uid"], Limits(**raw["limits"]), raw["unsandboxed"], tuple(raw["guarded"]))


@dataclass(frozen=True)
class Host:
    """What the zygote knows of its machine and adds to every request (never from the trusted
    side's data): where jails are built, and the Python installation a student may use."""

    mountpoint: str                  # an empty folder where a namespace jail builds its root
    scratch: str                     # root-owned 0711 folder holding container sandboxes
    python_paths: tuple[str, ...]    # folders to bind (outermost only)
    python_order: tuple[str, ...]    # the student's sys.path after its working folder
    hidden: tuple[str, ...]          # folders on those paths holding answers: masked, or checked
    cgroup: str = ""                 # the zygote's own group, its sandboxes' parent ("": none)
    no_cgroup: str = ""              # why there is none, for the report's notes

    def dumps(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def loads(cls, data: str) -> "Host":
        raw = json.loads(data)
        return cls(raw["mountpoint"], raw["scratch"], *(tuple(raw[k]) for k in
                                                         ("python_paths", "python_order", "hidden")),
                   raw["cgroup"], raw["no_cgroup"])


# ---------------------------------------------------------------- the control pipe (jail -> trusted side)
# One JSON object per line: {"started": {...}} once the student's process serves, or
# {"refused": why} / {"error": text} when no sandbox could be made; later {"exit": wait status}
# or {"disk": megabytes} when the sandbox ends.

MODES = ("root", "userns", "container", "none")


@dataclass(frozen=True)
class Started:
    """A sandbox that serves: the pid the trusted side kills to end it, its isolation mode, and
    what that mode lacks on this machine (for the report's notes)."""

    pid: int
    mode: str
    notes: tuple[str, ...] = ()


def receive(sock, names: tuple[str, ...]) -> tuple[bytes, dict] | None:
    """One request packet from ``sock`` and its descriptors, keyed by ``names``; None once the
    sender has hung up."""
    try:
        msg, fds, _, _ = socket.recv_fds(sock, 1 << 20, len(names))
    except OSError:
        return None
    return (msg, dict(zip(names, fds))) if msg else None


def line(**item) -> bytes:
    return (json.dumps(item) + "\n").encode()


def started(pid: int, mode: str, notes=()) -> bytes:
    return line(started={"pid": pid, "mode": mode, "notes": list(notes)})


def error(exc: BaseException) -> bytes:
    return line(error=f"{type(exc).__name__}: {exc}")


def _items(text: str) -> list[dict]:
    out = []
    for raw in text.splitlines():
        try:
            item = json.loads(raw)
        except ValueError:
            continue
        if isinstance(item, dict) and len(item) == 1:
            out.append(item)
    return out


def parse_start(text: str) -> Started:
    """The jail's first line, or SandboxUnavailable with its reason."""
    for item in _items(text):
        if "started" in item:
            s = item["started"]
            if s.get("mode") not in MODES:
                break
            return Started(int(s["pid"]), s["mode"], tuple(str(n) for n in s.get("notes", ())))
        if "refused" in item:
            raise SandboxUnavailable(str(item["refused"]))
        if "error" in item:
            raise SandboxFault(f"the sandbox did not start: error {item['error']}")
    raise SandboxFault(f"the sandbox did not start: {text.strip() or 'no answer'}")


def describe_end(text: str, status_words) -> str | None:
    """Why a sandbox ended, from what its jail wrote after starting; None when it said nothing.
    Raises SandboxFault when the jail itself failed (its words come before the student's code
    runs, or from its supervisor: never the student's)."""
    for item in _items(text):
        if "disk" in item:
            return (f"the process was killed: the sandbox wrote more than {item['disk']:g} MB "
                    "to disk (its limit)")
        if "exit" in item:
            return status_words(int(item["exit"]))
        if "error" in item:
            raise SandboxFault(f"the sandbox failed: {item['error']}")
    return None
