"""Puts a freshly forked process in a jail and hands it to the runner. Runs in the child only.

The zygote forks ``C1`` and calls :func:`enter` there. As root, ``C1`` unshares the mount,
PID, network, IPC and UTS namespaces and forks ``C2``, the init of the new PID namespace. ``C2``
builds a new root on a tmpfs (read-only binds of the system and Python folders, a copy of the
submission, a private ``/tmp``, a minimal ``/dev``, a fresh ``/proc``), pivots into it, and forks
``C3``, which sets resource limits, drops to an unprivileged uid with no capabilities and no new
privileges, and serves the grader's requests. When ``C3`` ends, ``C2`` reports its wait status
and exits, and the kernel kills whatever else lives in the namespace. The grader kills ``C2``
to end a sandbox.

Not root: a user namespace gives the same isolation but for the uid (``C3`` enters a nested
user namespace to lose its capabilities). Where that is refused too, the student process only
gets its own session and resource limits (mode ``"none"``), and the report says so.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import signal
import sys

from . import runner
from ..procutil import close_all_but

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}.get(platform.machine(), 155)
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32", "/etc")
DEVICES = ("null", "zero", "full", "random", "urandom")
SANDBOX_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PYTHONDONTWRITEBYTECODE": "1"}

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None) -> None:
    enc = lambda s: None if s is None else s.encode()
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {target}")


def _unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


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


def _build_root(root: str, request: dict) -> None:
    """Populates the tmpfs at ``root``: system folders, Python, /dev, /proc, /tmp, /submission."""
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=755")
    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            os.symlink(os.readlink(d), root + d)
        elif os.path.isdir(d):
            _bind(d, root + d)
    os.makedirs(root + "/tmp")            # before the Python binds: a venv may live under /tmp
    _mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={request['limits']['tmp_mb']}m,mode=1777")
    for path in request["python_paths"]:
        _bind(path, root + path)
    os.makedirs(root + "/dev")
    for dev in DEVICES:
        if os.path.exists("/dev/" + dev):
            _bind("/dev/" + dev, root + "/dev/" + dev, writable=True)
    os.symlink("/proc/self/fd", root + "/dev/fd")
    os.makedirs(root + "/proc")
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _copy_submission(request["submission"], root + "/submission")


def _copy_submission(sub: dict, dest: str) -> None:
    """Copies the listed regular files (never following a link) and makes them read-only."""
    os.makedirs(dest)
    base = sub["root"]
    for rel in sub["files"]:
        if rel.startswith("/") or ".." in rel.split("/"):
            continue
        fd = os.open(os.path.join(base, rel), os.O_RDONLY | os.O_NOFOLLOW)
        try:
            data = os.read(fd, sub["max_bytes"] + 1)[: sub["max_bytes"]]
        finally:
            os.close(fd)
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        with open(target, "wb") as out:
            out.write(data)
        os.chmod(target, 0o444)
    for dirpath, _, _ in os.walk(dest):
        os.chmod(dirpath, 0o555)


def _pivot(root: str) -> None:
    os.chdir(root)
    _check(_libc.syscall(SYS_PIVOT_ROOT, b".", b"."), "pivot_root")
    _check(_libc.umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")


def _set_limits(limits: dict, mode: str) -> None:
    def cap(kind, value):
        resource.setrlimit(kind, (value, value))
    vm_kb = 0
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                vm_kb = int(line.split()[1])
    cap(resource.RLIMIT_AS, vm_kb * 1024 + limits["memory_mb"] * 2**20)
    cap(resource.RLIMIT_CPU, limits["cpu_s"])
    cap(resource.RLIMIT_FSIZE, limits["file_mb"] * 2**20)
    cap(resource.RLIMIT_NOFILE, 256)
    cap(resource.RLIMIT_CORE, 0)
    if mode == "root":                    # counts per uid: each sandbox has its own uid
        cap(resource.RLIMIT_NPROC, limits["processes"])


def _first_to_go() -> None:
    """Makes this process (and what it forks) the kernel's first choice when memory runs out:
    the address-space limit holds per process, so many processes together can still exhaust
    the machine, and then the student's go, not the grader."""
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError:
        pass


