"""Similarity across a class (``--similarity``): pairs of students whose code, or whose wrong
answers, coincide more than independent work would. A lead for the instructor to read, never a
verdict and never part of any score.

Two signals, each scored in [0, 1] per pair of students; a pair's score is the larger:

- **code**: the fingerprints of every graded function (``course.fingerprints``: the syntax
  tree with names, strings, comments and docstrings normalised away, the template's own code
  left out), compared only with the same function of the other student. A fingerprint found in
  more than ``common_limit`` students is the class's idiom, not a copy, and is ignored (MOSS's
  ``-m``). The score is the share of the fingerprints both could have in common that they do
  have: over every function both wrote, or over their three most alike functions if that is
  higher (three functions copied out of sixty still count), with ``PRIOR`` fingerprints
  (about five lines) added to what is compared, so that a little code cannot score high.
- **wrong answers**: the cases both lost with the same reply of their code (the digest of the
  replies each results.json holds, ``extra_data.replies``): copying leaves these even where
  the code was rewritten. A wrong answer given by k students weighs 1/(k - 1) in each of their
  pairs (a common mistake says little about two students), none beyond ``common_limit``; the
  score is their weight over the smaller number of wrong answers of the two, plus
  ``ANSWER_PRIOR``. Identical correct answers say nothing and are never compared; nor is a
  case without an answer of the student's own (a stub, a timeout, a crash).

Pairs come from an index of the fingerprints and of the wrong answers, so only students who
share one are ever compared, never the 125,000 pairs of a class of 500 one by one (its cost:
docs/PERFORMANCE.md). Writes ``OUT/similarity.csv`` and ``OUT/similarity.html``.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .. import catalog
from ..report.files import write_atomic
from .fingerprints import FINGERPRINTS, Template, course_template, store, units

LISTED = 0.2          # pairs from this score on are in similarity.csv and on the page
FLAGGED = 0.5         # pairs from this score on are marked as worth a look
PRIOR = 20            # fingerprints added to what a code score compares
ANSWER_PRIOR = 3      # wrong answers added to what a wrong-answer score compares
TOP_FUNCTIONS = 3     # a pair's most alike functions, scored on their own too
POOL_FROM = 48        # students from which the submissions are read by a pool of processes


def common_limit(students: int) -> int:
    """Students beyond which a fingerprint or a wrong answer is the class's, not a pair's: a
    quarter of the class, at least 5 (fewer tell an idiom from a ring of copies) and at most
    10 (MOSS's default)."""
    return max(5, min(10, students // 4))


@dataclass
class Pair:
    """Two students (``a`` < ``b`` in the class's order) and what coincides between them:
    ``functions`` as ``(item, share, fingerprints in common)``, most alike first; ``wrong``
    as ``(case id, students who gave that answer)``."""

    a: str
    b: str
    code: float = 0.0
    answers: float = 0.0
    functions: list[tuple[str, float, int]] = field(default_factory=list)
    wrong: list[tuple[str, int]] = field(default_factory=list)

    @property
    def score(self) -> float:
        return max(self.code, self.answers)


@dataclass
class Class:
    """What the comparison read: the students in order, with their paths; the graded functions
    and the template; per student the results.json tests, by case id, of the cases lost; and
    the fingerprints in more than ``common_limit`` students, as ``(item, hash)``."""

    students: list[tuple[str, str]]
    functions: dict[str, list[str]]            # {module: [graded function, ...]}
    template: Template
    lost: dict[str, dict[str, dict]] = field(default_factory=dict)
    common: set[tuple[str, int]] = field(default_factory=set)

    @property
    def items(self) -> list[str]:
        return [f"{m}.{f}" for m, functions in self.functions.items() for f in functions]


def graded_functions(modules: tuple[str, ...] | None = None) -> dict[str, list[str]]:
    """``{module: [function, ...]}`` of the graded items."""
    return {m.name: m.items for m in catalog.load(modules)}


def _template(functions: dict[str, list[str]]) -> Template:
    return course_template(tuple((m, tuple(f)) for m, f in functions.items()))


_reading: tuple = ()           # (functions, template) of the class being read, in each worker


def _start_reading(functions: dict[str, list[str]], template: Template) -> None:
    global _reading
    _reading = (functions, template)


def _hashes(path: str) -> list[tuple[str, list[int]]]:
    """In a worker, or here: one student's fingerprints, per graded function."""
    return [(item, list(unit.hashes)) for item, unit in units(path, *_reading).items()]


def _store(paths: tuple[str, str]) -> None:
    """In a worker, or here: one student's units, from their submission into their file."""
    store(*paths, *_reading)


def _each(work, args: list, functions, template, workers: int | None) -> list:
    """``work`` on each of ``args``, by a pool of processes (one a core) for a large class."""
    workers = workers or len(os.sched_getaffinity(0))
    if len(args) < POOL_FROM or workers < 2:
        _start_reading(functions, template)
        return [work(a) for a in args]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                             initializer=_start_reading, initargs=(functions, template)) as pool:
        return list(pool.map(work, args, chunksize=max(1, len(args) // (8 * workers))))


def _read_class(students, functions, template, workers: int | None):
    """Every student's fingerprints."""
    return _each(_hashes, [path for _, path in students], functions, template, workers)


def store_class(students: list[tuple[str, str]], out: str, modules: tuple[str, ...] | None = None,
                workers: int | None = None) -> None:
    """For a shard of a class: the units of each of ``students`` (``(name, path)``) into
    ``out/<name>/fingerprints.json``, where it is not there yet, so that the merge compares
    the whole class from those files (``Stored``)."""
    functions = graded_functions(modules)
    todo = [(path, os.path.join(out, name, FINGERPRINTS)) for name, path in students
            if not os.path.exists(os.path.join(out, name, FINGERPRINTS))]
    _each(_store, todo, functions, _template(functions), workers)


def _index(klass: Class, read: list):
    """Every student's fingerprints as rows sorted by function, hash and student, and the
    groups of rows that hold one fingerprint (``starts``, ``sizes``); the common ones go to
    ``klass.common``."""
    names = klass.items
    items = {item: i for i, item in enumerate(names)}
    columns = [(np.array([x for _, hashes in found for x in hashes], dtype=np.int64),
                np.full(sum(len(hashes) for _, hashes in found), s, dtype=np.int64),
                np.array([items[item] for item, hashes in found for _ in hashes], dtype=np.int64))
               for s, found in enumerate(read)] or [(np.zeros(0, dtype=np.int64),) * 3]
    h, s, f = (np.concatenate(c) for c in zip(*columns))
    order = np.lexsort((s, h, f))                                 # by function, hash, student
    h, s, f = h[order], s[order], f[order]
    starts = np.flatnonzero(np.r_[True, (h[1:] != h[:-1]) | (f[1:] != f[:-1])]) if len(h) else h
    sizes = np.diff(np.r_[starts, len(h)])
    for start in starts[sizes > common_limit(len(klass.students))]:
        klass.common.add((names[f[start]], int(h[start])))
    return s, f, starts, sizes


def _code_pairs(klass: Class, read: list, pairs: dict) -> None:
    """Fills ``pairs`` with the code scores of every two students who share a fingerprint that
    is not common: per function shared / min(theirs), and the pair's score (module docstring),
    computed for all pairs at once."""
    n, names = len(klass.students), klass.items
    s, f, starts, sizes = _index(klass, read)
    limit = common_limit(n)
    kept = np.repeat(sizes, sizes) <= limit
    size = np.zeros((n, len(names)), dtype=np.int64)              # fingerprints compared
    np.add.at(size, (s[kept], f[kept]), 1)
    found = [(s[g[:, i]], s[g[:, j]], f[g[:, 0]])
             for k in range(2, limit + 1) if (at := starts[sizes == k]).size
             for g in [at[:, None] + np.arange(k)] for i in range(k) for j in range(i + 1, k)]
    if not found:
        return
    a, b, fn = (np.concatenate(x) for x in zip(*found))
    keys, shared = np.unique((a * n + b) * len(names) + fn, return_counts=True)   # by pair, function
    pair, fn = np.divmod(keys, len(names))
    i, j = np.divmod(pair, n)
    can = np.minimum(size[i, fn], size[j, fn])                    # what each function can share
    first = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
    which = np.repeat(np.arange(len(first)), np.diff(np.r_[first, len(pair)]))
    whole = np.add.reduceat(shared, first) / (_both(size, i[first], j[first]) + PRIOR)
    ranked = np.lexsort((fn, -shared, pair))                     # most shared first in each pair
    top = ranked[(np.arange(len(ranked)) - first[which[ranked]]) < TOP_FUNCTIONS]
    best = np.bincount(which[top], shared[top], len(first)) / \
        (np.bincount(which[top], can[top], len(first)) + PRIOR)
    code = np.maximum(whole, best).tolist()
    shares = defaultdict(list)
    for x, item, count, most in zip(which.tolist(), fn.tolist(), shared.tolist(), can.tolist()):
        shares[x].append((names[item], count / most, count))
    for x, (p, q) in enumerate(zip(i[first].tolist(), j[first].tolist())):
        found_pair = pairs.setdefault((p, q), Pair(klass.students[p][0], klass.students[q][0]))
        found_pair.code = code[x]
        found_pair.functions = sorted(shares[x], key=lambda t: (-t[1], -t[2], t[0]))


def _both(size: np.ndarray, i: np.ndarray, j: np.ndarray, chunk: int = 20000) -> np.ndarray:
    """Per pair (``i[x]``, ``j[x]``), the fingerprints both could have in common, in all."""
    return np.concatenate([np.minimum(size[i[x:x + chunk]], size[j[x:x + chunk]]).sum(axis=1)
                           for x in range(0, len(i), chunk)])


def _lost_cases(out: str, student: str) -> dict[str, dict]:
    """The tests of ``student``'s results.json that lost points, by case id ({} if none)."""
    try:
        with open(os.path.join(out, student, "results.json")) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    return {f"{t['extra_data']['item']}[{t['extra_data']['case']}]": t
            for t in data.get("tests", []) if t.get("score", 0) < t.get("max_score", 0)}


def _answer_pairs(klass: Class, out: str, pairs: dict) -> None:
    """Fills ``pairs`` with the wrong-answer scores of every two students who gave the same
    wrong answer to a case, given by at most ``common_limit`` students."""
    given = defaultdict(list)                       # (case, digest) -> students, in order
    wrong = []
    for s, (student, _) in enumerate(klass.students):
        klass.lost[student] = _lost_cases(out, student)
        answered = [(case, t["extra_data"]["replies"]) for case, t in klass.lost[student].items()
                    if t.get("extra_data", {}).get("replies")]
        wrong.append(len(answered))
        for key in answered:
            given[key].append(s)
    limit = common_limit(len(klass.students))
    weight = defaultdict(float)
    for (case, _), who in given.items():
        if 2 <= len(who) <= limit:
            for x, i in enumerate(who):
                for j in who[x + 1:]:
                    pair = pairs.setdefault((i, j), Pair(klass.students[i][0], klass.students[j][0]))
                    pair.wrong.append((case, len(who)))
                    weight[i, j] += 1 / (len(who) - 1)
    for (i, j), w in weight.items():
        pairs[i, j].answers = w / (min(wrong[i], wrong[j]) + ANSWER_PRIOR)
        pairs[i, j].wrong.sort(key=lambda t: (t[1], t[0]))


def compare(students: list[tuple[str, str]], out: str, modules: tuple[str, ...] | None = None,
            workers: int | None = None, template: Template | None = None) -> tuple[list[Pair], Class]:
    """Every pair of ``students`` (``(name, path)``, as ``batch.entries``; a path may be a
    shard's ``fingerprints.Stored`` file) with something in common, highest score first; wrong
    answers from ``out/<name>/results.json`` where they are. ``template``: what every student was handed (by default this grader's student template)."""
    functions = graded_functions(modules)
    klass = Class(list(students), functions, template or _template(functions))
    pairs: dict = {}
    _code_pairs(klass, _read_class(klass.students, functions, klass.template, workers), pairs)
    _answer_pairs(klass, out, pairs)
    ranked = sorted(pairs.values(), key=lambda p: (-p.score, p.a, p.b))
    return ranked, klass


def describe(pair: Pair, limit: int = 5) -> str:
    """What coincides, in one line (similarity.csv's last column)."""
    parts = []
    if pair.functions:
        named = [f"{item} {100 * share:.0f}%" for item, share, _ in pair.functions[:limit]]
        more = len(pair.functions) - limit
        parts.append("code: " + ", ".join(named) + (f" (+{more} more)" if more > 0 else ""))
    if pair.wrong:
        named = [case + ("" if k == 2 else f" ({k} students)") for case, k in pair.wrong[:limit]]
        more = len(pair.wrong) - limit
        parts.append("same wrong answers: " + ", ".join(named) + (f" (+{more} more)" if more > 0 else ""))
    return "; ".join(parts)


def write_csv(pairs: list[Pair], path: str) -> None:
    """The pairs scoring at least LISTED, highest first: students, score, both signals, what."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["student_a", "student_b", "score", "code", "wrong_answers", "coincides"])
    for p in pairs:
        if p.score >= LISTED:
            writer.writerow([p.a, p.b, f"{p.score:.3f}", f"{p.code:.3f}", f"{p.answers:.3f}", describe(p)])
    write_atomic(path, buf.getvalue())
