"""Building sympy values from parsed pieces: powers that refuse to grow too large, matrices of
nested lists, sets, and the exponent check a finished answer must pass."""

from __future__ import annotations

import math

import sympy

from .allowed import MAX_EXPONENT, MAX_INT_DIGITS, Reject, kind, short


def safe_pow(base: sympy.Expr, exp: sympy.Expr) -> sympy.Expr:
    """base**exp, refusing constant exponents or constant results too large to build."""
    if exp.is_Number:
        if exp.is_Float and not math.isfinite(float(exp)):
            raise Reject("a non-finite exponent")
        if abs(exp) > MAX_EXPONENT:
            raise Reject(f"the exponent {short(exp)} is too large (at most {MAX_EXPONENT})")
        if base.is_Number and base != 0 and not base.is_Float:
            num, den = sympy.fraction(base)
            digits = len(str(abs(int(num)))) + len(str(abs(int(den))))
            if digits * abs(float(exp)) > 4 * MAX_INT_DIGITS * 10:
                raise Reject(f"{short(base)}**{short(exp)} is too large a number")
    if base.is_Number and base.is_Float and exp.is_Number and abs(float(exp)) * \
            abs(math.log10(abs(float(base)) or 1.0)) > 300:
        raise Reject(f"{short(base)}**{short(exp)} is too large a number")
    return base ** exp


def matrix_from_nested(rows: list) -> sympy.Matrix:
    """A Matrix from a list of rows, or a column from a flat list of expressions."""
    if not rows:
        raise Reject("an empty matrix")
    if all(isinstance(r, list) for r in rows):
        width = len(rows[0])
        if width == 0 or any(len(r) != width for r in rows):
            raise Reject("the rows of the matrix have different lengths")
        entries = [[expression(e, "a matrix entry") for e in r] for r in rows]
    elif any(isinstance(r, list) for r in rows):
        raise Reject("mix of lists and entries in the matrix")
    else:
        entries = [[expression(e, "a matrix entry")] for e in rows]     # Matrix([a, b]) is a column
    return sympy.Matrix(entries)


def expression(value, what: str) -> sympy.Expr:
    """``value`` when it is a number or an expression; Reject naming ``what`` otherwise."""
    if isinstance(value, sympy.Expr):
        return value
    raise Reject(f"{what} must be a number or an expression, not {kind(value)}")


def set_from_call(n: str, args: list):
    """Interval(a, b[, left_open, right_open]), FiniteSet(...), Union/Intersection/Complement."""
    if n == "Interval":
        if not 2 <= len(args) <= 4:
            raise Reject("Interval takes two endpoints and two optional openness flags")
        ends = [expression(a, "an endpoint") for a in args[:2]]
        flags = args[2:]
        if not all(isinstance(b, sympy.logic.boolalg.BooleanAtom) for b in flags):
            raise Reject("Interval's third and fourth arguments are True or False")
        return apply(sympy.Interval, ends + [bool(b) for b in flags], n)
    if n == "FiniteSet":
        return sympy.FiniteSet(*[expression(a, "a set element") for a in args])
    if not all(isinstance(a, sympy.Set) for a in args):
        raise Reject(f"the arguments of {n} are sets")
    return apply(getattr(sympy, n), args, n)


def apply(fn, args, n: str):
    """``fn(*args)``, with sympy's refusal as a Reject naming ``n``."""
    try:
        return fn(*args)
    except (TypeError, ValueError) as exc:
        raise Reject(f"{n}{tuple(args)} is not valid: {exc}") from None


def max_exponent(value) -> float:
    """The largest constant exponent magnitude anywhere in ``value`` (0 when there is none)."""
    if isinstance(value, sympy.MatrixBase):
        return max((max_exponent(e) for e in value), default=0)
    if not isinstance(value, sympy.Basic):
        return 0
    return max((abs(float(p.exp)) for p in value.atoms(sympy.Pow) if p.exp.is_Number), default=0)


def check_exponents(value) -> None:
    """Products such as x**200 * x**200 combine into one power: refuse the result too."""
    if max_exponent(value) > MAX_EXPONENT:
        raise Reject(f"a power with an exponent over {MAX_EXPONENT}")
