"""Gradescope's ``results.json`` of a :class:`~autograder.engine.Report`, the pieces every
rendering for people shares (``report_text``: terminal, ``feedback.txt``, notebook check;
``report_html``: ``feedback.html`` and the notebook check's table), and atomic writes (a
temporary name, then a rename).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass

from .engine import CaseResult, Report
from .spec import Module


def fmt_points(points: float) -> str:
    return f"{points:g}"


def status(score: float, points: float) -> str:
    """"passed" (every point), "failed" (none) or "partial"."""
    return "passed" if score == points else "failed" if score == 0 else "partial"


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


def module_views(report: Report) -> list[ModuleView]:
    """The report's modules that have graded cases, in catalog order."""
    views = [ModuleView(m, [r for r in report.results if r.case.module == m.name]) for m in report.modules]
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


def to_gradescope(report: Report, hidden_labels: tuple[str, ...] = ()) -> dict:
    """Gradescope's results.json; cases declared hidden, or whose label is in
    ``hidden_labels``, get visibility "hidden"."""
    tests = []
    for r in report.results:
        c = r.case
        tests.append({
            "name": f"{c.item} [{c.label}]",
            "score": r.score,
            "max_score": c.points,
            "status": "passed" if r.passed else "failed",
            "output": r.output or "passed",
            "visibility": "hidden" if c.hidden or c.label in hidden_labels else "visible",
            "extra_data": {"item": c.item, "case": c.label},
        })
    lines = [f"Autograded: {fmt_points(report.score)} / {fmt_points(report.max_score)} (seed {report.seed})."]
    if report.sandbox_mode not in ("root", "userns"):
        lines.append(f"Warning: the student code ran without isolation (sandbox mode {report.sandbox_mode}).")
    lines += report.notes
    manual = manual_questions(report)
    if manual:
        lines.append("Graded by hand, not in this score:")
        lines += [f"  - {q}" for q in manual]
    return {"score": report.score, "max_score": report.max_score,
            "execution_time": round(report.seconds, 3), "output": "\n".join(lines),
            "tests": tests, "extra_data": {"seed": report.seed, "sandbox": report.sandbox_mode}}


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


def write_json(report: Report, path: str, hidden_labels: tuple[str, ...] = ()) -> None:
    write_atomic(path, json.dumps(to_gradescope(report, hidden_labels), indent=1))
