"""The gradebooks: ``gradebook.csv`` for the instructor and, with a roster,
``gradebook-canvas.csv`` and ``gradebook-moodle.csv`` in the layouts that Canvas's and
Moodle's gradebook imports read.

Canvas: its importer (instructure/canvas-lms, ``app/models/gradebook_importer.rb``) and its
guide, "How do I import grades in the Gradebook?"
(https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807).
The header row is ``Student, ID, SIS User ID, SIS Login ID, Section`` and then one column per
assignment, named by its title (an assignment of that title is updated, else one is made); a
row whose first cell is ``Points Possible`` sets the assignment's points; then a row per
student, matched by ``ID`` (Canvas's own user number) if given, else by ``SIS User ID``, else
``SIS Login ID``, else by name. An empty cell is no score.

Moodle: "Grade import" (https://docs.moodle.org/en/Grade_import) and its importer
(moodle/moodle, ``grade/import/csv/classes/load_data.php``). The teacher maps one column to a
user field ("Map from" that column "to" ``useridnumber``, ``useremail`` or ``username``) and
each other column to a grade item; ``-`` is no grade (an empty cell is no grade only for an
existing item: a new item records it); a row whose user is not found aborts the whole import,
and so does a grade above 100 unless the site allows more (``unlimitedgrades``).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass

from ..report.files import write_atomic
from ..spec import Module
from . import DEFAULT_ASSIGNMENT, NO_SUBMISSION

ROSTER_COLUMNS = ("submission", "id", "name", "section")
MAXIMUM = "(maximum)"                    # gradebook.csv's row of maximum points (no student's
                                         # folder name has parentheses: batch.student_name)


class RosterError(ValueError):
    """The roster cannot be read, or does not say which submission is whose."""


@dataclass(frozen=True)
class Student:
    """One line of the roster."""

    submission: str     # the student's entry of the class folder (folder or file name)
    id: str             # the institution's student number: Canvas's SIS User ID, Moodle's ID number
    name: str
    section: str


@dataclass(frozen=True)
class Roster:
    students: tuple[Student, ...]
    assignment: str = DEFAULT_ASSIGNMENT      # the grade column's name in the LMS files


def read_roster(path: str, assignment: str = DEFAULT_ASSIGNMENT) -> Roster:
    """The roster at ``path``: a CSV with the columns submission, id, name, section (any order,
    others ignored); every line needs a submission and an id, each used once."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:       # -sig: Excel's byte-order mark
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"cannot read the roster {path}: {exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ROSTER_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise RosterError(f"{path}: a roster has the columns {','.join(ROSTER_COLUMNS)}; "
                          f"missing: {', '.join(missing)}")
    students, lines = [], {}
    for record in reader:
        student = Student(*((record[c] or "").strip() for c in ROSTER_COLUMNS))
        where = f"{path} line {reader.line_num}"
        if not (student.submission and student.id):
            raise RosterError(f"{where}: a student needs a submission and an id")
        for key in (("submission", student.submission), ("id", student.id)):
            if key in lines:
                raise RosterError(f"{where}: {key[0]} {key[1]!r} is also on line {lines[key]}")
            lines[key] = reader.line_num
        students.append(student)
    if not students:
        raise RosterError(f"{path}: the roster lists no student")
    return Roster(tuple(students), assignment)


def _stem(entry: str) -> str:
    for suffix in (".ipynb", ".py"):
        if entry.endswith(suffix):
            return entry[:-len(suffix)]
    return entry


def match(roster: Roster, entries: list[tuple[str, str]]) -> dict[str, Student]:
    """The roster's student of each submission it names, by ``student`` (the name in OUT).
    ``entries``: ``(student, entry of the class folder)``. A roster line names the entry of that
    name, else the entry of that name without ``.py``/``.ipynb``, else the student of that name;
    a line that names two submissions, or two lines one, is an error."""
    keys = (lambda student, entry: entry, lambda student, entry: _stem(entry),
            lambda student, entry: student)
    indexes = []
    for key in keys:
        index: dict[str, list[str]] = {}
        for student, entry in entries:
            index.setdefault(key(student, entry), []).append(student)
        indexes.append(index)
    matched: dict[str, Student] = {}
    for s in roster.students:
        hits = next((index[s.submission] for index in indexes if s.submission in index), [])
        if len(hits) > 1:
            raise RosterError(f"roster: {s.submission!r} names {len(hits)} submissions: {', '.join(hits)}")
        if hits and hits[0] in matched:
            raise RosterError(f"roster: {matched[hits[0]].submission!r} and {s.submission!r} name the "
                              f"same submission, {hits[0]}")
        if hits:
            matched[hits[0]] = s
    return matched


