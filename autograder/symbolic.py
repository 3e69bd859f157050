"""Judging symbolic answers (the ``*_expr`` items) by mathematical equivalence, never by text.

Use from a grader::

    from autograder import symbolic
    import reference.activations as ref

    @M.case("sigmoid_grad_expr", "equivalence", points=2)
    def _(f, rng):
        symbolic.expect_equivalent(f(), ref.sigmoid_grad_expr(), {"z": ref.z},
                                   functions=("exp", "tanh", "cosh", "sinh"))

``expect_equivalent(got, expected, symbols, functions=(), shape=None, name="result")``

- ``got``: what the student's function returned: an ``autograder.codec.SympyText`` (the text
  ``str(obj)`` of a sympy object, which is how sympy objects cross the sandbox), a plain string in
  sympy syntax (``"w1*w2**2/2"``), a Python number, or a list/tuple of those (nested for a matrix);
  a frozenset of numbers is read as a ``FiniteSet``.
- ``expected``: the reference's sympy object: an expression, a ``Matrix`` or a ``Set``. Its type
  decides how ``got`` is judged.
- ``symbols``: a dict name -> sympy Symbol (or a list of Symbols): the symbols the template
  module defines. Only these names may appear in the answer. Numeric test points respect the
  symbols' assumptions (``positive=True`` draws positive values, ``integer=True`` integers).
- ``functions``: names of the functions the answer may call, e.g. ``("exp", "log")``; ``sqrt``
  and ``Rational`` are always allowed, and so are the constants ``pi``, ``E`` and ``oo``.
  Known names: exp, log, ln, sqrt, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh,
  acosh, atanh, sech, csch, coth, sec, csc, cot, Abs, abs, sign, Heaviside, Max, Min, Rational.
- ``shape``: for a ``Matrix`` answer. ``None`` (default) requires the expected shape (a nested
  list of that shape is accepted as well as ``Matrix(...)``); ``"vector"`` accepts a row
  ``(1, n)``, a column ``(n, 1)`` or a flat list of ``n`` entries for an expected row or column
  vector; a tuple requires exactly that shape. Matrices are compared entry by entry.
- ``name``: how feedback refers to the value.

Raises ``checks.Mismatch`` with feedback that names the first differing entry and a point where
the two differ ("entry [0, 1]: at w1 = 0.3713, w2 = -1.208: expected 0.5418, got 0.2709"), or why
the text could not be read; it also shows the expected expression and the answer as read.
Returns None when the answer is equivalent.

How strings are read. ``ast.parse`` (mode ``eval``), then an allow-list walk that builds the sympy
object itself: names of the item's symbols, numbers (int and float literals; no complex, no huge
literals), ``+ - * / **``, unary minus and plus, parentheses, calls of allowed function names
with positional arguments. ``Matrix([...])`` and list literals are allowed when ``expected`` is a
Matrix; ``Interval``, ``Interval.open/.Ropen/.Lopen``, ``Union``, ``Intersection``,
``Complement``, ``FiniteSet``, set literals ``{1, 2}``, ``EmptySet``, ``Reals`` and ``True``/``False``
(as Interval's openness flags) when it is a Set. Everything else (attributes, subscripts, lambdas,
comprehensions, keywords, comparisons, strings, dunder or other unknown names) is rejected with
a message saying what is not allowed. Nothing the student wrote is ever passed to ``eval``,
``exec`` or ``sympify``. Answers over 5000 characters, nesting deeper than 100, integer
literals over 60 digits and constant exponents over 256 in magnitude (``9**9**9``) are refused.

How equivalence is decided. Scalars: the two are evaluated (with mpmath, 30 digits, by a small
evaluator that refuses overflowing ``exp``/powers rather than computing them) at 8 random,
not-nice points of the symbols' domain (rounded to 4 significant digits so the feedback shows the
exact point); they must agree at every point within a relative 1e-9 (plus 1e-12 absolute).
Points where the expected value is undefined are redrawn. Then ``expand``, ``cancel`` and
``simplify`` of the difference run in a helper process with a time budget (``TIME_BUDGET``
seconds; one that overruns is killed, see ``autograder.bounded``); if the difference
resolves to an exact nonzero constant the answer is rejected, if it resolves to 0 or does not
resolve in time, the numeric verdict stands. Sets: equal when the symmetric difference is
empty; otherwise the feedback names a point that is in one set and not the other.
"""

