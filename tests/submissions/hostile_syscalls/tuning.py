"""Tries every system call the sandbox's seccomp filter refuses (System V IPC included), with
arguments that an
unfiltered kernel would answer otherwise (success, EFAULT, EBADF, EINVAL) wherever the
call's own checks allow it, and loopback TCP and UDP connections: the answers are right only
when each call failed with EPERM (clone3 with ENOSYS, as Docker answers it). Every probe runs
in a child process, so a call that went through changes nothing of the student's own."""

import ctypes
import errno
import json
import math
import os
import platform
import socket

libc = ctypes.CDLL(None, use_errno=True)
NUMBERS = {   # x86_64, aarch64
    "ptrace": (101, 117), "process_vm_readv": (310, 270), "process_vm_writev": (311, 271),
    "bpf": (321, 280), "perf_event_open": (298, 241), "userfaultfd": (323, 282),
    "keyctl": (250, 219), "add_key": (248, 217), "request_key": (249, 218),
    "io_uring_setup": (425, 425), "io_uring_enter": (426, 426), "io_uring_register": (427, 427),
    "mount": (165, 40), "umount2": (166, 39), "pivot_root": (155, 41), "unshare": (272, 97),
    "setns": (308, 268), "kexec_load": (246, 104), "kexec_file_load": (320, 294),
    "init_module": (175, 105), "finit_module": (313, 273), "delete_module": (176, 106),
    "reboot": (169, 142), "swapon": (167, 224), "swapoff": (168, 225), "acct": (163, 89),
    "settimeofday": (164, 170), "clone": (56, 220), "clone3": (435, 435),
    "shmget": (29, 194), "msgget": (68, 186), "semget": (64, 190),
    "shmctl": (31, 195), "msgctl": (71, 187), "semctl": (66, 191),
}
IPC_CREAT, IPC_RMID = 0o1000, 0
ARCH = 0 if platform.machine() == "x86_64" else 1
CLONE_NEWUSER, SIGCHLD = 0x10000000, 17
CALLS = [   # name, arguments, the errno a refusal gives
    ("ptrace", (0, 0, 0, 0), errno.EPERM),                        # PTRACE_TRACEME
    ("process_vm_readv", (0, 0, 0, 0, 0, 0), errno.EPERM),        # pid filled in below
    ("process_vm_writev", (0, 0, 0, 0, 0, 0), errno.EPERM),
    ("bpf", (0, 0, 0), errno.EPERM),
    ("perf_event_open", (0, 0, -1, -1, 0), errno.EPERM),
    ("userfaultfd", (0,), errno.EPERM),
    ("keyctl", (0, -2, 0), errno.EPERM),                          # GET_KEYRING_ID, process keyring
    ("add_key", (0, 0, 0, 0, 0), errno.EPERM),
    ("request_key", (0, 0, 0, 0), errno.EPERM),
    ("io_uring_setup", (1, 0), errno.EPERM),
    ("io_uring_enter", (-1, 0, 0, 0, 0, 0), errno.EPERM),
    ("io_uring_register", (-1, 0, 0, 0), errno.EPERM),
    ("mount", (0, 0, 0, 0, 0), errno.EPERM),
    ("umount2", (0, 0), errno.EPERM),
    ("pivot_root", (0, 0), errno.EPERM),
    ("unshare", (CLONE_NEWUSER,), errno.EPERM),
    ("setns", (-1, 0), errno.EPERM),
    ("kexec_load", (0, 0, 0, 0), errno.EPERM),
    ("kexec_file_load", (-1, -1, 0, 0, 0), errno.EPERM),
    ("init_module", (0, 0, 0), errno.EPERM),
    ("finit_module", (-1, 0, 0), errno.EPERM),
    ("delete_module", (0, 0), errno.EPERM),
    ("reboot", (0, 0, 0, 0), errno.EPERM),
    ("swapon", (0, 0), errno.EPERM),
    ("swapoff", (0,), errno.EPERM),
    ("acct", (0,), errno.EPERM),
    ("settimeofday", (0, 0), errno.EPERM),                        # both NULL: a no-op if allowed
    ("clone", (CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0), errno.EPERM),
    ("clone3", (0, 0), errno.ENOSYS),
    ("shmget", (0, 4096, IPC_CREAT | 0o600), errno.EPERM),          # IPC_PRIVATE: a new object
    ("msgget", (0, IPC_CREAT | 0o600), errno.EPERM),
    ("semget", (0, 1, IPC_CREAT | 0o600), errno.EPERM),
]


def _in_child(work):
    """What ``work()`` returns (JSON), computed in a child process."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            os.write(w, json.dumps(work()).encode())
        finally:
            os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.waitpid(pid, 0)
    return json.loads(data or b'["the probe died"]')


def not_refused_calls():
    """The calls that did not fail as a refusal does, with what they gave instead."""
    def work():
        seen = []
        for name, args, refusal in CALLS:
            if name.startswith("process_vm"):
                args = (os.getpid(),) + args[1:]
            rc = libc.syscall(NUMBERS[name][ARCH], *[ctypes.c_long(a) for a in args])
            err = ctypes.get_errno()
            if rc == 0 and name == "clone":
                os._exit(0)                                  # the child the call made
            if rc >= 0 and name.endswith("get"):             # a System V object: removed again
                control = NUMBERS[name[:3] + "ctl"][ARCH]
                libc.syscall(control, *[ctypes.c_long(a) for a in ((rc, 0, IPC_RMID, 0) if name == "semget"
                                                                    else (rc, IPC_RMID, 0))])
            if not (rc == -1 and err == refusal):
                seen.append(f"{name}: {rc} {errno.errorcode.get(err, err) if rc == -1 else ''}".strip())
        return seen
    return _in_child(work)


def not_refused_sockets():
    def work():
        seen = []
        for label, family, kind, act in (
                ("tcp 127.0.0.1:22", socket.AF_INET, socket.SOCK_STREAM, lambda s: s.connect(("127.0.0.1", 22))),
                ("udp 127.0.0.1:53", socket.AF_INET, socket.SOCK_DGRAM, lambda s: s.sendto(b"x", ("127.0.0.1", 53))),
                ("tcp6 ::1", socket.AF_INET6, socket.SOCK_STREAM, lambda s: s.connect(("::1", 22))),
                ("netlink", socket.AF_NETLINK, socket.SOCK_RAW, lambda s: None),
                ("packet", socket.AF_PACKET, socket.SOCK_RAW, lambda s: None)):
            try:
                act(socket.socket(family, kind))
                seen.append(f"{label}: connected")
            except OSError as exc:
                if exc.errno != errno.EPERM:
                    seen.append(f"{label}: {errno.errorcode.get(exc.errno, exc)}")
        return seen
    return _in_child(work)


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    let_through = not_refused_calls()
    if let_through:
        raise PermissionError(f"not refused: {let_through}")
    combinations = math.prod(int(n) for n in value_counts)
    total_epochs = combinations * int(epochs_per_run)
    return combinations, total_epochs, total_epochs * minutes_per_epoch


def random_search_trials(p_good, confidence):
    let_through = not_refused_sockets()
    if let_through:
        raise PermissionError(f"not refused: {let_through}")
    n = max(1, math.ceil(math.log1p(-confidence) / math.log1p(-p_good)))
    p, c = p_good, confidence          # settle the last step, in floats (N may be near 1e13)
    while n > 1 and 1 - (1 - p) ** (n - 1) >= c:
        n -= 1
    while not 1 - (1 - p) ** n >= c:
        n += 1
    return n
