"""Reading an answer's text: ``ast.parse`` (mode ``eval``), then an allow-list walk that builds
the sympy object itself. Nothing the student wrote is ever passed to ``eval``, ``exec`` or
``sympify``.

Allowed: names of the item's symbols, numbers (int and float literals; no complex, no huge
literals), ``+ - * / **``, unary minus and plus, parentheses, calls of allowed function names
with positional arguments. ``Matrix([...])`` and list literals when the answer is a matrix;
``Interval``, ``Interval.open/.Ropen/.Lopen``, ``Union``, ``Intersection``, ``Complement``,
``FiniteSet``, set literals ``{1, 2}``, ``EmptySet``, ``Reals``, ``True``/``False`` (as
Interval's openness flags) and ``ConditionSet(b, condition, Reals)`` when it is a set.
``Piecewise`` (its conditions: comparisons, ``Eq``, ``Ne``, ``And``, ``Or``, ``Not``, ``&``,
``|``, ``~``), ``Sum`` over a new index name and ``Poly(expr, x, domain='QQ')`` (as its
expression), in any expression (``forms``). Everything else (attributes, subscripts, lambdas,
comprehensions, keywords, comparisons, strings, dunder or other unknown names) is rejected
with a message saying what is not allowed. :func:`plain_number` reads a plain number's text
exactly, without sympy (the checks' sympy numbers). Answers over 5000 characters, nesting deeper than
100, integer literals over 60 digits, constant exponents over 256 in magnitude (``9**9**9``),
calls of more than 32 arguments, more than 16 intervals and set elements, and more than 32
arguments of Max and Min are refused (``allowed`` holds the limits). Parsing happens in the
bounded helper (``equivalence``), so whatever sympy does while building stays within its budget.
"""

from __future__ import annotations

import ast
import math
import re
from fractions import Fraction
from typing import Iterable, Mapping

import sympy

from ..mismatch import Mismatch, show
from .allowed import (ALWAYS, CODE_CALLS, CONSTANTS, FUNCTIONS, MATRIX_CALLS, MAX_CHARS, MAX_DEPTH,
                      MAX_INT_DIGITS, MAX_NUMBER_CHARS, OPERATORS, SET_ANSWER, SET_CALLS, SET_NAMES,
                      Reject, check_counts, describe)
from .construct import apply, check_exponents, expression, matrix_from_nested, safe_pow, set_from_call
from . import forms

_ARITHMETIC = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
               ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b, ast.Pow: safe_pow}


_PLAIN_NUMBER = re.compile(r"\s*[-+]?\d+(?:(/\d+)|(\.\d*)?([eE][-+]?\d+)?)\s*")   # p/q, or a decimal


def plain_number(text: str) -> int | Fraction | float | None:
    """The exact value of a plain number's text, as sympy writes an ``Integer`` (``-12``), a
    ``Rational`` (``-2836/3583``) or a ``Float`` (``2.50000000000000e-5``), however many digits
    it has up to MAX_NUMBER_CHARS characters (the sympy product of a few float64 values is an
    exact Rational of hundreds); read by Python's ``int``, ``Fraction`` and ``float``, never by
    sympy. None for other text (``1/0`` too); Mismatch for a number longer than is read."""
    match = _PLAIN_NUMBER.fullmatch(text)
    if match is None:
        return None
    body = text.strip()
    if len(body) > MAX_NUMBER_CHARS:
        raise Mismatch(f"a number of {len(body):,} characters; at most {MAX_NUMBER_CHARS:,} are read")
    fraction, decimal, exponent = match.groups()
    if fraction:
        numerator, denominator = body.split("/")
        return Fraction(int(numerator), int(denominator)) if int(denominator) else None
    return float(body) if decimal or exponent else int(body)


def parse(text: str, symbols: Mapping[str, sympy.Symbol], functions: Iterable[str] = (),
          *, matrices: bool = False, sets: bool = False):
    """The sympy object that ``text`` denotes, built by the allow-list walk; raises Mismatch."""
    if not isinstance(text, str):
        raise Mismatch(f"expected text, got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise Mismatch(f"the answer is {len(text)} characters long; at most {MAX_CHARS} are read")
    if "\x00" in text:
        raise Mismatch("the answer contains a NUL character")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise Mismatch(f"cannot read {show(text, 80)} as an expression: {exc.msg} "
                       "(write products with *, powers with **)") from None
    except (ValueError, RecursionError, MemoryError):
        raise Mismatch(f"cannot read {show(text, 80)}: too deeply nested") from None
    builder = Builder(symbols, functions, matrices, sets)
    try:
        check_counts(tree, sets)
        value = builder.build(tree.body)
        if isinstance(value, list):
            value = matrix_from_nested(value)
        check_exponents(value)
    except Reject as exc:
        raise Mismatch(f"cannot accept {show(text, 80)}: {exc}") from None
    except RecursionError:
        raise Mismatch(f"cannot read {show(text, 80)}: too deeply nested") from None
    except (TypeError, ValueError, ArithmeticError, AttributeError) as exc:
        raise Mismatch(f"cannot read {show(text, 80)}: {type(exc).__name__}: {exc}") from None
    return value


class Builder:
    """Builds a sympy object from an allow-listed ``ast`` tree: one method per allowed node."""

    def __init__(self, symbols: Mapping[str, sympy.Symbol], functions: Iterable[str],
                 matrices: bool, sets: bool):
        self.symbols = dict(symbols)
        unknown = [f for f in functions if f not in FUNCTIONS]
        if unknown:
            raise ValueError(f"unknown function name(s) {unknown} in functions=")
        self.functions = set(functions) | set(ALWAYS)
        self.matrices, self.sets = matrices, sets

    def with_symbol(self, name: str, symbol: sympy.Symbol) -> "Builder":
        """A builder that also knows ``name`` (a summation index, inside its Sum)."""
        inner = object.__new__(Builder)
        inner.__dict__.update(self.__dict__, symbols={**self.symbols, name: symbol})
        return inner

    def build(self, node: ast.AST, depth: int = 0):
        if depth > MAX_DEPTH:
            raise Reject(f"nested more than {MAX_DEPTH} levels deep")
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise Reject(describe(node) + " is not allowed")
        return method(node, depth + 1)

    def _allowed(self) -> str:
        """What the answer may be built of, for a refusal."""
        functions = ", ".join(sorted(self.functions - {"Rational"}))
        if self.sets:
            return (f"a set answer is written with {SET_ANSWER.replace('`', '')}, over numbers, pi, E, oo "
                    f"and {functions}")
        return f"allowed: {functions}"

    def _scalar(self, node: ast.AST, depth: int, what: str = "an operand") -> sympy.Expr:
        return expression(self.build(node, depth), what)

    # leaves
    def _Constant(self, node, depth):
        v = node.value
        if isinstance(v, bool):
            if self.sets:
                return sympy.true if v else sympy.false
            raise Reject(f"the constant {v} is not allowed here")
        if isinstance(v, int):
            if len(str(abs(v))) > MAX_INT_DIGITS:
                raise Reject(f"an integer with more than {MAX_INT_DIGITS} digits")
            return sympy.Integer(v)
        if isinstance(v, float):
            if not math.isfinite(v):
                raise Reject(f"the number {v!r} is not finite")
            return sympy.Float(v)
        if isinstance(v, complex):
            raise Reject("complex numbers are not allowed")
        raise Reject(f"{type(v).__name__} constants ({show(v, 40)}) are not allowed")

    def _Name(self, node, depth):
        n = node.id
        if n in self.symbols:
            return self.symbols[n]
        if n in CONSTANTS:
            return CONSTANTS[n]
        if self.sets and n in SET_NAMES:
            return SET_NAMES[n]
        if n.startswith("_"):
            raise Reject(f"the name {n!r} is not allowed (names starting with _ never are)")
        if n in FUNCTIONS:
            raise Reject(f"{n} is a function: call it, as in {n}(...)")
        hint = "; write exp(...) for e to a power, or E for the number e" if n == "e" else ""
        names = ", ".join(sorted(self.symbols) + sorted(self.functions - {"Rational"}))
        raise Reject(f"unknown name {n!r}; the answer may use {names}{hint}")

    # operators
    def _BinOp(self, node, depth):
        op = type(node.op)
        if op is ast.BitXor:
            raise Reject("^ is not a power in Python: write ** (z**2, not z^2)")
        if op not in _ARITHMETIC:
            raise Reject(f"the operator {OPERATORS.get(op, op.__name__)} is not allowed "
                         "(only + - * / **)")
        return _ARITHMETIC[op](self._scalar(node.left, depth), self._scalar(node.right, depth))

    def _UnaryOp(self, node, depth):
        if isinstance(node.op, ast.USub):
            return -self._scalar(node.operand, depth)
        if isinstance(node.op, ast.UAdd):
            return self._scalar(node.operand, depth)
        op = type(node.op)
        raise Reject(f"the operator {OPERATORS.get(op, op.__name__)} is not allowed")

    # containers
    def _List(self, node, depth):
        if not self.matrices:
            what = "a tuple (a, b)" if isinstance(node, ast.Tuple) else "a list [a, b]"
            raise Reject(f"{what} is not allowed here (the answer is a single expression)")
        return [self.build(e, depth) for e in node.elts]

    _Tuple = _List

    def _Set(self, node, depth):
        if not self.sets:
            raise Reject("a set literal {...} is not allowed here")
        return sympy.FiniteSet(*[self._scalar(e, depth, "a set element") for e in node.elts])

    # calls
    def _Call(self, node, depth):
        func = node.func
        if isinstance(func, ast.Name) and func.id in forms.POLYNOMIALS:
            return forms.polynomial(self, node, depth)
        if node.keywords:
            callee = func.id if isinstance(func, ast.Name) else describe(func)
            raise Reject(f"{callee}(..., {node.keywords[0].arg or '**'}=...): keyword arguments are not allowed")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise Reject("*arguments are not allowed")
        if isinstance(func, ast.Attribute):
            if (self.sets and isinstance(func.value, ast.Name) and func.value.id == "Interval"
                    and func.attr in ("open", "Ropen", "Lopen")):
                ends = [self._scalar(a, depth, "an endpoint") for a in node.args]
                return apply(getattr(sympy.Interval, func.attr), ends, f"Interval.{func.attr}")
            raise Reject(describe(func) + " is not allowed")
        if not isinstance(func, ast.Name):
            what = "a call" if isinstance(func, ast.Call) else describe(func)
            raise Reject(f"calling the result of {what} is not allowed")
        n = func.id
        if n.startswith("_"):
            raise Reject(f"the name {n!r} is not allowed (names starting with _ never are)")
        if n in self.symbols:
            raise Reject(f"{n} is a symbol, not a function: write {n}*(...) to multiply")
        if n == "Piecewise":
            return forms.piecewise(self, node, depth)
        if n == "Sum":
            return forms.summation(self, node, depth)
        if n == "ConditionSet" and self.sets:
            return forms.condition_set(self, node, depth)
        if not (n in self.functions or (self.matrices and n in MATRIX_CALLS)
                or (self.sets and n in SET_CALLS)):
            raise Reject(self._not_allowed(n))           # before its arguments: what was refused
        args = [self.build(a, depth) for a in node.args]
        if self.matrices and n in MATRIX_CALLS:
            if len(args) != 1 or not isinstance(args[0], list):
                raise Reject("write a matrix as Matrix([[a, b], [c, d]]) or Matrix([a, b])")
            return matrix_from_nested(args[0])
        if self.sets and n in SET_CALLS:
            return set_from_call(n, args)
        if n == "Rational" and n in self.functions:
            if len(args) not in (1, 2) or not all(isinstance(a, sympy.Integer) for a in args):
                raise Reject("Rational takes integer literals, as in Rational(1, 2)")
            return sympy.Rational(*args)
        if n in self.functions:
            return apply(FUNCTIONS[n], [expression(a, "an argument") for a in args], n)
        raise Reject(self._not_allowed(n))

    def _not_allowed(self, n: str) -> str:
        if n in MATRIX_CALLS or n in SET_CALLS:
            answer = "a set" if self.sets else "a matrix" if self.matrices else "a single expression"
            return f"{n}(...) is not allowed here: the answer is {answer}"
        if n in CODE_CALLS:
            return f"calling {n} is not allowed"
        if n in FUNCTIONS:
            return f"the function {n} is not allowed in this answer; {self._allowed()}"
        extra = " (call .doit() on it before returning)" if n in ("Derivative", "Integral") else ""
        if n in forms.NAMES:
            return f"{n}(...) is allowed only inside a condition of Piecewise"
        return f"the function {n} is not allowed{extra}; {self._allowed()}"

