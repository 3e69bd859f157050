"""Gradescope's ``results.json`` of a :class:`~autograder.engine.results.Report` (Gradescope's
autograder specification: one test per case, ``visibility`` "hidden" for the hidden ones).
A report that is not graded has none: Gradescope's "grading failed" is the absence of
results.json, which the command line leaves.
"""

from __future__ import annotations

from ..engine.results import Report
from .views import fit, summary_lines


def results(report: Report) -> dict:
    """Gradescope's results.json; the report's hidden cases get visibility "hidden"."""
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
    return fit({"score": report.score, "max_score": report.max_score,
                 "execution_time": round(report.seconds, 3), "output": "\n".join(summary_lines(report)),
                 "tests": tests, "extra_data": {"seed": report.seed, "sandbox": report.sandbox_mode,
                                                "status": "graded" if report.graded else "not graded"}})


def unreadable(why: str) -> dict:
    """results.json of a submission that holds nothing gradable (the student's to fix): no
    points, and why."""
    return {"score": 0, "max_score": 0, "tests": [], "output": f"Not graded: {why}",
            "extra_data": {"status": "unreadable submission"}}
