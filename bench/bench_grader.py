"""Grading the reference in a fresh process against a bare import of the grader's dependencies,
measured side by side in one run. Goal: at most 2x.

    .venv/bin/python bench/bench_grader.py [--repeat 5]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    out = os.path.join(tempfile.mkdtemp(), "results.json")
    bare = [sys.executable, "-c", "import numpy, torch, sympy, pytest"]
    grade = [sys.executable, "grade.py", "reference", "--json", out]
    timed(bare), timed(grade)                      # warm the file cache for both
    b, g = [], []
    for _ in range(args.repeat):                   # interleaved, so drift hits both alike
        b.append(timed(bare))
        g.append(timed(grade))
    mb, mg = statistics.median(b), statistics.median(g)
    print(f"bare import of numpy, torch, sympy, pytest: median {mb:.2f} s over {args.repeat} runs")
    print(f"grade.py reference (sandbox on):            median {mg:.2f} s over {args.repeat} runs")
    print(f"ratio grade / bare import: {mg / mb:.2f}x   (goal: at most 2x)")


if __name__ == "__main__":
    main()
