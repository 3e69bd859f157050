"""Container mode: isolation for a grader that runs as root where the kernel refuses namespaces
(Docker's default seccomp profile, Kubernetes' ``RuntimeDefault``: Gradescope, PrairieLearn).
Only uid switching is left, so the promises of docs/SANDBOX.md rest on it:

- **Identity.** The student runs as a uid of its own (no groups, no capabilities,
  ``no_new_privs``): it can signal none of the grader's processes, and ``RLIMIT_NPROC`` counts
  its processes alone.
- **No answers inside.** File permissions: before the student's process starts, a process of
  that uid tries to open every file of the guarded folders (the answers, other students' work);
  if one opens, the sandbox refuses to start and says how to fix the permissions.
- **Everything ends.** ``C1`` (this supervisor, root) is the subreaper of the student's tree;
  when the student's process ends, a helper that takes the uid sends ``kill(-1, SIGKILL)``
  until no process of the uid is left (``setsid`` daemons included), and its files go.
- **Disk.** The student writes in a home of its own (``HOME``, ``TMPDIR``) and, as anyone, in
  the container's shared folders (``/tmp``, ``/var/tmp``, ``/dev/shm``, ...). Every 20 ms the
  supervisor adds up the blocks of the uid's files there; past the limit the sandbox is killed
  and everything it wrote removed.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import stat
import time

from . import protocol, student
from .protocol import Host, JailRequest, SubmissionFiles

PR_SET_CHILD_SUBREAPER = 36
SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock", "/dev/mqueue")
POLL = 0.02                # seconds between two measures of what the student wrote
MAX_ENTRIES = 10_000       # files and folders of the uid: more is refused like too many bytes
GUARD_FILES = 2_000        # files of the guarded folders tried at most


def copy_submission(sub: SubmissionFiles, dest: str) -> None:
    """Copies the listed regular files (never following a link) and makes them read-only,
    owned by root."""
    os.makedirs(dest)
    for rel in sub.files:
        if rel.startswith("/") or ".." in rel.split("/"):
            continue
        fd = os.open(os.path.join(sub.root, rel), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                continue
            data = os.read(fd, sub.max_bytes + 1)[: sub.max_bytes]
        finally:
            os.close(fd)
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        with open(target, "wb") as out:
            out.write(data)
        os.chmod(target, 0o444)
    for dirpath, _, _ in os.walk(dest):
        os.chmod(dirpath, 0o555)


# ---------------------------------------------------------------- as the student's uid

def _as_uid(uid: int, work) -> bytes:
    """``work()`` run in a child that has become ``uid`` (no groups); what it returns (bytes)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            os.close(r)
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            os.write(w, work())
            status = 0
        finally:
            os._exit(status)
    os.close(w)
    out = b""
    while chunk := os.read(r, 65536):
        out += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return out


def readable_by(uid: int, folders) -> list[str]:
    """The paths of ``folders`` (and of the files in them) that ``uid`` can read."""
    paths = []
    for folder in folders:
        if not os.path.exists(folder):
            continue
        paths.append(folder)
        for dirpath, dirnames, filenames in os.walk(folder):
            paths += [os.path.join(dirpath, n) for n in dirnames + filenames]
            if len(paths) > GUARD_FILES:
                break

    def attempt() -> bytes:
        opened = []
        for p in paths:
            try:
                if os.path.isdir(p):
                    os.listdir(p)
                else:
                    os.close(os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW))
                opened.append(p)
            except OSError:
                pass
        return "\0".join(opened).encode()
    return [p for p in _as_uid(uid, attempt).decode().split("\0") if p]


