"""Times the reference conv2d against torch.nn.functional.conv2d, forward and backward.

    .venv/bin/python bench/bench_conv.py [--repeats 15] [--threads N]

Input (16, 32, 32, 32) float64, 64 filters of 3x3, padding 1, stride 1. Prints the best time of
several repeats for each side and the ratio ours/torch (goal: within 3x). torch is given as many
threads as numpy's BLAS uses, so neither side gets more cores than the other.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from reference.conv import conv2d, conv2d_backward  # noqa: E402


def _openblas():
    """numpy's OpenBLAS library and its symbol prefix, or (None, None)."""
    libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    for lib in sorted(libs.glob("*openblas*")) if libs.is_dir() else ():
        try:
            handle = ctypes.CDLL(str(lib))
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("openblas", "64_"), ("openblas", "")):
            if hasattr(handle, f"{prefix}_get_num_threads{suffix}"):
                return handle, (lib.name, prefix, suffix)
    return None, None


def numpy_blas_threads(wanted: int | None = None) -> tuple[int, str]:
    """The thread count of numpy's OpenBLAS (set to ``wanted`` first if given), and its source."""
    handle, names = _openblas()
    if handle is not None:
        lib, prefix, suffix = names
        if wanted is not None:
            getattr(handle, f"{prefix}_set_num_threads{suffix}")(ctypes.c_int(wanted))
        get = getattr(handle, f"{prefix}_get_num_threads{suffix}")
        get.restype = ctypes.c_int
        return int(get()), f"{lib}:{prefix}_get_num_threads{suffix}"
    if wanted is not None:
        sys.exit("cannot set numpy's BLAS threads: OpenBLAS not found; set OPENBLAS_NUM_THREADS")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var]), var
    return len(os.sched_getaffinity(0)), "CPU affinity (no OpenBLAS symbol found)"


def best_times(fns: dict, repeats: int) -> dict:
    """The best wall time of each function; the functions take turns, so a burst of load from
    elsewhere on the machine slows every side alike instead of one side only."""
    for fn in fns.values():
        fn()                                 # warm-up: allocations, thread pools, caches
    best = {name: float("inf") for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for both sides (default: numpy's BLAS count as it is)")
    args = parser.parse_args()

    threads, source = numpy_blas_threads(args.threads)
    torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 32, 32, 32))
    w = rng.standard_normal((64, 32, 3, 3))
    b = rng.standard_normal(64)
    dout = rng.standard_normal((16, 64, 32, 32))
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    tdout = torch.tensor(dout)

    def torch_forward():
        with torch.no_grad():
            F.conv2d(tx, tw, tb, padding=1)

    graph = F.conv2d(tx, tw, tb, padding=1)

    def torch_backward():                   # the backward pass alone, on a graph built once
        torch.autograd.grad(graph, (tx, tw, tb), tdout, retain_graph=True)

    best = best_times({
        "ours_fwd": lambda: conv2d(x, w, b, padding=1),
        "torch_fwd": torch_forward,
        "ours_bwd": lambda: conv2d_backward(dout, x, w, b, padding=1),
        "torch_bwd": torch_backward,
    }, args.repeats)
    ours_fwd, torch_fwd = best["ours_fwd"], best["torch_fwd"]
    ours_bwd, torch_bwd = best["ours_bwd"], best["torch_bwd"]

    print(f"conv2d x (16, 32, 32, 32) float64, w (64, 32, 3, 3), padding 1; best of {args.repeats}")
    print(f"threads: numpy BLAS {threads} (from {source}); torch.set_num_threads({threads}) "
          f"-> torch uses {torch.get_num_threads()}")
    print(f"forward : ours {ours_fwd * 1e3:8.1f} ms  torch {torch_fwd * 1e3:8.1f} ms  "
          f"ratio {ours_fwd / torch_fwd:5.2f}x")
    print(f"backward: ours {ours_bwd * 1e3:8.1f} ms  torch {torch_bwd * 1e3:8.1f} ms  "
          f"ratio {ours_bwd / torch_bwd:5.2f}x  (torch: autograd.grad for x, w, b)")
    ok = ours_fwd / torch_fwd <= 3 and ours_bwd / torch_bwd <= 3
    print("goal (within 3x of torch, both passes):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
