"""Container mode: isolation for a grader that runs as root where the kernel refuses namespaces
(Docker's default seccomp profile, Kubernetes' ``RuntimeDefault``: Gradescope, PrairieLearn).
Only uid switching is left, so the promises of docs/SANDBOX.md rest on it:

- **Identity.** The student runs as a uid of its own (no groups, no capabilities,
  ``no_new_privs``): it can signal none of the grader's processes, and ``RLIMIT_NPROC`` counts
  its processes alone. Its copy of the submission belongs to root and to the uid's own group,
  so no other sandbox can read it.
- **No answers inside.** File permissions: before the student's process starts, a process of
  that uid tries to open every file of the guarded folders (the answers, other students' work)
  it can reach; if one opens, or the check cannot be made, the sandbox refuses to start and
  says how to fix the permissions.
- **Everything ends.** ``C1`` (this supervisor, root) is the subreaper of the student's tree;
  when the student's process ends, a helper kills every process of the uid at once, again
  until none is left (``setsid`` daemons too; no process of the uid can signal the helper),
  then a process of that uid removes what it wrote: as the uid, a link it planted can lead
  nowhere the uid could not already write.
- **Disk.** The student writes in a home of its own (``HOME``, ``TMPDIR``) and, as anyone, in
  the container's shared folders (``/tmp``, ``/var/tmp``, ``/dev/shm``, ...). Every 20 ms the
  supervisor adds up the blocks of the uid's files there (walking by descriptor, so no depth
  hides a file), and the space those disks lost beyond them (deleted files held open); past
  the limits the sandbox is killed and everything it wrote removed.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import stat
import time

from ..paths import within
from . import protocol, student
from .process import check, libc
from .protocol import Host, JailRequest, SubmissionFiles

PR_SET_CHILD_SUBREAPER = 36
SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock", "/dev/mqueue")
POLL = 0.02                # seconds between two measures of what the student wrote
MAX_ENTRIES = 10_000       # files and folders of the uid: more is refused like too many bytes
UNSEEN_MB = 256            # what the disks may lose beyond what the uid's files show
HELPER_SECONDS = 20.0      # a helper of the uid that takes longer has failed


def copy_submission(sub: SubmissionFiles, dest: str, group: int | None = None) -> None:
    """Copies the listed regular files (never following a link, never blocking on one that is
    not regular) and makes them read-only, owned by root; with ``group``, readable by that
    group only (a container's other sandboxes must not read this student's work)."""
    os.makedirs(dest)
    file_mode, folder_mode = (0o444, 0o555) if group is None else (0o440, 0o550)
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
        os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
        with open(target, "wb") as out:
            out.write(data)
        if group is not None:
            os.chown(target, 0, group)
        os.chmod(target, file_mode)
    for dirpath, _, _ in os.walk(dest):
        if group is not None:
            os.chown(dirpath, 0, group)
        os.chmod(dirpath, folder_mode)


# ---------------------------------------------------------------- as the student's uid

class HelperFailed(RuntimeError):
    """A helper of the student's uid did not finish its work."""


