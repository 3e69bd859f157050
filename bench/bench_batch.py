"""A class of N submissions graded by one batch run against N separate ``grade.py`` runs,
measured side by side in one run. Goals: at least 10x faster, at most 0.25 s per submission on
2 cores, sandbox fully on.

    .venv/bin/python bench/bench_batch.py [--n 100] [--separate K]

The class mixes the reference, the realistic wrong submissions of tests/submissions/wrong_*
and the blank template. ``--separate K`` times K separate runs and scales to N (default: all N).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_class(folder: str, n: int) -> list[str]:
    corpus = os.path.join(ROOT, "tests", "submissions")
    sources = [os.path.join(ROOT, "reference"), os.path.join(ROOT, "examples", "partly_wrong")] + \
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


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--separate", type=int, help="time only this many separate runs and scale")
    args = p.parse_args()
    tmp = tempfile.mkdtemp()
    paths = make_class(os.path.join(tmp, "class"), args.n)
    out = os.path.join(tmp, "out")

    start = time.perf_counter()
    subprocess.run([sys.executable, "grade.py", os.path.join(tmp, "class"), "--batch", "--out", out],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    batch = time.perf_counter() - start

    k = min(args.separate or args.n, args.n)
    start = time.perf_counter()
    for path in paths[:k]:
        subprocess.run([sys.executable, "grade.py", path, "--json", os.path.join(tmp, "one.json")],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    separate = (time.perf_counter() - start) * args.n / k
    shutil.rmtree(tmp)
    cores = os.cpu_count()
    print(f"{args.n} submissions, {cores} cores, sandbox on")
    print(f"batch:    {batch:7.1f} s   {batch / args.n:.3f} s per submission   (goal: at most 0.25 s)")
    print(f"separate: {separate:7.1f} s   {separate / args.n:.3f} s per submission"
          + (f"   ({k} runs timed, scaled to {args.n})" if k < args.n else ""))
    print(f"ratio separate / batch: {separate / batch:.1f}x   (goal: at least 10x)")


if __name__ == "__main__":
    main()
