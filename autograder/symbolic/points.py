"""Where two expressions are compared: random, not-nice test points in the symbols' domains,
drawn from a stream the caller keys by the grading seed and the case (so ``--seed`` moves them),
and numeric agreement there within a relative 1e-9 (plus 1e-12 absolute)."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import sympy

from ..tolerance import Tolerance
from .evaluate import CTX, Undefined, evaluate, fmt

N_POINTS = 8
SECRET_POINTS = 4          # more, drawn afresh at full precision: no answer can be fitted to them
MAX_TRIES = 60             # points where the expected value is undefined are redrawn, this often
RTOL, ATOL = 1e-9, 1e-12
SYMBOLIC = Tolerance(RTOL, ATOL, "the expression's value at each test point")


def draw(sym: sympy.Symbol, gen: np.random.Generator, rounded: bool = True) -> float:
    """A not-nice value in the symbol's domain (its assumptions: positive, integer, ...),
    ``rounded`` to 4 significant digits so the feedback shows the exact point."""
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
    return float(f"{sgn * mag:.4g}") if rounded else sgn * mag


def difference(got, expected, syms: list[sympy.Symbol], key: Sequence[int]) -> str | None:
    """None if ``got`` and ``expected`` agree at N_POINTS points of the stream ``key`` and at
    SECRET_POINTS drawn afresh; otherwise a message naming the first point where they differ.
    ValueError when ``expected`` is undefined at every point tried.

    The keyed points are rounded (the feedback shows them exactly) and follow the seed, so an
    answer can be made to agree there and nowhere else (``cos(20000*pi*z)`` is 1 wherever
    ``10000*z`` is an integer); the secret ones are neither. An equivalent answer agrees
    everywhere, so they change no verdict on it."""
    message = _differs(got, expected, syms, np.random.default_rng(list(key)), N_POINTS if syms else 1, True)
    if message is None and syms:
        message = _differs(got, expected, syms, np.random.default_rng(), SECRET_POINTS, False)
    return message


def _differs(got, expected, syms, gen, wanted: int, rounded: bool) -> str | None:
    checked = tries = 0
    while checked < wanted and tries < MAX_TRIES:
        tries += 1
        point = {s: draw(s, gen, rounded) for s in syms}
        at = {s: CTX.mpf(v) for s, v in point.items()}
        try:
            e = evaluate(expected, at)
        except Undefined:
            continue
        where = ", ".join(f"{s} = {point[s]:g}" if rounded else f"{s} = {point[s]!r}" for s in syms)
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
    if checked == 0 and rounded:
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
