"""What the student returned, as a sympy object: text (``SympyText`` or a plain string) goes
through the allow-list parser; numbers, nested lists (a matrix) and frozensets (a FiniteSet)
are converted here."""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import sympy

from ..checks import Mismatch, kind_name, show
from .allowed import MAX_ENTRIES, MAX_INT_DIGITS, MAX_SET_PARTS, Reject
from .construct import matrix_from_nested
from .parser import parse


def symbol_map(symbols) -> dict[str, sympy.Symbol]:
    """``{name: Symbol}`` from a dict, one Symbol or a list of Symbols."""
    if isinstance(symbols, Mapping):
        return {str(k): v for k, v in symbols.items()}
    if isinstance(symbols, sympy.Symbol):
        return {symbols.name: symbols}
    return {s.name: s for s in symbols}


def to_sympy(got, symbols, functions, *, matrices: bool, sets: bool, name: str):
    """``got`` (text, number, list, frozenset) as a sympy object."""
    if isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype.kind in "iuf":
        got = got.item()                  # a 0-d array or tensor: its number
    if isinstance(got, bool) or got is None:
        raise Mismatch(f"{name}: expected a sympy expression or a string, got {show(got)}")
    if isinstance(got, str):
        return parse(got, symbols, functions, matrices=matrices, sets=sets)
    if isinstance(got, (int, np.integer)):
        if len(str(abs(int(got)))) > MAX_INT_DIGITS:
            raise Mismatch(f"{name}: an integer with more than {MAX_INT_DIGITS} digits")
        return sympy.Integer(int(got))
    if isinstance(got, (float, np.floating)):
        if not math.isfinite(float(got)):
            raise Mismatch(f"{name}: expected a finite value, got {show(got)}")
        return sympy.Float(float(got))
    if isinstance(got, np.ndarray) and got.dtype.kind in "iuf":
        if got.size > MAX_ENTRIES:
            raise Mismatch(f"{name}: an array of {got.size} entries; at most {MAX_ENTRIES} are read")
        got = got.tolist()
    if isinstance(got, (list, tuple)) and matrices:
        count = sum(len(v) if isinstance(v, (list, tuple)) else 1 for v in got)
        if count > MAX_ENTRIES:
            raise Mismatch(f"{name}: a list of {count} entries; at most {MAX_ENTRIES} are read")

        def conv(v, depth=0):
            if isinstance(v, (list, tuple)):
                if depth > 1:
                    raise Mismatch(f"{name}: a matrix is nested at most two lists deep")
                return [conv(x, depth + 1) for x in v]
            out = to_sympy(v, symbols, functions, matrices=False, sets=False, name=name)
            if not isinstance(out, sympy.Expr):
                raise Mismatch(f"{name}: a matrix entry must be an expression, got {show(v)}")
            return out
        try:
            return matrix_from_nested(conv(got))
        except Reject as exc:
            raise Mismatch(f"{name}: {exc}") from None
    if isinstance(got, (set, frozenset)) and sets:
        if len(got) > MAX_SET_PARTS:
            raise Mismatch(f"{name}: a set of {len(got)} elements; at most {MAX_SET_PARTS} are read "
                           "(write an interval as Interval(a, b))")
        return sympy.FiniteSet(*[to_sympy(v, symbols, functions, matrices=False, sets=False,
                                           name=name) for v in got])
    what = "a matrix (Matrix or list)" if matrices else "a set" if sets else "an expression"
    raise Mismatch(f"{name}: expected {what} in sympy, got {kind_name(got)} {show(got)}")


def answer_text(value) -> str:
    """The answer as read, shortened for feedback."""
    return show(str(value), 120)


def described(got) -> str:
    """What the student returned, in a few words, for a refusal: "4,612 characters: 'Co...'"."""
    if isinstance(got, str):
        return f"{len(got):,} characters: {show(str.__str__(got), 60)}"
    if isinstance(got, (list, tuple)):
        return f"a list of {len(got):,} entries"
    if isinstance(got, (set, frozenset)):
        return f"a set of {len(got):,} elements"
    return f"{kind_name(got)} {show(got, 60)}"
