"""The report as text: the terminal's, ``feedback.txt``'s and the notebook check's plain form.

Every failed case shows its whole feedback (the reason, with expected, got and the mistake's
name when it is recognised, then the call), wrapped to ``width`` columns under its line; cases
of a module that lost their points for one reason (a syntax error, a file not handed in, the
template's stubs) are one line and that feedback once, and a module that lost every case so is
its own line; a passed case is one line; a module with every point collapses to one line
unless ``verbose``.
Colour (ANSI) only when asked for: red failed, green passed, yellow partial.
"""

from __future__ import annotations

import textwrap
from typing import Callable

from ..engine.results import CaseResult, Report
from .views import (MARKS, Lost, ModuleView, case_state, feedback_parts, fmt_points, manual_questions,
                    module_views, most_missing, not_graded_line, status)
COLOURS = {"passed": "32", "failed": "31", "partial": "33", "not graded": "35"}
FEEDBACK_INDENT = " " * 6
NEXT_SHOWN = 5                       # modules listed under "Next"


def paint(text: str, state: str, color: bool) -> str:
    return f"\x1b[{COLOURS[state]}m{text}\x1b[0m" if color else text


def wrap(text: str, width: int, indent: str, hanging: str | None = None) -> list[str]:
    """``text`` cut at spaces (and inside words longer than a line) to ``width`` columns."""
    wrapper = textwrap.TextWrapper(width=max(width, len(hanging or indent) + 20), initial_indent=indent,
                                   subsequent_indent=indent if hanging is None else hanging,
                                   break_long_words=True, break_on_hyphens=False)
    return wrapper.wrap(text) or [""]


def bullet(text: str, width: int) -> list[str]:
    """``  - text``, its lines and their continuations indented under the text."""
    lines = text.splitlines() or [""]
    return wrap(lines[0], width, "  - ", "    ") + [w for line in lines[1:] for w in wrap(line, width, "    ")]


def feedback_lines(output: str, width: int, skip: int = 0) -> list[str]:
    """A case's whole feedback, the reason first and the call last, wrapped under its line
    (``skip``: the reason's first lines said already)."""
    reason, called = feedback_parts(output)
    return [w for line in reason[skip:] + ([called] if called else [])
            for w in wrap(line, width, FEEDBACK_INDENT, FEEDBACK_INDENT + "  ")]


def case_lines(r: CaseResult, width: int, color: bool, points_w: int) -> list[str]:
    """The case's line and, when it lost points, its whole feedback under it."""
    state = case_state(r)
    points = f"{fmt_points(r.score)}/{fmt_points(r.case.points)}"
    head = f"  {paint(f'{MARKS[state]:<4}', state, color)} {points:>{points_w}}  {r.case.id}"
    return [head] + (feedback_lines(r.output, width) if state != "passed" else [])


def group_lines(group: Lost, width: int, color: bool, points_w: int) -> list[str]:
    """Cases that lost points for one reason: one line naming them, their feedback once."""
    if len(group.rows) == 1:
        return case_lines(group.rows[0], width, color, points_w)
    points = f"{fmt_points(group.score)}/{fmt_points(group.points)}"
    mark = f"{MARKS[group.state]:<4}"
    lines = wrap(f"  {mark} {points:>{points_w}}  {len(group.rows)} cases: {group.ids}", width, "",
                 FEEDBACK_INDENT + "  ")
    lines[0] = lines[0].replace(mark, paint(mark, group.state, color), 1)
    return lines + feedback_lines(group.output, width)