def _as_uid(uid: int, work) -> bytes:
    """``work()`` (returning bytes) run in a child that has become ``uid`` (no groups), within
    HELPER_SECONDS; raises HelperFailed when it fails, dies or overruns."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            os.close(r)
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            data = memoryview(work())
            while data:
                data = data[os.write(w, data):]
            status = 0
        finally:
            os._exit(status)
    os.close(w)
    out, deadline = b"", time.monotonic() + HELPER_SECONDS
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([r], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                raise HelperFailed("a helper of the sandbox's uid did not answer in time")
            chunk = os.read(r, 65536)
            if not chunk:
                break
            out += chunk
    finally:
        os.close(r)
        _, status = os.waitpid(pid, 0)
    if status != 0:
        raise HelperFailed("a helper of the sandbox's uid failed")
    return out


def readable_by(uid: int, folders) -> list[str]:
    """The paths among ``folders`` (and what they hold) that ``uid`` can read. A folder the uid
    cannot enter hides all it holds, so only what it can reach is tried."""
    def attempt() -> bytes:
        opened = []
        for top in folders:
            if not os.path.lexists(top):
                continue
            if not os.path.isdir(top) or os.path.islink(top):
                try:
                    os.close(os.open(top, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW))
                    opened.append(top)
                except OSError:
                    pass
                continue
            stack = [top]
            while stack:
                folder = stack.pop()
                try:
                    entries = list(os.scandir(folder))
                    opened.append(folder)              # it can list this folder
                except PermissionError:
                    if os.access(folder, os.X_OK):     # it cannot list, but can enter it:
                        opened.append(folder)          # whoever knows a name can read it
                    continue
                except OSError:
                    continue
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                        continue
                    try:
                        os.close(os.open(entry.path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW))
                        opened.append(entry.path)
                    except OSError:
                        pass
        return b"\0".join(map(os.fsencode, opened))
    return [os.fsdecode(p) for p in _as_uid(uid, attempt).split(b"\0") if p]


def can_list(uid: int, folder: str) -> bool:
    def attempt() -> bytes:
        try:
            os.listdir(folder)
            return b"yes"
        except OSError:
            return b""
    try:
        return _as_uid(uid, attempt) == b"yes"
    except HelperFailed:
        return False


# ---------------------------------------------------------------- ending it

def _status(pid) -> dict[str, str]:
    try:
        with open(f"/proc/{pid}/status") as f:
            return dict(line.split(":", 1) for line in f if ":" in line)
    except OSError:
        return {}


def _processes_of(uid: int) -> list[int]:
    """Live (not zombie) processes whose real uid is ``uid``."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            fields = _status(name)
            if fields and int(fields["Uid"].split()[0]) == uid and not fields["State"].strip().startswith("Z"):
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


KILLER = 2**31 - 2          # the real and saved uid of the killing helper, a sandbox's never


def kill_uid(uid: int) -> None:
    """Kills every process of ``uid``: a helper whose effective uid is the student's, but whose
    real and saved uid are not (so that no process of the student's may signal, stop or slow
    it), sends ``kill(-1, SIGKILL)``: every process it may signal, which is every process of
    the uid and no other, at once (no fork completes while the kernel goes through them).
    Again until none is left."""
    for _ in range(100):
        _reap()
        if not _processes_of(uid):
            return
        pid = os.fork()
        if pid == 0:
            try:
                os.setgroups([])
                os.setresgid(KILLER, uid, KILLER)
                os.setresuid(KILLER, uid, KILLER)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        time.sleep(0.001)


# ---------------------------------------------------------------- what it wrote

def _entries(top: str, descend):
    """``(dirpath, dirfd, name, lstat)`` of every entry under ``top``, walking by descriptor (no
    path is too deep, no link followed) into the folders whose lstat ``descend`` accepts."""
    try:
        for dirpath, dirnames, filenames, dirfd in os.fwalk(top, follow_symlinks=False):
            folders, keep = set(dirnames), []
            for name in dirnames + filenames:
                try:
                    st = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
                except OSError:
                    continue
                yield dirpath, dirfd, name, st
                if name in folders and descend(st):
                    keep.append(name)
            dirnames[:] = keep
    except OSError:
        return


def _owned(uid: int, top: str, budget: list[int], seen: set) -> int:
    """Bytes on disk of ``uid``'s entries under ``top``, in the folders the uid can write in:
    its own, and those anyone may write in."""
    def writable(st) -> bool:
        return st.st_uid == uid or bool(st.st_mode & stat.S_IWOTH)
    total = 0
    with contextlib.closing(_entries(top, writable)) as entries:
        for _, _, _, st in entries:
            if st.st_uid == uid:
                budget[0] -= 1
                if budget[0] < 0:
                    return total
                if (st.st_dev, st.st_ino) not in seen:
                    seen.add((st.st_dev, st.st_ino))
                    total += st.st_blocks * 512
    return total


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
    budget, seen = [MAX_ENTRIES], set()
    total = sum(_owned(uid, f, budget, seen) for f in folders)
    return total, budget[0] < 0


class FreeSpace:
    """How much the file systems of some folders lost since the sandbox started: what a
    sandbox writes where no listing shows it (a deleted file it keeps open) is gone from there.
    The supervisor cannot read a student's descriptors (a container's root lacks
    CAP_SYS_PTRACE), so this is its measure of those; other writers to the same disk count too,
    hence a wide allowance (UNSEEN_MB)."""

    def __init__(self, folders):
        devices = {}
        for folder in folders:
            try:
                devices.setdefault(os.stat(folder).st_dev, folder)
            except OSError:
                pass
        self.start = {folder: self._free(folder) for folder in devices.values()}

    @staticmethod
    def _free(folder: str) -> int:
        st = os.statvfs(folder)
        return st.f_bavail * st.f_frsize

    def lost(self) -> int:
        return max((start - self._free(folder) for folder, start in self.start.items()), default=0)


