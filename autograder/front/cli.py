"""The command line.

    python grade.py SUBMISSION [--json PATH [--format prairielearn]] [--seed N] [--timeout S]
                    [--load-timeout S] [--hide LABEL] [-k EXPR] [--failed] [-v]
    python grade.py SUBMISSIONS_DIR --batch --out DIR [--similarity]
                    [--roster roster.csv [--assignment NAME]]
    python grade.py SUBMISSIONS_DIR --similarity --out DIR       # a class graded into DIR already
    python grade.py SUBMISSIONS_DIR --batch --shard K/N --out DIR_K   # the K-th of N parts of a class
    python grade.py --merge DIR_1 … DIR_N --out DIR                  # the parts joined: the class's DIR
    python grade.py --gradescope-bundle autograder.zip
    python grade.py --prairielearn-bundle DIR

Exit status 0 whenever the reports were written, whatever the scores; 2 for bad arguments, a
path with nothing to grade, or a machine where no jail can be made (see ``--unsandboxed``); 3
when a fault of the grader or the machine left a submission (or, with ``--batch``, a student)
not graded: grade again.

The report goes to stdout, coloured when stdout is a terminal and ``NO_COLOR`` is unset or
empty; progress (the notebook cell or module being graded) goes to stderr, only when stderr is
a terminal.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys

from .. import catalog, course
from ..course.shards import Shard
from ..options import GradingOptions
from ..sandbox.protocol import SandboxUnavailable, whole_text
from ..sandbox.zygote_handle import zygote
from ..submission import SubmissionError
from .invocation import DEFAULT, Invocation, this_process


NOT_GRADED = 3          # exit status: a fault of the grader or the machine left the submission
                        # without a score (retried once in a fresh sandbox); grade it again
FORMATS = ("gradescope", "prairielearn")     # --format: each an exporter of autograder/report/,
                                            # named here so that parsing imports no numpy
PROGRAM: Invocation = DEFAULT                # how this run was started (main sets it)


def warn(text: str) -> None:
    """``text`` on stderr, after the program's name as the user ran it."""
    print(f"{PROGRAM.name}: {text}", file=sys.stderr)


def wants_color(stream) -> bool:
    """ANSI colour for ``stream``: a terminal, and neither ``NO_COLOR`` nor ``TERM=dumb``."""
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


class StatusLine:
    """One line of a terminal, rewritten in place (progress); nothing when not a terminal."""

    def __init__(self, stream):
        self.stream = stream
        self.active = stream.isatty()

    def __call__(self, text: str) -> None:
        if self.active:
            room = shutil.get_terminal_size((80, 24)).columns - 1
            self.stream.write(f"\r{text[:room]}\x1b[K")
            self.stream.flush()

    def clear(self) -> None:
        if self.active:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _shard(text: str) -> Shard:
    try:
        return Shard.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parser(program: str = DEFAULT.name) -> argparse.ArgumentParser:
    default = GradingOptions()
    p = argparse.ArgumentParser(prog=program, description="Grade deep-learning homework submissions.")
    p.add_argument("submission", nargs="?",
                   help="a folder of module files, one .py file or a .ipynb notebook; with --batch, "
                        "a folder holding one entry per student")
    p.add_argument("--json", metavar="PATH", help="write results.json there (--format's)")
    p.add_argument("--format", choices=FORMATS, default="gradescope",
                   help="the platform whose results.json --json writes (default gradescope)")
    p.add_argument("--seed", type=int, default=default.seed,
                   help=f"seed of the random instances (default {default.seed})")
    p.add_argument("--timeout", type=float, default=default.timeout,
                   help=f"seconds per call of a student function (default {default.timeout:g})")
    p.add_argument("--load-timeout", type=float, default=default.load_timeout,
                   help=f"seconds to load: each notebook cell, each module's import "
                        f"(default {default.load_timeout:g})")
    p.add_argument("--budget", type=float, default=default.budget,
                   help=f"seconds for one submission, loading and calls (default {default.budget:g})")
    p.add_argument("--module", action="append", dest="modules", metavar="NAME",
                   help="grade only this module (repeatable)")
    p.add_argument("-k", metavar="EXPR", dest="keyword",
                   help="grade only the cases whose id (e.g. backprop.mlp_forward[random]) matches "
                        "EXPR, as pytest -k does: substrings with and, or, not, parentheses")
    p.add_argument("--failed", action="store_true", help="show only the cases that lost points")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="list every case, also of the modules that earned every point")
    p.add_argument("--hide", action="append", default=[], metavar="LABEL",
                   help="give cases with this label (e.g. random) Gradescope visibility 'hidden'")
    p.add_argument("--batch", action="store_true", help="grade every entry of SUBMISSION as one student")
    p.add_argument("--out", metavar="DIR", help="with --batch: where the reports and gradebook go")
    p.add_argument("--workers", type=int, help="with --batch: worker processes (default: one per core, and one more)")
    p.add_argument("--similarity", action="store_true",
                   help="with --batch, or on a class already graded into --out: compare the students' code "
                        "and wrong answers (OUT/similarity.html and .csv; never part of a score)")
    p.add_argument("--roster", metavar="CSV",
                   help="with --batch: columns submission,id,name,section (folder or file name -> student); "
                        "writes gradebook-canvas.csv and gradebook-moodle.csv too")
    p.add_argument("--assignment", metavar="NAME", default=course.DEFAULT_ASSIGNMENT,
                   help=f"with --roster: the grade column's name in the LMS files (default {course.DEFAULT_ASSIGNMENT})")
    p.add_argument("--shard", metavar="K/N", type=_shard,
                   help="with --batch: grade only the K-th (from 1) of N parts of the class into --out, "
                        "for --merge (a deterministic split: docs/CLUSTER.md)")
    p.add_argument("--merge", nargs="+", metavar="SHARD_OUT",
                   help="join the outputs of a class's shards into --out, as one batch writes it "
                        "(the options come from the shards; --roster may be given here)")
    p.add_argument("--gradescope-bundle", metavar="ZIP", help="write Gradescope's autograder zip and stop")
    p.add_argument("--prairielearn-bundle", metavar="DIR",
                   help="write PrairieLearn's grading image and question files into DIR and stop")
    p.add_argument("--guard", action="append", default=[], metavar="PATH",
                   help="a file or folder no student may read besides the answers (repeatable); in a "
                        "container, grading stops if a sandbox could read it")
    p.add_argument("--unsandboxed", action="store_true",
                   help="where no namespaces can be had (not root, user namespaces refused), run the "
                        "code without isolation instead of refusing: only for code you trust")
    p.add_argument("--version", action="store_true", help="print the grader's version and the default seed")
    return p


