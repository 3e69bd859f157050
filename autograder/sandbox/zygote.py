"""The warm parent: imports the heavy third-party libraries once, then forks a jailed process
for each request of the trusted grader. It never imports ``reference/`` or ``graders/``, so no
student process inherits an answer in its memory.

Started by :class:`autograder.sandbox.zygote_handle.Zygote` as ``python -I -c <boot>`` with the
folder holding the ``autograder`` package and the descriptor of a SOCK_SEQPACKET socket. Each
request is one :class:`~autograder.sandbox.protocol.JailRequest` packet carrying three
descriptors (the student's request socket, its output pipe and the control pipe); the zygote
forks and the child enters the jail (``jail.enter``), which answers on the control pipe. The
zygote serves as soon as its imports are done; asked to (a long-lived grader), it warms their
lazy parts up while no request waits, so no sandbox waits for that. It exits when
every process holding the grader's end of the socket has closed it, without the
interpreter's teardown of torch.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import select
import shutil
import signal
import socket
import sys
import time
import traceback

from ..paths import answer_folders, within
from . import cgroups, folders, probes
from .process import check, libc, limit_threads
from .protocol import Host, JailRequest, line, receive
from .twin import CHILDREN_WAIT, Twin

START_WAIT = 30.0          # seconds for the twin's C2 to hand itself over
MADV_COLLAPSE, HUGE_PAGE = 25, 2 << 20
COLLAPSE_CHUNK = 4 * HUGE_PAGE


def python_paths() -> tuple[list[str], list[str]]:
    """The student's import path after its working folder, and the answer folders on it.

    Only this interpreter's own installation: its prefixes (a venv and its base) and the
    ``sys.path`` entries inside them (stdlib, lib-dynload, site-packages). An entry elsewhere,
    such as a checkout that a ``.pth`` file or an editable install put on the path (another
    clone's ``reference/``), is never given to the student. Where the answers themselves are
    installed on the path (``pip install`` puts ``reference/`` and ``graders/`` in
    site-packages' ``autograder/answers``), they are listed second, to be masked or checked."""
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                              sys.base_exec_prefix) if p}
    order: list[str] = []
    for raw in sys.path:
        if not raw or not os.path.isdir(raw):
            continue
        path = os.path.realpath(raw)
        if any(within(path, p) for p in prefixes) and path not in order:
            order.append(path)
    hidden = [folder for p in [*order, *sorted(prefixes)] for folder in answer_folders(p, False)]
    return order, list(dict.fromkeys(hidden))


def _bind_set(paths) -> list[str]:
    """The outermost of ``paths``, skipping those the system folders already hold."""
    chosen: list[str] = []
    for p in sorted(paths, key=len):
        if any(within(p, d) for d in ("/usr", "/etc", "/bin", "/lib")):
            continue
        if not any(within(p, c) for c in chosen):
            chosen.append(p)
    return chosen


def host() -> Host:
    """This zygote's facts for every jail: where to build, what of Python to show, and the
    cgroup its sandboxes' groups go in (named after its scratch folder, so that a grader that
    finds the folder abandoned removes the group too)."""
    order, hidden = python_paths()
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)}
    mountpoint, scratch = folders.make()
    group, why = cgroups.make_parent(cgroups.PREFIX + folders.suffix(scratch))
    return Host(mountpoint, scratch, tuple(_bind_set([*prefixes, *order])), tuple(order), tuple(hidden),
                group, why)


def _import() -> None:
    """What every student's process starts with: numpy, sympy and torch imported, and the
    homework's probes and measurements (``autograder/probes/``) registered."""
    import numpy  # noqa: F401
    import sympy  # noqa: F401
    import torch
    torch.set_num_threads(1)
    from .. import probes as homework_probes
    homework_probes.load()


