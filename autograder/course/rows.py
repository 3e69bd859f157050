"""A class's rows, one a student (their keys: the package's docstring), built one way whatever
they come from: a Report the batch just graded, or the results.json of a student it graded
before an interruption (a resumed batch reads those back).
"""

from __future__ import annotations

from typing import Iterable

from ..engine.results import Report
from . import GRADED, NOT_GRADED, UNREADABLE

Graded = tuple[str, str, float, float, "str | None"]     # item, case label, score, points, named mistake


def row(student: str, status: str, total: float | None, max_score: float, cases: Iterable[Graded],
        seconds: float | None) -> dict:
    """The row of ``student``: per item and per case [points earned, points possible], and the
    named mistakes, from ``cases`` in report order."""
    items: dict[str, list[float]] = {}
    by_case: dict[str, list[float]] = {}
    mistakes: dict[str, str] = {}
    for item, label, score, points, mistake in cases:
        earned = items.setdefault(item, [0.0, 0.0])
        earned[0] += score
        earned[1] += points
        case = f"{item}[{label}]"
        by_case[case] = [score, points]
        if mistake:
            mistakes[case] = mistake
    return {"student": student, "status": status, "total": total, "max_score": max_score,
            "items": items, "cases": by_case, "mistakes": mistakes, "seconds": seconds}


def of_report(student: str, report: Report) -> dict:
    """The row of a graded student, from their report (its seconds as results.json rounds them)."""
    return row(student, GRADED, report.score, report.max_score,
               ((r.case.item, r.case.label, r.score, r.case.points, r.mistake) for r in report.results),
               round(report.seconds, 3))


def of_results(student: str, data: dict) -> dict:
    """The row of a student from their results.json (Gradescope's, as the batch writes it)."""
    status = data.get("extra_data", {}).get("status", GRADED)
    if status == UNREADABLE:
        status = f"{UNREADABLE}: {data['output'].removeprefix('Not graded: ')}"
    tests = ((t["extra_data"]["item"], t["extra_data"]["case"], t["score"], t["max_score"],
              t["extra_data"].get("mistake")) for t in data.get("tests", []))
    return row(student, status, data["score"], data["max_score"], tests, data.get("execution_time"))


def unreadable(student: str, why: str) -> dict:
    """The row of a student whose submission holds nothing gradable: a 0, theirs to fix."""
    return row(student, f"{UNREADABLE}: {why}", 0, 0, (), None)


def not_graded(student: str, why: str, max_score: float = 0) -> dict:
    """The row of a student whose submission could not be graded (a fault of the grader or the
    machine): no score at all."""
    return row(student, f"{NOT_GRADED}: {why}", None, max_score, (), None)
