"""``python grade.py SUBMISSION [--json PATH] [--seed N] [--timeout S]``.

Exit status 0 whenever a report was written, whatever the score; 2 for bad arguments or a
path with nothing to grade.
"""

from __future__ import annotations

import argparse
import sys

from . import catalog, engine, report
from .submission import SubmissionError


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="grade.py", description="Grade a deep-learning homework submission.")
    p.add_argument("submission", help="a folder of module files, one .py file, or a .ipynb notebook")
    p.add_argument("--json", metavar="PATH", help="write Gradescope's results.json there")
    p.add_argument("--seed", type=int, default=0, help="seed of the random instances (default 0)")
    p.add_argument("--timeout", type=float, default=engine.DEFAULT_TIMEOUT,
                   help=f"seconds per call of a student function (default {engine.DEFAULT_TIMEOUT:g})")
    p.add_argument("--budget", type=float, default=engine.DEFAULT_BUDGET,
                   help=f"seconds of calls for the whole submission (default {engine.DEFAULT_BUDGET:g})")
    p.add_argument("--module", action="append", dest="modules", metavar="NAME",
                   help="grade only this module (repeatable)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.timeout <= 0 or args.budget <= 0:
        parser().error("--timeout and --budget must be positive")
    unknown = set(args.modules or ()) - set(catalog.available())
    if unknown:
        parser().error(f"unknown module(s) {sorted(unknown)}; known: {', '.join(catalog.available())}")
    try:
        result = engine.grade(args.submission, seed=args.seed, timeout=args.timeout,
                              budget=args.budget,
                              modules=tuple(args.modules) if args.modules else None)
    except SubmissionError as exc:
        print(f"grade.py: {exc}", file=sys.stderr)
        return 2
    if args.json:
        report.write_json(result, args.json)
    print(report.to_table(result))
    return 0
