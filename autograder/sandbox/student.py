"""The last steps before the student's code runs, the same in every mode: standard streams on
the output pipe, resource limits, no privileges, a fixed environment, the working folder, the
seccomp filter, then the runner's request loop. Runs in the student's process (C3) only.
"""

from __future__ import annotations

import ctypes
import os
import resource
import sys

from . import runner
from .process import SINGLE_THREAD, check, die_with_parent, libc
from .protocol import Host, JailRequest

SANDBOX_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
               "PYTHONDONTWRITEBYTECODE": "1", **SINGLE_THREAD}
PR_SET_NO_NEW_PRIVS = 38
CLONE_NEWUSER = 0x10000000



def _set_limits(request: JailRequest, per_uid: bool) -> None:
    def cap(kind, value):
        resource.setrlimit(kind, (value, value))
    limits = request.limits
    vm_kb = 0
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                vm_kb = int(line.split()[1])
    cap(resource.RLIMIT_AS, vm_kb * 1024 + limits.memory_mb * 2**20)
    cap(resource.RLIMIT_CPU, limits.cpu_s)
    cap(resource.RLIMIT_FSIZE, limits.file_mb * 2**20)
    cap(resource.RLIMIT_NOFILE, 256)
    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_MSGQUEUE, 0)      # POSIX message queues live outside every folder
    if per_uid:                           # counts per uid: each sandbox has its own uid
        cap(resource.RLIMIT_NPROC, limits.processes)


def _first_to_go() -> None:
    """Makes this process (and what it forks) the kernel's first choice when memory runs out:
    without a cgroup the address-space limit holds per process only, so many processes
    together can still exhaust the machine, and then the student's go, not the grader."""
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError:
        pass


def _drop_privileges(uid: int, mode: str) -> None:
    parent = os.getppid()
    if mode in ("root", "container"):
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)       # capabilities go with root
        die_with_parent(parent)           # a change of uid clears the parent-death signal
    elif mode == "userns":
        check(libc.unshare(ctypes.c_int(CLONE_NEWUSER)), "unshare")   # a nested namespace holds
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")  # no capability over ours


def become(request: JailRequest, host: Host, fds: dict, mode: str, *, workdir: str, home: str,
           seccomp_filter) -> None:
    """Turns the calling process into the student's and serves requests until the grader hangs
    up. ``fds``: "proto" (requests), "out" (printed output), "ctrl" (closed here)."""
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(fds["out"], 1)
    os.dup2(fds["out"], 2)
    for fd in (devnull, fds["out"], fds["ctrl"]):
        os.close(fd)
    _set_limits(request, per_uid=mode in ("root", "container"))
    _first_to_go()
    _drop_privileges(request.uid, mode)
    os.environ.clear()
    os.environ.update(SANDBOX_ENV, HOME=home, TMPDIR=home)
    os.chdir(workdir)
    sys.path[:] = [workdir, *host.python_order]
    if seccomp_filter is not None:
        seccomp_filter.load()             # last: the setup above needed some of what it refuses
    runner.serve(fds["proto"], request)
