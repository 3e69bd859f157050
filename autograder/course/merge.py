"""Joining a class's shards (``grade.py --merge OUT1 … OUTN --out OUT``, ``shards.py``) into the
class's output, as one batch of the whole class writes it: each student's folder, copied from
their shard; ``gradebook.csv`` (and the LMS files, with a roster), ``summary.txt``,
``summary.html`` and ``summary.png``, and with ``--similarity`` the similarity report, each
computed again from the students' results (and stored fingerprints), never pieced together from
the shards' text.

Nothing is written until every shard has been checked: each finished, all of the same grader,
options and class listing, no student in two shards, none missing (``MergeError`` says which
and what is known of it). The roster is the one the shards recorded, or the one the merge is
given, which wins: it maps submissions to students and changes no result.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from .. import catalog
from ..report.files import write_atomic
from . import gradebook, rows
from .batch import write_class
from .fingerprints import FINGERPRINTS, Stored
from .gradebook import Roster
from .shards import AGREED, STUDENT_FILES, Shard, ShardError, read, roster_of, show, value

NAMED = 10          # students named in a message


class MergeError(ValueError):
    """The shards cannot be joined into one class."""


@dataclass
class Merged:
    rows: list[dict]                 # the class's rows, as a batch's
    roster: Roster | None
    similarity: bool                 # whether the similarity report was written


def _names(students: list[str]) -> str:
    more = len(students) - NAMED
    return ", ".join(students[:NAMED]) + (f" and {more} more" if more > 0 else "")


def _label(out: str, manifest: dict) -> str:
    return f"shard {manifest['shard']} ({out})"


def _agree(shards: list[tuple[str, dict]]) -> None:
    """Every shard finished, of the same split, grader, options and class."""
    for out, m in shards:
        if not m.get("finished"):
            raise MergeError(f"{_label(out, m)} did not finish: run it again (it resumes where it stopped)")
    checks = [(lambda m: Shard.parse(m["shard"]).count, "number of shards")]
    checks += [(lambda m, keys=keys: value(m, keys), name) for keys, name in (*AGREED, (("similarity",), "--similarity"))]
    for get, name in checks:
        seen: dict[str, list[str]] = {}
        for out, m in shards:
            seen.setdefault(show(get(m)), []).append(_label(out, m))
        if len(seen) > 1:
            said = "; ".join(f"{v} in {', '.join(who)}" for v, who in seen.items())
            hint = (" (run those without it again with --similarity: they resume, writing only the "
                    "fingerprints)") if name == "--similarity" else ""
            raise MergeError(f"the shards differ in {name}: {said}{hint}; a class is merged from shards "
                             "graded alike")
    listings = {json.dumps(m["class"]) for _, m in shards}
    if len(listings) > 1:
        sizes = "; ".join(f"{_label(out, m)} saw {len(m['class'])} entries" for out, m in shards)
        entries = [set(e for _, e in m["class"]) for _, m in shards]
        odd = sorted(set.union(*entries) - set.intersection(*entries))
        raise MergeError(f"the shards listed different class folders ({sizes}; not in every listing: "
                         f"{_names(odd) or 'the same entries, named differently'}): run every shard again "
                         "on the folder as it is now (each grades only the students it lacks), then merge")


def _owners(shards: list[tuple[str, dict]]) -> dict[str, tuple[str, dict]]:
    """The shard of each student of the class; MergeError for a student in two, or a shard missing."""
    owner: dict[str, tuple[str, dict]] = {}
    twice: dict[tuple[str, str], list[str]] = {}
    for out, m in shards:
        for student in m["students"]:
            if student in owner:
                twice.setdefault((_label(*owner[student]), _label(out, m)), []).append(student)
            owner[student] = (out, m)
    if twice:
        said = "; ".join(f"{_names(who)} in {a} and in {b}" for (a, b), who in twice.items())
        raise MergeError(f"students in two shards: {said}: give each shard's output once")
    listing, count = shards[0][1]["class"], Shard.parse(shards[0][1]["shard"]).count
    present = {Shard.parse(m["shard"]).index for _, m in shards}
    for k in range(1, count + 1):
        if k not in present:
            theirs = [s for s, e in listing if Shard(k, count).holds(e)]
            raise MergeError(f"shard {k}/{count} is missing: of the {len(listing)} entries of the class folder "
                             f"the shards listed, it holds {len(theirs)}" + (f" ({_names(theirs)})" if theirs else "")
                             + f"; grade it (--batch --shard {k}/{count}, with the same options) and merge again")
    unowned = [s for s, _ in listing if s not in owner]
    if unowned:
        raise MergeError(f"no shard graded {_names(unowned)}: run their shards again, then merge")
    return owner


def _row(out: str, manifest: dict, student: str) -> dict:
    """The student's row: from their results.json, or the shard's row of a student not graded."""
    path = os.path.join(out, student, "results.json")
    if os.path.isfile(path):
        with open(path) as f:
            return rows.of_results(student, json.load(f))
    if student in manifest.get("not_graded", {}):
        return manifest["not_graded"][student]
    raise MergeError(f"{_label(out, manifest)} has no results for {student}: run it again (it grades "
                     "the students it lacks), then merge")


def _copy_student(source: str, student: str, out: str) -> None:
    """The student's files from ``source`` into ``out`` (each under a temporary name, renamed);
    a file the shard does not hold goes from ``out`` too (a student now not graded has no
    results.json)."""
    folder = os.path.join(out, student)
    os.makedirs(folder, exist_ok=True)
    for name in STUDENT_FILES:
        src, dst = os.path.join(source, student, name), os.path.join(folder, name)
        if not os.path.exists(src):
            if os.path.exists(dst):
                os.unlink(dst)
            continue
        with open(src, "rb") as f:
            write_atomic(dst, f.read())


def _roster(shards: list[tuple[str, dict]], given: Roster | None) -> Roster | None:
    if given is not None:
        return given
    recorded = {json.dumps(m["roster"]) for _, m in shards}
    if len(recorded) > 1:
        raise MergeError("the shards were given different rosters (or some none): give the merge the "
                         "roster to use (--roster)")
    return roster_of(shards[0][1]["roster"])


def read_shards(outs: list[str], out: str) -> list[tuple[str, dict]]:
    """Each shard's output with its shard.json, checked to be joinable; MergeError if not."""
    if any(os.path.realpath(o) == os.path.realpath(out) for o in outs):
        raise MergeError(f"--out {out} is one of the shards' outputs: merge into another folder")
    try:
        shards = [(o, read(o)) for o in outs]
    except ShardError as exc:
        raise MergeError(str(exc)) from None
    _agree(shards)
    return shards


