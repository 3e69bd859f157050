"""Runs a command as Docker's default profile would let it run, on this machine, as root:

    python -m tests.container_profile [--keep FOLDER]... -- COMMAND [ARG]...

- a seccomp filter (libseccomp through ctypes, autograder/sandbox/seccomp.py) that answers
  EPERM to ``unshare``, ``setns``, ``mount``, ``umount2``, ``pivot_root`` and to ``clone`` with
  a namespace flag, and ENOSYS to ``clone3``, as Docker's default profile does without
  ``CAP_SYS_ADMIN``;
- Docker's default capabilities (``CAP_SYS_ADMIN`` and the others dropped from the bounding
  set, with ``setpriv``);
- an image's file system: a fresh root holding only the operating system's folders (``/usr``,
  ``/etc``, ``/bin``, ``/sbin``, ``/lib*``), ``/proc``, ``/sys`` and ``/dev``, fresh and empty
  ``/tmp``, ``/var/tmp``, ``/dev/shm``, ``/run``, ``/root`` and ``/home``, read-only cgroup
  hierarchies, and each ``--keep`` folder (the image's Python, the grader) where it lies. What
  else this machine holds (its checkouts of the project wherever they lie, its users' homes) is
  not there, as it would not be in an image.

The grader then finds namespaces refused and grades in container mode.
"""

from __future__ import annotations

import ctypes
import os
import sys

from autograder.sandbox import seccomp

CLONE_NEWNS, MNT_DETACH = 0x00020000, 2
PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}           # the system call's number
OS_FOLDERS = ("usr", "etc", "bin", "sbin", "lib", "lib32", "lib64", "libx32")
EMPTY_FOLDERS = (("/tmp", 0o1777), ("/var/tmp", 0o1777), ("/dev/shm", 0o1777), ("/run", 0o755),
                 ("/run/lock", 0o1777), ("/root", 0o700), ("/home", 0o755))
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
DOCKER_CAPS = ("chown", "dac_override", "fowner", "fsetid", "kill", "setgid", "setuid", "setpcap",
               "net_bind_service", "net_raw", "sys_chroot", "mknod", "audit_write", "setfcap")
REFUSED = ("unshare", "setns", "mount", "umount", "umount2", "pivot_root")

_libc = ctypes.CDLL(None, use_errno=True)


def _check(rc: int, what: str) -> None:
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source, target, fstype, flags, data=None) -> None:
    enc = lambda s: None if s is None else s.encode()
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {target}")


def _pivot_root(new_root: str) -> None:
    """Make ``new_root`` (a mount point) this process's root and forget the old one."""
    os.chdir(new_root)
    number = PIVOT_ROOT.get(os.uname().machine)
    if number is not None and _libc.syscall(ctypes.c_long(number), b".", b".") == 0:
        _check(_libc.umount2(b".", MNT_DETACH), "umount the old root")
    else:                                  # no pivot_root here: a chroot shows the same folders
        os.chroot(".")
    os.chdir("/")


def container_view(kept: list[str]) -> None:
    """A private mount namespace whose root holds the operating system, fresh empty temporary
    folders and homes, read-only cgroup hierarchies and the ``kept`` folders: nothing else."""
    cwd = os.getcwd()
    _check(_libc.unshare(CLONE_NEWNS), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    handles = {folder: os.open(folder, os.O_PATH | os.O_DIRECTORY) for folder in kept}
    root = "/tmp"                          # covered in this namespace only: nothing left behind
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755")
    inside = lambda path: os.path.join(root, path.lstrip("/"))
    for name in (*OS_FOLDERS, "proc", "sys", "dev"):
        source = "/" + name
        if os.path.islink(source):         # /bin -> usr/bin on a merged /usr
            os.symlink(os.readlink(source), inside(source))
        elif os.path.isdir(source):
            os.makedirs(inside(source))
            _mount(source, inside(source), None, MS_BIND | MS_REC)
    for folder, mode in EMPTY_FOLDERS:
        os.makedirs(inside(folder), exist_ok=True)
        _mount("tmpfs", inside(folder), "tmpfs", MS_NOSUID | MS_NODEV, f"mode={mode:o}")
    for folder, handle in handles.items():    # by handle: a kept folder under /tmp is covered now
        os.makedirs(inside(folder), exist_ok=True)
        _mount(f"/proc/self/fd/{handle}", inside(folder), None, MS_BIND | MS_REC)
        os.close(handle)
    with open("/proc/self/mounts") as f:
        cgroups = [line.split()[1] for line in f if line.split()[1].startswith(inside("/sys/fs/cgroup"))]
    for target in cgroups:                 # read-only, as inside a default container
        try:
            _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        except OSError:
            pass
    _pivot_root(root)
    os.chdir(cwd if os.path.isdir(cwd) else "/")


def main(argv: list[str]) -> None:
    split = argv.index("--")
    chosen, command = {"--keep": []}, argv[split + 1:]
    options = argv[:split]
    while options:
        flag, value, *options = options
        if flag not in chosen:
            raise SystemExit(f"unknown option {flag}")
        chosen[flag].append(os.path.realpath(value))
    if os.geteuid() != 0:
        raise SystemExit("run as root: the profile simulates a root process in a container")
    container_view(chosen["--keep"])
    profile = seccomp.build(REFUSED, unix_sockets_only=False, no_new_privs=False)
    profile.load()
    bounding = "-all," + ",".join(f"+{c}" for c in DOCKER_CAPS)
    os.execvp("setpriv", ["setpriv", f"--bounding-set={bounding}", "--", *command])


if __name__ == "__main__":
    main(sys.argv[1:])
