"""The report as people and platforms see it, whatever the rendering: per-module views of a
:class:`~autograder.engine.results.Report` (a hidden case's feedback held back), the cases a
module lost for one reason said once (a module that does not import, a file not handed in,
the template's stubs: ``Lost``), each case's state and its mark, the top-level summary lines,
the hand-graded questions, and the size a results.json is cut to (``fit``). The renderings
(``text.py``, ``html.py``) and the exporters (``gradescope.py``, ``prairielearn.py``) are made
of these.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import cached_property

from ..engine.results import CaseResult, Report, cut
from ..spec import Module

MARKS = {"passed": "ok", "failed": "FAIL", "partial": "PART", "not graded": "N/G"}


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


class _Points:
    """What a group of case results (``rows``, each subclass's field) scored, of how many points."""

    rows: list[CaseResult]

    @property
    def score(self) -> float:
        return sum(r.score for r in self.rows)

    @property
    def points(self) -> float:
        return sum(r.case.points for r in self.rows)


@dataclass
class ModuleView(_Points):
    """One module as people see it: its cases' results and their sum."""

    module: Module
    rows: list[CaseResult]

    @property
    def name(self) -> str:
        return self.module.name

    @property
    def status(self) -> str:
        return status(self.score, self.points)

    @cached_property
    def lost(self) -> list[CaseResult]:
        """The cases that lost points (a view is read several times as a report is written)."""
        return [r for r in self.rows if not r.passed]

    @cached_property
    def groups(self) -> list["Lost"]:
        """The cases that lost points, those that lost them for one reason together (first
        appearance order)."""
        found: dict[tuple, list[CaseResult]] = {}
        for r in self.lost:
            found.setdefault(_reason_key(r), []).append(r)
        return [Lost(rows) for rows in found.values()]

    @property
    def one_reason(self) -> "Lost | None":
        """The group of every case, when the module lost all of them (two or more) for one
        reason: the module is then said in one line."""
        groups = self.groups
        return groups[0] if len(groups) == 1 and len(self.rows) > 1 and len(groups[0].rows) == len(self.rows) \
            else None


# Messages of the engine that differ from case to case only by the function named (a stub, a
# function not defined): said once for a module's cases, the functions listed or counted.
_PER_FUNCTION = (
    (re.compile(r"not implemented \((?P<name>\w+) raised NotImplementedError\)"),
     "not implemented ({names} raised NotImplementedError)"),
    (re.compile(r"(?P<file>\S+\.\w+) defines no function (?P<name>\w+)"), "{file} does not define {names}"),
)
NAMES_LISTED = 3             # more functions than this are counted ("11 functions"), not named


def _reason_key(r: CaseResult) -> tuple:
    """What makes two lost cases' feedback the same: their text, or the engine's message
    whatever function it names."""
    for i, (pattern, _) in enumerate(_PER_FUNCTION):
        found = pattern.fullmatch(r.output)
        if found:
            return case_state(r), i, found.groupdict().get("file")
    return case_state(r), r.output


@dataclass
class Lost(_Points):
    """Cases of one module that lost their points for one reason, said once: a single case, or
    several whose feedback is the same (a module that does not import, a file not handed in,
    functions that are still the template's)."""

    rows: list[CaseResult]

    @property
    def state(self) -> str:
        return case_state(self.rows[0])

    @property
    def ids(self) -> str:
        """The cases, their labels gathered by item: ``m.f[worked, random], m.g[random]``."""
        labels: dict[str, list[str]] = {}
        for r in self.rows:
            labels.setdefault(r.case.item, []).append(r.case.label)
        return ", ".join(f"{item}[{', '.join(ls)}]" for item, ls in labels.items())

    @property
    def output(self) -> str:
        """The feedback they share (the functions named together where the engine's message
        names one each)."""
        first = self.rows[0].output
        for pattern, shared in _PER_FUNCTION:
            found = pattern.fullmatch(first)
            if found:
                names = list(dict.fromkeys(pattern.fullmatch(r.output)["name"] for r in self.rows))
                if len(names) > 1:
                    return shared.format(names=_listed(names), file=found.groupdict().get("file"))
        return first


def _listed(names: list[str]) -> str:
    if len(names) > NAMES_LISTED:
        return f"{len(names)} functions"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


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


RESULTS_BYTES = 1_000_000          # results.json, either format (PrairieLearn's limit), at most
RESULTS_OUTPUT_CHARS = 4000        # a case's output in a results.json: PrairieLearn's always, Gradescope's
                                   # when the whole would be over RESULTS_BYTES


def fit(data: dict) -> dict:
    """``data`` (a results.json) with its tests' outputs (and PrairieLearn's messages) cut
    shorter and shorter, each saying how much it lost, until it is under RESULTS_BYTES as
    written (indented, non-ASCII escaped). The engine's caps (``engine/results.py``'s
    ``OUTPUT_CHARS``, ``MAX_NOTES``) keep a report far below that but when its feedback is mostly non-ASCII."""
    if len(json.dumps(data)) <= RESULTS_BYTES // 2:      # compact, in C: indenting is in Python
        return data                                     # and never doubles a report's size
    full = [{k: t[k] for k in ("output", "message") if k in t} for t in data["tests"]]
    limit = RESULTS_OUTPUT_CHARS
    while len(json.dumps(data, indent=1).encode()) > RESULTS_BYTES and limit > 50:
        limit //= 2
        for test, texts in zip(data["tests"], full):
            test.update({k: cut(text, limit) for k, text in texts.items()})
    return data
