"""Grading a whole class: ``python grade.py SUBMISSIONS_DIR --batch --out DIR``.

Each entry of the folder (a subfolder, a ``.py`` or an ``.ipynb``) is one student. Per student
it writes ``DIR/<student>/results.json``, ``DIR/<student>/feedback.txt`` and the same report as
a self-contained page, ``DIR/<student>/feedback.html``; then
``DIR/gradebook.csv`` (a row of maximum points, then per student the status, total, module
subtotals and items; with ``--roster``, ``gradebook-canvas.csv`` and ``gradebook-moodle.csv``
beside it: ``gradebook.py``) and ``DIR/summary.txt``, ``summary.html`` and ``summary.png``
(the item analysis: ``analysis.py``, ``summary.py``). Every file is
written under a temporary name and renamed, so none is ever half-written; a student whose
``results.json`` exists is not graded again, so an interrupted run resumes where it stopped.

With ``--shard K/N``, only the K-th of N parts of the class is graded, into an OUT of its
own, and ``--merge`` joins the parts into the class's OUT (``shards.py``, ``merge.py``).

Students are graded by worker processes, one per core and one more by default (a worker waits
on its student's sandbox part of the time; the spare keeps the cores busy meanwhile), forked
once the graders are loaded and rehearsed on the reference (``autograder/engine/rehearsal.py``),
so every worker starts knowing the verdicts of the reference's replies; they share one zygote,
started first. Every student gets sandboxed processes of their own, so one student's code cannot touch
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
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from .. import catalog, engine
from ..engine.grading import selected
from ..options import GradingOptions
from ..report import gradescope
from ..report.files import write_atomic
from ..report.html import message_page, to_html
from ..report.text import heading, to_text
from ..sandbox.protocol import SandboxUnavailable, whole_text
from ..sandbox.zygote_handle import release, zygote
from ..submission import SubmissionError
from . import analysis, gradebook, rows, shards, summary
from .shards import Shard

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
        return rows.not_graded(student, f"the autograder failed ({type(exc).__name__}: {str(exc)[:200]})")


def _grade_and_write(student: str, path: str, out: str, options: GradingOptions) -> dict:
    folder = os.path.join(out, student)
    title, entry = f"Feedback for {student}", whole_text(os.path.basename(path))   # never the server's path
    try:
        result = engine.grade(path, options)
    except SubmissionError as exc:
        why = str(exc).replace(os.path.abspath(path), entry)
        write_atomic(os.path.join(folder, "feedback.txt"), f"Not graded: {why}\n")
        write_atomic(os.path.join(folder, "feedback.html"), message_page(title, f"Not graded: {why}"))
        write_atomic(os.path.join(folder, "results.json"), json.dumps(gradescope.unreadable(why)))
        return rows.unreadable(student, why)
    write_atomic(os.path.join(folder, "feedback.txt"),
                 to_text(result, width=FEEDBACK_WIDTH, verbose=True, title=heading(result, entry)) + "\n")
    write_atomic(os.path.join(folder, "feedback.html"), to_html(result, title=title))
    if not result.graded:
        return rows.not_graded(student, result.why_not_graded, result.max_score)
    # results.json is for programs: compact, which json writes in C; feedback.* are for people
    write_atomic(os.path.join(folder, "results.json"), json.dumps(gradescope.results(result)))
    return rows.of_report(student, result)


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
                progress: bool = True, similarity: bool = False, roster: gradebook.Roster | None = None,
                shard: Shard | None = None) -> list[dict]:
    """Grades every student not graded yet, then writes the gradebooks and the summary (and,
    with ``similarity``, ``autograder.course.similarity``'s report); with a ``roster``, the
    rows carry their roster student, and the roster's students without a submission get a row
    "no submission" (RosterError, before any grading, when the roster does not say which
    submission is whose). With a ``shard``, only its students, and instead of the class's
    files what the merge needs (``shards.py``; ShardError, before any grading, when ``out``
    holds another run's work)."""
    students = entries(folder, out)
    matched = gradebook.match(roster, [(s, os.path.basename(p)) for s, p in students]) if roster else {}
    if shard:
        students = shards.begin(shard, folder, out, students, options, similarity, roster)
    class_rows = grade_students(folder, students, out, options, workers, progress)
    if shard:
        shards.finish(out, students, class_rows, options, similarity, workers)
        return class_rows
    class_rows = gradebook.with_roster(class_rows, roster, matched) if roster else class_rows
    write_class(class_rows, out, catalog.load(options.modules), roster, options.seed)
    if similarity:
        from .similarity_html import write_report
        write_report(students, out, options.modules)
    return class_rows


def grade_students(folder: str, students: list[tuple[str, str]], out: str, options: GradingOptions,
                   workers: int | None = None, progress: bool = True) -> list[dict]:
    """The rows of ``students`` (``(name, path)``) by name, grading those without a
    results.json in ``out`` (the others' rows are read back from it)."""
    todo, class_rows = [], []
    for student, path in students:
        done = os.path.join(out, student, "results.json")
        if os.path.exists(done):
            with open(done) as f:
                class_rows.append(rows.of_results(student, json.load(f)))
        else:
            todo.append((student, path))
    if not todo:                   # all graded before: nothing to rehearse, no zygote to keep
        release()
        return sorted(class_rows, key=lambda r: r["student"])
    zygote(warm_up=True)           # first: it imports while the graders load and rehearse here
    bar = Progress(len(students), done=len(class_rows)) if progress else None
    options = replace(options, guarded=options.guarded + (folder, out))   # no student reads another's
    engine.rehearse(selected(options), options.seed)     # once, before the workers fork
    workers = workers or min(len(todo), len(os.sched_getaffinity(0)) + 1)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(_grade_one, s, p, out, options): s for s, p in todo}
        summary.import_plotting()  # while the workers wait for the zygote: summary.png's library
        for future in as_completed(futures):
            try:
                class_rows.append(future.result())
            except BrokenProcessPool:  # a worker killed from outside (the OOM killer): not a score
                class_rows.append(rows.not_graded(futures[future], "its grading process was killed"))
            if bar:
                bar.step()
    release()                      # the workers are gone: the zygote cleans up while the summary is drawn
    return sorted(class_rows, key=lambda r: r["student"])


def write_class(class_rows: list[dict], out: str, modules: tuple, roster: gradebook.Roster | None, seed: int,
                version: str | None = None) -> None:
    """The class's gradebooks and summary from its rows (a batch's, or a merge's of shards)."""
    gradebook.write(class_rows, out, modules, roster)
    summary.write(analysis.analyse(class_rows, modules, seed=seed, roster=roster is not None, version=version),
                  out)