def _warm_up():
    """Runs once what students' code commonly touches, so that the lazy imports and caches of
    numpy, torch and sympy are paid here rather than in every later student's process; then
    puts the memory in huge pages. One step at a time (a generator): the zygote serves the
    requests that wait between two steps."""
    import numpy as np
    import sympy
    import torch
    import torch.nn.functional as F
    x = torch.randn(1, 1, 6, 6, dtype=torch.float64, requires_grad=True)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU(), torch.nn.Dropout(0.5),
                              torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(8, 2))
    net(x.float()).sum().backward()
    y = F.avg_pool2d(F.conv2d(x, torch.ones(1, 1, 2, 2, dtype=torch.float64), padding=1), 2)
    (torch.sigmoid(y).sum() + torch.softmax(y.flatten(), 0)[0]).backward()
    torch.autograd.functional.jacobian(torch.tanh, torch.zeros(2, dtype=torch.float64))
    np.linalg.eigh(np.eye(2)), np.einsum("ij,jk->ik", np.eye(2), np.eye(2))
    np.lib.stride_tricks.sliding_window_view(np.zeros((4, 4)), (2, 2))
    yield
    for warm in probes.WARM_UPS:          # each probe's own (autograder/probes/): a first run of a
        rng_state = torch.get_rng_state()     # probe costs twice its later ones; students'
        warm()                                # processes start from the state they always had
        torch.set_rng_state(rng_state)
        yield
    z = sympy.Symbol("z", real=True)
    str(sympy.diff(1 / (1 + sympy.exp(-z)), z))
    str(sympy.Matrix([[z, 1], [0, z]]).diff(z)), str(sympy.Interval.open(0, sympy.oo))
    yield
    # simplify's lazy parts, which a student's first call would pay otherwise, on a small
    # expression: a step serves no request, so it must be short (docs/PERFORMANCE.md)
    str(sympy.simplify(sympy.exp(z) / (1 + sympy.exp(z)) - sympy.tanh(z) ** 2))
    yield
    _freeze()
    yield
    yield from _huge_pages()


def _await_children(limit: float) -> None:
    """Waits up to ``limit`` seconds for the sandboxes' C1 processes forked here to end (each
    cleans up after its sandbox; the zygote's death would interrupt that with SIGTERM)."""
    deadline = time.monotonic() + limit
    children = f"/proc/self/task/{os.getpid()}/children"
    while time.monotonic() < deadline:
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:      # those that ended (where not reaped by the kernel)
                pass
        except ChildProcessError:
            pass
        with open(children) as f:
            if not f.read().split():
                return
        time.sleep(0.005)


