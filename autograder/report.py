"""The two renderings of a :class:`~autograder.engine.Report`: Gradescope's ``results.json``
and a table for the terminal. Both are written atomically (a temporary name, then a rename).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile

from .engine import Report


def _fmt(points: float) -> str:
    return f"{points:g}"


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
    lines = [f"Autograded: {_fmt(report.score)} / {_fmt(report.max_score)} (seed {report.seed})."]
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


def one_line(output: str) -> str:
    """The reason first, then the call that showed it: what fits on one line of a table."""
    lines = output.splitlines()
    if len(lines) > 1 and lines[0].startswith("called "):
        return " ".join(lines[1:]) + f" [{lines[0]}]"
    return " ".join(lines)


def to_table(report: Report, width: int | None = None) -> str:
    """Item, case, points and the first line of feedback, grouped by module."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    out = [f"Grading {report.submission} (seed {report.seed}, sandbox {report.sandbox_mode})", ""]
    name_w = max((len(r.case.item) for r in report.results), default=10) + 2
    for module in report.modules:
        rows = [r for r in report.results if r.case.module == module.name]
        if not rows:
            continue
        got = sum(r.score for r in rows)
        out.append(f"{module.name}  {_fmt(got)}/{_fmt(module.declared_points)}")
        for r in rows:
            mark = "ok " if r.passed else "-- "
            head = f"  {mark}{r.case.item:<{name_w}}{r.case.label:<11}{_fmt(r.score):>3}/{_fmt(r.case.points):<3}"
            line = one_line(r.output)
            room = max(width - len(head) - 2, 20)
            out.append(head + ("  " + (line if len(line) <= room else line[: room - 3] + "...") if line else ""))
        out.append("")
    out.append(f"Total: {_fmt(report.score)} / {_fmt(report.max_score)}  ({report.seconds:.1f} s)")
    for note in report.notes:
        out.append(f"note: {note}")
    manual = manual_questions(report)
    if manual:
        out.append("Graded by hand, not in this score: " + "; ".join(manual))
    return "\n".join(out)