def merge(outs: list[str], out: str, roster: Roster | None = None, workers: int | None = None) -> Merged:
    """Joins the shards' outputs ``outs`` into ``out`` (module docstring)."""
    shards = read_shards(outs, out)
    owner = _owners(shards)
    first = shards[0][1]
    listing = [(s, e) for s, e in first["class"]]
    roster = _roster(shards, roster)
    matched = gradebook.match(roster, listing) if roster else {}       # RosterError before writing
    class_rows = [_row(*owner[s], s) for s, _ in listing]
    similarity = bool(first["similarity"])
    stored = [(s, Stored(os.path.join(owner[s][0], s, FINGERPRINTS))) for s, _ in listing] if similarity else []
    lacking = [s for s, path in stored if not os.path.isfile(path)]
    if lacking:
        raise MergeError(f"no fingerprints for {_names(lacking)}: run their shards again with --similarity "
                         "(they resume, writing only the fingerprints), then merge")
    for s, _ in listing:
        _copy_student(owner[s][0], s, out)
    class_rows.sort(key=lambda r: r["student"])
    class_rows = gradebook.with_roster(class_rows, roster, matched) if roster else class_rows
    modules = tuple(first["grading"]["modules"])
    write_class(class_rows, out, catalog.load(modules), roster, first["grading"]["seed"],
                first["grader"]["version"])
    if similarity:
        from .similarity_html import write_report
        write_report(stored, out, modules, workers)
    return Merged(class_rows, roster, similarity)
