"""How fast the grader is, as three ratios measured side by side in one run, sandbox on:

1. One submission: ``grade.py reference`` against ``python -c "import torch"`` (medians,
   interleaved so that drift hits both alike). Goal: at most 1.3x.
2. A class: a batch of N submissions, per submission, against separate ``grade.py`` runs of
   the same submissions (K of them timed, half before the batch and half after, scaled to N).
   Goal: at most 1/25. Below it, where the batch's time goes (from its progress lines): its
   start, the cost of a student once it runs, its finish; and what a student may cost for the
   goal to hold at this size.
3. The ceiling: the reference's own functions called in this process on the same cases (the
   floor no sandbox can beat), and the batch's cost per submission as a multiple of it.

    .venv/bin/python bench/bench_speed.py [--n 100] [--separate 10] [--repeat 5]

The class mixes the reference, the realistic wrong submissions of tests/submissions/wrong_*
(but those that time out, which would measure the time limit, not the grader),
examples/partly_wrong and the blank template (each a copy of the reference with the source's
modules in place of the right ones), so most students answer most calls as the reference does.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

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


def times_out(submission: str) -> bool:
    """Whether a corpus submission's expected feedback has a call time out."""
    with open(os.path.join(submission, "expected.json")) as f:
        return any("timed out" in text for text in json.load(f).get("messages", {}).values())


def make_class(folder: str, n: int) -> list[str]:
    corpus = os.path.join(ROOT, "tests", "submissions")
    wrong = sorted(os.path.join(corpus, d) for d in os.listdir(corpus) if d.startswith("wrong_"))
    sources = [os.path.join(ROOT, "reference"), os.path.join(ROOT, "examples", "partly_wrong"),
               os.path.join(ROOT, "student_template")] + [w for w in wrong if not times_out(w)]
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


def timed_batch(cmd: list[str]) -> tuple[float, dict[int, float]]:
    """Seconds of a ``--batch`` run, and when (seconds from its start) its progress said that
    k students were graded (every tenth of the class, without a terminal)."""
    start = time.perf_counter()
    seen, said = {}, []
    with subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True) as proc:
        for line in proc.stderr:
            if line.startswith("graded "):
                seen[int(line.split()[1].split("/")[0])] = time.perf_counter() - start
            else:
                said.append(line)
    if proc.returncode:
        sys.stderr.writelines(said)
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return time.perf_counter() - start, seen


@dataclass
class Phases:
    """A batch's time: before its first tenth of the class was graded (imports, the rehearsal,
    the zygote), then per student to the last (the steady state), then the gradebook and the
    summary."""
    start: float
    per_student: float
    end: float


def a_class(n: int, separate: int) -> tuple[float, float, Phases]:
    """Seconds per submission of one batch of ``n`` and of separate runs (``separate`` timed),
    and the batch's phases."""
    tmp = tempfile.mkdtemp()
    try:
        paths = make_class(os.path.join(tmp, "class"), n)
        k = min(separate, n)

        def alone(chosen: list[str]) -> float:
            return sum(timed([sys.executable, "grade.py", p, "--json", os.path.join(tmp, "one.json")])
                       for p in chosen)
        before = alone(paths[:k // 2])           # half the separate runs on each side of the
        batch, seen = timed_batch([sys.executable, "grade.py", os.path.join(tmp, "class"), "--batch",
                                   "--out", os.path.join(tmp, "out")])
        after = alone(paths[k // 2:k])           # batch: the machine's drift hits both alike
        first = min(seen)
        steady = (seen[n] - seen[first]) / max(n - first, 1)
        phases = Phases(seen[first] - first * steady, steady, batch - seen[n])
        return batch / n, (before + after) / k, phases
    finally:
        shutil.rmtree(tmp)


def ceiling() -> float:
    """Seconds the reference's own functions take on every case's calls, called here."""
    from autograder import catalog
    from autograder.engine import rehearsal
    cases = catalog.cases()
    rehearsal.ceiling(cases, 0)                  # first calls pay for lazy imports
    return statistics.median(rehearsal.ceiling(cases, 0) for _ in range(5))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=100, help="students in the class (default 100)")
    p.add_argument("--separate", type=int, default=10, help="separate runs timed (default 10)")
    p.add_argument("--repeat", type=int, default=5, help="runs of each for one submission (default 5)")
    args = p.parse_args()
    torch_s, grade_s = one_submission(args.repeat)
    batch_s, alone_s, phases = a_class(args.n, args.separate)
    floor_s = ceiling()
    print(f"machine: {machine()}, sandbox on")
    print(f"1. one submission: grade.py reference {grade_s:.2f} s, python -c 'import torch' {torch_s:.2f} s "
          f"(medians of {args.repeat}): {grade_s / torch_s:.2f}x   (goal: at most 1.3x)")
    print(f"2. a class of {args.n}: batch {batch_s:.3f} s per submission, separate runs {alone_s:.2f} s "
          f"({args.separate} timed): 1/{alone_s / batch_s:.1f}   (goal: at most 1/25)")
    need = (alone_s / 25 * args.n - phases.start - phases.end) / args.n
    needs = f"1/25 needs {need * 1e3:.0f} ms a student" if need > 0 else "no cost a student meets 1/25"
    print(f"   the batch: {phases.start:.2f} s to start, {phases.per_student * 1e3:.0f} ms a student, "
          f"{phases.end:.2f} s to finish; {needs} at this size")
    print(f"3. the ceiling: the reference's own functions take {floor_s * 1e3:.0f} ms on every case's calls; "
          f"the batch costs {batch_s / floor_s:.1f}x that per submission")


if __name__ == "__main__":
    main()
