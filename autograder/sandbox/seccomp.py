"""A seccomp filter for the student's process: the system calls grading never needs fail with
EPERM (an exception the student's code can read, never a kill), and sockets can only be
``AF_UNIX`` (its channel to the grader is already open), so TCP, UDP, raw, packet and netlink
sockets are refused in every mode, with or without a network namespace.

Built with libseccomp (``libseccomp.so.2``, installed with the system: apt depends on it)
through ctypes. :func:`build` makes the filter in the supervising process; the student's
process, forked after, calls :func:`load` as the last step of its setup.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os

ALLOW = 0x7FFF0000
ATTR_NO_NEW_PRIVS = 3      # SCMP_FLTATR_CTL_NNP


def _errno(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)


# refused outright: debugging and reading other processes, kernel extension points, the
# keyring, io_uring, mounts and namespaces, the machine's clock, reboot, swap, accounting and
# System V IPC (a container has no IPC namespace: its objects would outlive the sandbox)
REFUSED = (
    "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "pidfd_getfd",
    "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "mount", "umount", "umount2", "pivot_root", "chroot", "unshare", "setns",
    "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
    "name_to_handle_at", "open_by_handle_at", "quotactl", "quotactl_fd",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "reboot", "swapon", "swapoff", "acct", "settimeofday", "clock_settime", "clock_adjtime",
    "adjtimex", "syslog", "vhangup", "lookup_dcookie", "iopl", "ioperm",
    "shmget", "msgget", "semget",        # System V IPC: objects that outlive every process
)
NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000,
                   0x40000000)        # CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET
AF_UNIX = 1
CMP_NE, CMP_MASKED_EQ = 1, 7


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int),
                ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


class Unavailable(RuntimeError):
    """No filter can be built here (libseccomp missing or refusing)."""


def _library():
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError:
        raise Unavailable("libseccomp is not installed") from None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int,
                                           ctypes.c_uint, ctypes.POINTER(_ArgCmp)]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
    return lib


class Filter:
    """A built filter, ready to load in a forked child (its memory travels with the fork)."""

    def __init__(self, lib, ctx: int):
        self.lib, self.ctx = lib, ctx

    def load(self) -> None:
        """Installs the filter on the calling thread's process; sets no_new_privs as it must."""
        rc = self.lib.seccomp_load(self.ctx)
        if rc != 0:
            raise OSError(-rc, f"seccomp_load: {os.strerror(-rc)}")


def _rule(lib, ctx, action: int, syscall: int, *cmps: tuple[int, int, int, int]) -> None:
    array = (_ArgCmp * max(1, len(cmps)))(*[_ArgCmp(*c) for c in cmps])
    rc = lib.seccomp_rule_add_array(ctx, action, syscall, len(cmps), array)
    if rc != 0:
        raise Unavailable(f"seccomp_rule_add for syscall {syscall}: {os.strerror(-rc)}")


def build(refused: tuple[str, ...] = REFUSED, *, unix_sockets_only: bool = True,
          no_new_privs: bool = True) -> Filter:
    """A filter refusing ``refused`` (EPERM), clone with a namespace flag (EPERM) and clone3
    (ENOSYS, as Docker does: glibc then falls back to clone), and, with ``unix_sockets_only``,
    sockets of any family but AF_UNIX. The defaults make the student's filter. Raises
    Unavailable where libseccomp cannot make one. A name this libseccomp does not know (a call
    newer than it) is skipped. ``no_new_privs=False`` (only for a process holding
    CAP_SYS_ADMIN) loads it without setting no_new_privs."""
    lib = _library()
    ctx = lib.seccomp_init(ALLOW)
    if not ctx:
        raise Unavailable("seccomp_init failed")
    if not no_new_privs and lib.seccomp_attr_set(ctypes.c_void_p(ctx), ATTR_NO_NEW_PRIVS, 0) != 0:
        raise Unavailable("seccomp_attr_set(CTL_NNP) failed")

    def number(name: str) -> int:
        return lib.seccomp_syscall_resolve_name(name.encode())

    for name in refused:
        nr = number(name)
        if nr >= 0:
            _rule(lib, ctx, _errno(errno.EPERM), nr)
    for flag in NAMESPACE_FLAGS:          # clone with any namespace flag
        _rule(lib, ctx, _errno(errno.EPERM), number("clone"), (0, CMP_MASKED_EQ, flag, flag))
    if number("clone3") >= 0:             # flags in a struct, beyond a filter's reach: glibc then
        _rule(lib, ctx, _errno(errno.ENOSYS), number("clone3"))       # falls back to clone
    for name in ("socket", "socketpair") if unix_sockets_only else ():   # any family but AF_UNIX
        _rule(lib, ctx, _errno(errno.EPERM), number(name), (0, CMP_NE, AF_UNIX, 0))
    return Filter(lib, ctx)