from __future__ import annotations

import ast
import math
import random
from typing import Any, Iterable, Mapping

import mpmath
import numpy as np
import sympy

from . import bounded
from .checks import Mismatch, show

MAX_CHARS = 5000
MAX_DEPTH = 100
MAX_INT_DIGITS = 60
MAX_EXPONENT = 256
MAX_EXP_ARG = 1e4          # exp / power results beyond e**1e4 count as overflow when evaluating
N_POINTS = 8
RTOL, ATOL = 1e-9, 1e-12
TIME_BUDGET = 2.0          # seconds of symbolic simplification per comparison
SYMBOLIC_MAX_EXPONENT = 32  # larger constant powers, or more operations, skip simplification
SYMBOLIC_MAX_OPS = 400

FUNCTIONS: dict[str, Any] = {
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log, "sqrt": sympy.sqrt,
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "sec": sympy.sec, "csc": sympy.csc,
    "cot": sympy.cot, "asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh, "sech": sympy.sech,
    "csch": sympy.csch, "coth": sympy.coth, "asinh": sympy.asinh, "acosh": sympy.acosh,
    "atanh": sympy.atanh, "Abs": sympy.Abs, "abs": sympy.Abs, "sign": sympy.sign,
    "Heaviside": sympy.Heaviside, "Max": sympy.Max, "Min": sympy.Min, "Rational": None,
}
ALWAYS = ("sqrt", "Rational")
CONSTANTS = {"pi": sympy.pi, "E": sympy.E, "oo": sympy.oo}
SET_NAMES = {"EmptySet": sympy.S.EmptySet, "Reals": sympy.S.Reals}
SET_CALLS = ("Interval", "Union", "Intersection", "Complement", "FiniteSet")
MATRIX_CALLS = ("Matrix", "ImmutableMatrix", "ImmutableDenseMatrix", "MutableDenseMatrix")


class _Reject(Exception):
    """The text uses something the parser does not allow; the message says what."""


# ------------------------------------------------------------------------------------- parsing

class _Builder:
    """Builds a sympy object from an allow-listed ``ast`` tree."""

    def __init__(self, symbols: Mapping[str, sympy.Symbol], functions: Iterable[str],
                 matrices: bool, sets: bool):
        self.symbols = dict(symbols)
        unknown = [f for f in functions if f not in FUNCTIONS]
        if unknown:
            raise ValueError(f"unknown function name(s) {unknown} in functions=")
        self.functions = set(functions) | set(ALWAYS)
        self.matrices, self.sets = matrices, sets

    def allowed_names(self) -> str:
        names = sorted(self.symbols) + sorted(self.functions - {"Rational"})
        return ", ".join(names)

    def build(self, node: ast.AST, depth: int = 0):
        if depth > MAX_DEPTH:
            raise _Reject(f"nested more than {MAX_DEPTH} levels deep")
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise _Reject(_describe(node) + " is not allowed")
        return method(node, depth + 1)

    # leaves
    def _Constant(self, node, depth):
        v = node.value
        if isinstance(v, bool):
            if self.sets:
                return sympy.true if v else sympy.false
            raise _Reject(f"the constant {v} is not allowed here")
        if isinstance(v, int):
            if len(str(abs(v))) > MAX_INT_DIGITS:
                raise _Reject(f"an integer with more than {MAX_INT_DIGITS} digits")
            return sympy.Integer(v)
        if isinstance(v, float):
            if not math.isfinite(v):
                raise _Reject(f"the number {v!r} is not finite")
            return sympy.Float(v)
        if isinstance(v, complex):
            raise _Reject("complex numbers are not allowed")
        raise _Reject(f"{type(v).__name__} constants ({show(v, 40)}) are not allowed")

    def _Name(self, node, depth):
        n = node.id
        if n in self.symbols:
            return self.symbols[n]
        if n in CONSTANTS:
            return CONSTANTS[n]
        if self.sets and n in SET_NAMES:
            return SET_NAMES[n]
        if n.startswith("_"):
            raise _Reject(f"the name {n!r} is not allowed (names starting with _ never are)")
        if n in self.functions or n in FUNCTIONS:
            raise _Reject(f"{n} is a function: call it, as in {n}(...)")
        hint = "; write exp(...) for e to a power, or E for the number e" if n == "e" else ""
        raise _Reject(f"unknown name {n!r}; the answer may use {self.allowed_names()}{hint}")

    # operators
    def _BinOp(self, node, depth):
        op = type(node.op)
        if op is ast.BitXor:
            raise _Reject("^ is not a power in Python: write ** (z**2, not z^2)")
        if op not in (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow):
            raise _Reject(f"the operator {_OPS.get(op, op.__name__)} is not allowed "
                          "(only + - * / **)")
        left = self._scalar(self.build(node.left, depth), "an operand")
        right = self._scalar(self.build(node.right, depth), "an operand")
        if op is ast.Add:
            return left + right
        if op is ast.Sub:
            return left - right
        if op is ast.Mult:
            return left * right
        if op is ast.Div:
            return left / right
        return _safe_pow(left, right)

    def _UnaryOp(self, node, depth):
        if isinstance(node.op, ast.USub):
            return -self._scalar(self.build(node.operand, depth), "an operand")
        if isinstance(node.op, ast.UAdd):
            return self._scalar(self.build(node.operand, depth), "an operand")
        raise _Reject(f"the operator {_OPS.get(type(node.op), type(node.op).__name__)} is not allowed")

    def _scalar(self, value, what):
        if isinstance(value, sympy.Expr):
            return value
        raise _Reject(f"{what} must be a number or an expression, not {_kind(value)}")

    # containers
    def _List(self, node, depth):
        if not self.matrices:
            raise _Reject("a list is not allowed here (the answer is a single expression)")
        return [self.build(e, depth) for e in node.elts]

    _Tuple = _List

    def _Set(self, node, depth):
        if not self.sets:
            raise _Reject("a set literal {...} is not allowed here")
        return sympy.FiniteSet(*[self._scalar(self.build(e, depth), "a set element")
                                 for e in node.elts])

    # calls
    def _Call(self, node, depth):
        if node.keywords:
            raise _Reject("keyword arguments (name=...) are not allowed")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise _Reject("*arguments are not allowed")
        func = node.func
        if isinstance(func, ast.Attribute):
            if (self.sets and isinstance(func.value, ast.Name) and func.value.id == "Interval"
                    and func.attr in ("open", "Ropen", "Lopen")):
                args = [self._scalar(self.build(a, depth), "an endpoint") for a in node.args]
                return self._apply(getattr(sympy.Interval, func.attr), args, f"Interval.{func.attr}")
            raise _Reject(_describe(func) + " is not allowed")
        if not isinstance(func, ast.Name):
            raise _Reject(f"calling {_describe(func)} is not allowed")
        n = func.id
        if n.startswith("_"):
            raise _Reject(f"the name {n!r} is not allowed (names starting with _ never are)")
        args = [self.build(a, depth) for a in node.args]
        if n in self.symbols:
            raise _Reject(f"{n} is a symbol, not a function: write {n}*(...) to multiply")
        if self.matrices and n in MATRIX_CALLS:
            if len(args) != 1 or not isinstance(args[0], list):
                raise _Reject("write a matrix as Matrix([[a, b], [c, d]]) or Matrix([a, b])")
            return _matrix_from_nested(args[0])
        if self.sets and n in SET_CALLS:
            if n == "Interval":
                if not 2 <= len(args) <= 4:
                    raise _Reject("Interval takes two endpoints and two optional openness flags")
                ends = [self._scalar(a, "an endpoint") for a in args[:2]]
                flags = args[2:]
                if not all(isinstance(b, sympy.logic.boolalg.BooleanAtom) for b in flags):
                    raise _Reject("Interval's third and fourth arguments are True or False")
                return self._apply(sympy.Interval, ends + [bool(b) for b in flags], n)
            if n == "FiniteSet":
                return sympy.FiniteSet(*[self._scalar(a, "a set element") for a in args])
            if not all(isinstance(a, sympy.Set) for a in args):
                raise _Reject(f"the arguments of {n} are sets")
            return self._apply(getattr(sympy, n), args, n)
        if n in self.functions:
            if n == "Rational":
                if len(args) not in (1, 2) or not all(isinstance(a, sympy.Integer) for a in args):
                    raise _Reject("Rational takes integer literals, as in Rational(1, 2)")
                return sympy.Rational(*args)
            return self._apply(FUNCTIONS[n], [self._scalar(a, "an argument") for a in args], n)
        if n in MATRIX_CALLS or n in SET_CALLS:
            raise _Reject(f"{n}(...) is not allowed here: the answer is "
                          f"{'a set' if self.sets else 'a matrix' if self.matrices else 'a single expression'}")
        if n in ("eval", "exec", "compile", "open", "getattr", "__import__", "globals", "locals",
                 "sympify", "S", "Symbol", "symbols", "Function", "Lambda", "lambdify"):
            raise _Reject(f"calling {n} is not allowed")
        if n in FUNCTIONS:
            raise _Reject(f"the function {n} is not allowed in this answer; allowed: "
                          f"{', '.join(sorted(self.functions - {'Rational'}))}")
        extra = " (call .doit() on it before returning)" if n in ("Derivative", "Integral", "Sum") else ""
        raise _Reject(f"the function {n} is not allowed{extra}; allowed: "
                      f"{', '.join(sorted(self.functions - {'Rational'}))}")

    @staticmethod
    def _apply(fn, args, n):
        try:
            return fn(*args)
        except (TypeError, ValueError) as exc:
            raise _Reject(f"{n}{tuple(args)} is not valid: {exc}") from None


_OPS = {ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|",
        ast.LShift: "<<", ast.RShift: ">>", ast.Not: "not", ast.Invert: "~"}


def _describe(node: ast.AST) -> str:
    kinds = {
        "Attribute": "attribute access (.name)", "Subscript": "indexing ([...])",
        "Lambda": "lambda", "ListComp": "a comprehension", "SetComp": "a comprehension",
        "DictComp": "a comprehension", "GeneratorExp": "a generator expression",
        "Compare": "a comparison (<, ==, ...)", "BoolOp": "and/or", "IfExp": "if/else",
        "Dict": "a dict", "JoinedStr": "an f-string", "NamedExpr": "the := operator",
        "Await": "await", "Yield": "yield", "Starred": "*arguments", "Slice": "a slice",
    }
    name = type(node).__name__
    text = kinds.get(name, name)
    if name == "Attribute":
        text = f"attribute access (.{node.attr})"
    return text


def _kind(value) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, sympy.MatrixBase):
        return "a matrix"
    if isinstance(value, sympy.Set):
        return "a set"
    return type(value).__name__


def _safe_pow(base: sympy.Expr, exp: sympy.Expr) -> sympy.Expr:
    """base**exp, refusing constant exponents or constant results too large to build."""
    if exp.is_Number:
        if exp.is_Float and not math.isfinite(float(exp)):
            raise _Reject("a non-finite exponent")
        if abs(exp) > MAX_EXPONENT:
            raise _Reject(f"the exponent {_short(exp)} is too large (at most {MAX_EXPONENT})")
        if base.is_Number and base != 0 and not base.is_Float:
            num, den = sympy.fraction(base)
            digits = len(str(abs(int(num)))) + len(str(abs(int(den))))
            if digits * abs(float(exp)) > 4 * MAX_INT_DIGITS * 10:
                raise _Reject(f"{_short(base)}**{_short(exp)} is too large a number")
    if base.is_Number and base.is_Float and exp.is_Number and abs(float(exp)) * \
            abs(math.log10(abs(float(base)) or 1.0)) > 300:
        raise _Reject(f"{_short(base)}**{_short(exp)} is too large a number")
    return base ** exp


def _short(x) -> str:
    text = str(x)
    return text if len(text) <= 20 else text[:17] + "..."


def _matrix_from_nested(rows: list) -> sympy.Matrix:
    if not rows:
        raise _Reject("an empty matrix")
    if all(isinstance(r, list) for r in rows):
        width = len(rows[0])
        if width == 0 or any(len(r) != width for r in rows):
            raise _Reject("the rows of the matrix have different lengths")
        entries = [[_entry(e) for e in r] for r in rows]
    elif any(isinstance(r, list) for r in rows):
        raise _Reject("mix of lists and entries in the matrix")
    else:
        entries = [[_entry(e)] for e in rows]            # Matrix([a, b]) is a column
    return sympy.Matrix(entries)


def _entry(value):
    if isinstance(value, sympy.Expr):
        return value
    raise _Reject(f"a matrix entry must be an expression, not {_kind(value)}")


def _max_exponent(value) -> float:
    """The largest constant exponent magnitude anywhere in ``value`` (0 when there is none)."""
    if isinstance(value, sympy.MatrixBase):
        return max((_max_exponent(e) for e in value), default=0)
    if not isinstance(value, sympy.Basic):
        return 0
    return max((abs(float(p.exp)) for p in value.atoms(sympy.Pow) if p.exp.is_Number), default=0)


def _check_exponents(value) -> None:
    """Products such as x**200 * x**200 combine into one power: refuse the result too."""
    if _max_exponent(value) > MAX_EXPONENT:
        raise _Reject(f"a power with an exponent over {MAX_EXPONENT}")


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
    builder = _Builder(symbols, functions, matrices, sets)
    try:
        value = builder.build(tree.body)
        if isinstance(value, list):
            value = _matrix_from_nested(value)
        _check_exponents(value)
    except _Reject as exc:
        raise Mismatch(f"cannot accept {show(text, 80)}: {exc}") from None
    except RecursionError:
        raise Mismatch(f"cannot read {show(text, 80)}: too deeply nested") from None
    except (TypeError, ValueError, ArithmeticError, AttributeError) as exc:
        raise Mismatch(f"cannot read {show(text, 80)}: {type(exc).__name__}: {exc}") from None
    return value


# ---------------------------------------------------------------------- numeric evaluation

class _Undefined(Exception):
    """The expression has no finite value at this point (overflow, division by zero, ...)."""


_CTX = mpmath.MPContext()        # a private context: no global precision changes
_CTX.dps = 30
_MP_FUNCS = {
    sympy.exp: _CTX.exp, sympy.log: _CTX.log, sympy.sin: _CTX.sin, sympy.cos: _CTX.cos,
    sympy.tan: _CTX.tan, sympy.sec: _CTX.sec, sympy.csc: _CTX.csc, sympy.cot: _CTX.cot,
    sympy.asin: _CTX.asin, sympy.acos: _CTX.acos, sympy.atan: _CTX.atan,
    sympy.sinh: _CTX.sinh, sympy.cosh: _CTX.cosh, sympy.tanh: _CTX.tanh,
    sympy.sech: _CTX.sech, sympy.csch: _CTX.csch, sympy.coth: _CTX.coth,
    sympy.asinh: _CTX.asinh, sympy.acosh: _CTX.acosh, sympy.atanh: _CTX.atanh,
}
_GROWS = (sympy.exp, sympy.sinh, sympy.cosh)


def _evaluate(expr, values: Mapping[sympy.Symbol, Any]):
    """``expr`` at ``values`` as an mpmath number (30 digits), or raises _Undefined."""
    v = _ev(expr, values)
    if not _CTX.isfinite(v):
        raise _Undefined
    return v


def _ev(e, values):
    if e.is_Symbol:
        if e not in values:
            raise _Undefined
        return values[e]
    if e.is_Integer:
        return _CTX.mpf(int(e))
    if e.is_Rational:
        return _CTX.mpf(int(e.p)) / int(e.q)
    if e.is_Float:
        return _CTX.mpf(e)
    if e is sympy.pi:
        return +_CTX.pi
    if e is sympy.E:
        return +_CTX.e
    if e in (sympy.oo, -sympy.oo, sympy.zoo, sympy.nan):
        raise _Undefined
    if e.is_Add:
        return _CTX.fsum(_ev(a, values) for a in e.args)
    if e.is_Mul:
        out = _CTX.mpf(1)
        for a in e.args:
            out *= _ev(a, values)
        return out
    if e.is_Pow:
        b, x = _ev(e.base, values), _ev(e.exp, values)
        if b == 0:
            if _CTX.re(x) > 0:
                return _CTX.mpf(0)
            raise _Undefined
        if abs(_CTX.re(x) * _CTX.log(abs(b))) > MAX_EXP_ARG:
            raise _Undefined
        if _CTX.im(b) == 0 and _CTX.im(x) == 0 and e.exp.is_Integer:
            return _CTX.power(_CTX.re(b), int(e.exp))
        return _CTX.power(b, x)
    if isinstance(e, sympy.Abs):
        return abs(_ev(e.args[0], values))
    if isinstance(e, sympy.sign):
        v = _ev(e.args[0], values)
        return _CTX.sign(v) if _CTX.im(v) == 0 else v / abs(v)
    if isinstance(e, sympy.Heaviside):
        v = _ev(e.args[0], values)
        if _CTX.im(v) != 0:
            raise _Undefined
        if v == 0:
            raise _Undefined                 # convention-dependent: let another point decide
        return _CTX.mpf(1 if v > 0 else 0)
    if isinstance(e, (sympy.Max, sympy.Min)):
        vs = [_ev(a, values) for a in e.args]
        if any(_CTX.im(v) != 0 for v in vs):
            raise _Undefined
        return max(vs, key=_CTX.re) if isinstance(e, sympy.Max) else min(vs, key=_CTX.re)
    if e.is_Function and e.func in _MP_FUNCS:
        arg = _ev(e.args[0], values)
        if e.func in _GROWS and abs(_CTX.re(arg)) > MAX_EXP_ARG:
            raise _Undefined
        try:
            return _MP_FUNCS[e.func](arg)
        except (ValueError, ZeroDivisionError):
            raise _Undefined from None
    if e.is_number:                           # other exact constants (e.g. from the reference)
        try:
            v = e.evalf(30)
        except Exception:                     # noqa: BLE001
            raise _Undefined from None
        if not v.is_Number:
            raise _Undefined
        return _CTX.mpf(v) if v.is_real else _CTX.mpc(complex(v))
    raise ValueError(f"cannot evaluate {type(e).__name__} numerically")


def _draw(sym: sympy.Symbol, rnd: random.Random) -> float:
    """A not-nice value in the symbol's domain, rounded to 4 significant digits."""
    if sym.is_integer:
        lo = 1 if (sym.is_positive or sym.is_nonnegative) else -6
        hi = -1 if sym.is_negative else 9
        v = 0
        while v == 0:
            v = rnd.randint(lo, hi)
        return float(v)
    mag = math.exp(rnd.uniform(math.log(0.15), math.log(2.9)))
    if sym.is_positive or sym.is_nonnegative:
        sgn = 1.0
    elif sym.is_negative or sym.is_nonpositive:
        sgn = -1.0
    else:
        sgn = rnd.choice((-1.0, 1.0))
    return float(f"{sgn * mag:.4g}")


def _fmt(v, other=None) -> str:
    """A number with as few digits (at least 4) as tell it apart from ``other``."""
    def one(x, digits):
        if _CTX.im(x) != 0:
            return f"{float(_CTX.re(x)):.{digits}g}{float(_CTX.im(x)):+.{digits}g}j"
        return f"{float(x):.{digits}g}"
    for digits in range(4, 17):
        if other is None or one(v, digits) != one(other, digits):
            return one(v, digits)
    return one(v, 17)


def _points(syms: list[sympy.Symbol], seed: str):
    rnd = random.Random(seed)
    while True:
        yield {s: _draw(s, rnd) for s in syms}


def _numeric_diff(got, expected, syms: list[sympy.Symbol], seed: str):
    """None if the two agree at N_POINTS points; otherwise a message naming a differing point."""
    checked = tries = 0
    points = _points(syms, seed)
    while checked < (N_POINTS if syms else 1) and tries < 60:
        tries += 1
        point = next(points)
        mp_point = {s: _CTX.mpf(v) for s, v in point.items()}
        try:
            e = _evaluate(expected, mp_point)
        except _Undefined:
            continue
        where = ", ".join(f"{s} = {point[s]:g}" for s in syms)
        where = f"at {where}: " if where else ""
        try:
            g = _evaluate(got, mp_point)
        except _Undefined:
            return f"{where}expected {_fmt(e)}, got a value that is undefined or overflows"
        except ValueError as exc:
            return f"cannot evaluate the answer: {exc}"
        if abs(g - e) > RTOL * abs(e) + ATOL:
            return f"{where}expected {_fmt(e, g)}, got {_fmt(g, e)}"
        checked += 1
    if checked == 0:
        raise ValueError(f"the expected value {expected} is undefined at every test point")
    return None


# ------------------------------------------------------------------------- symbolic check

def _simplify_verdict(diff: sympy.Expr):
    """("zero", None), ("nonzero", value) for an exact nonzero constant, or ("unknown", None)."""
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


def _resolve(diff: sympy.Expr, budget: float):
    """Tries to simplify ``diff`` to a number within ``budget`` seconds, in a helper process
    that is killed if it overruns (``autograder.bounded``)."""
    if _max_exponent(diff) > SYMBOLIC_MAX_EXPONENT or sympy.count_ops(diff) > SYMBOLIC_MAX_OPS:
        return ("unknown", None)          # expanding could take minutes: numbers decide
    try:
        return bounded.run(_simplify_verdict, diff, budget=budget)
    except Exception:  # noqa: BLE001 - simplification is best effort; the numbers decide
        return ("unknown", None)


def _compare_scalar(got, expected, syms, seed: str) -> str | None:
    """None when equivalent, else the reason."""
    extra = got.free_symbols - set(syms)
    if extra:
        return f"uses unknown symbol(s) {sorted(map(str, extra))}"
    message = _numeric_diff(got, expected, syms, seed)
    if message:
        return message
    verdict, value = _resolve(expected - got, TIME_BUDGET)
    if verdict == "nonzero":
        return f"differs from the expected expression by the constant {value}"
    return None


# ----------------------------------------------------------------------------- conversion

def _symbol_map(symbols) -> dict[str, sympy.Symbol]:
    if isinstance(symbols, Mapping):
        return {str(k): v for k, v in symbols.items()}
    if isinstance(symbols, sympy.Symbol):
        return {symbols.name: symbols}
    return {s.name: s for s in symbols}


def _to_sympy(got, symbols, functions, *, matrices: bool, sets: bool, name: str):
    """``got`` (text, number, list, frozenset) as a sympy object."""
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
        got = got.tolist()
    if isinstance(got, (list, tuple)) and matrices:
        def conv(v, depth=0):
            if isinstance(v, (list, tuple)):
                if depth > 1:
                    raise Mismatch(f"{name}: a matrix is nested at most two lists deep")
                return [conv(x, depth + 1) for x in v]
            out = _to_sympy(v, symbols, functions, matrices=False, sets=False, name=name)
            if not isinstance(out, sympy.Expr):
                raise Mismatch(f"{name}: a matrix entry must be an expression, got {show(v)}")
            return out
        try:
            return _matrix_from_nested(conv(got))
        except _Reject as exc:
            raise Mismatch(f"{name}: {exc}") from None
    if isinstance(got, (set, frozenset)) and sets:
        return sympy.FiniteSet(*[_to_sympy(v, symbols, functions, matrices=False, sets=False,
                                           name=name) for v in got])
    what = "a matrix (Matrix or list)" if matrices else "a set" if sets else "an expression"
    raise Mismatch(f"{name}: expected {what} in sympy, got {type(got).__name__} {show(got)}")


def _index(i: int, shape: tuple[int, int], flat: bool) -> str:
    return f"[{i}]" if flat else f"[{i // shape[1]}, {i % shape[1]}]"


# ------------------------------------------------------------------------------ the checks

def expect_equivalent(got: Any, expected: Any, symbols, functions: Iterable[str] = (),
                      shape=None, name: str = "result") -> None:
    """Raises Mismatch unless ``got`` denotes the same expression, matrix or set as ``expected``.

    See the module docstring for what ``got`` may be and how equivalence is decided.
    """
    syms = _symbol_map(symbols)
    functions = tuple(functions)
    ordered = [syms[k] for k in sorted(syms)]
    if isinstance(expected, sympy.Set):
        _expect_set(got, expected, syms, functions, name)
        return
    if isinstance(expected, sympy.MatrixBase):
        _expect_matrix(got, sympy.Matrix(expected), syms, ordered, functions, shape, name)
        return
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        expected = sympy.Integer(expected) if isinstance(expected, int) else sympy.Float(expected)
    if not isinstance(expected, sympy.Expr):
        raise TypeError(f"expect_equivalent: expected must be a sympy Expr, Matrix or Set, "
                        f"not {type(expected).__name__}")
    value = _to_sympy(got, syms, functions, matrices=False, sets=False, name=name)
    if isinstance(value, sympy.MatrixBase) and value.shape == (1, 1):
        value = value[0, 0]
    reason = _compare_scalar(value, expected, ordered, f"{name}|{expected}")
    if reason:
        # the expected expression is the answer itself: the feedback shows where the two differ,
        # never what to type in
        raise Mismatch(f"{name}: {reason}; your answer is {_short_expr(value)}")


def _short_expr(value) -> str:
    return show(str(value), 120)


def _expect_matrix(got, expected, syms, ordered, functions, shape, name):
    value = _to_sympy(got, syms, functions, matrices=True, sets=False, name=name)
    if isinstance(value, sympy.Expr):
        value = sympy.Matrix([[value]])
    if not isinstance(value, sympy.MatrixBase):
        raise Mismatch(f"{name}: expected a matrix, got {_kind(value)}")
    flat_list = isinstance(got, (list, tuple)) and not any(isinstance(v, (list, tuple)) for v in got)
    eshape, gshape = tuple(expected.shape), tuple(value.shape)
    if shape == "vector":
        if 1 not in eshape:
            raise ValueError("shape='vector' needs an expected row or column vector")
        n = expected.rows * expected.cols
        if 1 not in gshape or value.rows * value.cols != n:
            raise Mismatch(f"{name}: expected a vector of {n} entries (a row, a column or a list), "
                           f"got a {gshape[0]}×{gshape[1]} matrix")
        flat = True
    else:
        want = eshape if shape is None else tuple(shape)
        if flat_list and 1 in want and len(got) == want[0] * want[1]:
            value = value.reshape(*want)
            gshape = want
        if gshape != want:
            hint = ": did you transpose?" if gshape == want[::-1] else ""
            raise Mismatch(f"{name}: expected a {want[0]}×{want[1]} matrix, "
                           f"got {gshape[0]}×{gshape[1]}{hint}")
        flat = 1 in want
    g_entries, e_entries = list(value), list(expected)
    for i, (g, e) in enumerate(zip(g_entries, e_entries)):
        reason = _compare_scalar(g, e, ordered, f"{name}|{i}|{e}")
        if reason:
            raise Mismatch(f"{name}: entry {_index(i, eshape, flat)}: {reason}; your entry is "
                           f"{_short_expr(g)}")


def _witness(s: sympy.Set):
    """Some element of a non-empty set without free symbols, or None."""
    if isinstance(s, sympy.FiniteSet):
        return next(iter(s), None)
    if isinstance(s, sympy.Interval):
        a, b = s.start, s.end
        if a.is_finite and b.is_finite:
            return (a + b) / 2
        if a.is_finite:
            return a + 1
        if b.is_finite:
            return b - 1
        return sympy.Integer(0)
    if isinstance(s, sympy.Union):
        for part in s.args:
            w = _witness(part)
            if w is not None:
                return w
    if s == sympy.S.Reals:
        return sympy.Integer(0)
    return None


def _set_differences(a: sympy.Set, b: sympy.Set) -> tuple:
    return sympy.Complement(a, b), sympy.Complement(b, a)


def _expect_set(got, expected, syms, functions, name):
    value = _to_sympy(got, syms, functions, matrices=False, sets=True, name=name)
    if not isinstance(value, sympy.Set):
        raise Mismatch(f"{name}: expected a sympy Set such as Interval.open(0, oo), got "
                       f"{_kind(value)} {_short_expr(value)}")
    if value == expected:
        return
    try:
        only_got, only_expected = bounded.run(_set_differences, value, expected, budget=TIME_BUDGET)
    except Exception:  # noqa: BLE001 - undecided in time, or sympy could not
        raise Mismatch(f"{name}: could not decide whether {_short_expr(value)} equals the expected "
                       f"set; give it with numeric endpoints, as in Interval.open(0, oo)") from None
    if only_got is sympy.S.EmptySet and only_expected is sympy.S.EmptySet:
        return
    for part, text in ((only_got, "is in your set but not in the expected one"),
                       (only_expected, "is in the expected set but not in yours")):
        if part is sympy.S.EmptySet:
            continue
        w = _witness(part)
        if w is not None:
            raise Mismatch(f"{name}: {w} {text}; got {_short_expr(value)}")
    raise Mismatch(f"{name}: {_short_expr(value)} is not the expected set")
