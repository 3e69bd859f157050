"""What a submission can cost the trusted side: the time to its results.json, beyond its budget,
and the peak memory of the grading process (README's bounds; docs/PERFORMANCE.md), for the
reference and for submissions built to cost the most.

    .venv/bin/python bench/bench_bounds.py [--budget 10]

Each submission is graded by ``grade.py SUB --json results.json`` in a fresh process (its own
zygote), one at a time, with the default budget but the last, which gets
``--budget``; the table gives the wall time to the report, what of it lies beyond the budget,
the grading process's peak RSS and that of its bounded helper (forked from it, so the pages
they share count in both):

- reference: the reference's modules, every case passes.
- replies at the caps: gradient_flow's functions return the largest values a reply may hold
  (124,000 one-element lists, 249,000 values; a 12 MB float array; a string of 2**20
  characters), the other modules the reference's: what the grader decodes and judges.
- huge replies, symbolic stall: the corpus's (refused unread; refused, or stopped at 10 s).
- notes flood: four notebooks of 1,999 failing cells.
- worst time: a notebook at the reading caps (200,000 JSON values) whose pointwise_loss_expr
  sleeps until 2 s of its budget are left and then returns a product of 60 square roots of
  60-digit numbers, so a 10 s judgement starts as the budget ends (``--timeout`` above it).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from autograder.options import GradingOptions
from autograder.paths import checkout  # noqa: E402 - setup.sh puts the checkout on .venv's path

ROOT = checkout()
RUNNER = """
import atexit, os, resource, sys
sys.argv = ["grade.py", *sys.argv[1:]]
from autograder import bounded

def peaks():
    helper = bounded._helper.pid if bounded._helper is not None else None
    hwm = 0
    if helper:
        with open(f"/proc/{helper}/status") as f:
            hwm = next((int(l.split()[1]) for l in f if l.startswith("VmHWM")), 0)
    print(json.dumps({"grader_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "helper_kb": hwm}),
          file=sys.stderr)

import json
atexit.register(peaks)
from autograder.__main__ import run
run()
"""
RADICALS = "*".join(f"sqrt({10**59 + 7 * i})" for i in range(60))


def _reference(folder: str, replace: dict[str, str] | None = None) -> str:
    os.makedirs(folder)
    for name in sorted(os.listdir(os.path.join(ROOT, "reference"))):
        if name.endswith(".py") and name != "__init__.py":
            with open(os.path.join(ROOT, "reference", name)) as f:
                text = f.read()
            with open(os.path.join(folder, name), "w") as f:
                f.write((replace or {}).get(name, text))
    return folder


AT_THE_CAPS = '''import numpy as np

def chain_gradient(local_grads):
    return [[0.0]] * 124_000

def residual_gradient(upstream, local_grads):
    return "0" * 2**20

def plain_depth_gradient(n_layers, local=0.5, upstream=0.5):
    return np.zeros(1_500_000)

def residual_blocks_gradient(n_layers, local=0.5, upstream=0.5):
    return np.zeros(1_500_000)
'''


def _notebook(path: str, cells: list[str], magic: int = 0) -> None:
    import nbformat
    from nbformat import v4
    nb = v4.new_notebook()
    nb.cells = [v4.new_code_cell(c) for c in cells] + [v4.new_code_cell("%%bash") for _ in range(magic)]
    nbformat.write(nb, path)


def submissions(tmp: str, budget: float) -> dict[str, tuple[str, list[str]]]:
    """name -> (path, extra grade.py arguments)."""
    with open(os.path.join(ROOT, "reference", "deep_linear.py")) as f:
        deep = f.read()
    slow = deep.replace("    return (w1 * w2 * x) ** 2 / 2\n",
                        f"    import time\n    time.sleep({budget - 2})\n    return {RADICALS!r}\n")
    worst = os.path.join(tmp, "worst")
    os.makedirs(worst)
    _notebook(os.path.join(worst, "homework.ipynb"), [slow], magic=12_300)
    flood = os.path.join(tmp, "flood")
    os.makedirs(flood)
    with open(os.path.join(ROOT, "reference", "tuning.py")) as f:
        tuning = f.read()
    for k, book in enumerate("abcd"):
        _notebook(os.path.join(flood, f"{book}.ipynb"), ([tuning] if k == 0 else [])
                  + [f"raise ValueError('cell {i} of {book}')" for i in range(1999 - (k == 0))])
    corpus = os.path.join(ROOT, "tests", "submissions")
    return {
        "reference": (_reference(os.path.join(tmp, "reference")), []),
        "replies at the caps": (_reference(os.path.join(tmp, "caps"), {"gradient_flow.py": AT_THE_CAPS}), []),
        "huge replies": (os.path.join(corpus, "hostile_huge_replies"), ["--module", "gradient_flow"]),
        "symbolic stall": (os.path.join(corpus, "hostile_symbolic_stall"),
                           ["--module", "dead_units", "--module", "deep_linear"]),
        "notes flood": (flood, ["--module", "tuning"]),
        "worst time": (worst, ["--module", "deep_linear", "--timeout", str(budget + 5), "--budget", str(budget)]),
    }


def measure(path: str, extra: list[str], tmp: str) -> dict:
    out = os.path.join(tmp, "results.json")
    budget = float(extra[extra.index("--budget") + 1]) if "--budget" in extra else GradingOptions().budget
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", RUNNER, path, "--json", out, *extra],
                         cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peaks = json.loads(run.stderr.strip().splitlines()[-1])
    with open(out) as f:
        results = json.load(f)
    return {"seconds": seconds, "budget": budget, "score": results.get("score"), "max": results.get("max_score"),
            "report_kb": os.path.getsize(out) // 1024, **peaks}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--budget", type=float, default=10.0, help="the worst-time submission's --budget (seconds)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-bounds-") as tmp:
        rows = {name: measure(path, extra, tmp)
                for name, (path, extra) in submissions(tmp, args.budget).items()}
    base = rows["reference"]["grader_kb"]
    print(f"{'submission':<20} {'to report':>9} {'budget':>6} {'past it':>7} {'score':>9} {'report':>7} "
          f"{'grader peak':>11} {'vs reference':>12} {'helper peak':>11}")
    for name, r in rows.items():
        print(f"{name:<20} {r['seconds']:>8.1f}s {r['budget']:>5g}s {r['seconds'] - r['budget']:>6.1f}s "
              f"{r['score']:>4g}/{r['max']:<4g} {r['report_kb']:>5}KB {r['grader_kb'] / 1024:>9.0f}MB "
              f"{(r['grader_kb'] - base) / 1024:>+10.0f}MB {r['helper_kb'] / 1024:>9.0f}MB")


if __name__ == "__main__":
    main()
