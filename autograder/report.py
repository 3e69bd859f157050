"""Gradescope's ``results.json`` of a :class:`~autograder.engine.Report`, the pieces every
rendering for people shares (``report_text``: terminal, ``feedback.txt``, notebook check;
``report_html``: ``feedback.html`` and the notebook check's table), and atomic writes (a
temporary name, then a rename).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, replace

from .engine.results import CaseResult, Report, cut
from .spec import Module


def fmt_points(points: float) -> str:
    return f"{points:g}"


def status(score: float, points: float) -> str:
    """"passed" (every point), "failed" (none) or "partial"."""
    return "passed" if score == points else "failed" if score == 0 else "partial"


def case_state(r: CaseResult) -> str:
    """A case's ``status``, or "not graded" when a fault of the grader or the machine left it
    without a score."""
    return "not graded" if r.fault is not None else status(r.score, r.case.points)


NOT_GRADED_ADVICE = ("a problem of the grader or of this machine, not of the submission: grade it "
                     "again, and tell your instructor if it persists")


def not_graded_line(report: Report) -> str | None:
    """What a report whose submission could not be graded says first (None when graded)."""
    return None if report.graded else f"Not graded: {report.why_not_graded}; {NOT_GRADED_ADVICE}."


@dataclass
class ModuleView:
    """One module as people see it: its cases' results and their sum."""

    module: Module
    rows: list[CaseResult]

    @property
    def name(self) -> str:
        return self.module.name

    @property
    def score(self) -> float:
        return sum(r.score for r in self.rows)

    @property
    def points(self) -> float:
        return sum(r.case.points for r in self.rows)

    @property
    def status(self) -> str:
        return status(self.score, self.points)

    @property
    def lost(self) -> list[CaseResult]:
        """The cases that lost points."""
        return [r for r in self.rows if not r.passed]


HELD_BACK = "a hidden case: its feedback is held back"


def module_views(report: Report) -> list[ModuleView]:
    """The report's modules that have graded cases, in catalog order, as people may see them:
    a hidden case's feedback held back."""
    def seen(r: CaseResult) -> CaseResult:
        return replace(r, output=HELD_BACK) if r.case.id in report.hidden and r.output else r
    views = [ModuleView(m, [seen(r) for r in report.results if r.case.module == m.name])
             for m in report.modules]
    return [v for v in views if v.rows]


def feedback_parts(output: str) -> tuple[list[str], str | None]:
    """A case's output as its reason (lines) and the call that showed it (``called f(...)``)."""
    lines = output.splitlines()
    if lines and lines[0].startswith("called "):
        return lines[1:], lines[0]
    return lines, None


def most_missing(report: Report) -> list[ModuleView]:
    """Modules that lost points, the most points missing first (catalog order on ties)."""
    views = [v for v in module_views(report) if v.score < v.points]
    return sorted(views, key=lambda v: v.score - v.points)      # stable: catalog order on ties


def manual_questions(report: Report) -> list[str]:
    return [f"{m.name}: {q}" for m in report.modules for q in m.manual]


def summary_lines(report: Report) -> list[str]:
    """The report's top-level text: its total, a warning where nothing isolated the code, its
    notes, and the questions graded by hand."""
    lines = [not_graded_line(report) or
             f"Autograded: {fmt_points(report.score)} / {fmt_points(report.max_score)} (seed {report.seed})."]
    if report.sandbox_mode == "none":
        lines.append("Warning: the student code ran without isolation (sandbox mode none).")
    lines += report.notes
    manual = manual_questions(report)
    if manual:
        lines.append("Graded by hand, not in this score:")
        lines += [f"  - {q}" for q in manual]
    return lines


def to_gradescope(report: Report) -> dict:
    """Gradescope's results.json; the report's hidden cases get visibility "hidden". (A report
    that is not graded has none: Gradescope's "grading failed" is the absence of results.json,
    which the command line leaves.)"""
    tests = []
    for r in report.results:
        c = r.case
        tests.append({
            "name": f"{c.item} [{c.label}]",
            "score": r.score,
            "max_score": c.points,
            "status": "passed" if r.passed else "failed",   # Gradescope knows only these two
            "output": r.output or "passed",
            "visibility": "hidden" if c.id in report.hidden else "visible",
            "extra_data": {"item": c.item, "case": c.label,
                           **({"replies": r.replies} if r.replies else {}),    # course.similarity's
                           **({"mistake": r.mistake} if r.mistake else {})},   # course.analysis's
        })
    return _fit({"score": report.score, "max_score": report.max_score,
                 "execution_time": round(report.seconds, 3), "output": "\n".join(summary_lines(report)),
                 "tests": tests, "extra_data": {"seed": report.seed, "sandbox": report.sandbox_mode,
                                                "status": "graded" if report.graded else "not graded"}})


RESULTS_BYTES = 1_000_000          # results.json, either format (PrairieLearn's limit), at most
OUTPUT_CHARS = 4000                # a case's output in PrairieLearn's report, at most