def _processes_of(uid: int) -> list[int]:
    """Live (not zombie) processes whose real uid is ``uid``."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        if int(fields.get("Uid", "-1 0").split()[0]) == uid and not fields.get("State", "").strip().startswith("Z"):
            found.append(int(name))
    return found


def _reap() -> dict[int, int]:
    """Collects every dead child (the supervisor is the subreaper of the student's tree);
    their wait statuses by pid."""
    dead = {}
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return dead
        if pid == 0:
            return dead
        dead[pid] = status


def kill_uid(uid: int) -> None:
    """Kills every process of ``uid``: a helper that takes the uid sends ``kill(-1, SIGKILL)``
    (every process it may signal, which is every process of the uid) until none is left."""
    def strike() -> bytes:
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        return b""
    for _ in range(200):
        _reap()
        if not _processes_of(uid):
            return
        _as_uid(uid, strike)
        time.sleep(0.002)


# ---------------------------------------------------------------- what it wrote

def _owned(uid: int, top: str, budget: list[int]) -> tuple[int, list[str]]:
    """Bytes on disk of ``uid``'s entries under ``top``, and those entries, parents first. It
    descends into the folders the uid can write in: its own, and those anyone may write in."""
    total, found = 0, []
    stack = [top]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            mine = st.st_uid == uid
            if mine:
                budget[0] -= 1
                if budget[0] < 0:
                    return total, found
                total += st.st_blocks * 512
                found.append(entry.path)
            if stat.S_ISDIR(st.st_mode) and (mine or st.st_mode & stat.S_IWOTH):
                stack.append(entry.path)
    return total, found


def shared_folders() -> tuple[str, ...]:
    """The folders anyone may write in (sticky, world-writable), each once."""
    out = []
    for folder in SHARED_FOLDERS:
        try:
            real = os.path.realpath(folder)
            st = os.stat(real)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_IWOTH and real not in out:
            out.append(real)
    return tuple(out)


def written(uid: int, folders) -> tuple[int, bool]:
    """Bytes the uid holds in ``folders``, and whether it holds more entries than allowed."""
    budget = [MAX_ENTRIES]
    total = sum(_owned(uid, f, budget)[0] for f in folders)
    return total, budget[0] < 0


def remove_written(uid: int, folders) -> None:
    """Removes everything of ``uid`` in ``folders`` (a folder with all it holds)."""
    for folder in folders:
        for path in _owned(uid, folder, [10**9])[1]:       # parents first
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                elif os.path.lexists(path):
                    os.unlink(path)
            except OSError:
                pass


def can_list(uid: int, folder: str) -> bool:
    def attempt() -> bytes:
        try:
            os.listdir(folder)
            return b"yes"
        except OSError:
            return b""
    return _as_uid(uid, attempt) == b"yes"


# ---------------------------------------------------------------- the supervisor

def supervise(request: JailRequest, host: Host, fds: dict, seccomp_filter, group,
              notes: list[str]) -> int:
    """C1's life in container mode: prepare, check, start the student, watch, clean up.
    Returns C1's exit status."""
    uid = request.uid
    box = os.path.join(host.scratch, str(uid))
    home, workdir = os.path.join(box, "home"), os.path.join(box, "submission")
    shared = shared_folders()
    try:
        os.mkdir(box, 0o711)
        copy_submission(request.submission, workdir)
        os.mkdir(home, 0o700)
        os.chown(home, uid, uid)
        guarded = request.guarded + host.hidden
        leaks = readable_by(uid, guarded)
        if leaks:
            folders = [g for g in guarded if any(p == g or p.startswith(g + os.sep) for p in leaks)]
            os.write(fds["ctrl"], protocol.line(refused=(
                f"in this container a sandbox's user could read {len(leaks)} file(s) of "
                f"{', '.join(folders)}: make them readable by root only (chmod -R go-rwx "
                f"{' '.join(folders)}; the Gradescope and PrairieLearn bundles do this) and "
                "grade again")))
            return 0
        if host.python_order and not can_list(uid, host.python_order[-1]):
            notes.append("the sandbox's user cannot read the Python installation: imports "
                         "beyond numpy, torch and sympy fail")
        student.check(student._libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "subreaper")
        c3 = os.fork()
        if c3 == 0:
            student.become(request, host, fds, "container", workdir=workdir, home=home,
                           seccomp_filter=seccomp_filter)
            os._exit(0)
        os.write(fds["ctrl"], protocol.started(c3, "container", notes))
        os.close(fds["proto"])
        os.close(fds["out"])
        end = _watch(c3, uid, (home, *shared), request.limits.disk_mb)
        kill_uid(uid)
        if group is not None:
            group.kill(spare=os.getpid())
        try:
            os.write(fds["ctrl"], end)
        except OSError:
            pass
        return 0
    finally:
        kill_uid(uid)
        shutil.rmtree(box, ignore_errors=True)
        remove_written(uid, shared)


def _watch(c3: int, uid: int, folders, disk_mb: int) -> bytes:
    """Waits for the student's process to end, killing it if what the uid wrote goes past
    ``disk_mb``; the control line that says how it ended."""
    pidfd = os.pidfd_open(c3)
    try:
        while True:
            select.select([pidfd], [], [], POLL)
            dead = _reap()
            if c3 in dead:
                return protocol.line(exit=dead[c3])
            size, crowded = written(uid, folders)
            if size > disk_mb * 2**20 or crowded:
                kill_uid(uid)
                return protocol.line(disk=disk_mb)
    finally:
        os.close(pidfd)