def _drop_privileges(uid: int, mode: str) -> None:
    if mode == "root":
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    elif mode == "userns":
        _unshare(CLONE_NEWUSER)           # a nested namespace holds no capability over ours
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def _become_student(request: dict, fds: dict, mode: str) -> None:
    """In C3: limits, no privileges, standard streams on the output pipe, then serve."""
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(fds["out"], 1)
    os.dup2(fds["out"], 2)
    for fd in (devnull, fds["out"], fds["ctrl"]):
        os.close(fd)
    _set_limits(request["limits"], mode)
    _first_to_go()
    _drop_privileges(request["uid"], mode)
    os.environ.clear()
    os.environ.update(SANDBOX_ENV)
    workdir = "/submission" if mode != "none" else request["submission"]["root"]
    os.chdir(workdir)
    sys.path[:] = [workdir] + [p for p in request["python_paths_order"]]
    runner.serve(fds["proto"], request)


def _report(fd: int, text: str) -> None:
    try:
        os.write(fd, text.encode())
    except OSError:
        pass


def _die_with_parent(parent: int | None) -> None:
    """SIGKILL when the parent dies, so nothing outlives the grader that started it. ``parent``
    None: the parent lies outside this PID namespace, where it cannot be checked by pid."""
    _check(_libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0), "pdeathsig")
    if parent is not None and os.getppid() != parent:
        os._exit(0)                       # it died before the prctl took effect


def enter(request: dict, fds: dict, zygote_pid: int) -> None:
    """C1's whole life (and, through ``_init``, C2's and C3's): never returns.

    C1 lives until C2 ends; each dies with its parent, so when the grader goes, its zygote,
    every C1, every C2 and with them every namespace goes too."""
    code = 70
    try:
        _die_with_parent(zygote_pid)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        close_all_but(set(fds.values()))
        os.setsid()
        mode = _enter_namespaces()
        if mode == "none":
            if not request.get("allow_unsandboxed"):
                _report(fds["ctrl"], "refused this machine allows no namespaces to a non-root user, "
                        "so student code would run with your files and network; run as root, or "
                        "pass --unsandboxed to grade code you trust (your own)\n")
                return
            _report(fds["ctrl"], f"pid {os.getpid()} mode none\n")
            _become_student(request, fds, mode)
            return
        c2 = os.fork()
        if c2 == 0:
            _die_with_parent(None)
            _init(request, fds, mode)
            return
        _report(fds["ctrl"], f"pid {c2} mode {mode}\n")
        for fd in fds.values():
            os.close(fd)
        os.waitpid(c2, 0)
        code = 0
    except BaseException as exc:          # the trusted side sees the message and a dead sandbox
        _report(fds["ctrl"], f"error {type(exc).__name__}: {exc}".replace("\n", " ") + "\n")
    finally:
        os._exit(code)


def _enter_namespaces() -> str:
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    if os.geteuid() == 0:
        _unshare(flags)
        return "root"
    uid, gid = os.geteuid(), os.getegid()
    try:
        _unshare(flags | CLONE_NEWUSER)
    except OSError:
        return "none"
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"0 {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"0 {gid} 1")
    return "userns"


def _init(request: dict, fds: dict, mode: str) -> None:
    """C2, PID 1 of the namespace: build the root, start C3, reap, report C3's status."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    root = request["mountpoint"]
    _build_root(root, request)
    _pivot(root)
    c3 = os.fork()
    if c3 == 0:
        _become_student(request, fds, mode)
        os._exit(0)
    os.close(fds["proto"])
    os.close(fds["out"])
    while True:
        pid, status = os.wait()
        if pid == c3:
            _report(fds["ctrl"], f"exit {status}\n")
            return
