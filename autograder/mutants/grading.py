"""Grading mutants as a class: each mutant is a submission folder holding its mutated module
only, graded by the batch engine (``autograder.course.batch.grade_class``) with the grading seed and
time limits a student gets. A mutant is caught when a case of its own module loses points.

One batch grades the whole run, on every module the run mutates (a mutant's folder lacks the
other modules, whose cases fail at once and do not count): a batch per module would start the
sandbox's zygote and rehearse the reference once per module, five times the cost of the run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from ..course.batch import grade_class
from ..options import GradingOptions
from .generate import Mutant

GRADER_FAULT = "internal grader error"


@dataclass
class Graded:
    """What grading did to one mutant: ``lost`` the ids of the cases that lost points, and
    ``feedback`` the first line of each one's reason; ``faults`` those whose feedback is a
    grader's fault (never the mutant's); ``graded`` False when it got no report at all (with
    ``why``)."""

    lost: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    feedback: dict[str, str] = field(default_factory=dict)
    graded: bool = True
    why: str = ""

    @property
    def caught(self) -> bool:
        return self.graded and bool(self.lost)


def folder_of(root: str, mutant: Mutant) -> str:
    """The submission folder of ``mutant`` under ``root``."""
    return os.path.join(root, "class", mutant.name)


def write(root: str, mutants: list[Mutant]) -> None:
    """Each mutant's submission folder: its mutated module, readable by the sandbox's user."""
    for m in mutants:
        folder = folder_of(root, m)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"{m.module}.py"), "w") as f:
            f.write(m.source)
    for dirpath, _, _ in os.walk(root):
        os.chmod(dirpath, 0o755)


def _read(path: str, module: str) -> Graded:
    if not os.path.exists(path):
        return Graded(graded=False, why="no results.json")
    with open(path) as f:
        data = json.load(f)
    cases = [(f"{t['extra_data']['item']}[{t['extra_data']['case']}]", t) for t in data.get("tests") or []
             if t["extra_data"]["item"].startswith(f"{module}.")]
    if not cases:
        return Graded(graded=False, why=str(data.get("output", "not graded"))[:200])
    lost = [(c, str(t.get("output", ""))) for c, t in cases if t["score"] < t["max_score"]]
    return Graded(lost=[c for c, _ in lost], faults=[c for c, text in lost if GRADER_FAULT in text],
                  feedback={c: _reason(text) for c, text in lost})


def _reason(output: str) -> str:
    """A failed case's reason, its first line (the output starts with the call, if any)."""
    lines = [line for line in output.splitlines() if line.strip()]
    if lines and lines[0].startswith("called ") and len(lines) > 1:
        lines = lines[1:]
    return lines[0][:200] if lines else ""


def grade(root: str, mutants: list[Mutant], seed: int, timeout: float,
          workers: int | None = None) -> dict[str, Graded]:
    """Grades every mutant and returns what it lost, by mutant name."""
    write(root, mutants)
    modules = tuple(dict.fromkeys(m.module for m in mutants))
    reports = os.path.join(root, "out")
    grade_class(os.path.join(root, "class"), reports, GradingOptions(seed=seed, timeout=timeout, modules=modules),
                workers=workers, progress=False)
    return {m.name: _read(os.path.join(reports, m.name, "results.json"), m.module) for m in mutants}
