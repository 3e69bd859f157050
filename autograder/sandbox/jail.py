"""Puts a freshly forked process in a jail and hands it to the runner. Runs in the child only.

The zygote forks ``C1`` and calls :func:`enter` there with the seccomp filter it built once.
``C1`` makes a cgroup (where the machine allows), then takes the strongest isolation the
kernel grants:

- ``"root"``: as root, ``C1`` unshares the PID, network, IPC and UTS namespaces and forks
  ``C2``, the init of the new PID namespace, which unshares a mount namespace of its own
  (so that C1 keeps the host's view, and its cgroup). ``C2`` builds a new root on a tmpfs
  (read-only binds of the system and Python folders with the answers masked, a copy of the
  submission, a private ``/tmp``, a minimal ``/dev``, a fresh ``/proc``), pivots into it, and
  forks ``C3``, which becomes the student (``student.become``). When ``C3`` ends, ``C2``
  reports its wait status and exits, and the kernel kills whatever else lives in the
  namespace. The grader kills ``C2`` to end a sandbox. Where the zygote has its twin
  (``twin.py``), the twin does C1's part and forks ``C2`` itself (:func:`fork_c2`); ``C2``
  hands the zygote a pidfd of itself instead of forking ``C3``, and the zygote forks ``C3``
  into its namespaces (:func:`join`), reaps it and reports its wait status.
- ``"userns"``: not root; a user namespace gives the same isolation but for the uid (``C3``
  enters a nested user namespace to lose its capabilities).
- ``"container"``: root, but the kernel refuses namespaces (a container's seccomp profile):
  ``C1`` supervises a student process of its own uid (``container.supervise``).
- ``"none"``: no namespaces and not root: refused unless the request says ``unsandboxed``;
  then the student process only gets its own session, the limits and the filter.
"""

from __future__ import annotations

import ctypes
import json
import os
import platform
import select
import signal
import socket
import tempfile

from ..paths import within
from . import cgroups, container, protocol, seccomp, student
from .cgroups import Group
from .process import check, close_all_but, die_with_parent, libc
from .protocol import Host, JailRequest

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
MNT_DETACH = 2
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}.get(platform.machine(), 155)
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32", "/etc")
DEVICES = ("null", "zero", "full", "random", "urandom")



class _Ended(BaseException):
    """C1 was told to stop (its parent, the zygote, died): clean up and go."""


def _ended(signum, frame):
    raise _Ended


def _mount(source, target, fstype, flags, data=None) -> None:
    enc = lambda s: None if s is None else s.encode()
    check(libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
          f"mount {target}")


def _statvfs_flags(path: str) -> int:
    """The locked flags of the mount holding ``path``, as mount(2) flags."""
    f = os.statvfs(path).f_flag
    out = 0
    for st, ms in ((1, MS_RDONLY), (2, MS_NOSUID), (4, MS_NODEV), (8, MS_NOEXEC),
                   (1024, MS_NOATIME), (2048, MS_NODIRATIME), (4096, MS_RELATIME)):
        if f & st:
            out |= ms
    return out


def _bind(source: str, target: str, *, writable: bool = False) -> None:
    """A read-only (by default), nosuid bind of ``source`` at ``target``."""
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND | MS_REC)
    flags = _statvfs_flags(source) | MS_BIND | MS_REMOUNT | MS_NOSUID
    if not writable:
        flags |= MS_RDONLY
    _mount(None, target, None, flags)


