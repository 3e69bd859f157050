"""How fast the grader is, as three ratios measured side by side in one run, sandbox on:

1. One submission: ``grade.py reference`` against ``python -c "import torch"`` (medians,
   interleaved so that drift hits both alike). Goal: at most 1.3x.
2. A class: a batch of N submissions, per submission, against separate ``grade.py`` runs of
   the same submissions (K of them timed, scaled to N). Goal: at most 1/25.
3. The ceiling: the reference's own functions called in this process on the same cases (the
   floor no sandbox can beat), and the batch's cost per submission as a multiple of it.

    .venv/bin/python bench/bench_speed.py [--n 100] [--separate 10] [--repeat 5]

The class mixes the reference, the realistic wrong submissions of tests/submissions/wrong_*,
examples/partly_wrong and the blank template (each a copy of the reference with the source's
modules in place of the right ones), so most students answer most calls as the reference does.
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from autograder.paths import checkout  # noqa: E402 - setup.sh puts the checkout on .venv's path

ROOT = checkout()


def machine() -> str:
    """The cores this process may use and the CPU's model name."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), model)
    except OSError:
        pass
    return f"{len(os.sched_getaffinity(0))} cores ({model})"


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def make_class(folder: str, n: int) -> list[str]:
    corpus = os.path.join(ROOT, "tests", "submissions")
    sources = [os.path.join(ROOT, "reference"), os.path.join(ROOT, "examples", "partly_wrong"),
               os.path.join(ROOT, "student_template")] + \
        sorted(os.path.join(corpus, d) for d in os.listdir(corpus) if d.startswith("wrong_"))
    paths = []
    for i in range(n):
        dest = os.path.join(folder, f"student{i:03d}")
        src = sources[i % len(sources)]
        shutil.copytree(os.path.join(ROOT, "reference"), dest, ignore=shutil.ignore_patterns("__*"))
        for name in os.listdir(src):                 # a wrong module replaces the right one
            if name.endswith(".py") and not name.startswith("__"):
                shutil.copy(os.path.join(src, name), dest)
        paths.append(dest)
    return paths


def one_submission(repeat: int) -> tuple[float, float]:
    """Medians of ``import torch`` and of grading the reference, in seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        bare = [sys.executable, "-c", "import torch"]
        grade = [sys.executable, "grade.py", "reference", "--json", os.path.join(tmp, "results.json")]
        timed(bare), timed(grade)                    # warm the file cache for both
        b, g = [], []
        for _ in range(repeat):
            b.append(timed(bare))
            g.append(timed(grade))
    return statistics.median(b), statistics.median(g)


def a_class(n: int, separate: int) -> tuple[float, float]:
    """Seconds per submission of one batch of ``n`` and of separate runs (``separate`` timed)."""
    tmp = tempfile.mkdtemp()
    try:
        paths = make_class(os.path.join(tmp, "class"), n)
        batch = timed([sys.executable, "grade.py", os.path.join(tmp, "class"), "--batch",
                       "--out", os.path.join(tmp, "out")])
        k = min(separate, n)
        alone = sum(timed([sys.executable, "grade.py", p, "--json", os.path.join(tmp, "one.json")])
                    for p in paths[:k])
        return batch / n, alone / k
    finally:
        shutil.rmtree(tmp)


def ceiling() -> float:
    """Seconds the reference's own functions take on every case's calls, called here."""
    from autograder import catalog, reference_run
    cases = catalog.cases()
    reference_run.ceiling(cases, 0)                  # first calls pay for lazy imports
    return statistics.median(reference_run.ceiling(cases, 0) for _ in range(5))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=100, help="students in the class (default 100)")
    p.add_argument("--separate", type=int, default=10, help="separate runs timed (default 10)")
    p.add_argument("--repeat", type=int, default=5, help="runs of each for one submission (default 5)")
    args = p.parse_args()
    torch_s, grade_s = one_submission(args.repeat)
    batch_s, alone_s = a_class(args.n, args.separate)
    floor_s = ceiling()
    print(f"machine: {machine()}, sandbox on")
    print(f"1. one submission: grade.py reference {grade_s:.2f} s, python -c 'import torch' {torch_s:.2f} s "
          f"(medians of {args.repeat}): {grade_s / torch_s:.2f}x   (goal: at most 1.3x)")
    print(f"2. a class of {args.n}: batch {batch_s:.3f} s per submission, separate runs {alone_s:.2f} s "
          f"({args.separate} timed): 1/{alone_s / batch_s:.1f}   (goal: at most 1/25)")
    print(f"3. the ceiling: the reference's own functions take {floor_s * 1e3:.0f} ms on every case's calls; "
          f"the batch costs {batch_s / floor_s:.1f}x that per submission")


if __name__ == "__main__":
    main()
