"""Where two expressions are compared: random, not-nice test points in the symbols' domains,
drawn from a stream the caller keys by the grading seed and the case (so ``--seed`` moves them),
and numeric agreement there within a relative 1e-9 (plus 1e-12 absolute)."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import sympy

from ..checks import note
from ..tolerance import Tolerance
from .evaluate import CTX, Undefined, evaluate, fmt

N_POINTS = 8
MAX_TRIES = 60             # points where the expected value is undefined are redrawn, this often
RTOL, ATOL = 1e-9, 1e-12
SYMBOLIC = Tolerance(RTOL, ATOL, "the expression's value at each test point")


def draw(sym: sympy.Symbol, gen: np.random.Generator) -> float:
    """A not-nice value in the symbol's domain (its assumptions: positive, integer, ...), rounded
    to 4 significant digits so the feedback shows the exact point."""
    if sym.is_integer:
        lo = 1 if (sym.is_positive or sym.is_nonnegative) else -6
        hi = -1 if sym.is_negative else 9
        v = 0
        while v == 0:
            v = int(gen.integers(lo, hi + 1))
        return float(v)
    mag = math.exp(gen.uniform(math.log(0.15), math.log(2.9)))
    if sym.is_positive or sym.is_nonnegative:
        sgn = 1.0
    elif sym.is_negative or sym.is_nonpositive:
        sgn = -1.0
    else:
        sgn = float(gen.choice((-1.0, 1.0)))
    return float(f"{sgn * mag:.4g}")


def difference(got, expected, syms: list[sympy.Symbol], key: Sequence[int]) -> str | None:
    """None if ``got`` and ``expected`` agree at N_POINTS points of the stream ``key``;
    otherwise a message naming the first point where they differ. ValueError when
    ``expected`` is undefined at every point tried."""
    note(SYMBOLIC)
    gen = np.random.default_rng(list(key))
    checked = tries = 0
    while checked < (N_POINTS if syms else 1) and tries < MAX_TRIES:
        tries += 1
        point = {s: draw(s, gen) for s in syms}
        at = {s: CTX.mpf(v) for s, v in point.items()}
        try:
            e = evaluate(expected, at)
        except Undefined:
            continue
        where = ", ".join(f"{s} = {point[s]:g}" for s in syms)
        where = f"at {where}: " if where else ""
        try:
            g = evaluate(got, at)
        except Undefined:
            return f"{where}expected {fmt(e)}, got a value that is undefined or overflows"
        except ValueError as exc:
            return f"cannot evaluate the answer: {exc}"
        if abs(g - e) > RTOL * abs(e) + ATOL:
            return f"{where}expected {fmt(e, g)}, got {fmt(g, e)}"
        checked += 1
    if checked == 0:
        raise ValueError(f"the expected value {expected} is undefined at every test point")
    return None


def agree(got, other, syms: list[sympy.Symbol], key: Sequence[int]) -> bool:
    """Whether ``got`` uses only ``syms`` and agrees with ``other`` at the points of ``key``."""
    if got.free_symbols - set(syms):
        return False
    try:
        return difference(got, other, syms, key) is None
    except ValueError:
        return False
