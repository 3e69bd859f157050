"""Grading a whole class: ``python grade.py SUBMISSIONS_DIR --batch --out DIR``.

Each entry of the folder (a subfolder, a ``.py`` or an ``.ipynb``) is one student. Per student
it writes ``DIR/<student>/results.json``, ``DIR/<student>/feedback.txt`` and the same report as
a self-contained page, ``DIR/<student>/feedback.html``; then
``DIR/gradebook.csv`` (a row of maximum points, then per student the status, total, module
subtotals and items; with ``--roster``, ``gradebook-canvas.csv`` and ``gradebook-moodle.csv``
beside it: ``course/gradebook.py``) and ``DIR/summary.txt``, ``summary.html`` and
``summary.png`` (the item analysis: ``course/analysis.py``, ``course/summary.py``). Every file is
written under a temporary name and renamed, so none is ever half-written; a student whose
``results.json`` exists is not graded again, so an interrupted run resumes where it stopped.

Students are graded by worker processes, one per core and one more by default (a worker waits
on its student's sandbox part of the time; the spare keeps the cores busy meanwhile), forked
once the graders are loaded and rehearsed on the reference (``autograder/engine/rehearsal.py``), so
every worker starts knowing the verdicts of the reference's replies; they share one zygote,
started first.
Every student gets sandboxed processes of their own, so one student's code cannot touch
another's grade.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace

from . import catalog, engine, report
from .engine.grading import selected
from .course import GRADED, NOT_GRADED, UNREADABLE, analysis, gradebook, summary
from .report_html import message_page, to_html
from .options import GradingOptions
from .report_text import heading, to_text
from .sandbox.protocol import SandboxUnavailable
from .sandbox.warm import release, zygote
from .submission import SubmissionError

FEEDBACK_WIDTH = 100              # columns of feedback.txt


def student_name(entry: str) -> str:
    """A file-system-safe name for the student behind ``entry``."""
    stem = entry[:-6] if entry.endswith(".ipynb") else entry[:-3] if entry.endswith(".py") else entry
    return re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "student"


def entries(folder: str, out: str) -> list[tuple[str, str]]:
    """``(student, path)`` for every gradable entry of ``folder``, in name order."""
    found, used = [], set()
    out = os.path.realpath(out)
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        if entry.startswith(".") or os.path.islink(path) or os.path.realpath(path) == out:
            continue
        if not (os.path.isdir(path) or entry.endswith((".py", ".ipynb"))):
            continue
        name = student_name(entry)
        while name in used:
            name += "_"
        used.add(name)
        found.append((name, path))
    return found


def _grade_one(student: str, path: str, out: str, options: GradingOptions) -> dict:
    """In a worker: grade, write the student's files, return a gradebook row. A student whose
    submission could not be graded (a fault of the grader or the machine, after its retry)
    gets feedback files saying so and no results.json, so that a resumed batch grades them
    again."""
    try:
        return _grade_and_write(student, path, out, options)
    except SandboxUnavailable:
        raise                              # no sandbox on this machine: the batch stops
    except Exception as exc:  # noqa: BLE001 - the grader's fault: this student is not graded
        return not_graded_row(student, f"the autograder failed ({type(exc).__name__}: {str(exc)[:200]})")


def _grade_and_write(student: str, path: str, out: str, options: GradingOptions) -> dict:
    folder = os.path.join(out, student)
    title, entry = f"Feedback for {student}", os.path.basename(path)   # never the server's path
    try:
        result = engine.grade(path, options)
    except SubmissionError as exc:
        why = str(exc).replace(os.path.abspath(path), entry)
        report.write_atomic(os.path.join(folder, "feedback.txt"), f"Not graded: {why}\n")
        report.write_atomic(os.path.join(folder, "feedback.html"), message_page(title, f"Not graded: {why}"))
        data = report.unreadable(why)
        report.write_atomic(os.path.join(folder, "results.json"), json.dumps(data))
        return row_from_json(student, data)
    report.write_atomic(os.path.join(folder, "feedback.txt"),
                        to_text(result, width=FEEDBACK_WIDTH, verbose=True, title=heading(result, entry)) + "\n")
    report.write_atomic(os.path.join(folder, "feedback.html"),
                        to_html(result, title=title))
    if not result.graded:
        return not_graded_row(student, result.why_not_graded, result.max_score)
    data = report.to_gradescope(result)
    report.write_atomic(os.path.join(folder, "results.json"), json.dumps(data))   # for programs:
    # compact, which json writes in C (indented, in Python: 6 ms a student); feedback.* are for people
    return row_from_json(student, data)


def not_graded_row(student: str, why: str, max_score: float = 0) -> dict:
    """The row of a student whose submission could not be graded: no score at all."""
    return {"student": student, "status": f"{NOT_GRADED}: {why}", "total": None, "max_score": max_score,
            "items": {}, "cases": {}, "mistakes": {}, "seconds": None}


def row_from_json(student: str, data: dict) -> dict:
    """The student's row (``autograder.course``) from their results.json: status, total, per
    item and per case [points earned, points possible], the named mistakes and the seconds."""
    items: dict[str, list[float]] = {}
    cases: dict[str, list[float]] = {}
    mistakes: dict[str, str] = {}
    for t in data.get("tests", []):
        extra = t["extra_data"]
        item = items.setdefault(extra["item"], [0.0, 0.0])
        item[0] += t["score"]
        item[1] += t["max_score"]
        case = f"{extra['item']}[{extra['case']}]"
        cases[case] = [t["score"], t["max_score"]]
        if extra.get("mistake"):
            mistakes[case] = extra["mistake"]
    status = data.get("extra_data", {}).get("status", GRADED)
    if status == UNREADABLE:
        status = f"{UNREADABLE}: {data['output'].removeprefix('Not graded: ')}"
    return {"student": student, "status": status, "total": data["score"], "max_score": data["max_score"],
            "items": items, "cases": cases, "mistakes": mistakes, "seconds": data.get("execution_time")}


class Progress:
    """A bar on a terminal; a quiet line every tenth of the class elsewhere (CI logs)."""

    def __init__(self, total: int, done: int = 0, stream=sys.stderr):
        self.total, self.done, self.resumed, self.stream = total, done, done, stream
        self.tty = stream.isatty()
        self.start = time.monotonic()

    def step(self) -> None:
        self.done += 1
        rate = (time.monotonic() - self.start) / (self.done - self.resumed)
        if self.tty:
            filled = int(30 * self.done / max(self.total, 1))
            self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} "
                              f"students, {rate:.2f} s each ")
            if self.done == self.total:
                self.stream.write("\n")
        elif self.done == self.total or self.done % max(1, self.total // 10) == 0:
            self.stream.write(f"graded {self.done}/{self.total} students\n")
        self.stream.flush()


def grade_class(folder: str, out: str, options: GradingOptions = GradingOptions(), workers: int | None = None,
                progress: bool = True, similarity: bool = False,
                roster: gradebook.Roster | None = None) -> list[dict]:
    """Grades every student not graded yet, then writes the gradebooks and the summary (and,
    with ``similarity``, ``autograder.course.similarity``'s report); with a ``roster``, the
    rows carry their roster student, and the roster's students without a submission get a row
    "no submission" (RosterError, before any grading, when the roster does not say which
    submission is whose)."""
    todo, rows = [], []
    students = entries(folder, out)
    matched = gradebook.match(roster, [(s, os.path.basename(p)) for s, p in students]) if roster else {}
    for student, path in students:
        done = os.path.join(out, student, "results.json")
        if os.path.exists(done):
            with open(done) as f:
                rows.append(row_from_json(student, json.load(f)))
        else:
            todo.append((student, path))
    if todo:
        zygote(warm_up=True)       # first: it imports while the graders load and rehearse here
    bar = Progress(len(students), done=len(rows)) if progress else None
    options = replace(options, guarded=options.guarded + (folder, out))   # no student reads another's
    engine.rehearse(selected(options), options.seed)     # once, before the workers fork
    workers = workers or min(len(todo), len(os.sched_getaffinity(0)) + 1) or 1
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_grade_one, s, p, out, options) for s, p in todo]
        summary.import_plotting()  # while the workers wait for the zygote: summary.png's library
        for future in as_completed(futures):
            rows.append(future.result())
            if bar:
                bar.step()
    release()                      # the workers are gone: the zygote cleans up while the summary is drawn
    rows.sort(key=lambda r: r["student"])
    rows = gradebook.with_roster(rows, roster, matched) if roster else rows
    modules = catalog.load(options.modules)
    gradebook.write(rows, out, modules, roster)
    summary.write(analysis.analyse(rows, modules, seed=options.seed, roster=roster is not None), out)
    if similarity:
        from .course.similarity import write_report
        write_report(students, out, options.modules)
    return rows
