"""Grading a whole class: ``python grade.py SUBMISSIONS_DIR --batch --out DIR``.

Each entry of the folder (a subfolder, a ``.py`` or an ``.ipynb``) is one student. Per student
it writes ``DIR/<student>/results.json``, ``DIR/<student>/feedback.txt`` and the same report as
a self-contained page, ``DIR/<student>/feedback.html``; then
``DIR/gradebook.csv`` (student, total, one column per item), ``DIR/summary.txt`` and
``DIR/summary.png`` (the distribution of totals and every item's pass rate). Every file is
written under a temporary name and renamed, so none is ever half-written; a student whose
``results.json`` exists is not graded again, so an interrupted run resumes where it stopped.

Students are graded by worker processes, one per core and one more by default (a worker waits
on its student's sandbox part of the time; the spare keeps the cores busy meanwhile), forked
once the graders are loaded and rehearsed on the reference (``autograder.reference_run``), so
every worker starts knowing the verdicts of the reference's replies; they share one zygote,
started first.
Every student gets sandboxed processes of their own, so one student's code cannot touch
another's grade.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import re
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace

from . import catalog, engine, reference_run, report
from .report_html import message_page, to_html
from .report_text import to_text
from .sandbox.protocol import SandboxUnavailable
from .sandbox.warm import release, zygote
from .submission import SubmissionError

FEEDBACK_WIDTH = 100              # columns of feedback.txt
LABEL_POINTS = 7                  # font size of summary.png's item names


@dataclass(frozen=True)
class Options:
    seed: int = 0
    timeout: float = engine.DEFAULT_TIMEOUT
    budget: float = engine.DEFAULT_BUDGET
    modules: tuple[str, ...] | None = None
    hidden: tuple[str, ...] = ()
    unsandboxed: bool = False
    guarded: tuple[str, ...] = ()     # the class's folder and the reports: no student may read them


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


GRADED, NOT_GRADED, UNREADABLE = "graded", "not graded", "unreadable submission"


def _grade_one(student: str, path: str, out: str, options: Options) -> dict:
    """In a worker: grade, write the student's files, return a gradebook row. A student whose
    submission could not be graded (a fault of the grader or the machine, after its retry)
    gets feedback files saying so and no results.json, so that a resumed batch grades them
    again."""
    try:
        return _grade_and_write(student, path, out, options)
    except SandboxUnavailable:
        raise                              # no sandbox on this machine: the batch stops
    except Exception as exc:  # noqa: BLE001 - the grader's fault: this student is not graded
        return {"student": student, "status": f"{NOT_GRADED}: the autograder failed "
                f"({type(exc).__name__}: {str(exc)[:200]})", "total": None, "max_score": 0, "items": {}}


def _grade_and_write(student: str, path: str, out: str, options: Options) -> dict:
    folder = os.path.join(out, student)
    title = f"Feedback for {student}"
    try:
        result = engine.grade(path, seed=options.seed, timeout=options.timeout,
                              budget=options.budget, modules=options.modules,
                              hidden_labels=options.hidden, unsandboxed=options.unsandboxed,
                              guarded=options.guarded)
    except SubmissionError as exc:
        report.write_atomic(os.path.join(folder, "feedback.txt"), f"Not graded: {exc}\n")
        report.write_atomic(os.path.join(folder, "feedback.html"), message_page(title, f"Not graded: {exc}"))
        data = report.unreadable(str(exc))
        report.write_atomic(os.path.join(folder, "results.json"), json.dumps(data))
        return row_from_json(student, data)
    report.write_atomic(os.path.join(folder, "feedback.txt"),
                        to_text(result, width=FEEDBACK_WIDTH, verbose=True) + "\n")
    report.write_atomic(os.path.join(folder, "feedback.html"),
                        to_html(result, title=title))
    if not result.graded:
        return {"student": student, "status": f"{NOT_GRADED}: {result.why_not_graded}",
                "total": None, "max_score": result.max_score, "items": {}}
    data = report.to_gradescope(result)
    report.write_atomic(os.path.join(folder, "results.json"), json.dumps(data))   # for programs:
    # compact, which json writes in C (indented, in Python: 6 ms a student); feedback.* are for people
    return row_from_json(student, data)


def row_from_json(student: str, data: dict) -> dict:
    """The student's status, total and, per item, [points earned, points possible] from a
    results.json."""
    items: dict[str, list[float]] = {}
    for t in data.get("tests", []):
        item = items.setdefault(t["extra_data"]["item"], [0.0, 0.0])
        item[0] += t["score"]
        item[1] += t["max_score"]
    status = data.get("extra_data", {}).get("status", GRADED)
    if status == UNREADABLE:
        status = f"{UNREADABLE}: {data['output'].removeprefix('Not graded: ')}"
    return {"student": student, "status": status, "total": data["score"], "max_score": data["max_score"],
            "items": items}


def graded(rows: list[dict]) -> list[dict]:
    """The rows of the students who have a score: statistics are over these only."""
    return [r for r in rows if r["status"] == GRADED]


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


def grade_class(folder: str, out: str, options: Options = Options(), workers: int | None = None,
                progress: bool = True) -> list[dict]:
    """Grades every student not graded yet, then writes the gradebook and the summary."""
    todo, rows = [], []
    students = entries(folder, out)
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
    options = replace(options, guarded=options.guarded + (folder, out))
    reference_run.rehearse(catalog.cases(options.modules), options.seed)   # once, before the workers fork
    workers = workers or min(len(todo), len(os.sched_getaffinity(0)) + 1) or 1
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_grade_one, s, p, out, options) for s, p in todo]
        _import_plotting()         # while the workers wait for the zygote: summary.png's library
        for future in as_completed(futures):
            rows.append(future.result())
            if bar:
                bar.step()
    release()                      # the workers are gone: the zygote cleans up while the summary is drawn
    rows.sort(key=lambda r: r["student"])
    write_gradebook(rows, out, options.modules)
    write_summary(rows, out)
    return rows


def _items(modules: tuple[str, ...] | None) -> list[str]:
    return [f"{m.name}.{item}" for m in catalog.load(modules) for item in m.items]


def write_gradebook(rows: list[dict], out: str, modules=None) -> None:
    """One row a student: name, status, total and points per item; a student not graded has
    no total (empty cells), never a zero."""
    items = _items(modules)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["student", "status", "total", "max_score", *items])
    for r in rows:
        scored = r["total"] is not None
        writer.writerow([r["student"], r["status"], f"{r['total']:g}" if scored else "",
                         f"{r['max_score']:g}",
                         *((f"{r['items'].get(i, [0, 0])[0]:g}" if scored else "") for i in items)])
    report.write_atomic(os.path.join(out, "gradebook.csv"), buf.getvalue())


def pass_rates(rows: list[dict]) -> dict[str, float]:
    """For each item, the fraction of students who earned all of its points."""
    items = sorted({i for r in rows for i in r["items"]})
    return {i: sum(1 for r in rows if i in r["items"] and r["items"][i][0] == r["items"][i][1])
            / max(len(rows), 1) for i in items}


def write_summary(rows: list[dict], out: str) -> None:
    """The class at a glance: the students without a score first (never averaged in), then
    the distribution of totals and every item's pass rate over the graded students."""
    scored = graded(rows)
    others = [r for r in rows if r["status"] != GRADED]
    totals = [r["total"] for r in scored]
    rates = pass_rates(scored)
    lines = [f"{len(rows)} students: {len(scored)} graded"
             + "".join(f", {n} {what}" for what in (NOT_GRADED, UNREADABLE)
                       if (n := sum(r["status"].startswith(what) for r in others)))]
    if others:
        lines += ["", "not in the statistics below:"] + [f"  {r['student']}: {r['status']}" for r in others]
        lines.append("")
    if totals:
        q = statistics.quantiles(totals, n=4) if len(totals) > 1 else [totals[0]] * 3
        lines.append(f"totals: min {min(totals):g}, quartiles {q[0]:g} / {q[1]:g} / {q[2]:g}, "
                     f"max {max(totals):g}, mean {statistics.fmean(totals):.1f} "
                     f"(out of {max(r['max_score'] for r in scored):g})")
    lines += ["", "pass rate per item (students with all its points), hardest first:"]
    width = max((len(i) for i in rates), default=10)
    for item, rate in sorted(rates.items(), key=lambda p: (p[1], p[0])):
        lines.append(f"  {item:<{width}}  {100 * rate:5.1f}%  {'#' * round(20 * rate)}")
    try:
        _plot(totals, rates, scored, os.path.join(out, "summary.png"))
    except ImportError:
        lines += ["", "(no summary.png: install matplotlib, the grader's [plots] extra, to draw it)"]
    report.write_atomic(os.path.join(out, "summary.txt"), "\n".join(lines) + "\n")


