"""The catalog: the grader modules under ``graders/``, found and loaded in the assignment's order.

Importing it makes this grader's ``graders`` and ``reference`` the ones ``import`` finds
(``paths.answers_importable``: an installed grader keeps them in ``autograder/answers``)."""

from __future__ import annotations

import importlib
import os
import pkgutil
from functools import lru_cache

from .paths import answers_importable
from .spec import Case, Module, in_assignment_order

answers_importable()

_ENV = "AUTOGRADER_MODULES"      # comma-separated module names: load only those graders


def available() -> list[str]:
    """Names of the grader modules present, in the assignment's order."""
    import graders
    return in_assignment_order(i.name for i in pkgutil.iter_modules(graders.__path__)
                               if not i.name.startswith(("_", "test_", "conftest")))


@lru_cache(maxsize=None)
def load(only: tuple[str, ...] | None = None) -> tuple[Module, ...]:
    """The ``M`` of every grader module (or of those named), in the assignment's order."""
    if only is None and os.environ.get(_ENV):
        only = tuple(os.environ[_ENV].split(","))
    found = []
    for name in available():
        if only is not None and name not in only:
            continue
        spec = getattr(importlib.import_module(f"graders.{name}"), "M", None)
        if not isinstance(spec, Module) or spec.name != name:
            raise TypeError(f"graders/{name}.py must define M = Module({name!r}, ...)")
        found.append(spec)
    return tuple(found)


def cases(modules: tuple[str, ...] | None = None) -> list[Case]:
    """All cases, in report order, optionally only those of the named modules."""
    return [c for m in load(modules) for c in m.cases]


def summary(item: str) -> str:
    """The first line of ``item``'s (``"module.function"``) docstring in the reference, as the
    template states it to students; the item itself where there is none."""
    module, function = item.split(".", 1)
    found = getattr(importlib.import_module(f"reference.{module}"), function, None)
    doc = (getattr(found, "__doc__", None) or "").strip().splitlines()
    return doc[0] if doc else item
