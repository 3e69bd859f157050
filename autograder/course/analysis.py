"""The class at a glance, computed once for ``summary.txt``, ``summary.html`` and
``summary.png``: who is set aside (and why), the distribution of totals, time per student,
and an item analysis in the manner of PrairieLearn's question statistics, per item and per
case, with the named mistakes counted across the class.

The definitions (PrairieLearn's, from its ``stat_descriptions``: "Mean score of a question is
the average score for all students on the question", "Discrimination of a question is the
correlation coefficient between the scores on the question and the total assessment
scores"), over the graded students only:

- **mean**: the average share of the item's (case's) points a student earned;
- **full marks**: the share of students who earned all its points;
- **discrimination**: the Pearson correlation between a student's score on the item (case)
  and the rest of their total (the total minus that score), so that the item's own points do
  not inflate it (the corrected item-total correlation); None when either is the same for
  every student (or fewer than two were graded).
"""

from __future__ import annotations

import os
import re
import statistics
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from .. import paths
from ..spec import Module
from . import NO_SUBMISSION, NOT_GRADED, STATUSES, UNREADABLE, graded, kind

SLOWEST = 3          # students named in the time per student


@dataclass(frozen=True)
class Stat:
    """One item or case across the graded students."""

    name: str                        # "optim.adam_step" or "optim.adam_step[vs_torch]"
    points: float
    mean: float                      # share of the points, 0 to 1
    full: float                      # share of the students with every point
    discrimination: float | None


@dataclass(frozen=True)
class NamedMistake:
    item: str
    mistake: str                     # as the feedback names it
    students: tuple[str, ...]        # who made it, in one case of the item or more


@dataclass(frozen=True)
class Totals:
    scores: tuple[float, ...]
    out_of: float
    low: float
    quartiles: tuple[float, float, float]      # within [low, high]: the inclusive method
    high: float
    mean: float


@dataclass(frozen=True)
class Timing:
    median: float
    slowest: tuple[tuple[str, float], ...]     # (student, seconds), slowest first


@dataclass(frozen=True)
class Analysis:
    seed: int
    date: str
    version: str
    students: int                    # rows: submissions, and roster students without one
    counts: dict[str, int]           # per status (graded, not graded, ...), those present
    set_aside: tuple[dict, ...]      # rows outside the statistics: not graded first
    not_in_roster: tuple[str, ...]   # graded or not, in gradebook.csv, in no LMS file
    totals: Totals | None            # None: nobody graded
    items: tuple[Stat, ...]          # catalog order
    cases: tuple[Stat, ...]
    mistakes: tuple[NamedMistake, ...]   # most students first
    timing: Timing | None


def grader_version() -> str:
    """The grader's version: the checkout's pyproject.toml, else the installed package's."""
    home = paths.checkout()
    if home:
        with open(os.path.join(home, "pyproject.toml")) as f:
            found = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.M)
        if found:
            return found.group(1)
    from importlib import metadata
    try:
        return metadata.version("dl-autograder")
    except metadata.PackageNotFoundError:
        return "unknown"


def _correlations(xs: np.ndarray, ys: np.ndarray) -> list[float | None]:
    """Pearson's r of each row of ``xs`` with the same row of ``ys`` (students along the
    columns); None where either row is constant or there are fewer than two students."""
    dx, dy = xs - xs.mean(axis=1, keepdims=True), ys - ys.mean(axis=1, keepdims=True)
    varies = (np.ptp(xs, axis=1) > 0) & (np.ptp(ys, axis=1) > 0) if xs.shape[1] > 1 else np.zeros(len(xs), bool)
    spread = np.sqrt((dx * dx).sum(axis=1) * (dy * dy).sum(axis=1))
    r = (dx * dy).sum(axis=1) / np.where(varies, spread, 1)
    return [float(v) if ok else None for v, ok in zip(r, varies)]


