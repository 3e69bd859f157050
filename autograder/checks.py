"""Comparisons that run in the trusted process and explain what differs.

Every ``expect_*`` function returns normally when the answer is right and raises
:class:`Mismatch` with a message a student can act on when it is not. The engine prefixes the
message with the call that produced the value ("called f(...)"), so messages here say only what
was expected and what came back.

Known mistakes. The value comparisons (``expect_array``, ``expect_close``, ``expect_shape``,
``expect_int``, ``expect_sequence`` and ``symbolic.expect_equivalent``) take ``mistakes``,
``{what the mistake is called: the wrong answer it gives}``. When the answer is wrong and is one
of those wrong answers (compared as the check compares, at its tolerance), the feedback names
the first such mistake; otherwise it names the check's own guess, if any (a transpose, a
flipped sign, off by one). One wording rule, kept by :func:`fail` alone::

    <what>: <how it differs>[: <the named mistake>][; <the values in full>]

    dW: shape (3, 2), expected (2, 3): did you transpose?
    output at index [0, 1]: expected 2.0, got -1.0, ...: the bias is missing; expected [...], got [...]

so a mistake's name is a phrase that reads after a colon ("the bias is missing", "dividing by p
instead of 1 - p"), and a grader's own comparison ends in ``checks.fail`` the same way.
"""

from __future__ import annotations

import math
import operator
from functools import partial
from typing import Any, Callable, Iterable, Mapping, NoReturn

import numpy as np

RTOL, ATOL = 1e-6, 1e-9          # implementation items, float64 against the reference
HAND_RTOL = 1e-3                 # worked instances, where hand-rounded numbers must pass

Mistakes = Mapping[str, Any]     # what a mistake is called -> the wrong answer it gives


class Mismatch(AssertionError):
    """The student's value is wrong; the message says how."""