def remove_written(uid: int, folders) -> None:
    """Removes everything of ``uid`` in ``folders``, as that uid (its processes all dead): a
    link it planted, or a folder another sandbox swapped in, can only lead where it may write."""
    def anyones(st) -> bool:              # not the uid's, but the uid's may lie below
        return st.st_uid != uid and bool(st.st_mode & stat.S_IWOTH)

    def work() -> bytes:
        for top in folders:
            for dirpath, dirfd, name, st in _entries(top, anyones):
                if st.st_uid == uid and stat.S_ISDIR(st.st_mode):
                    shutil.rmtree(os.path.join(dirpath, name), ignore_errors=True)
                elif st.st_uid == uid:
                    try:
                        os.unlink(name, dir_fd=dirfd)
                    except OSError:
                        pass
        return b""
    try:
        _as_uid(uid, work)
    except HelperFailed:
        pass


# ---------------------------------------------------------------- the supervisor

def supervise(request: JailRequest, host: Host, fds: dict, seccomp_filter, group,
              notes: list[str]) -> int:
    """C1's life in container mode: prepare, check, start the student, watch, clean up.
    Returns C1's exit status."""
    uid = request.uid
    box = os.path.join(host.scratch, str(uid))
    home, workdir = os.path.join(box, "home"), os.path.join(box, "submission")
    shared = shared_folders()
    end = b""                             # the control line saying how it ended, once cleaned up
    try:
        os.mkdir(box, 0o711)
        copy_submission(request.submission, workdir, group=uid)
        os.mkdir(home, 0o700)
        os.chown(home, uid, uid)
        guarded = request.guarded + host.hidden
        try:
            leaks = readable_by(uid, guarded)
        except HelperFailed as why:
            os.write(fds["ctrl"], protocol.line(refused=f"in this container the answers' permissions "
                                                         f"could not be checked ({why})"))
            return 0
        if leaks:
            folders = [g for g in guarded if any(within(p, g) for p in leaks)]
            os.write(fds["ctrl"], protocol.line(refused=(
                f"in this container a sandbox's user could read {len(leaks)} file(s) of "
                f"{', '.join(folders)}: make them readable by root only (chmod -R go-rwx "
                f"{' '.join(folders)}; the Gradescope and PrairieLearn bundles do this) and "
                "grade again")))
            return 0
        if host.python_order and not can_list(uid, host.python_order[-1]):
            notes.append("the sandbox's user cannot read the Python installation: imports "
                         "beyond numpy, torch and sympy fail")
        check(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "subreaper")
        c3 = os.fork()
        if c3 == 0:
            try:
                student.become(request, host, fds, "container", workdir=workdir, home=home,
                               seccomp_filter=seccomp_filter)
            finally:
                os._exit(0)
        os.write(fds["ctrl"], protocol.started(c3, "container", notes))
        os.close(fds["proto"])
        os.close(fds["out"])
        end = _watch(c3, uid, (home, *shared), request.limits.disk_mb)
    finally:
        _end(uid, group, box, shared)
    try:
        os.write(fds["ctrl"], end)
    except OSError:
        pass
    return 0


def _end(uid: int, group, box: str, shared) -> None:
    """Every process of the uid killed, everything it wrote removed; not to be interrupted."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        kill_uid(uid)
        if group is not None:
            group.kill(spare=os.getpid())
        remove_written(uid, (os.path.join(box, "home"), *shared))
        shutil.rmtree(box, ignore_errors=True)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _watch(c3: int, uid: int, folders, disk_mb: int) -> bytes:
    """Waits for the student's process to end, killing it if what the uid wrote goes past
    ``disk_mb``; the control line that says how it ended."""
    pidfd = os.pidfd_open(c3)
    free = FreeSpace(folders)
    try:
        while True:
            select.select([pidfd], [], [], POLL)
            dead = _reap()
            if c3 in dead:
                return protocol.line(exit=dead[c3])
            size, crowded = written(uid, folders)
            if size > disk_mb * 2**20 or crowded or free.lost() - size > UNSEEN_MB * 2**20:
                kill_uid(uid)
                return protocol.line(disk=disk_mb)
    finally:
        os.close(pidfd)