def stats(parts: list[tuple[str, float]], scores: np.ndarray, totals: np.ndarray) -> tuple[Stat, ...]:
    """The statistics of each item or case (``parts``: names and points) from the graded
    students' scores on it (a row each, a student a column) and their totals."""
    if not scores.shape[1]:
        return ()
    points = np.array([p for _, p in parts], dtype=float)
    full = np.isclose(scores, points[:, None]).mean(axis=1)
    mean = np.divide(scores.mean(axis=1), points, out=full.copy(), where=points > 0)
    discrimination = _correlations(scores, totals[None, :] - scores)
    return tuple(Stat(name, p, float(m), float(f), d)
                 for (name, p), m, f, d in zip(parts, mean, full, discrimination))


def _parts(modules: tuple[Module, ...]) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The items and the cases of ``modules``, each with its points, in catalog order."""
    items = [(f"{m.name}.{i}", sum(c.points for c in m.cases if c.function == i))
             for m in modules for i in m.items]
    return items, [(c.id, c.points) for m in modules for c in m.cases]


def _scores(rows: list[dict], modules: tuple[Module, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The graded students' scores per case and per item: (cases, students), (items, students)."""
    cases = [c for m in modules for c in m.cases]
    ids = [c.id for c in cases]

    def row_scores(got: dict) -> list[float]:         # results.json lists the cases in this order
        return [v[0] for v in got.values()] if list(got) == ids else [got.get(i, (0,))[0] for i in ids]
    per_case = np.array([row_scores(r["cases"]) for r in rows], dtype=float).reshape(len(rows), len(ids)).T
    items = list(dict.fromkeys(c.item for c in cases))
    of_item = np.array([[c.item == i for c in cases] for i in items], dtype=float).reshape(len(items), len(cases))
    return per_case, of_item @ per_case


def totals_of(scores: list[float], out_of: float) -> Totals | None:
    if not scores:
        return None
    q = statistics.quantiles(scores, n=4, method="inclusive") if len(scores) > 1 else [scores[0]] * 3
    return Totals(tuple(scores), out_of, min(scores), tuple(q), max(scores), statistics.fmean(scores))


def named_mistakes(rows: list[dict]) -> tuple[NamedMistake, ...]:
    """Each (item, named mistake) with the students whose feedback named it, most first."""
    found: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        for key in dict.fromkeys((case.partition("[")[0], m) for case, m in r["mistakes"].items()):
            found.setdefault(key, []).append(r["student"])
    ordered = sorted(found.items(), key=lambda p: (-len(p[1]), p[0]))
    return tuple(NamedMistake(item, mistake, tuple(who)) for (item, mistake), who in ordered)


def timing(rows: list[dict]) -> Timing | None:
    timed = sorted(((r["seconds"], r["student"]) for r in rows if r.get("seconds") is not None), reverse=True)
    if not timed:
        return None
    return Timing(statistics.median(s for s, _ in timed), tuple((who, s) for s, who in timed[:SLOWEST]))


def _set_aside(rows: list[dict]) -> tuple[dict, ...]:
    order = {NOT_GRADED: 0, UNREADABLE: 1, NO_SUBMISSION: 2}
    return tuple(sorted((r for r in rows if kind(r) in order), key=lambda r: (order[kind(r)], r["student"])))


def analyse(rows: list[dict], modules: tuple[Module, ...], *, seed: int, roster: bool = False,
            date: str | None = None, version: str | None = None) -> Analysis:
    """Everything the summary shows, over the graded rows; ``roster``: whether a roster was
    given (then a row without ``roster`` is a submission it lacks)."""
    scored = graded(rows)
    totals = [r["total"] for r in scored]
    items, cases = _parts(modules)
    case_scores, item_scores = _scores(scored, modules)
    per_item = stats(items, item_scores, np.array(totals, dtype=float))
    per_case = stats(cases, case_scores, np.array(totals, dtype=float))
    counts = {s: n for s in STATUSES if (n := sum(kind(r) == s for r in rows))}
    return Analysis(
        seed=seed, date=date or datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %z"),
        version=version or grader_version(), students=len(rows), counts=counts,
        set_aside=_set_aside(rows),
        not_in_roster=tuple(r["student"] for r in rows if roster and r.get("roster") is None),
        totals=totals_of(totals, sum(p for _, p in cases)), items=per_item, cases=per_case,
        mistakes=named_mistakes(scored), timing=timing(scored))