def _import_plotting():
    """matplotlib's pyplot, drawing to files; None where the [plots] extra is not installed."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _plot(totals, rates, rows, path) -> None:
    """Totals on the left, pass rates on the right, the margins sized from the item names
    (about 0.65 em a character) rather than by matplotlib's tight_layout, which measures every
    text twice (0.4 s of a class's tail), and the titles placed at the top rather than above
    the measured tick labels (0.1 s)."""
    plt = _import_plotting()
    if plt is None:
        raise ImportError("matplotlib")
    width, height = 13, max(4, 0.18 * len(rates) + 1)
    labels = (LABEL_POINTS * 0.65 * max((len(i) for i in rates), default=10) / 72 + 0.15) / width
    bottom, tall = 0.55 / height, 1 - 1 / height       # room for the x labels and the titles
    fig = plt.figure(figsize=(width, height))
    left = fig.add_axes([0.06, bottom, 0.26, tall])
    right = fig.add_axes([0.36 + labels, bottom, 0.62 - labels, tall])   # item names in 0.36 .. 0.36 + labels
    best = max((r["max_score"] for r in rows), default=1) or 1
    left.hist(totals, bins=min(25, int(best) + 1), range=(0, best), color="#4477aa")
    left.yaxis.get_major_locator().set_params(integer=True)
    left.set(xlabel=f"points (of {best:g})", ylabel="students")
    left.set_title(f"Totals ({len(rows)} students)", y=1.0)     # y: placed, not measured
    ordered = sorted(rates.items(), key=lambda p: p[1])
    right.barh([i for i, _ in ordered], [100 * r for _, r in ordered],
               color=["#cc3311" if r < 0.5 else "#4477aa" for _, r in ordered])
    right.set(xlabel="% of students with full marks", xlim=(0, 100), ylim=(len(ordered) - 0.5, -0.5))
    right.set_title("Pass rate per item (hardest at the top)", y=1.0)
    right.tick_params(axis="y", labelsize=LABEL_POINTS)
    tmp = path + ".tmp.png"
    fig.savefig(tmp, dpi=90)
    plt.close(fig)
    os.replace(tmp, path)