def _huge_pages():
    """Collapses the zygote's anonymous memory (the heap and private mappings: most of what the
    imports allocated, ~180 MB) into 2 MB pages where the kernel allows (Linux 6.1's
    MADV_COLLAPSE; elsewhere nothing happens): each fork of it (the student's process; outside
    root mode C1 and C2 too) copies a few hundred page-table entries instead of forty-five
    thousand, which starts it sooner (docs/PERFORMANCE.md). A child's write still copies 4 KB
    only (the kernel splits a shared huge page). A generator: 8 MB a step, so that a request
    waits for one short step at most."""
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    with open("/proc/self/maps") as f:
        regions = [line.split() for line in f]
    for fields in regions:
        if fields[1] != "rw-p" or (len(fields) > 5 and fields[5] != "[heap]"):
            continue                      # only anonymous private memory and the heap
        lo, hi = (int(x, 16) for x in fields[0].split("-"))
        lo, hi = -(-lo // HUGE_PAGE) * HUGE_PAGE, hi // HUGE_PAGE * HUGE_PAGE
        for start in range(lo, hi, COLLAPSE_CHUNK):
            libc.madvise(start, min(COLLAPSE_CHUNK, hi - start), MADV_COLLAPSE)
            yield


def _freeze() -> None:
    gc.collect()           # what the warm-up made since the imports were frozen
    gc.freeze()            # the children's collector then never writes to (and copies) these pages


class _Children:
    """The zygote's children, each held by a pidfd and reaped when it ends; for a student's
    process forked here (``jail.join``), its wait status goes on its sandbox's control pipe, as
    C2 says it where C2 forks the student."""

    def __init__(self):
        self.held: dict[int, tuple[int, int | None]] = {}     # pidfd -> (pid, control pipe)

    def add(self, pid: int, ctrl: int | None = None) -> None:
        self.held[os.pidfd_open(pid)] = (pid, ctrl)

    def reap(self, ready) -> None:
        """Reaps those of ``ready`` (descriptors) that are children's."""
        for fd in ready:
            if fd not in self.held:
                continue
            pid, ctrl = self.held.pop(fd)
            _, status = os.waitpid(pid, 0)
            if ctrl is not None:
                _say(ctrl, line(exit=status))
                os.close(ctrl)
            os.close(fd)

    def kill_students(self) -> None:
        for fd, (_, ctrl) in self.held.items():
            if ctrl is not None:
                try:
                    signal.pidfd_send_signal(fd, signal.SIGKILL)
                except OSError:
                    pass


def _fork_student(twin: Twin, request: JailRequest, fds: dict, facts: Host, built: tuple,
                  children: _Children, own_pids: int) -> None:
    """Root mode: the twin makes the cgroup and C2; C2 hands over a pidfd of itself; the
    student's process is forked here, into C2's PID namespace, and joins the rest
    (``jail.join``)."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        unsent = twin.build(request.dumps(), facts, [built[1]] if built[1] else [], fds["ctrl"],
                               theirs.fileno())
    finally:
        theirs.close()
    door = None
    try:
        if unsent:
            _say(fds["ctrl"], line(error=unsent))
            return
        ours.settimeout(START_WAIT)
        try:
            msg, doors, _, _ = socket.recv_fds(ours, 1 << 16, 1)
        except OSError:
            msg, doors = b"", []
        if not msg or not doors:
            for f in doors:
                os.close(f)
            _say(fds["ctrl"], line(error="the jail's init did not hand itself over"))   # after the
            return                        # twin's or C2's own words on the pipe, if they said why
        door = doors[0]
        cgroups = json.loads(msg)["cgroups"]
        from .jail import CLONE_NEWPID, join
        check(libc.setns(door, CLONE_NEWPID), "setns")   # the next child is born in C2's namespace
        try:
            pid = os.fork()
            if pid == 0:
                try:
                    join(request, facts, fds, door, cgroups, built)         # never returns
                finally:
                    os._exit(70)
        finally:
            check(libc.setns(own_pids, CLONE_NEWPID), "setns")
        children.add(pid, os.dup(fds["ctrl"]))
        ours.send(b"go")
    except OSError as exc:                # setns refused (a seccomp profile?): this sandbox
        _say(fds["ctrl"], line(error=f"{type(exc).__name__}: {exc}"))     # ends, the next ones
        if door is not None:                                               # are forked as C1 here
            try:
                signal.pidfd_send_signal(door, signal.SIGKILL)
            except OSError:
                pass
        twin.give_up()
    finally:
        ours.close()
        if door is not None:
            os.close(door)


def _say(ctrl: int, data: bytes) -> None:
    """``data`` on a control pipe whose reader may be gone."""
    try:
        os.write(ctrl, data)
    except OSError:
        pass


def main(fd: int, warm_up: bool = False) -> None:
    limit_threads(force=True)
    twin = Twin()                        # before the imports: its forks copy little
    gc.disable()                         # the imports leave ~20 objects of garbage: collecting,
    _import()                            # while they run or after them, costs more than it frees
    from . import jail  # and everything the runner needs, before any fork
    from .. import codec  # noqa: F401
    gc.freeze()                          # the children's collector never writes to these pages
    gc.enable()

    sock = socket.socket(fileno=fd)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)     # children are reaped here (_Children)
    children = _Children()
    own_pids = os.open("/proc/self/ns/pid", os.O_RDONLY)
    zygote_pid = os.getpid()
    facts = host()
    built = jail.student_filter()
    folders.sweep(lambda suffix: cgroups.remove_parent(cgroups.PREFIX + suffix))   # what zygotes
                                         # killed outright left behind, never a living one's
    warming, code = _warm_up() if warm_up else None, 0
    try:
        while True:
            watched = [] if twin.pidfd is None else [twin.pidfd]
            ready = select.select([sock, *watched, *children.held], [], [],
                                  0 if warming is not None else None)[0]
            children.reap(ready)
            if watched and twin.pidfd in ready:
                twin.ended()          # the twin died: every jail is forked here from now on
            if sock not in ready:
                if warming is not None:
                    try:
                        next(warming)      # a step of the warm-up while no request waits
                    except StopIteration:
                        warming = None
                continue
            got = receive(sock, ("proto", "out", "ctrl"))
            if got is None:
                break
            msg, names = got
            request = JailRequest.loads(msg)
            if twin.mode == "root" and len(names) == 3:
                _fork_student(twin, request, names, facts, built, children, own_pids)
            else:
                children.add(jail.fork_c1(request, facts, names, zygote_pid, built))
            for f in names.values():
                os.close(f)
    except BaseException:  # noqa: BLE001 - said on stderr, then the same exit as ever
        traceback.print_exc()
        code = 1
    finally:
        children.kill_students()
        twin.close()                  # the twin waits for its jails to clean up, then goes
        _await_children(CHILDREN_WAIT)
        if facts.cgroup:
            cgroups.remove_parent(facts.cgroup)
        os.rmdir(facts.mountpoint)
        shutil.rmtree(facts.scratch, ignore_errors=True)
        sys.stderr.flush()
        os._exit(code)     # without the interpreter's teardown of torch (half a second)


if __name__ == "__main__":
    main(int(sys.argv[1]))
