"""``autograder.check()`` in a real Jupyter kernel: the first check (which starts the grading
process, whose zygote imports torch) against later checks, measured in one run. Goal: a later
check of one module within 1 s.

    .venv/bin/python bench/bench_check.py [--repeat 5]

The kernel runs the reference, one module a cell, as a student's notebook would.
"""

import argparse
import os
import statistics
import time

from jupyter_client.manager import start_new_kernel

from autograder.paths import checkout  # noqa: E402 - setup.sh puts the checkout on .venv's path

ROOT = checkout()

from autograder import catalog  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--module", default="activations")
    args = p.parse_args()
    manager, client = start_new_kernel(kernel_name="python3")

    def timed(code: str) -> float:
        start = time.perf_counter()
        reply = client.execute_interactive(code, timeout=600, output_hook=lambda msg: None)
        assert reply["content"]["status"] == "ok", reply["content"]
        return time.perf_counter() - start

    try:
        for m in catalog.load():
            with open(os.path.join(ROOT, "reference", f"{m.name}.py")) as f:
                timed(f.read())
        check = f'import autograder\nr = autograder.check("{args.module}")\nassert r.score == r.max_score'
        first = timed(check)
        later = [timed(check) for _ in range(args.repeat)]
        everything = [timed("r = autograder.check()\nassert r.score == r.max_score") for _ in range(args.repeat)]
    finally:
        manager.shutdown_kernel(now=True)
        client.stop_channels()
    print(f"first check of {args.module} (starts the grading process): {first:.2f} s")
    print(f"later checks of {args.module}:  median {statistics.median(later):.2f} s over {args.repeat} "
          f"(goal: at most 1 s)")
    print(f"later checks of every module: median {statistics.median(everything):.2f} s over {args.repeat}")
    print(f"first / later: {first / statistics.median(later):.1f}x")


if __name__ == "__main__":
    main()