def _mask(root: str, folders: tuple[str, ...], visible: tuple[str, ...]) -> None:
    """An empty read-only tmpfs over every folder of ``folders`` the jail shows (it lies within
    one of ``visible``): answers installed beside the Python packages stay out of sight."""
    for folder in folders:
        if os.path.isdir(root + folder) and any(within(folder, v) for v in visible):
            _mount("tmpfs", root + folder, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k,mode=555")


def _build_root(root: str, request: JailRequest, host: Host) -> None:
    """Populates the tmpfs at ``root``: system folders, Python, /dev, /proc, /tmp, /submission."""
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=755")
    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            os.symlink(os.readlink(d), root + d)
        elif os.path.isdir(d):
            _bind(d, root + d)
    os.makedirs(root + "/tmp")            # before the Python binds: a venv may live under /tmp
    _mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={request.limits.disk_mb}m,mode=1777")
    for path in host.python_paths:
        _bind(path, root + path)
    _mask(root, host.hidden + request.guarded, SYSTEM_DIRS + host.python_paths)
    os.makedirs(root + "/dev")
    for dev in DEVICES:
        if os.path.exists("/dev/" + dev):
            _bind("/dev/" + dev, root + "/dev/" + dev, writable=True)
    os.symlink("/proc/self/fd", root + "/dev/fd")
    os.makedirs(root + "/proc")
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    container.copy_submission(request.submission, root + "/submission")


def _pivot(root: str) -> None:
    os.chdir(root)
    check(libc.syscall(SYS_PIVOT_ROOT, b".", b"."), "pivot_root")
    check(libc.umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")


def _report(fd: int, data: bytes) -> None:
    try:
        os.write(fd, data)
    except OSError:
        pass


def _namespaces() -> str:
    """Enters the namespaces the kernel grants and names the mode they make."""
    flags = CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS     # C2 adds the mount namespace
    if os.geteuid() == 0:
        try:
            check(libc.unshare(ctypes.c_int(flags)), "unshare")
            return "root"
        except OSError:
            return "container"            # root, but namespaces refused: uid switching only
    uid, gid = os.geteuid(), os.getegid()
    try:
        check(libc.unshare(ctypes.c_int(flags | CLONE_NEWUSER)), "unshare")
    except OSError:
        return "none"
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"0 {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"0 {gid} 1")
    return "userns"


def student_filter() -> tuple[object | None, str]:
    """The student's seccomp filter, built once in the zygote (every jail forked from it loads
    the same one), or None and what the report says instead."""
    try:
        return seccomp.build(), ""
    except seccomp.Unavailable as why:
        return None, f"no seccomp filter ({why}): every system call is open to the student"


def _group(request: JailRequest, host: Host, notes: list[str]):
    limits = request.limits
    if not host.cgroup:
        group, why = None, host.no_cgroup
    else:
        group, why = cgroups.create(host.cgroup, f"sandbox-{request.uid}",
                                    limits.group_memory_mb * 2**20, limits.processes + 2)
    if group is None:
        notes.append(f"{why}: memory and processes are limited per process only")
    return group


def fork_c1(request: JailRequest, host: Host, fds: dict, parent: int, built: tuple) -> int:
    """Forks a sandbox's C1 (``enter``, below, in the child): its pid."""
    pid = os.fork()
    if pid == 0:
        try:
            enter(request, host, fds, parent, built)      # never returns
        finally:
            os._exit(70)   # nor may an exception bring the child back to the caller's loop
    return pid


def enter(request: JailRequest, host: Host, fds: dict, parent: int, built: tuple) -> None:
    """C1's whole life (and, through ``_init``, C2's and C3's): never returns.

    C1 lives until the sandbox ends; it dies with its parent (SIGTERM, so that it can still
    clean up), so when the grader goes, its zygote, every C1 and with them every sandbox go.
    (In root mode with the zygote's twin there is no C1: ``fork_c2``.)"""
    code = 70
    group = None
    try:
        signal.signal(signal.SIGTERM, _ended)
        die_with_parent(parent, signal.SIGTERM)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        close_all_but(set(fds.values()))
        os.setsid()
        seccomp_filter, missing = built            # student_filter()'s, made in the zygote
        notes: list[str] = [missing] if missing else []
        mode = _namespaces()
        if mode == "none" and not request.unsandboxed:
            _report(fds["ctrl"], protocol.line(refused=(
                "this machine allows no namespaces to a non-root user, so student code would "
                "run with your files and network; run as root, or pass --unsandboxed to grade "
                "code you trust (your own)")))
            return
        group = _group(request, host, notes) if mode != "none" else None
        if group is not None:
            group.join()                  # C2, C3 and everything they fork are born in it
        if mode == "container":
            code = container.supervise(request, host, fds, seccomp_filter, group, notes)
            return
        if mode == "none":
            _report(fds["ctrl"], protocol.started(os.getpid(), mode, notes))
            student.become(request, host, fds, mode, workdir=request.submission.root,
                           home=tempfile.gettempdir(), seccomp_filter=seccomp_filter)
            return
        c2 = os.fork()
        if c2 == 0:
            _child(lambda: _init(request, host, fds, mode, seccomp_filter, group), fds["ctrl"])
        _report(fds["ctrl"], protocol.started(c2, mode, notes))
        for fd in fds.values():
            os.close(fd)
        os.waitpid(c2, 0)
        code = 0
    except _Ended:
        code = 0
    except BaseException as exc:          # the trusted side sees the message and a dead sandbox
        _report(fds["ctrl"], protocol.error(exc))
    finally:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})   # the cleanup must finish
        if group is not None:
            group.kill(spare=os.getpid())
            group.remove()
        os._exit(code)


def _child(life, ctrl: int) -> None:
    """A forked child's whole ``life``: it ends in os._exit, never in its parent's cleanup."""
    code = 70
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        die_with_parent(None)
        life()
        code = 0
    except BaseException as exc:  # noqa: BLE001 - said on the control pipe, if still open
        _report(ctrl, protocol.error(exc))
    finally:
        os._exit(code)


