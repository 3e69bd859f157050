"""Bounded simplification: sympy's ``expand``, ``cancel`` and ``simplify`` (and set differences)
run in a helper process with a time budget, killed when it overruns (``autograder.bounded``), so
an answer built to make sympy work for minutes costs ``TIME_BUDGET`` seconds and no more."""

from __future__ import annotations

import sympy

from .. import bounded
from .construct import max_exponent

TIME_BUDGET = 2.0          # seconds of symbolic simplification per comparison
MAX_EXPONENT = 32          # larger constant powers, or more operations, skip simplification
MAX_OPS = 400


def verdict(diff: sympy.Expr, budget: float = TIME_BUDGET):
    """What simplifying ``diff`` within ``budget`` seconds shows: ("zero", None), ("nonzero",
    value) for an exact nonzero constant, or ("unknown", None)."""
    if max_exponent(diff) > MAX_EXPONENT or sympy.count_ops(diff) > MAX_OPS:
        return ("unknown", None)          # expanding could take minutes: numbers decide
    try:
        return bounded.run(_verdict, diff, budget=budget)
    except Exception:  # noqa: BLE001 - simplification is best effort; the numbers decide
        return ("unknown", None)


def _verdict(diff: sympy.Expr):
    d = diff
    for step in (lambda x: x, sympy.expand, lambda x: sympy.cancel(sympy.together(x)),
                 sympy.simplify):
        d = step(d)
        if d == 0:
            return ("zero", None)
        if not d.free_symbols:
            break
    if not d.free_symbols and not d.has(sympy.Float):
        val = complex(d.evalf(30))
        return ("nonzero", d) if abs(val) > 0 else ("zero", None)
    return ("unknown", None)


def set_differences(a: sympy.Set, b: sympy.Set) -> tuple[sympy.Set, sympy.Set]:
    """(a minus b, b minus a) within TIME_BUDGET seconds; TimeoutError or sympy's error if not."""
    return bounded.run(_set_differences, a, b, budget=TIME_BUDGET)


def _set_differences(a: sympy.Set, b: sympy.Set) -> tuple:
    return sympy.Complement(a, b), sympy.Complement(b, a)
