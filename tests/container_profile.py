"""Runs a command as Docker's default profile would let it run, on this machine, as root:

    python -m tests.container_profile [--hide FOLDER]... [--keep FOLDER]... -- COMMAND [ARG]...

- a seccomp filter (libseccomp through ctypes, autograder/sandbox/seccomp.py) that answers
  EPERM to ``unshare``, ``setns``, ``mount``, ``umount2``, ``pivot_root`` and to ``clone`` with
  a namespace flag, and ENOSYS to ``clone3``, as Docker's default profile does without
  ``CAP_SYS_ADMIN``;
- Docker's default capabilities (``CAP_SYS_ADMIN`` and the others dropped from the bounding
  set, with ``setpriv``);
- a container's view of the file system, approximated: a private mount namespace where the
  cgroup hierarchies are read-only, ``/tmp`` and ``/var/tmp`` are fresh and empty but for each
  ``--keep`` folder (the image's Python, the grader), and each ``--hide`` folder (this
  machine's checkouts, whose answers no container image would hold) is covered by an empty
  tmpfs.

The grader then finds namespaces refused and grades in container mode.
"""

from __future__ import annotations

import ctypes
import os
import sys

from autograder.sandbox import seccomp

CLONE_NEWNS = 0x00020000
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


def container_view(hidden: list[str], kept: list[str]) -> None:
    """A private mount namespace with fresh, empty temporary folders (but the ``kept`` folders
    under them), each ``hidden`` folder covered, and read-only cgroup hierarchies."""
    _check(_libc.unshare(CLONE_NEWNS), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    stash = "/dev/shm" if os.path.isdir("/dev/shm") else "/run"
    parked = []
    for i, folder in enumerate(kept):        # parked aside while /tmp is replaced
        spot = os.path.join(stash, f".container-profile-{os.getpid()}-{i}")
        os.makedirs(spot)
        _mount(folder, spot, None, MS_BIND | MS_REC)
        parked.append((spot, folder))
    for temporary in ("/tmp", "/var/tmp"):
        if os.path.isdir(temporary):
            _mount("tmpfs", temporary, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
    for spot, folder in parked:
        os.makedirs(folder, exist_ok=True)
        _mount(spot, folder, None, MS_BIND | MS_REC)
        _check(_libc.umount2(spot.encode(), 2), f"umount {spot}")
        os.rmdir(spot)
    for folder in hidden:
        if os.path.isdir(folder):
            _mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=4k,mode=755")
    with open("/proc/self/mounts") as f:
        cgroups = [line.split()[1] for line in f if line.split()[1].startswith("/sys/fs/cgroup")]
    for target in cgroups:                 # read-only, as inside a default container
        try:
            _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
        except OSError:
            pass


def main(argv: list[str]) -> None:
    split = argv.index("--")
    chosen, command = {"--hide": [], "--keep": []}, argv[split + 1:]
    options = argv[:split]
    while options:
        flag, value, *options = options
        if flag not in chosen:
            raise SystemExit(f"unknown option {flag}")
        chosen[flag].append(os.path.realpath(value))
    if os.geteuid() != 0:
        raise SystemExit("run as root: the profile simulates a root process in a container")
    container_view(chosen["--hide"], chosen["--keep"])
    profile = seccomp.build(REFUSED, unix_sockets_only=False, no_new_privs=False)
    profile.load()
    bounding = "-all," + ",".join(f"+{c}" for c in DOCKER_CAPS)
    os.execvp("setpriv", ["setpriv", f"--bounding-set={bounding}", "--", *command])


if __name__ == "__main__":
    main(sys.argv[1:])