def _init(request: JailRequest, host: Host, fds: dict, mode: str, seccomp_filter, group=None) -> None:
    """C2, PID 1 of the namespace, in a mount namespace of its own (its pivot must not move the
    root of C1, or of the twin, which still has the cgroup to remove): build the root, start C3,
    reap, report C3's status; or, with a channel to the zygote, hand itself over
    (``_host_the_student``)."""
    check(libc.unshare(ctypes.c_int(CLONE_NEWNS)), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = host.mountpoint
    _build_root(root, request, host)
    _pivot(root)
    if "channel" in fds:
        _host_the_student(fds["channel"], group)
        return
    c3 = os.fork()
    if c3 == 0:
        _child(lambda: student.become(request, host, fds, mode, workdir="/submission", home="/tmp",
                                      seccomp_filter=seccomp_filter), -1)
    os.close(fds["proto"])
    os.close(fds["out"])
    while True:
        pid, status = os.wait()
        if pid == c3:
            _report(fds["ctrl"], protocol.line(exit=status))
            return


# ---------------------------------------------------------------- root mode: the zygote forks C3

def fork_c2(request: JailRequest, host: Host, fds: dict, notes: list[str], own_pids: int):
    """Root mode, in the zygote's twin (``twin.py``), which does C1's part itself: makes the
    cgroup, forks C2 into a new PID namespace (its children's only, restored at once to
    ``own_pids``) and reports C2 started. C2 enters the cgroup and the other namespaces, builds
    the root and hands itself to the zygote (``_init``). Returns a pidfd of C2 and its Group (to
    remove when C2 ends), or None and the Group when C2 could not be forked (said on the pipe).
    A failure to restore the twin's PID namespace raises: the twin ends, its sandboxes too."""
    notes = list(notes)
    group = None
    c2 = None
    try:
        group = _group(request, host, notes)
        check(libc.unshare(ctypes.c_int(CLONE_NEWPID)), "unshare")
    except Exception as exc:  # noqa: BLE001 - this sandbox fails, said on its pipe
        _report(fds["ctrl"], protocol.error(exc))
        return None, group
    try:
        c2 = os.fork()
        if c2 == 0:
            _child(lambda: _c2_of_twin(request, host, fds, group), fds["ctrl"])
    except OSError as exc:                # no process left to fork (a limit)
        _report(fds["ctrl"], protocol.error(exc))
    finally:
        check(libc.setns(own_pids, ctypes.c_int(CLONE_NEWPID)), "setns")
    if c2 is None:
        return None, group
    _report(fds["ctrl"], protocol.started(c2, "root", notes))
    try:
        return os.pidfd_open(c2), group
    except ProcessLookupError:            # gone already (and reaped: the twin ignores SIGCHLD)
        return None, group


def _c2_of_twin(request: JailRequest, host: Host, fds: dict, group) -> None:
    """C2 forked by the twin: what C1 does for it elsewhere (session, cgroup, namespaces), then
    ``_init``."""
    close_all_but(set(fds.values()))       # the twin's socket and other sandboxes' descriptors
    os.setsid()
    if group is not None:
        group.join()                       # C3 is put in it by the zygote (``join``)
    check(libc.unshare(ctypes.c_int(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)), "unshare")
    _init(request, host, fds, "root", None, group)


STUDENT_PID = 2              # the first process born in C2's PID namespace after C2: the student


def _host_the_student(channel: int, group) -> None:
    """C2 of a sandbox whose student the zygote forks: sends the zygote a pidfd of itself (the
    door to its namespaces) and its cgroups, and lives as long as the student does (then the
    kernel ends whatever else lives in the namespace); orphans are reaped by the kernel."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    sock = socket.socket(fileno=channel)
    me = os.pidfd_open(os.getpid())
    socket.send_fds(sock, [json.dumps({"cgroups": group.folders if group else []}).encode()], [me])
    os.close(me)
    if sock.recv(16) != b"go":
        return                            # the zygote could not fork the student
    try:
        student_fd = os.pidfd_open(STUDENT_PID)
    except ProcessLookupError:
        return                            # it is gone already
    select.select([student_fd], [], [])


def join(request: JailRequest, host: Host, fds: dict, door: int, cgroups: list[str], built: tuple) -> None:
    """C3 forked by the zygote into C2's PID namespace (``door``: a pidfd of C2): into C2's
    cgroups, then its mount (root and all), network, IPC and UTS namespaces, then the
    student's process, as ``_init``'s C3 becomes it. Never returns."""
    code = 70
    try:
        close_all_but({*fds.values(), door})          # none of the zygote's descriptors stays
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        die_with_parent(None)
        os.setsid()
        if cgroups:
            Group(list(cgroups), []).join()
        check(libc.setns(door, ctypes.c_int(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)), "setns")
        os.close(door)
        os.chdir("/")
        student.become(request, host, fds, "root", workdir="/submission", home="/tmp",
                       seccomp_filter=built[0])
        code = 0
    except BaseException as exc:  # noqa: BLE001 - said on the control pipe
        _report(fds["ctrl"], protocol.error(exc))
    finally:
        os._exit(code)