def main(argv: list[str] | None = None) -> int:
    """The command line (``argv``: ``sys.argv[1:]``, its program named as the user ran it, when
    None); its exit status."""
    global PROGRAM
    PROGRAM = this_process() if argv is None else DEFAULT
    p = parser(PROGRAM.name)
    args = p.parse_args(argv)
    if args.version:
        from ..course.analysis import grader_version
        print(f"dl-autograder {grader_version()} (default seed {GradingOptions().seed})")
        return 0
    if args.merge:
        return _merge(p, args)
    if args.shard and not args.batch:
        p.error("--shard goes with --batch")
    if args.timeout <= 0 or args.budget <= 0 or args.load_timeout <= 0:
        p.error("--timeout, --load-timeout and --budget must be positive")
    if args.workers is not None and args.workers < 1:
        p.error("--workers must be at least 1")
    unknown = set(args.modules or ()) - set(catalog.available())
    if unknown:
        p.error(f"unknown module(s) {sorted(unknown)}; known: {', '.join(catalog.available())}")
    if args.similarity and not args.batch:
        return _similarity(p, args)
    if args.submission and not (args.gradescope_bundle or args.prairielearn_bundle):
        zygote(warm_up=args.batch)      # first: its imports of numpy, sympy and torch overlap ours
    options = _options(p, args)
    if args.gradescope_bundle or args.prairielearn_bundle:
        return _bundles(args, options)
    if not args.submission:
        p.error("give a submission to grade")
    if args.roster and not args.batch:
        p.error("--roster goes with --batch")
    if args.batch:
        try:
            return _batch(p, args, options)
        except SandboxUnavailable as exc:
            warn(str(exc))
            return 2
    return _one_submission(args, options)


def _options(p: argparse.ArgumentParser, args) -> GradingOptions:
    """The options the command line asks for; ``-k``'s cases chosen here (an expression that
    pytest's grammar refuses, or that matches no case, is a bad argument)."""
    from .selection import SelectionError, keyword_filter
    modules = tuple(args.modules) if args.modules else None
    select = None
    if args.keyword is not None:
        if args.batch or args.gradescope_bundle or args.prairielearn_bundle:
            p.error("-k selects cases of one submission; not with --batch or a bundle")
        try:
            select = keyword_filter(args.keyword)
            chosen = [c for c in catalog.cases(modules) if select(c)]
        except SelectionError as exc:
            p.error(str(exc))
        if not chosen:
            p.error(f"no case matches -k {args.keyword!r} (a case id looks like backprop.mlp_forward[random])")
        modules = tuple(dict.fromkeys(c.module for c in chosen))
    return GradingOptions(seed=args.seed, timeout=args.timeout, load_timeout=args.load_timeout,
                          budget=args.budget, modules=modules,
                          select=select, hidden_labels=tuple(args.hide), guarded=tuple(args.guard),
                          unsandboxed=args.unsandboxed)


