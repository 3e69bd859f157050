"""A whole run: mutants generated, graded as a class, and every survivor checked against the
reference on the inputs its items' cases send and beyond (``record``, ``perturb``,
``differential``), then judged against the reviewed list.

A survivor is one of:
- a **blind spot**: an input separates it from the reference (it is shown, with the case whose
  input it is: the case that should have caught it);
- **not separated**: no input found; an equivalent mutant, or a blind spot the inputs missed,
  for a person to judge;
- **reviewed**: on the reviewed list, with its reason.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from .. import catalog
from ..options import GradingOptions
from . import grading, survivors
from .differential import Separation
from .generate import Mutant, mutants, reference_source, sample
from .grading import Graded


@dataclass
class Verdict:
    mutant: Mutant
    graded: Graded
    separation: Separation | None = None
    reason: str | None = None              # the reviewed list's, when the mutant is on it
    elsewhere: bool = False                # caught, but only by cases its change cannot reach

    @property
    def status(self) -> str:
        """"caught", "not graded", "reviewed", "blind spot" or "not separated"."""
        if not self.graded.graded:
            return "not graded"
        if self.graded.caught:
            return "caught"
        if self.reason is not None:
            return "reviewed"
        return "blind spot" if self.separation else "not separated"


@dataclass
class Run:
    seed: int
    generated: int                         # mutants of the modules asked for, before sampling
    verdicts: list[Verdict]
    seconds: float
    reviewed: dict[str, str] = field(default_factory=dict)
    whole: tuple[str, ...] = ()            # the modules all of whose mutants were graded (no --sample)

    def of(self, status: str) -> list[Verdict]:
        return [v for v in self.verdicts if v.status == status]

    @property
    def failures(self) -> list[Verdict]:
        """Survivors outside the reviewed list, mutants that got no grade, and mutants on which
        a grader failed (its bug: it must judge any answer)."""
        return [v for v in self.verdicts
                if v.status in ("blind spot", "not separated", "not graded") or v.graded.faults]

    @property
    def stale(self) -> list[str]:
        """Reviewed keys of the modules run whole that no survivor matched (caught now, or gone)."""
        used = {v.mutant.key for v in self.of("reviewed")}
        return sorted(k for k in self.reviewed if k.split(".")[0] in self.whole and k not in used)


@lru_cache(maxsize=None)
def _reach(module: str) -> dict[str, set[str]]:
    return survivors.callers(reference_source(module))


def _elsewhere(mutant: Mutant, graded: Graded) -> bool:
    """Whether every case ``mutant`` lost is of an item its change cannot reach: a loss that
    came from elsewhere (the machine, a timeout under load), not from the mutant."""
    reach = _reach(mutant.module).get(mutant.item, {mutant.item})
    return graded.caught and not any(c.split("[")[0].split(".", 1)[1] in reach for c in graded.lost)


def run(modules: tuple[str, ...] | None = None, *, seed: int = GradingOptions().seed, size: int | None = None,
        sample_seed: int | None = None, timeout: float = GradingOptions().timeout, workers: int | None = None,
        reviewed: dict[str, str] | None = None, keep: str | None = None,
        say: Callable[[str], None] = lambda text: None,
        progress: Callable[[str], None] = lambda text: None) -> Run:
    """Generates, grades (with ``seed``) and checks the mutants of ``modules`` (all when None);
    ``size``: a sample of that many, drawn with ``sample_seed`` (``seed`` when None); ``keep``:
    a folder for the mutants and their reports (a temporary one, removed, otherwise); ``say``
    is told each phase, ``progress`` each survivor checked."""
    start = time.monotonic()
    names = modules or tuple(catalog.available())
    found = [m for name in names for m in mutants(name)]
    chosen = sample(found, size, seed if sample_seed is None else sample_seed)
    root = keep or tempfile.mkdtemp(prefix="autograder-mutants-")
    reviewed = reviewed or {}
    try:
        say(f"grading {len(chosen)} mutants of {len(names)} module(s)")
        graded = grading.grade(root, chosen, seed, timeout, workers)
        alive = [m for m in chosen if graded[m.name].graded and not graded[m.name].caught]
        todo = [m for m in alive if m.key not in reviewed]
        say(f"graded in {time.monotonic() - start:.0f} s; checking {len(todo)} survivors "
            f"({len(alive) - len(todo)} more are on the reviewed list)")
        separations = survivors.check(root, todo, seed, timeout, workers, progress)
        verdicts = [Verdict(m, graded[m.name], separations.get(m.name), reviewed.get(m.key),
                            _elsewhere(m, graded[m.name])) for m in chosen]
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return Run(seed, len(found), verdicts, time.monotonic() - start, reviewed,
               whole=names if size is None else ())
