"""``python -m autograder.mutants [--module NAME] [--seed N] [--sample N]``: how strong the
graders are. Prints the report (``report.to_text``); exit status 0 when every survivor is on
the reviewed list and no grader failed, 1 otherwise (a blind spot, a survivor no input
separated, an internal grader error), 2 for bad arguments or a machine where no sandbox can
be made."""

from __future__ import annotations

import argparse
import json
import os
import sys

from .. import catalog
from ..front.cli import StatusLine
from ..options import GradingOptions
from ..sandbox.protocol import SandboxUnavailable
from ..sandbox.process import limit_threads


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m autograder.mutants",
                                description="Grade single-point mutants of reference/ and report "
                                            "the ones that earn every point.")
    p.add_argument("--module", action="append", dest="modules", metavar="NAME",
                   help="mutate only this module (repeatable); default: every module")
    p.add_argument("--seed", type=int, default=GradingOptions().seed,
                   help=f"grading seed, as grade.py's (default {GradingOptions().seed}); also draws --sample")
    p.add_argument("--sample", type=int, metavar="N", help="grade N mutants drawn with --seed, not all")
    p.add_argument("--timeout", type=float, default=GradingOptions().timeout,
                   help=f"seconds per call of a mutant's function (default {GradingOptions().timeout:g}, "
                        "as grade.py)")
    p.add_argument("--workers", type=int, help="grading processes (default: one per core, and one more)")
    p.add_argument("--reviewed", metavar="PATH", help="the reviewed list of equivalent mutants "
                                                      "(default tests/mutants/equivalent.json)")
    p.add_argument("--json", metavar="PATH", help="also write the run as JSON there")
    p.add_argument("--keep", metavar="DIR", help="keep the mutants and their reports in DIR")
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    unknown = set(args.modules or ()) - set(catalog.available())
    if unknown:
        p.error(f"unknown module(s) {sorted(unknown)}; known: {', '.join(catalog.available())}")
    if args.timeout <= 0 or (args.sample is not None and args.sample <= 0):
        p.error("--timeout and --sample must be positive")
    if args.keep and os.path.exists(args.keep) and os.listdir(args.keep):
        p.error(f"--keep {args.keep}: give a new or empty folder (a batch there would resume, not regrade)")
    from . import reviewed
    from .report import to_json, to_text
    from .run import run
    path = args.reviewed or reviewed.DEFAULT_PATH
    try:
        listed = reviewed.load(path)
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        p.error(f"cannot read the reviewed list: {exc}")
    progress = StatusLine(sys.stderr)

    def say(text: str) -> None:
        progress.clear()
        print(text, file=sys.stderr, flush=True)
    try:
        result = run(tuple(args.modules) if args.modules else None, seed=args.seed, size=args.sample,
                     timeout=args.timeout, workers=args.workers, reviewed=listed, keep=args.keep,
                     say=say, progress=progress)
    except SandboxUnavailable as exc:
        print(f"autograder.mutants: {exc}", file=sys.stderr)
        return 2
    finally:
        progress.clear()
    print(to_text(result, path))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(to_json(result), f, indent=1)
    return 1 if result.failures else 0


if __name__ == "__main__":
    limit_threads()
    from ..__main__ import leave
    leave(main())