def _bundles(args, options: GradingOptions) -> int:
    from ..make import bundle
    if args.gradescope_bundle:
        names = bundle.write_gradescope_bundle(args.gradescope_bundle, options)
        print(f"wrote {args.gradescope_bundle} ({len(names)} files); upload it as the autograder")
    if args.prairielearn_bundle:
        names = bundle.write_prairielearn_bundle(args.prairielearn_bundle, options)
        print(f"wrote {len(names)} files to {args.prairielearn_bundle}; see its README.md")
    return 0


def _one_submission(args, options: GradingOptions) -> int:
    """Grades ``args.submission``: the report on stdout, and results.json when asked for,
    written whatever happens (the report, or why there is none; a submission that could not be
    graded, the grader's or the machine's fault, gets the platform's "failed")."""
    from .. import engine
    from ..engine.grading import selected
    from ..report.files import ReservedFile
    from ..report.text import heading, to_text
    from ..report.views import not_graded_line
    destination = ReservedFile(args.json) if args.json else None
    try:
        progress = StatusLine(sys.stderr)
        try:
            engine.rehearse(selected(options), options.seed)     # while the zygote imports
            result = engine.grade(args.submission, options, progress)
        finally:
            progress.clear()
        if destination and not result.graded and args.format == "gradescope":
            destination.discard()         # Gradescope's "grading failed": no results.json at all
        elif destination:
            destination.write(json.dumps(exporter(args.format).results(result), indent=1))
        if not result.graded:
            warn(not_graded_line(result))
    except SubmissionError as exc:                # nothing to grade: the student's to fix
        warn(str(exc))
        if destination:
            destination.write(json.dumps(exporter(args.format).unreadable(str(exc)), indent=1))
        return 2
    except SandboxUnavailable as exc:             # no sandbox on this machine: never a score
        warn(str(exc))
        if destination:
            _grading_failed(destination, f"the autograder could not run ({exc}); tell your instructor",
                            args.format)
        return 2
    except BaseException as exc:
        if destination and destination.fd >= 0:
            _grading_failed(destination, f"the autograder failed ({type(exc).__name__}); tell your "
                            "instructor", args.format)
        raise
    typed = whole_text(args.submission)           # a file name need not be UTF-8; the terminal is
    print(to_text(result, width=shutil.get_terminal_size((100, 24)).columns, color=wants_color(sys.stdout),
                  verbose=args.verbose, failed_only=args.failed, title=heading(result, typed),
                  rerun=lambda module: rerun(args, module)))
    return 0 if result.graded else NOT_GRADED


def rerun(args, module: str) -> str:
    """The command that grades ``module`` of the same submission again, showing what failed: as
    the user ran this one, with the options that change the grading (seed, limits, hidden
    labels, no sandbox)."""
    default, again = GradingOptions(), ["--module", module, "--failed"]
    for flag, value, usual in (("--seed", args.seed, default.seed), ("--timeout", args.timeout, default.timeout),
                               ("--budget", args.budget, default.budget),
                               ("--load-timeout", args.load_timeout, default.load_timeout)):
        again += [flag, f"{value:g}"] if value != usual else []
    again += [x for label in args.hide for x in ("--hide", label)]
    again += ["--unsandboxed"] if args.unsandboxed else []
    return f"{PROGRAM.command} {shlex.join([whole_text(args.submission), *again])}"


def exporter(form: str):
    """``--format``'s exporter, ``autograder/report/<form>.py``: its ``results(report)`` and
    ``unreadable(why)`` are that platform's results.json."""
    from ..report import gradescope, prairielearn
    return {"gradescope": gradescope, "prairielearn": prairielearn}[form]