def show(value: Any, limit: int = 160) -> str:
    """A short, readable rendering of a value for feedback."""
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=6, threshold=12, edgeitems=2, linewidth=10_000):
            text = np.array2string(value, separator=", ")
        text = " ".join(text.split())
        if value.ndim:
            text += f" (shape {value.shape})"
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, (list, tuple)) and len(value) > 8:
        text = "[" + ", ".join(show(v, 40) for v in value[:6]) + f", ... ({len(value)} entries)]"
    else:
        text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def matches(got: Any, expected: Any, *, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Whether ``got`` has ``expected``'s shape and values (False for anything unreadable); two
    tuples or lists match entry by entry, so ``(dx, dW)`` can be a wrong answer too."""
    if isinstance(got, (tuple, list)) and isinstance(expected, (tuple, list)):
        return len(got) == len(expected) and all(
            matches(g, e, rtol=rtol, atol=atol) for g, e in zip(got, expected))
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    with np.errstate(all="ignore"):
        return arr.shape == np.shape(expected) and bool(np.allclose(arr, expected, rtol=rtol, atol=atol))


def fail(message: str, got: Any = None, mistakes: Mistakes | None = None, *,
         same: Callable[[Any, Any], bool] = matches, hint: str = "", values: str = "") -> NoReturn:
    """Raises Mismatch: ``message`` (what differs), then the name of the first of ``mistakes``
    whose wrong answer ``got`` is (by ``same``), or else ``hint``, after a colon, then ``values``
    (the values in full, if any) after a semicolon. The one place a named mistake goes."""
    for mistake, wrong in (mistakes or {}).items():
        if same(got, wrong):
            hint = mistake
            break
    raise Mismatch(message + (f": {hint}" if hint else "") + (f"; {values}" if values else ""))


def as_array(got: Any, name: str = "result") -> np.ndarray:
    """The value as a float array of any shape; Mismatch when it is not numbers."""
    if isinstance(got, (str, bytes, dict)) or got is None:
        raise Mismatch(f"{name}: expected numbers, got {type(got).__name__} {show(got)}")
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise Mismatch(f"{name}: expected an array of numbers, got {show(got)} ({exc})") from None
    return arr


def shape_hint(got: tuple, expected: tuple) -> str:
    """The usual reason for a shape mismatch, as a hint for ``fail``, or ''."""
    if len(got) == len(expected) == 2 and got == expected[::-1]:
        return "did you transpose?"
    if len(got) >= 2 and sorted(got) == sorted(expected):
        return "axes in the wrong order?"
    if tuple(d for d in got if d != 1) == tuple(d for d in expected if d != 1):
        return "an extra or missing axis of size 1 (a (n,) answer is not (n, 1))"
    if len(got) == len(expected) - 1 and got == expected[1:]:
        return f"the leading axis of size {expected[0]} is missing"
    if len(got) == len(expected) - 1 and got == expected[:-1]:
        return "summed over the last axis?"
    if len(got) == len(expected) - 1:
        return "summed over an axis that should stay?"
    if len(got) == len(expected) + 1 and got[1:] == expected:
        return "not summed over the batch?"
    return ""


def _shaped(got: Any, shape: tuple, name: str, mistakes: Mistakes | None,
            same: Callable[[Any, Any], bool]) -> np.ndarray:
    arr = as_array(got, name)
    if arr.shape != shape:
        fail(f"{name}: shape {arr.shape}, expected {shape}", arr, mistakes, same=same,
             hint=shape_hint(arr.shape, shape))
    return arr


def expect_shape(got: Any, shape: tuple, name: str = "result", *,
                 mistakes: Mistakes | None = None) -> np.ndarray:
    """The value as a float array, after checking its shape is exactly ``shape``."""
    return _shaped(got, tuple(shape), name, mistakes, matches)


def expect_array(got: Any, expected: Any, *, rtol: float = RTOL, atol: float = ATOL,
                 name: str = "result", mistakes: Mistakes | None = None) -> None:
    """``got`` matches ``expected`` in shape exactly and in value within tolerance."""
    exp = np.asarray(expected, dtype=np.float64)
    same = partial(matches, rtol=rtol, atol=atol)
    arr = _shaped(got, exp.shape, name, mistakes, same)
    bad_nan = np.isnan(arr) & ~np.isnan(exp)
    close = np.isclose(arr, exp, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return
    where = np.argwhere(~close)[0] if arr.ndim else ()
    index = tuple(int(i) for i in where)
    g, e = float(arr[index]), float(exp[index])
    err = abs(g - e) / max(abs(e), atol) if np.isfinite(g) and np.isfinite(e) else math.inf
    count = int((~close).sum())
    at = f" at index {list(index)}" if arr.ndim else ""
    extra = f" ({count} of {arr.size} entries differ)" if arr.size > 1 else ""
    hint = ""
    if bad_nan.any():
        hint = "nan where a number was expected (overflow? 0/0?)"
    elif np.isfinite(e) and e != 0 and np.isclose(g, -e, rtol=rtol, atol=atol):
        hint = "the sign is flipped"
    elif e != 0 and np.isfinite(g) and np.isclose(g, 2 * e, rtol=rtol):
        hint = "twice the expected value (a factor 2 too many?)"
    elif e != 0 and np.isfinite(g) and np.isclose(2 * g, e, rtol=rtol):
        hint = "half the expected value (a factor 2 missing?)"
    if arr.ndim == 2 and arr.shape[0] == arr.shape[1] and arr.shape[0] > 1 and \
            np.allclose(arr, exp.T, rtol=rtol, atol=atol):
        hint = "it equals the transpose of the expected matrix"
    fail(f"{name}{at}: expected {e!r}, got {g!r}, relative error {err:.3g}{extra}", arr, mistakes,
         same=same, hint=hint, values=f"expected {show(exp)}, got {show(arr)}" if arr.ndim else "")


def expect_close(got: Any, expected: float, *, rtol: float = RTOL, atol: float = ATOL,
                 name: str = "result", mistakes: Mistakes | None = None) -> None:
    """A single number (a Python or numpy scalar, or a 0-d array) close to ``expected``."""
    if isinstance(got, bool):
        raise Mismatch(f"{name}: expected a number, got the bool {got!r}")
    expect_array(got, np.float64(expected), rtol=rtol, atol=atol, name=name, mistakes=mistakes)


def expect_int(got: Any, expected: int, name: str = "result", *,
               mistakes: Mistakes | None = None) -> None:
    """An exact integer count (an integral float such as ``28.0`` is accepted)."""
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        raise Mismatch(f"{name}: expected the integer {expected}, got {type(got).__name__} {show(got)}")
    if got != expected:
        hint = ""
        if isinstance(got, float) and not float(got).is_integer():
            hint = "a count is a whole number (floor it?)"
        elif abs(got - expected) == 1:
            hint = "off by one"
        fail(f"{name}: expected {expected}, got {show(got)}", got, mistakes, same=operator.eq, hint=hint)


def expect_sequence(got: Any, length: int, name: str = "result", *,
                    mistakes: Mistakes | None = None) -> list:
    """A tuple or list of ``length`` entries, returned as a list."""
    if not isinstance(got, (tuple, list)):
        raise Mismatch(f"{name}: expected a tuple of {length} values, got {type(got).__name__} {show(got)}")
    if len(got) != length:
        fail(f"{name}: expected {length} values, got {len(got)}", got, mistakes,
             values=f"you returned {show(got)}")
    return list(got)


def expect_dict(got: Any, keys: Iterable[str], name: str = "result") -> dict:
    """A dict holding at least ``keys``; returns it."""
    keys = list(keys)
    if not isinstance(got, dict):
        raise Mismatch(f"{name}: expected a dict with keys {keys}, got {type(got).__name__} {show(got)}")
    missing = [k for k in keys if k not in got]
    if missing:
        raise Mismatch(f"{name}: missing key(s) {missing}; the dict has {sorted(map(str, got))}")
    return got


def expect_bool(got: Any, expected: bool, name: str = "result") -> None:
    """A Python bool (``1`` or ``"True"`` is not accepted) equal to ``expected``."""
    if not isinstance(got, bool):
        raise Mismatch(f"{name}: expected True or False (a bool), got {type(got).__name__} {show(got)}")
    if got is not expected:
        raise Mismatch(f"{name}: expected {expected}, got {got}")


def letters(got: Any, name: str = "result") -> frozenset[str]:
    """A choice answer as a set of uppercase letters: a letter, a string of letters, a list or a set."""
    if isinstance(got, str):
        parts = [ch for ch in got if not ch.isspace() and ch != ","]
    elif isinstance(got, (list, tuple, set, frozenset)):
        parts = list(got)
    else:
        raise Mismatch(f"{name}: expected letters such as 'A' or ['A', 'C'], got {type(got).__name__} {show(got)}")
    out = set()
    for p in parts:
        if not (isinstance(p, str) and len(p) == 1 and p.isalpha() and p.isupper()):
            raise Mismatch(f"{name}: {show(p)} is not an uppercase letter")
        out.add(p)
    return frozenset(out)


def expect_choice(got: Any, expected: str | Iterable[str], name: str = "result",
                  many: bool = False) -> None:
    """A single letter (``many=False``) or a check-all-that-apply set of letters."""
    want = frozenset(expected)
    if not many and not (isinstance(got, str) and len(got.strip()) == 1):
        raise Mismatch(f"{name}: expected one uppercase letter, got {show(got)}")
    chosen = letters(got, name)
    if chosen != want:
        raise Mismatch(f"{name}: wrong choice {''.join(sorted(chosen)) or 'nothing'}")