def module_lines(view: ModuleView, width: int, color: bool, verbose: bool, failed_only: bool) -> list[str]:
    """A module's line, then its cases: every case lost for one reason is that line's end
    ("all 17 cases: not implemented ..."); else the cases shown, those lost for one reason
    together."""
    lost = len(view.lost)
    head = f"{view.name}  {fmt_points(view.score)}/{fmt_points(view.points)}"
    whole = view.one_reason
    if whole:
        reason = (feedback_parts(whole.output)[0] or [""])[0]
        out = wrap(f"{head}  all {lost} cases: {reason}", width, "", FEEDBACK_INDENT)
        out[0] = out[0].replace(head, paint(head, view.status, color), 1)
        return out + feedback_lines(whole.output, width, skip=1)
    summary = f"all {len(view.rows)} cases passed" if not lost else f"{lost} of {len(view.rows)} cases lost points"
    out = [f"{paint(head, view.status, color)}  {summary}"]
    shown = view.lost if failed_only else view.rows if (lost or verbose) else []
    groups = {id(r): g for g in view.groups for r in g.rows}
    points_w = max(len(f"{fmt_points(score)}/{fmt_points(points)}") for score, points in
                   [*((r.score, r.case.points) for r in view.rows), *((g.score, g.points) for g in view.groups)])
    for r in shown:
        if r.passed:
            out += case_lines(r, width, color, points_w)
        elif groups[id(r)].rows[0] is r:
            out += group_lines(groups[id(r)], width, color, points_w)
    return out


def next_lines(report: Report, rerun: Callable[[str], str] | None, width: int) -> list[str]:
    """What to do next: the modules with the most points missing, first; then the command that
    grades the first again, never wrapped (a terminal folds a long line without a newline, so
    it pastes whole), on a line of its own when it does not fit beside its words."""
    missing = most_missing(report)
    if not missing:
        return ["Every case passed."]
    name_w = max(len(v.name) for v in missing[:NEXT_SHOWN])
    out = ["Next, the modules with the most points missing:"]
    for v in missing[:NEXT_SHOWN]:
        out.append(f"  {v.name:<{name_w}}  {fmt_points(v.points - v.score)} of {fmt_points(v.points)} points missing")
    if len(missing) > NEXT_SHOWN:
        out.append(f"  and {len(missing) - NEXT_SHOWN} more")
    out = [w for line in out for w in wrap(line, width, "", "    ")]
    if rerun:
        head, command = f"Work on {missing[0].name}:", rerun(missing[0].name)
        out += [f"{head} {command}"] if len(head) + 1 + len(command) <= width else [head, f"  {command}"]
    return out


def heading(report: Report, name: str | None = None) -> str:
    """The report's first line; ``name`` is the submission as the user typed it."""
    return f"Grading {name or report.submission} (seed {report.seed}, sandbox {report.sandbox_mode})"


def to_text(report: Report, *, width: int = 100, color: bool = False, verbose: bool = False,
            failed_only: bool = False, rerun: Callable[[str], str] | None = None,
            title: str | None = None) -> str:
    """The whole report, every line at most ``width`` columns (colour codes aside) but the
    command suggested at the end.
    ``failed_only`` shows only the cases that lost points; ``rerun(module)`` is the command
    that grades one module again, suggested at the end; ``title`` replaces the first line."""
    out = wrap(title or heading(report), width, "", "  ")
    if not report.graded:
        out += wrap(paint(not_graded_line(report), "not graded", color), width, "", "  ")
    if report.sandbox_mode == "none":
        out += wrap("Warning: the code ran without isolation (sandbox mode "
                    f"{report.sandbox_mode}).", width, "", "  ")
    views = module_views(report)
    for view in views:
        if failed_only and not view.lost:
            continue
        out.append("")
        out += module_lines(view, width, color, verbose, failed_only)
    if failed_only and not any(v.lost for v in views):
        out += ["", "Nothing to fix: every case passed."]
    if report.graded:
        total = paint(f"Total: {fmt_points(report.score)} / {fmt_points(report.max_score)}",
                      status(report.score, report.max_score), color)
    else:
        total = paint(f"Total: not graded ({len(report.faults)} cases could not be graded)", "not graded", color)
    out += ["", total + f"  ({report.seconds:.1f} s)"]
    if report.notes:
        out += ["", "Notes:"]
        for note in report.notes:
            out += bullet(note, width)
    manual = manual_questions(report)
    if manual:
        out += ["", "Graded by hand, not in this score:"]
        for question in manual:
            out += bullet(question, width)
    out += [""] + next_lines(report, rerun, width)
    return "\n".join(out)
