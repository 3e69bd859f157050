"""Evaluating a sympy expression at a point with mpmath (30 digits), by a small evaluator that
refuses overflowing ``exp`` and powers (beyond e**MAX_EXP_ARG) rather than computing them."""

from __future__ import annotations

from typing import Any, Mapping

import mpmath
import sympy

from . import forms

MAX_EXP_ARG = 1e4          # exp / power results beyond e**1e4 count as overflow


class Undefined(Exception):
    """The expression has no finite value at this point (overflow, division by zero, ...)."""


CTX = mpmath.MPContext()        # a private context: no global precision changes
CTX.dps = 30
_MP_FUNCS = {
    sympy.exp: CTX.exp, sympy.log: CTX.log, sympy.sin: CTX.sin, sympy.cos: CTX.cos,
    sympy.tan: CTX.tan, sympy.sec: CTX.sec, sympy.csc: CTX.csc, sympy.cot: CTX.cot,
    sympy.asin: CTX.asin, sympy.acos: CTX.acos, sympy.atan: CTX.atan,
    sympy.sinh: CTX.sinh, sympy.cosh: CTX.cosh, sympy.tanh: CTX.tanh,
    sympy.sech: CTX.sech, sympy.csch: CTX.csch, sympy.coth: CTX.coth,
    sympy.asinh: CTX.asinh, sympy.acosh: CTX.acosh, sympy.atanh: CTX.atanh,
}
_GROWS = (sympy.exp, sympy.sinh, sympy.cosh)


def evaluate(expr, values: Mapping[sympy.Symbol, Any]):
    """``expr`` at ``values`` as an mpmath number (30 digits), or raises Undefined."""
    budget = [forms.MAX_TERMS]                # terms of Sums, all of them together
    v = _ev(expr, values, budget)
    if not CTX.isfinite(v):
        raise Undefined
    return v


def _ev(e, values, budget):
    if e.is_Symbol:
        if e not in values:
            raise Undefined
        return values[e]
    if e.is_Integer:
        return CTX.mpf(int(e))
    if e.is_Rational:
        return CTX.mpf(int(e.p)) / int(e.q)
    if e.is_Float:
        return CTX.mpf(e)
    if e is sympy.pi:
        return +CTX.pi
    if e is sympy.E:
        return +CTX.e
    if e in (sympy.oo, -sympy.oo, sympy.zoo, sympy.nan):
        raise Undefined
    if e.is_Add:
        return CTX.fsum(_ev(a, values, budget) for a in e.args)
    if e.is_Mul:
        out = CTX.mpf(1)
        for a in e.args:
            out *= _ev(a, values, budget)
        return out
    if e.is_Pow:
        b, x = _ev(e.base, values, budget), _ev(e.exp, values, budget)
        if b == 0:
            if CTX.re(x) > 0:
                return CTX.mpf(0)
            raise Undefined
        if abs(CTX.re(x) * CTX.log(abs(b))) > MAX_EXP_ARG:
            raise Undefined
        if CTX.im(b) == 0 and CTX.im(x) == 0 and e.exp.is_Integer:
            return CTX.power(CTX.re(b), int(e.exp))
        return CTX.power(b, x)
    if isinstance(e, sympy.Abs):
        return abs(_ev(e.args[0], values, budget))
    if isinstance(e, sympy.sign):
        v = _ev(e.args[0], values, budget)
        return CTX.sign(v) if CTX.im(v) == 0 else v / abs(v)
    if isinstance(e, sympy.Heaviside):
        v = _ev(e.args[0], values, budget)
        if CTX.im(v) != 0:
            raise Undefined
        if v == 0:
            raise Undefined                 # convention-dependent: let another point decide
        return CTX.mpf(1 if v > 0 else 0)
    if isinstance(e, (sympy.Max, sympy.Min)):
        vs = [_ev(a, values, budget) for a in e.args]
        if any(CTX.im(v) != 0 for v in vs):
            raise Undefined
        return max(vs, key=CTX.re) if isinstance(e, sympy.Max) else min(vs, key=CTX.re)
    if isinstance(e, sympy.Piecewise):
        return forms.piecewise_value(e, values, lambda x, v: _ev(x, v, budget), CTX)
    if isinstance(e, sympy.Sum):
        return forms.sum_value(e, values, lambda x, v: _ev(x, v, budget), CTX, budget)
    if e.is_Function and e.func in _MP_FUNCS:
        arg = _ev(e.args[0], values, budget)
        if e.func in _GROWS and abs(CTX.re(arg)) > MAX_EXP_ARG:
            raise Undefined
        try:
            return _MP_FUNCS[e.func](arg)
        except (ValueError, ZeroDivisionError):
            raise Undefined from None
    if e.is_number:                           # other exact constants (e.g. from the reference)
        try:
            v = e.evalf(30)
        except Exception:                     # noqa: BLE001
            raise Undefined from None
        if not v.is_Number:
            raise Undefined
        return CTX.mpf(v) if v.is_real else CTX.mpc(complex(v))
    raise ValueError(f"cannot evaluate {type(e).__name__} numerically")


def fmt(v, other=None) -> str:
    """A number with as few digits (at least 4) as tell it apart from ``other``."""
    def one(x, digits):
        if CTX.im(x) != 0:
            return f"{float(CTX.re(x)):.{digits}g}{float(CTX.im(x)):+.{digits}g}j"
        return f"{float(x):.{digits}g}"
    for digits in range(4, 17):
        if other is None or one(v, digits) != one(other, digits):
            return one(v, digits)
    return one(v, 17)
