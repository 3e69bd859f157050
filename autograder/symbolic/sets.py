"""Set answers (``Interval``, ``Union``, ``FiniteSet``, ...): equal when both set differences are
empty; otherwise the feedback names a point that is in one set and not in the other."""

from __future__ import annotations

import sympy

from .. import bounded
from ..checks import Mismatch, Mistakes, fail
from .allowed import kind
from .convert import answer_text
from .simplify import set_differences


def expect_set(value, expected: sympy.Set, name: str, mistakes: Mistakes | None = None) -> None:
    """Raises Mismatch unless the set ``value`` (as read) equals ``expected``."""
    if not isinstance(value, sympy.Set):
        raise Mismatch(f"{name}: expected a sympy Set such as Interval.open(0, oo), got "
                       f"{kind(value)} {answer_text(value)}")
    if value == expected:
        return
    try:
        only_got, only_expected = set_differences(value, expected)
    except bounded.HelperDied:
        raise                            # the grader's fault, not the answer's
    except Exception:  # noqa: BLE001 - undecided in time, or sympy could not
        raise Mismatch(f"{name}: could not decide whether {answer_text(value)} equals the expected "
                       f"set; give it with numeric endpoints, as in Interval.open(0, oo)") from None
    if only_got is sympy.S.EmptySet and only_expected is sympy.S.EmptySet:
        return
    for part, text in ((only_got, "is in your set but not in the expected one"),
                       (only_expected, "is in the expected set but not in yours")):
        w = None if part is sympy.S.EmptySet else witness(part)
        if w is not None:
            fail(f"{name}: {w} {text}", value, mistakes, same=equal, values=f"got {answer_text(value)}")
    fail(f"{name}: {answer_text(value)} is not the expected set", value, mistakes, same=equal)


def equal(a: sympy.Set, b: sympy.Set) -> bool:
    """Whether two sets are shown equal within the time budget."""
    if a == b:
        return True
    try:
        only_a, only_b = set_differences(a, b)
    except Exception:  # noqa: BLE001 - undecided counts as different
        return False
    return only_a is sympy.S.EmptySet and only_b is sympy.S.EmptySet


def witness(s: sympy.Set):
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
            w = witness(part)
            if w is not None:
                return w
    if s == sympy.S.Reals:
        return sympy.Integer(0)
    return None
