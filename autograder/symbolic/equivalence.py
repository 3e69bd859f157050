"""``expect_equivalent``: a symbolic answer against the reference's expression, matrix or set.

Scalars: numeric agreement at random test points (``points``), then bounded simplification of
the difference (``simplify``): an exact nonzero constant rejects the answer; 0, or no verdict
in time, lets the numbers stand. Matrices: entry by entry. Sets: ``sets``. The feedback names
a point where the answer and the expected value differ and shows the answer as read, never the
expected expression.

The whole judgement (parsing, building, comparing) runs in the bounded helper
(``autograder.bounded``), within ``JUDGE_BUDGET`` seconds: sympy evaluates unions, complements
and Max while it builds them, and nothing of what it builds from a student's text ever exists
in the grading process, which gets back only the verdict.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import sympy

from .. import bounded
from ..checks import Mismatch, Mistakes, fail, note
from .allowed import kind
from .convert import answer_text, described, symbol_map, to_sympy
from .points import SYMBOLIC, agree, difference
from .sets import expect_set
from .simplify import verdict

JUDGE_BUDGET = 10.0        # seconds to read, build and compare one answer, simplification included


def expect_equivalent(got: Any, expected: Any, symbols, functions: Iterable[str] = (),
                      shape=None, name: str = "result", *, rng: np.random.Generator,
                      mistakes: Mistakes | None = None) -> None:
    """Raises Mismatch unless ``got`` denotes the same expression, matrix or set as ``expected``.

    ``rng``: the case's generator; one number drawn from it keys every test point, so the
    points follow the grading seed and the case. ``mistakes``: ``{name: wrong expression,
    matrix or set}``, named as ``autograder.checks`` says. The package docstring has the rest.
    """
    seed = int(rng.integers(2**63))          # one draw, whatever the answer
    note(SYMBOLIC)                           # here: the judgement runs in the bounded helper
    try:
        bounded.run(_judge, got, expected, symbols, tuple(functions), shape, name, seed, mistakes,
                    budget=JUDGE_BUDGET)
    except TimeoutError:
        raise Mismatch(f"{name}: reading and comparing your answer ({described(got)}) took more than "
                       f"{JUDGE_BUDGET:g} s, so it was not accepted; give it in a simpler form") from None
    except MemoryError:
        raise Mismatch(f"{name}: reading and comparing your answer ({described(got)}) needed more "
                       f"than the {bounded.MEMORY >> 20} MB of memory the grader gives it, so it was "
                       "not accepted; give it in a simpler form") from None


def _judge(got, expected, symbols, functions: tuple, shape, name: str, seed: int, mistakes) -> None:
    """``expect_equivalent``'s verdict, in the helper: None, or Mismatch raised."""
    syms = symbol_map(symbols)
    ordered = [syms[k] for k in sorted(syms)]
    if isinstance(expected, sympy.Set):
        value = to_sympy(got, syms, functions, matrices=False, sets=True, name=name)
        expect_set(value, expected, name, mistakes)
    elif isinstance(expected, sympy.MatrixBase):
        value = to_sympy(got, syms, functions, matrices=True, sets=False, name=name)
        _expect_matrix(value, got, sympy.Matrix(expected), ordered, shape, name, seed, mistakes)
    else:
        value = to_sympy(got, syms, functions, matrices=False, sets=False, name=name)
        if isinstance(value, sympy.MatrixBase) and value.shape == (1, 1):
            value = value[0, 0]
        reason = _compare(value, _scalar(expected), ordered, (seed, 0))
        if reason:
            fail(f"{name}: {reason}", value, mistakes, values=f"your answer is {answer_text(value)}",
                 same=lambda v, wrong: agree(v, _scalar(wrong), ordered, (seed, 0)))


def _scalar(expected) -> sympy.Expr:
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return sympy.Integer(expected) if isinstance(expected, int) else sympy.Float(expected)
    if not isinstance(expected, sympy.Expr):
        raise TypeError(f"expect_equivalent: expected must be a sympy Expr, Matrix or Set, "
                        f"not {type(expected).__name__}")
    return expected


def _compare(got: sympy.Expr, expected: sympy.Expr, syms: list, key: tuple) -> str | None:
    """None when equivalent, else the reason."""
    extra = got.free_symbols - set(syms)
    if extra:
        return f"uses unknown symbol(s) {sorted(map(str, extra))}"
    message = difference(got, expected, syms, key)
    if message:
        return message
    outcome, value = verdict(expected - got)
    if outcome == "nonzero":
        return f"differs from the expected expression by the constant {value}"
    return None


def _expect_matrix(value, got, expected: sympy.Matrix, syms, shape, name, seed, mistakes):
    if isinstance(value, sympy.Expr):
        value = sympy.Matrix([[value]])
    if not isinstance(value, sympy.MatrixBase):
        raise Mismatch(f"{name}: expected a matrix, got {kind(value)}")

    def same(v, wrong) -> bool:
        wrong = sympy.Matrix(wrong)
        return (v.shape == wrong.shape or (shape == "vector" and 1 in v.shape and 1 in wrong.shape)) \
            and len(v) == len(wrong) and all(agree(g, w, syms, (seed, i))
                                             for i, (g, w) in enumerate(zip(v, wrong)))

    flat_list = isinstance(got, (list, tuple)) and not any(isinstance(v, (list, tuple)) for v in got)
    eshape, gshape = tuple(expected.shape), tuple(value.shape)
    if shape == "vector":
        if 1 not in eshape:
            raise ValueError("shape='vector' needs an expected row or column vector")
        n = expected.rows * expected.cols
        if 1 not in gshape or value.rows * value.cols != n:
            fail(f"{name}: expected a vector of {n} entries (a row, a column or a list), "
                 f"got a {gshape[0]}×{gshape[1]} matrix", value, mistakes, same=same)
        flat = True
    else:
        want = eshape if shape is None else tuple(shape)
        if flat_list and 1 in want and len(got) == want[0] * want[1]:
            value = value.reshape(*want)
            gshape = want
        if gshape != want:
            fail(f"{name}: expected a {want[0]}×{want[1]} matrix, got {gshape[0]}×{gshape[1]}",
                 value, mistakes, same=same, hint="did you transpose?" if gshape == want[::-1] else "")
        flat = 1 in want
    for i, (g, e) in enumerate(zip(value, expected)):
        reason = _compare(g, e, syms, (seed, i))
        if reason:
            index = f"[{i}]" if flat else f"[{i // eshape[1]}, {i % eshape[1]}]"
            fail(f"{name}: entry {index}: {reason}", value, mistakes, same=same,
                 values=f"your entry is {answer_text(g)}")