def _similarity(p: argparse.ArgumentParser, args) -> int:
    """``--similarity`` without ``--batch``: the report of a class already graded into
    ``--out`` (the wrong answers of its results.json, the code of the class's folder); nothing
    is graded, no sandbox is started."""
    from ..course.batch import entries
    from ..course.similarity import FLAGGED
    from ..course.similarity_html import write_report
    if not args.out or not args.submission:
        p.error("--similarity needs the class's folder and --out DIR (where it was graded)")
    if not os.path.isdir(args.submission):
        p.error(f"{args.submission} is not a folder")
    students = entries(args.submission, args.out)
    listed = write_report(students, args.out, tuple(args.modules) if args.modules else None, args.workers)
    flagged = sum(pair.score >= FLAGGED for pair in listed)
    print(f"wrote similarity.html and similarity.csv to {args.out}: {len(listed)} pairs listed, "
          f"{flagged} worth a look (not part of any score)")
    if not any(os.path.exists(os.path.join(args.out, s, "results.json")) for s, _ in students):
        warn(f"no results.json in {args.out}: the code was compared, not the wrong answers "
             f"(grade the class there first)")
    return 0


def _grading_failed(destination, why: str, form: str) -> None:
    """The platform's "grading failed, try again", never a score: for Gradescope no
    results.json at all (it then shows that the autograder failed, with no score), for
    PrairieLearn ``gradable: false``."""
    if form == "gradescope":
        destination.discard()
    else:
        from ..report import prairielearn
        destination.write(json.dumps(prairielearn.grading_failed(why), indent=1))


def _batch(p: argparse.ArgumentParser, args, options: GradingOptions) -> int:
    from ..course.batch import grade_class
    if not args.out:
        p.error("--batch needs --out DIR")
    if not os.path.isdir(args.submission):
        p.error(f"{args.submission} is not a folder")
    from ..course.gradebook import RosterError, read_roster
    from ..course.shards import ShardError, done_line
    try:
        roster = read_roster(args.roster, args.assignment) if args.roster else None
        rows = grade_class(args.submission, args.out, options, workers=args.workers,
                           similarity=args.similarity, roster=roster, shard=args.shard)
    except (RosterError, ShardError) as exc:
        p.error(str(exc))
    if args.shard:
        print(done_line(args.shard, args.out, rows))
        return _not_graded(rows)
    return _class_written(args, rows, roster, args.similarity)


def _merge(p: argparse.ArgumentParser, args) -> int:
    """``--merge``: the shards' outputs joined into ``--out`` (``course/merge.py``); exit 2
    when they cannot be, saying why."""
    from ..course.gradebook import RosterError, read_roster
    from ..course.merge import MergeError, merge
    allowed = {"merge", "out", "roster", "assignment", "workers"}
    given = [f"--{a}" for a, v in vars(args).items() if a not in allowed and v != p.get_default(a)]
    if given or not args.out:
        p.error(f"--merge takes the shards' outputs and --out DIR (and --roster, --assignment, --workers); "
                f"the seed, modules and options come from the shards{', not ' + ', '.join(given) if given else ''}")
    if args.assignment != p.get_default("assignment") and not args.roster:
        p.error("--assignment names the LMS column of --roster's files: give --roster too "
                "(without them, the merge uses the roster and the name the shards recorded)")
    try:
        roster = read_roster(args.roster, args.assignment) if args.roster else None
        merged = merge(args.merge, args.out, roster, args.workers)
    except (MergeError, RosterError) as exc:
        warn(f"cannot merge: {exc}")
        return 2
    return _class_written(args, merged.rows, merged.roster, merged.similarity)


def _class_written(args, rows: list[dict], roster, similarity: bool) -> int:
    """What a batch (or a merge) tells once the class's files are written; its exit status."""
    with open(os.path.join(args.out, "summary.txt"), encoding="utf-8") as f:
        print(f.read(), end="")
    lms = ", gradebook-canvas.csv, gradebook-moodle.csv" if roster else ""
    print(f"wrote {sum(r['status'] != course.NO_SUBMISSION for r in rows)} reports, gradebook.csv{lms}, "
          f"summary.txt and summary.html to {args.out}")
    if similarity:
        print(f"wrote similarity.html and similarity.csv to {args.out} (not part of any score)")
    strays = [r["student"] for r in rows if roster and r["roster"] is None]
    if strays:
        warn(f"{len(strays)} submission(s) not in the roster, left out of the LMS files: {', '.join(strays)}")
    return _not_graded(rows, args.merge)


def _not_graded(rows: list[dict], merged: list[str] | None = None) -> int:
    missing = [r["student"] for r in rows if r["status"].startswith(course.NOT_GRADED)]
    if missing:
        again = "their shards again, then merge" if merged else "the same command again to grade them"
        warn(f"{len(missing)} student(s) not graded (a fault of the grader or the machine): run {again}")
        return NOT_GRADED
    return 0
