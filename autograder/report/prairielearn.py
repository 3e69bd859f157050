"""PrairieLearn's ``results.json`` of a :class:`~autograder.engine.results.Report` (its
external-grading documentation), and its "grading failed, no attempt lost" when there is no
score to give.
"""

from __future__ import annotations

from .. import catalog
from ..engine.results import Report, cut
from .views import (HELD_BACK, RESULTS_OUTPUT_CHARS, feedback_parts, fit, fmt_points, not_graded_line,
                    summary_lines)


def results(report: Report) -> dict:
    """PrairieLearn's results.json (its external-grading documentation): ``score`` as a fraction,
    one test per visible case with ``points``/``max_points``, ``message`` (what went wrong,
    its first line) and ``output`` (what the message does not say already: the rest of the
    reason, such as the line of a syntax error, and the call; empty for a case that passed);
    the hidden cases as one test whose feedback is held back. Under 1 MB: outputs are cut
    further if a report would be larger."""
    tests, hidden = [], [r for r in report.results if r.case.id in report.hidden]
    for r in report.results:
        if r.case.id in report.hidden:
            continue
        reason, called = feedback_parts(r.output)
        tests.append({"name": f"{r.case.item} [{r.case.label}]", "description": catalog.summary(r.case.item),
                      "points": r.score, "max_points": r.case.points,
                      "message": reason[0] if reason else "passed",
                      "output": cut("\n".join(reason[1:] + ([called] if called else [])), RESULTS_OUTPUT_CHARS)})
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
    return fit(data)


def grading_failed(why: str) -> dict:
    """results.json when no score can be given: ``gradable: false``, the reason in
    ``format_errors``; the student loses no attempt."""
    return {"gradable": False, "score": 0.0, "format_errors": [why], "message": f"Not graded: {why}",
            "output": "", "tests": []}


def unreadable(why: str) -> dict:
    """results.json of a submission that holds nothing gradable (the student's to fix): not
    gradable, so the student loses no attempt."""
    return grading_failed(why)