def _fit(data: dict) -> dict:
    """``data`` (a results.json) with its tests' outputs (and PrairieLearn's messages) cut
    shorter and shorter, each saying how much it lost, until it is under RESULTS_BYTES as
    written (indented, non-ASCII escaped). The engine's caps (``engine.OUTPUT_CHARS``,
    ``MAX_NOTES``) keep a report far below that but when its feedback is mostly non-ASCII."""
    if len(json.dumps(data)) <= RESULTS_BYTES // 2:      # compact, in C: indenting is in Python
        return data                                     # and never doubles a report's size
    full = [{k: t[k] for k in ("output", "message") if k in t} for t in data["tests"]]
    limit = OUTPUT_CHARS
    while len(json.dumps(data, indent=1).encode()) > RESULTS_BYTES and limit > 50:
        limit //= 2
        for test, texts in zip(data["tests"], full):
            test.update({k: cut(text, limit) for k, text in texts.items()})
    return data


def to_prairielearn(report: Report) -> dict:
    """PrairieLearn's results.json (its external-grading documentation): ``score`` as a fraction,
    one test per visible case with ``points``/``max_points``, ``message`` (what went wrong,
    first line) and ``output`` (all of it); the hidden cases as one test whose feedback is held
    back. Under 1 MB: outputs are cut further if a report would be larger."""
    tests, hidden = [], [r for r in report.results if r.case.id in report.hidden]
    for r in report.results:
        if r.case.id in report.hidden:
            continue
        reason, called = feedback_parts(r.output)
        tests.append({"name": f"{r.case.item} [{r.case.label}]", "description": _description(r.case),
                      "points": r.score, "max_points": r.case.points,
                      "message": reason[0] if reason else "passed",
                      "output": cut(r.output, OUTPUT_CHARS)})
    if hidden:
        tests.append({"name": f"hidden cases ({len(hidden)})", "description": "graded on instances you do not see",
                      "points": sum(r.score for r in hidden), "max_points": sum(r.case.points for r in hidden),
                      "message": HELD_BACK, "output": ""})
    if not report.graded:                  # no score: PrairieLearn's "grading failed, no attempt lost"
        return {"gradable": False, "score": 0.0, "format_errors": [not_graded_line(report)],
                "message": not_graded_line(report), "output": "\n".join(summary_lines(report)),
                "tests": tests}
    data = {"gradable": True, "score": report.score / report.max_score if report.max_score else 0.0,
            "message": f"{fmt_points(report.score)} / {fmt_points(report.max_score)} points",
            "output": "\n".join(summary_lines(report)), "tests": tests}
    return _fit(data)


def _description(case) -> str:
    """The first line of the item's docstring in the reference, as the template states it."""
    import importlib
    function = getattr(importlib.import_module(f"reference.{case.module}"), case.function, None)
    doc = (getattr(function, "__doc__", None) or "").strip().splitlines()
    return doc[0] if doc else case.item


def unreadable(why: str, form: str = "gradescope") -> dict:
    """results.json of a submission that holds nothing gradable (the student's to fix): no
    points, and why; for PrairieLearn ``gradable: false``, so the student loses no attempt."""
    if form == "prairielearn":
        return grading_failed(why)
    return {"score": 0, "max_score": 0, "tests": [], "output": f"Not graded: {why}",
            "extra_data": {"status": "unreadable submission"}}


def grading_failed(why: str) -> dict:
    """PrairieLearn's results.json when no score can be given: ``gradable: false``, the reason
    in ``format_errors``; the student loses no attempt."""
    return {"gradable": False, "score": 0.0, "format_errors": [why], "message": f"Not graded: {why}",
            "output": "", "tests": []}


FORMATS = {"gradescope": to_gradescope, "prairielearn": to_prairielearn}


RESERVED_BYTES = 2 * 2**20      # a full report is a few hundred KB


class ReservedFile:
    """Where a report will go, its disk space taken before grading starts: in a container the
    student and the grader share a disk, and a student who fills it must not keep the grader's
    own report from being written. ``write`` fills the reserved space, trims it to size and
    renames it into place; a report larger than the reservation is written as usual."""

    def __init__(self, path: str, size: int = RESERVED_BYTES):
        self.path = os.path.abspath(path)
        folder = os.path.dirname(self.path)
        os.makedirs(folder, exist_ok=True)
        self.fd, self.tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
        try:
            os.posix_fallocate(self.fd, 0, size)
        except OSError:
            pass                         # full already, or no fallocate here: written as usual

    def write(self, text: str) -> None:
        data = memoryview(text.encode())
        try:
            os.lseek(self.fd, 0, os.SEEK_SET)
            while data:
                data = data[os.write(self.fd, data):]
            os.ftruncate(self.fd, len(text.encode()))
            os.close(self.fd)
            self.fd = -1
            os.replace(self.tmp, self.path)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if os.path.exists(self.tmp):
            os.unlink(self.tmp)


def write_atomic(path: str, text: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, "w") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise

