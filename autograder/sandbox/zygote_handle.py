"""The warm parent (the zygote) as the trusted side holds it: one per grading run, started
before anything heavy is imported here, so that its imports of numpy, sympy and torch overlap
the grader's own; asked to fork a jail for every sandbox.

Imports nothing heavy (no numpy): the command line starts it first thing. A batch's worker
processes, forked from the process that started it, share it: every request is one
SOCK_SEQPACKET packet with its descriptors, whole or not at all, and gets no answer on this
socket (the jail's first line on its control pipe is the answer), so concurrent requests
from several processes need no lock.
"""

from __future__ import annotations

import atexit
import errno
import os
import socket
import subprocess
import sys
import threading

from ..paths import PACKAGES_HOME
from .process import SINGLE_THREAD
from .protocol import MAX_REQUEST_BYTES, JailRequest, SandboxFault

_BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); "
         "from autograder.sandbox.zygote import main; main(int(sys.argv[2]), sys.argv[3] == 'warm')")
ZYGOTE_ENV = ("PATH", "LANG", "LD_LIBRARY_PATH", "TMPDIR")     # inherited by the zygote


class Zygote:
    """The warm parent process, shared by every sandbox of the process that started it and of
    the processes it forks afterwards (a batch's workers). ``warm_up``: while no request
    waits, it also runs what students' code commonly touches (sympy's simplify) and puts its
    memory in huge pages, which pays for a long-lived grader (a batch, the notebook check), not
    for one submission (the costs: docs/PERFORMANCE.md)."""

    def __init__(self, warm_up: bool = False):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # the student process can read this environment back (/proc/self/environ): pass none
        # of the grader's own variables (tokens, paths), only what the interpreter needs
        env = {k: v for k, v in os.environ.items() if k in ZYGOTE_ENV or k.startswith("LC_")}
        env.update(SINGLE_THREAD)
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOT, PACKAGES_HOME, str(theirs.fileno()),
             "warm" if warm_up else "cold"],
            pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL, cwd="/",
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,   # nothing of it holds the
            start_new_session=True)                                 # grader's own output open
        theirs.close()
        self.sock = ours
        self.owner = os.getpid()

    @property
    def alive(self) -> bool:
        if os.getpid() != self.owner:      # a forked worker cannot wait for it: ask the kernel
            try:
                os.kill(self.proc.pid, 0)
                return True
            except OSError:
                return False
        return self.proc.poll() is None

    def spawn(self, request: JailRequest, fds: list[int]) -> None:
        """Asks for a jail; it answers on the control pipe among ``fds`` once it serves (the
        zygote may still be importing: the request waits in the socket until it is ready).
        SandboxFault saying why when the request cannot be sent (a fault of the grader's, never
        the student's: no field of the request grows with a submission past its bound)."""
        data = request.dumps()
        if len(data) > MAX_REQUEST_BYTES:
            raise SandboxFault(f"the sandbox request is {len(data):,} bytes, over its {MAX_REQUEST_BYTES:,}-byte "
                               "limit (the submission's path, or the guarded folders, are that long)")
        try:
            socket.send_fds(self.sock, [data], fds)
        except OSError as exc:
            if exc.errno == errno.EMSGSIZE:
                raise SandboxFault(f"the sandbox request ({len(data):,} bytes) is larger than the zygote's "
                                   "socket takes in one packet (EMSGSIZE)") from None
            raise SandboxFault(f"the sandbox zygote stopped ({os.strerror(exc.errno or 0)})") from None

    def close(self) -> None:
        if os.getpid() != self.owner:
            self.sock.close()
            return
        try:
            self.sock.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()


_zygote: Zygote | None = None
_zygote_lock = threading.Lock()


def zygote(warm_up: bool = False) -> Zygote:
    """The process-wide zygote (inherited by forked processes), started on first use."""
    global _zygote
    with _zygote_lock:
        if _zygote is None or not _zygote.alive:
            _zygote = Zygote(warm_up)
            atexit.register(_zygote.close)
        return _zygote


def release() -> None:
    """Lets the process-wide zygote end now, once no sandbox of this process and of those it
    forked will be asked for again: it cleans up while this process goes on (a batch writes
    its gradebook and summary meanwhile), and exit waits for it as before. A later ``zygote()``
    starts a new one."""
    global _zygote
    with _zygote_lock:
        if _zygote is not None and os.getpid() == _zygote.owner:
            _zygote.sock.close()           # it ends when every holder of this end has closed it
            _zygote = None
