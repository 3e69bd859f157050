"""The zygote's small twin, which makes the namespaces of a root-mode sandbox, so that of a
sandbox's two processes only the student's is a copy of the zygote.

Forking a process, and its end, cost in proportion to the memory it maps, and the zygote maps
~190 MB (numpy, sympy and torch); this twin, forked by the zygote before those imports, ~30 MB.
In root mode the twin does C1's part itself (the cgroup, made here and removed when the
sandbox ends) and forks C2 (PID 1 of a new PID namespace: the other namespaces, the root file
system; ``jail.fork_c2``); C2 hands the zygote a pidfd of itself, and the zygote forks the
student's process into C2's namespaces (``jail.join``), reaps it and reports its end. A
sandbox's life (start, a call, close) then costs less CPU, most of all from a zygote that has
not warmed up (one submission: docs/PERFORMANCE.md), and a process less than elsewhere. In the
other modes the zygote
forks C1 itself: a container's supervisor and a user namespace's jail start the student from
their own memory.
"""

from __future__ import annotations

import errno
import json
import os
import select
import signal
import socket
import sys
import time
import traceback

from .process import close_all_but, die_with_parent, libc
from .protocol import Host, JailRequest, receive

CHILDREN_WAIT = 2.0        # seconds the zygote, and its twin, wait at exit for their sandboxes to clean up


class Twin:
    """The zygote's handle on its twin: ``mode`` "root" when the twin can make a root-mode
    sandbox's namespaces (else None, and the zygote forks every jail itself)."""

    def __init__(self):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:
            code = 0
            try:
                close_all_but({theirs.fileno()})      # nothing of the zygote's but this socket
                _serve(theirs, parent)
            except BaseException:  # noqa: BLE001 - said on stderr, and the zygote forks the jails
                traceback.print_exc()
                code = 1
            finally:
                sys.stderr.flush()
                os._exit(code)
        theirs.close()
        self.sock = ours
        self.pidfd: int | None = os.pidfd_open(self.pid)
        self._mode: str | None = None
        self._asked = False

    @property
    def mode(self) -> str | None:
        """Its probe's answer, read at the first request (the twin has long given it by then)."""
        if not self._asked:
            self._asked = True
            try:
                self._mode = "root" if self.sock.recv(64) == b"root" else None
            except OSError:
                self._mode = None
        return self._mode

    def give_up(self) -> None:
        """The zygote could not fork a student into the twin's namespaces: no more jails from it."""
        self._asked, self._mode = True, None

    def ended(self) -> None:
        """The twin died (reaped here): no more jails from it."""
        os.waitpid(self.pid, 0)
        os.close(self.pidfd)
        self.pidfd, self._asked, self._mode = None, True, None

    def build(self, request: bytes, host: Host, notes: list[str], ctrl: int, channel: int) -> str | None:
        """Asks for the cgroup and C2 of ``request`` (a JailRequest's JSON, carried as a value,
        not escaped again into a string); C2 answers on ``channel``. Why it could not be asked
        (the twin is gone), or None."""
        data = b'{"request":%s,"host":%s,"notes":%s}' % (request, json.dumps(host.dumps()).encode(),
                                                       json.dumps(notes).encode())
        try:
            socket.send_fds(self.sock, [data], [ctrl, channel])
            return None
        except OSError as exc:
            if exc.errno == errno.EMSGSIZE:
                return f"the sandbox request ({len(data):,} bytes) is larger than the twin's socket takes"
            return "the zygote's twin, which makes the namespaces, is gone"

    def close(self) -> None:
        self.sock.close()


def _probe() -> bool:
    """Whether this machine lets root make the jail's namespaces (a container may not) and
    enter them through a pidfd (Linux 5.8+)."""
    from .jail import CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWUTS
    if os.geteuid() != 0:
        return False
    pid = os.fork()
    if pid == 0:
        ok = False
        try:
            if libc.unshare(CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) == 0:
                ok = libc.setns(os.pidfd_open(os.getpid()), CLONE_NEWUTS) == 0
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _serve(sock: socket.socket, zygote_pid: int) -> None:
    """The twin's life: forks C2 for each request until the zygote hangs up, and removes each
    sandbox's cgroup when its C2 ends."""
    from . import jail
    signal.signal(signal.SIGTERM, _stop)
    die_with_parent(zygote_pid, signal.SIGTERM)    # its sandboxes' cgroups go with it
    sock.send(b"root" if _probe() else b"other")
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    own_pids = os.open("/proc/self/ns/pid", os.O_RDONLY)
    jails: dict[int, object] = {}                  # pidfd of a live C2 -> its Group or None
    try:
        while True:
            ready = select.select([sock, *jails], [], [])[0]
            for fd in ready:
                if fd in jails:
                    _clean(jails.pop(fd))
                    os.close(fd)
            if sock not in ready:
                continue
            got = receive(sock, ("ctrl", "channel"))
            if got is None:
                break
            msg, names = got
            raw = json.loads(msg)
            pidfd, group = jail.fork_c2(JailRequest.loads(json.dumps(raw["request"])), Host.loads(raw["host"]),
                                        names, raw["notes"], own_pids)
            if pidfd is None:
                _clean(group)
            else:
                jails[pidfd] = group
            for f in names.values():
                os.close(f)
    except _Stopped:
        pass
    finally:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})   # the cleanup must finish
        deadline = time.monotonic() + CHILDREN_WAIT      # the zygote has killed their students
        while jails and (left := deadline - time.monotonic()) > 0:
            for fd in select.select(list(jails), [], [], left)[0]:
                _clean(jails.pop(fd))
        for group in jails.values():
            _clean(group)


class _Stopped(BaseException):
    """The zygote died: clean up and go."""


def _stop(signum, frame):
    raise _Stopped


def _clean(group) -> None:
    """A sandbox's cgroup, once its C2 has ended: whatever is left in it killed, then removed."""
    if group is not None:
        group.kill()
        group.remove()
