"""The warm parent: imports the heavy third-party libraries once, then forks a jailed process
for each request of the trusted grader. It never imports ``reference/`` or ``graders/``, so no
student process inherits an answer in its memory.

Started by :class:`autograder.sandbox.client.Zygote` as ``python -I -c <boot>`` with the
project root and the descriptor of a SOCK_SEQPACKET socket. Each request is one JSON packet
carrying three descriptors (the student's request socket, its output pipe and the control
pipe); the zygote forks, the child enters the jail (``jail.enter``), and the zygote answers
``b"ok"``. It exits when the grader closes the socket.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import socket
import sys
import tempfile

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _within(path: str, folder: str) -> bool:
    return os.path.commonpath([path, folder]) == folder


def python_paths(project_root: str) -> list[str]:
    """Folders the student process needs to import Python and its packages, in sys.path order,
    never the project root or anything under it but a virtual environment."""
    prefix = os.path.realpath(sys.prefix)
    candidates = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *sys.path]
    out: list[str] = []
    for raw in candidates:
        if not raw or not os.path.isdir(raw):
            continue
        path = os.path.realpath(raw)
        if _within(project_root, path):
            continue                                    # the root itself, or a folder above it
        if _within(path, project_root) and not (_within(path, prefix) and prefix != project_root):
            continue
        if path not in out:
            out.append(path)
    return out


def _bind_set(paths: list[str]) -> list[str]:
    """The outermost of ``paths``, skipping those the system folders already hold."""
    chosen: list[str] = []
    for p in sorted(paths, key=len):
        if any(_within(p, d) for d in ("/usr", "/etc", "/bin", "/lib")):
            continue
        if not any(_within(p, c) for c in chosen):
            chosen.append(p)
    return chosen


def _warm_up() -> None:
    """Runs once what students' code commonly touches, so that the lazy imports and caches of
    numpy, torch and sympy are paid here rather than in every student's process."""
    import numpy as np
    import sympy
    import torch
    import torch.nn.functional as F
    z = sympy.Symbol("z", real=True)
    expr = sympy.diff(1 / (1 + sympy.exp(-z)), z)
    str(sympy.simplify(expr - sympy.tanh(z) ** 2 + sympy.sqrt(z) * sympy.log(z)))
    str(sympy.Matrix([[z, 1], [0, z]]).diff(z)), str(sympy.Interval.open(0, sympy.oo))
    x = torch.randn(1, 1, 6, 6, dtype=torch.float64, requires_grad=True)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU(), torch.nn.Dropout(0.5),
                              torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(8, 2))
    net(x.float()).sum().backward()
    y = F.avg_pool2d(F.conv2d(x, torch.ones(1, 1, 2, 2, dtype=torch.float64), padding=1), 2)
    (torch.sigmoid(y).sum() + torch.softmax(y.flatten(), 0)[0]).backward()
    torch.autograd.functional.jacobian(torch.tanh, torch.zeros(2, dtype=torch.float64))
    np.linalg.eigh(np.eye(2)), np.einsum("ij,jk->ik", np.eye(2), np.eye(2))
    np.lib.stride_tricks.sliding_window_view(np.zeros((4, 4)), (2, 2))


def main(project_root: str, fd: int) -> None:
    for var in THREAD_VARS:
        os.environ[var] = "1"
    import torch
    torch.set_num_threads(1)
    _warm_up()
    from . import jail  # noqa: F401  - and everything the runner needs, before any fork
    from .. import codec  # noqa: F401
    gc.collect()
    gc.freeze()            # the children's collector then never writes to (and copies) these pages

    sock = socket.socket(fileno=fd)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)     # children are reaped by the kernel
    mountpoint = tempfile.mkdtemp(prefix="autograder-root-")
    os.chmod(mountpoint, 0o755)
    zygote_pid = os.getpid()
    order = python_paths(project_root)
    base = {"mountpoint": mountpoint, "python_paths": _bind_set(order),
            "python_paths_order": order}
    try:
        while True:
            try:
                msg, fds, _, _ = socket.recv_fds(sock, 1 << 20, 3)
            except OSError:
                break
            if not msg:
                break
            request = {**json.loads(msg), **base}
            names = dict(zip(("proto", "out", "ctrl"), fds))
            pid = os.fork()
            if pid == 0:
                jail.enter(request, names, zygote_pid)     # never returns
            for f in fds:
                os.close(f)
            sock.send(b"ok")
    finally:
        os.rmdir(mountpoint)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
