"""Declarations of graded items: every module, item, case and point is declared here once.

A grader module (``graders/<module>.py``) creates one :class:`Module` and registers cases on it:

    M = Module("tuning", total=6, source="Homework 1 P2")

    @M.case("random_search_trials", "worked", points=1)
    def random_search_trials_worked(f, rng):
        checks.expect_int(f(0.05, 0.95), 59)

``f`` calls the student's ``tuning.random_search_trials`` in the sandbox and returns plain data;
``rng`` is a ``numpy.random.Generator`` seeded from the grading seed and the case's id. A case
earns its points when its function returns, and none when it raises. Name the function after
its case (``<function>_<label>``), so a traceback or a profile says which case it was.

Calls whose arguments are drawn before any reply is read go in one round trip with
``f.each``: a tuple of positional arguments per call, or an :class:`Args` where keywords come
too; it yields each call's value in turn, and raises a failed call's error in its place:

    sizes = [(int(rng.integers(1, 9)), 3) for _ in range(4)]
    for (n, k), got in zip(sizes, f.each(sizes)):
        checks.expect_int(got, n - k + 1)
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Callable, Iterable

from .tolerance import Tolerance, default_for

# The assignment (shared/ASSIGNMENT.md): its modules in its order. Its total is the catalog's sum.
ASSIGNMENT_ORDER = (
    "activations", "backprop", "jacobians", "conv", "optim", "dead_units", "xor",
    "deep_linear", "regularization", "gradient_flow", "tuning", "concepts",
)


class Args:
    """One call's arguments for ``f.each``: ``Args(x, W, stride=2)``."""

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


def in_assignment_order(names: Iterable[str]) -> list[str]:
    """Module names in the assignment's order (the report's and the notebook's); names the
    assignment does not list come last, alphabetically."""
    rank = {name: i for i, name in enumerate(ASSIGNMENT_ORDER)}
    return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))


@dataclass(frozen=True)
class Case:
    """One graded case: a label of one item, its points and the function that checks it."""

    module: str
    function: str
    label: str
    points: float
    check: Callable
    hidden: bool = False
    timeout: float | None = None
    tolerance: tuple[Tolerance, ...] = ()      # declared: the comparisons use these, no other

    @property
    def tolerances(self) -> tuple[Tolerance, ...]:
        """What this case's numbers are compared at: its declaration, else its label's default
        (``autograder.tolerance``); the contract shows a declared one beside the case."""
        return self.tolerance or (default_for(self.label),)

    @property
    def item(self) -> str:
        """``"<module>.<function>"``, as in ``extra_data.item``."""
        return f"{self.module}.{self.function}"

    @property
    def id(self) -> str:
        return f"{self.item}[{self.label}]"

    def rng(self, seed: int) -> "numpy.random.Generator":
        """A generator that depends on the seed and this case only, not on the other cases."""
        import numpy as np        # not at import: the command line reads the catalog before numpy
        return np.random.default_rng([int(seed), zlib.crc32(self.id.encode())])


@dataclass
class Module:
    """A module of the assignment: its cases, its declared total and its hand-graded questions."""

    name: str
    total: float
    source: str = ""
    manual: tuple[str, ...] = ()
    cases: list[Case] = field(default_factory=list)

    def case(self, function: str, label: str, points: float, *, hidden: bool = False,
             timeout: float | None = None, tolerance: Tolerance | tuple[Tolerance, ...] = ()):
        """Decorator registering ``check(f, rng)`` as case ``label`` of item ``function``.
        ``tolerance``: what the case compares numbers at, when not the contract's default
        for its label (one ``Tolerance``, or several when its checks differ)."""
        declared = (tolerance,) if isinstance(tolerance, Tolerance) else tuple(tolerance)

        def register(check: Callable) -> Callable:
            new = Case(self.name, function, label, points, check, hidden, timeout, declared)
            if any(c.id == new.id for c in self.cases):
                raise ValueError(f"case {new.id} declared twice")
            self.cases.append(new)
            return check
        return register

    @property
    def items(self) -> list[str]:
        """Function names in declaration order, each once."""
        return list(dict.fromkeys(c.function for c in self.cases))

    @property
    def declared_points(self) -> float:
        return sum(c.points for c in self.cases)
