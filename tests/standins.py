"""Cases graded in this process on stand-ins of a student's functions: the reference's own,
some of them replaced (by a mutant that makes a known mistake, or by a recorder of how the
cases call them). Each call's arguments and value cross ``autograder.codec`` as the wire
carries them, as in ``autograder/engine/rehearsal.py``; no sandbox, so a test can grade a mutant
case by case in milliseconds. Only ``reference/`` and the test's own functions run here."""

from __future__ import annotations

import functools
import importlib
import inspect
from typing import Callable

from autograder import catalog, engine
from autograder.engine.grading import run_case
from autograder.engine.rehearsal import ReferenceCalls
from autograder.engine.results import CaseResult
from autograder.spec import Case


def reference_function(item: str) -> Callable:
    """``reference.<module>.<function>`` of ``item`` ("module.function")."""
    module, function = item.split(".")
    return getattr(importlib.import_module(f"reference.{module}"), function)


def grade_case(case: Case, replaced: dict[str, Callable] | None = None, seed: int = 0) -> CaseResult:
    """``case`` graded on the reference with ``replaced`` functions in place."""
    return run_case(case, ReferenceCalls(every_probe=True, replaced=replaced), seed)


def case(case_id: str) -> Case:
    """The declared case of that id."""
    return next(c for c in catalog.cases() if c.id == case_id)


def item_cases(item: str) -> list[Case]:
    """The declared cases of ``item`` ("module.function")."""
    return [c for c in catalog.cases() if c.item == item]


def recorder(fn: Callable, seen: set) -> Callable:
    """``fn``, adding to ``seen`` the names of the parameters each call leaves to their
    default values."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def recording(*args, **kwargs):
        bound = signature.bind(*args, **kwargs).arguments
        seen.update(name for name, p in signature.parameters.items()
                    if p.default is not p.empty and name not in bound)
        return fn(*args, **kwargs)
    return recording
