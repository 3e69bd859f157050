"""The command line.

    python grade.py SUBMISSION [--json PATH] [--seed N] [--timeout S]
    python grade.py SUBMISSIONS_DIR --batch --out DIR
    python grade.py --gradescope-bundle autograder.zip

Exit status 0 whenever the reports were written, whatever the scores; 2 for bad arguments, a
path with nothing to grade, or a machine where no jail can be made (see ``--unsandboxed``).
"""

from __future__ import annotations

import argparse
import os
import sys

from . import catalog, engine, report
from .sandbox.protocol import SandboxUnavailable
from .submission import SubmissionError


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="grade.py", description="Grade deep-learning homework submissions.")
    p.add_argument("submission", nargs="?",
                   help="a folder of module files, one .py file or a .ipynb notebook; with --batch, "
                        "a folder holding one entry per student")
    p.add_argument("--json", metavar="PATH", help="write Gradescope's results.json there")
    p.add_argument("--seed", type=int, default=0, help="seed of the random instances (default 0)")
    p.add_argument("--timeout", type=float, default=engine.DEFAULT_TIMEOUT,
                   help=f"seconds per call of a student function (default {engine.DEFAULT_TIMEOUT:g})")
    p.add_argument("--budget", type=float, default=engine.DEFAULT_BUDGET,
                   help=f"seconds of calls for one submission (default {engine.DEFAULT_BUDGET:g})")
    p.add_argument("--module", action="append", dest="modules", metavar="NAME",
                   help="grade only this module (repeatable)")
    p.add_argument("--hide", action="append", default=[], metavar="LABEL",
                   help="give cases with this label (e.g. random) Gradescope visibility 'hidden'")
    p.add_argument("--batch", action="store_true", help="grade every entry of SUBMISSION as one student")
    p.add_argument("--out", metavar="DIR", help="with --batch: where the reports and gradebook go")
    p.add_argument("--workers", type=int, help="with --batch: worker processes (default: one per core)")
    p.add_argument("--gradescope-bundle", metavar="ZIP", help="write Gradescope's autograder zip and stop")
    p.add_argument("--unsandboxed", action="store_true",
                   help="where no namespaces can be had (not root, user namespaces refused), run the "
                        "code without isolation instead of refusing: only for code you trust")
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.timeout <= 0 or args.budget <= 0:
        p.error("--timeout and --budget must be positive")
    unknown = set(args.modules or ()) - set(catalog.available())
    if unknown:
        p.error(f"unknown module(s) {sorted(unknown)}; known: {', '.join(catalog.available())}")
    modules = tuple(args.modules) if args.modules else None
    if args.gradescope_bundle:
        from .bundle import write_bundle
        names = write_bundle(args.gradescope_bundle, seed=args.seed, timeout=args.timeout,
                             hidden=tuple(args.hide))
        print(f"wrote {args.gradescope_bundle} ({len(names)} files); upload it as the autograder")
        return 0
    if not args.submission:
        p.error("give a submission to grade")
    try:
        if args.batch:
            return _batch(p, args, modules)
        result = engine.grade(args.submission, seed=args.seed, timeout=args.timeout,
                              budget=args.budget, modules=modules,
                              unsandboxed=args.unsandboxed)
    except (SubmissionError, SandboxUnavailable) as exc:
        print(f"grade.py: {exc}", file=sys.stderr)
        return 2
    if args.json:
        report.write_json(result, args.json, tuple(args.hide))
    print(report.to_table(result))
    return 0


def _batch(p: argparse.ArgumentParser, args, modules) -> int:
    from .batch import Options, grade_class
    if not args.out:
        p.error("--batch needs --out DIR")
    if not os.path.isdir(args.submission):
        p.error(f"{args.submission} is not a folder")
    options = Options(seed=args.seed, timeout=args.timeout, budget=args.budget, modules=modules,
                      hidden=tuple(args.hide), unsandboxed=args.unsandboxed)
    rows = grade_class(args.submission, args.out, options, workers=args.workers)
    print(open(os.path.join(args.out, "summary.txt")).read(), end="")
    print(f"wrote {len(rows)} reports, gradebook.csv and summary.png to {args.out}")
    return 0