def with_roster(rows: list[dict], roster: Roster, matched: dict[str, Student]) -> list[dict]:
    """``rows`` with their roster student (None: a submission the roster lacks), and a row
    "no submission" for each roster student whose submission is not in the class folder."""
    found = set(matched.values())
    absent = [{"student": s.submission, "status": NO_SUBMISSION, "total": None, "max_score": 0,
               "items": {}, "cases": {}, "mistakes": {}, "seconds": None, "roster": s}
              for s in roster.students if s not in found]
    rows = [dict(r, roster=matched.get(r["student"])) for r in rows] + absent
    return sorted(rows, key=lambda r: r["student"])


def fmt(points: float) -> str:
    return f"{points:g}"


def _columns(modules: tuple[Module, ...]) -> list[tuple[str, list[str], float]]:
    """gradebook.csv's score columns in catalog order: per module its subtotal, then its items;
    each as ``(name, the items it sums, maximum points)``."""
    columns = []
    for m in modules:
        items = [(f"{m.name}.{i}", sum(c.points for c in m.cases if c.function == i)) for i in m.items]
        columns.append((m.name, [i for i, _ in items], sum(p for _, p in items)))
        columns += [(i, [i], p) for i, p in items]
    return columns


def max_points(modules: tuple[Module, ...]) -> float:
    """The maximum total of a submission graded on ``modules``."""
    return sum(c.points for m in modules for c in m.cases)


def write_gradebook(rows: list[dict], out: str, modules: tuple[Module, ...], roster: Roster | None) -> None:
    """``OUT/gradebook.csv``: a row of maximum points, then a student a row: name (with a
    roster: id, name and section too), status, total, the maximum of their submission, and per
    module its subtotal then its items. A student without a score has empty cells, never a 0."""
    columns = _columns(modules)
    who = ["id", "name", "section"] if roster else []
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["student", *who, "status", "total", "max_score", *(name for name, _, _ in columns)])
    best = fmt(max_points(modules))
    writer.writerow([MAXIMUM, *("" for _ in who), "", best, best, *(fmt(p) for _, _, p in columns)])
    for r in rows:
        person = r.get("roster")
        ids = [person.id, person.name, person.section] if person else ["" for _ in who]
        scored = r["total"] is not None
        cells = (fmt(sum(r["items"].get(i, [0, 0])[0] for i in items)) if scored else "" for _, items, _ in columns)
        writer.writerow([r["student"], *ids, r["status"], fmt(r["total"]) if scored else "",
                         fmt(r["max_score"]), *cells])
    write_atomic(os.path.join(out, "gradebook.csv"), buf.getvalue())


def _by_roster(rows: list[dict]) -> dict[Student, dict]:
    return {r["roster"]: r for r in rows if r.get("roster") is not None}


def canvas_rows(rows: list[dict], roster: Roster, best: float) -> list[list[str]]:
    """Canvas's layout: the header, the points-possible row, then a row per roster student in
    the roster's order, matched by SIS User ID (the roster's id; Canvas's own ID left empty),
    the total in points; no score (not graded, no submission): an empty cell."""
    rows_of = _by_roster(rows)
    table = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", roster.assignment],
             ["Points Possible", "", "", "", "", fmt(best)]]
    for s in roster.students:
        total = rows_of[s]["total"]
        table.append([s.name, "", s.id, "", s.section, "" if total is None else fmt(total)])
    return table


def moodle_rows(rows: list[dict], roster: Roster, best: float) -> list[list[str]]:
    """Moodle's layout: ``ID number`` (map it to the user's ID number) and the grade as a
    percentage of the maximum (Moodle refuses a grade above 100 by default, and makes a new
    grade item out of 100); no score: ``-``, Moodle's "no grade"."""
    rows_of = _by_roster(rows)
    table = [["ID number", roster.assignment]]
    for s in roster.students:
        total = rows_of[s]["total"]
        table.append([s.id, "-" if total is None else fmt(round(100 * total / best, 2) if best else 0)])
    return table


def _write_csv(path: str, table: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf).writerows(table)
    write_atomic(path, buf.getvalue())


def write(rows: list[dict], out: str, modules: tuple[Module, ...], roster: Roster | None = None) -> None:
    """gradebook.csv; with a roster, the Canvas and Moodle files beside it (only the roster's
    students: a submission the roster lacks has no one to go to)."""
    write_gradebook(rows, out, modules, roster)
    if roster:
        best = max_points(modules)
        _write_csv(os.path.join(out, "gradebook-canvas.csv"), canvas_rows(rows, roster, best))
        _write_csv(os.path.join(out, "gradebook-moodle.csv"), moodle_rows(rows, roster, best))
