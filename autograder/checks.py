"""Comparisons that run in the trusted process and explain what differs.

Every ``expect_*`` function returns normally when the answer is right and raises
:class:`Mismatch` with a message a student can act on when it is not. The engine prefixes the
message with the call that produced the value ("called f(...)"), so messages here say only what
was expected and what came back.

What an answer may be (the contract's conventions state it, from :data:`ANSWER_RULE`): one
rule per kind, applied here and nowhere else, to every reply of every path (a call, ``f.each``,
a trajectory, a probe, a notebook's function). Any container that holds the same exact values
is accepted; values and shapes stay strict:

- array: a numpy array of any numeric dtype (float32 included: it is compared at the same
  tolerance), a torch tensor (it arrives as a numpy array, requires grad or not), a list or
  tuple of numbers, a number for a 0-d array (:func:`as_array`);
- number: a Python or numpy scalar, a 0-d array or tensor, a sympy number (an Integer, Rational
  or Float, read exactly from its text however many digits it has: :func:`as_number`);
- count: an integer, or a number of any of those forms with an integral value
  (:func:`expect_int`);
- tuple of values (ints, arrays): a tuple, a list, a ``torch.Size``, or an array whose first
  axis runs over the entries (:func:`expect_sequence`);
- bool: ``True``/``False``, numpy's, sympy's ``true``/``false``, or a 0-d bool array or
  tensor; never ``1`` or ``"True"`` (:func:`expect_bool`);
- choice: letters as a string (``"AC"``), a list, a tuple, a set or an array of strings
  (:func:`letters`);
- symbolic: ``autograder.symbolic`` (a sympy object, a string, a number, a nested list).

Non-finite values: every comparison goes through :func:`close`, where nan, inf and -inf are
close only to the very same non-finite expected value, so a nan never passes where a number is
expected (``nan > tol`` is False, which is how a comparison written by hand lets it through).

Known mistakes. The value comparisons (``expect_array``, ``expect_close``, ``expect_shape``,
``expect_int``, ``expect_sequence`` and ``symbolic.expect_equivalent``) take ``mistakes``,
``{what the mistake is called: the wrong answer it gives}``. When the answer is wrong and is one
of those wrong answers (compared as the check compares, at its tolerance), the feedback names
the first such mistake; otherwise it names the check's own guess, if any (a transpose, a
flipped sign, off by one) where the numbers fit it. One wording rule, kept by :func:`fail`
alone::

    <what>: <how it differs>[: <the named mistake>][; <the values in full>]

    dW: shape (3, 2), expected (2, 3): did you transpose?
    output at index [0, 1]: expected 2.0, got -1.0, ...: the bias is missing; expected [...], got [...]

so a mistake's name is a phrase that reads after a colon ("the bias is missing", "dividing by p
instead of 1 - p"), and a grader's own comparison ends in ``checks.fail`` the same way.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import operator
from functools import partial
from typing import Any, Callable, Iterable, Iterator, Mapping, NoReturn

import numpy as np

from .mismatch import Mismatch, kind_name, show  # noqa: F401 - the graders' names, and the checks' own
from .tolerance import ATOL, DEFAULT, HAND, HAND_RTOL, RTOL, Tolerance  # noqa: F401 - the graders' names

Mistakes = Mapping[str, Any]     # what a mistake is called -> the wrong answer it gives

ANSWER_RULE = (
    "Any container that holds the same exact values is accepted, and values and shapes stay "
    "strict: an array answer may be a numpy array of any numeric dtype (float32 where the "
    "tolerance allows), a torch tensor (requiring grad or not), a list or a tuple; a number may "
    "be a Python or numpy scalar, a 0-d array or tensor, or a sympy number (an `Integer`, "
    "`Rational` or `Float`, exact however many digits it has); a count an integer or any of those "
    "forms holding an integral value; a tuple (of ints, or of arrays) a tuple, a list, a "
    "`torch.Size` or an array along its first axis; a true/false answer a `bool` (numpy's, "
    "sympy's `true`/`false`, or a 0-d bool array or tensor), never `1` or `\"True\"`.")


# ---------------------------------------------------------------- tolerances in use

_noted: contextvars.ContextVar[set | None] = contextvars.ContextVar("tolerances", default=None)


@contextlib.contextmanager
def noting_tolerances() -> Iterator[set]:
    """Collects, into the set it yields, the :class:`Tolerance` of every comparison made inside
    (tests hold each case to the tolerances the contract shows for it)."""
    token = _noted.set(set())
    try:
        yield _noted.get()
    finally:
        _noted.reset(token)


def note(tolerance: Tolerance) -> None:
    """Records a comparison's tolerance while :func:`noting_tolerances` collects them."""
    noted = _noted.get()
    if noted is not None:
        noted.add(tolerance)


def close(got: Any, expected: Any, *, rtol: float = RTOL, atol: float = ATOL, of: str = "") -> np.ndarray:
    """Entrywise (as a bool array, broadcast): ``got`` within ``atol + rtol * |expected|`` of
    ``expected``, both finite; a non-finite entry is close only to the very same non-finite
    expected value (inf to inf, nan to nan). The one comparison of numbers every check and
    every grader makes (``of``: what is compared when not the answer's value itself, as its
    case declares it)."""
    if _noted.get() is not None:               # only while a test collects them: a hot path
        note(Tolerance(rtol, atol, of))
    g, e = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    with np.errstate(all="ignore"):
        finite = np.isfinite(g) & np.isfinite(e)
        within = np.abs(g - e) <= atol + rtol * np.abs(e)
        same = ~np.isfinite(e) & ((g == e) | (np.isnan(g) & np.isnan(e)))
    return np.where(finite, within, same)


def all_close(got: Any, expected: Any, *, rtol: float = RTOL, atol: float = ATOL, of: str = "") -> bool:
    """Whether every entry is :func:`close` (shapes broadcast)."""
    return bool(close(got, expected, rtol=rtol, atol=atol, of=of).all())


def matches(got: Any, expected: Any, *, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Whether ``got`` has ``expected``'s shape and values (False for anything unreadable); two
    tuples or lists match entry by entry, so ``(dx, dW)`` can be a wrong answer too."""
    if isinstance(got, (tuple, list)) and isinstance(expected, (tuple, list)):
        return len(got) == len(expected) and all(
            matches(g, e, rtol=rtol, atol=atol) for g, e in zip(got, expected))
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return False
    return arr.shape == np.shape(expected) and all_close(arr, expected, rtol=rtol, atol=atol)


def fail(message: str, got: Any = None, mistakes: Mistakes | None = None, *,
         same: Callable[[Any, Any], bool] = matches, hint: str = "", values: str = "") -> NoReturn:
    """Raises Mismatch: ``message`` (what differs), then the name of the first of ``mistakes``
    whose wrong answer ``got`` is (by ``same``), or else ``hint``, after a colon, then ``values``
    (the values in full, if any) after a semicolon. The one place a named mistake goes."""
    for mistake, wrong in (mistakes or {}).items():
        if same(got, wrong):
            hint = mistake
            break
    error = Mismatch(message + (f": {hint}" if hint else "") + (f"; {values}" if values else ""))
    error.mistake = hint or None
    raise error


# ---------------------------------------------------------------- what an answer may be

_SPECIAL = {"oo": math.inf, "-oo": -math.inf, "nan": math.nan, "zoo": math.nan}


def _sympy_number(got: Any, name: str) -> float | int | None:
    """A sympy number's value (its text, as it crossed: ``SympyText``): an integer, a rational
    or a float exactly (``symbolic.parser.plain_number``, however many digits), ``oo``, ``nan``;
    None for anything else. Never built by sympy: a sympy number prints as such a literal, and
    any other text (a Symbol named ``sqrt(10**19200 + 1)`` prints as that) is not a number and
    costs nothing to refuse."""
    from .codec import SympyText
    if not isinstance(got, SympyText):
        return None
    from .symbolic.parser import plain_number
    try:
        exact = plain_number(got)
    except Mismatch as too_long:
        raise Mismatch(f"{name}: {too_long}") from None
    if isinstance(exact, int):
        return exact
    if exact is not None:
        return _float(exact)
    return _SPECIAL.get(got.strip())


def _float(number) -> float:
    """``number`` (an int or a Fraction of any size) as the nearest float, ±inf past the range."""
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


def as_array(got: Any, name: str = "result") -> np.ndarray:
    """The value as a float array of any shape (the array kind); Mismatch when it is not numbers."""
    number = _sympy_number(got, name)
    if number is not None:
        return np.asarray(_float(number), dtype=np.float64)
    if isinstance(got, (str, bytes, dict)) or got is None:
        raise Mismatch(f"{name}: expected numbers, got {kind_name(got)} {show(got)}")
    if isinstance(got, (complex, np.complexfloating, np.ndarray)) and np.iscomplexobj(got):
        if np.any(np.imag(got) != 0):
            raise Mismatch(f"{name}: expected real numbers, got complex values {show(got)}")
        got = np.real(got)                            # complex dtype, real values: the same values
    try:
        arr = np.asarray(got, dtype=np.float64)
    except OverflowError:                          # an int past 1.8e308, alone or in a list
        raise Mismatch(f"{name}: expected numbers, got an integer too large for a float "
                       f"({show(got)})") from None
    except (TypeError, ValueError) as exc:
        raise Mismatch(f"{name}: expected an array of numbers, got {show(got)} ({exc})") from None
    return arr


def as_number(got: Any, name: str = "result") -> float:
    """A single number (the number kind): a Python or numpy scalar, a 0-d array, a sympy number."""
    if isinstance(got, bool) or (isinstance(got, np.ndarray) and got.dtype.kind == "b"):
        raise Mismatch(f"{name}: expected a number, got the bool {show(got)}")
    arr = as_array(got, name)
    if arr.shape != ():
        fail(f"{name}: shape {arr.shape}, expected a single number (shape ())", arr,
             hint="a 1-element array is not a number: return float(...) or the 0-d value" if arr.size == 1 else "")
    return float(arr)


def as_count(got: Any, name: str, expected: Any = "an integer") -> int | float:
    """A count (the count kind): an int, or a number of any form with an integral value, as a
    Python int; a number that is not whole comes back as the float it is (for the message)."""
    if isinstance(got, (np.ndarray, np.generic)) and got.shape == () and got.dtype.kind in "iuf":
        got = got.item()
    number = _sympy_number(got, name)
    if number is not None:
        got = number
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        what = f"the integer {expected}" if isinstance(expected, int) else expected
        raise Mismatch(f"{name}: expected {what}, got {kind_name(got)} {show(got)}")
    if isinstance(got, float) and got.is_integer():
        return int(got)
    return got


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


def _error(g: float, e: float) -> str:
    """How far ``g`` is from ``e``: relative, or absolute where ``e`` is 0; nothing for a
    non-finite value."""
    if not (math.isfinite(g) and math.isfinite(e)):
        return ""
    return f", relative error {abs(g - e) / abs(e):.3g}" if e else f", absolute error {abs(g - e):.3g}"


def _value_hint(arr: np.ndarray, exp: np.ndarray, rtol: float, atol: float) -> str:
    """The check's own guess at what went wrong, only where the numbers of the whole answer fit
    it (at the check's tolerance), or ''."""
    if (np.isnan(arr) & ~np.isnan(exp)).any():
        return "nan where a number was expected (overflow? 0/0?)"
    if (np.isinf(arr) & np.isfinite(exp)).any():
        return "inf where a finite number was expected (overflow?)"
    for factor, hint in ((-1.0, "the sign is flipped"),
                         (2.0, "twice the expected value (a factor 2 too many?)"),
                         (0.5, "half the expected value (a factor 2 missing?)")):
        with np.errstate(all="ignore"):
            scaled = factor * exp
        if all_close(arr, scaled, rtol=rtol, atol=atol):
            return hint
    if arr.ndim == 2 and arr.shape[0] == arr.shape[1] > 1 and all_close(arr, exp.T, rtol=rtol, atol=atol):
        return "it equals the transpose of the expected matrix"
    return ""


def expect_array(got: Any, expected: Any, *, rtol: float = RTOL, atol: float = ATOL,
                 name: str = "result", mistakes: Mistakes | None = None) -> None:
    """``got`` matches ``expected`` in shape exactly and in value within tolerance (:func:`close`)."""
    exp = np.asarray(expected, dtype=np.float64)
    same = partial(matches, rtol=rtol, atol=atol)
    arr = _shaped(got, exp.shape, name, mistakes, same)
    ok = close(arr, exp, rtol=rtol, atol=atol)
    if ok.all():
        return
    index = tuple(int(i) for i in np.argwhere(~ok)[0]) if arr.ndim else ()
    g, e = float(arr[index]), float(exp[index])
    count = int((~ok).sum())
    at = f" at index {list(index)}" if arr.ndim else ""
    extra = f" ({count} of {arr.size} entries differ)" if arr.size > 1 else ""
    fail(f"{name}{at}: expected {e!r}, got {g!r}{_error(g, e)}{extra}", arr, mistakes,
         same=same, hint=_value_hint(arr, exp, rtol, atol),
         values=f"expected {show(exp)}, got {show(arr)}" if arr.ndim else "")


def expect_close(got: Any, expected: float, *, rtol: float = RTOL, atol: float = ATOL,
                 name: str = "result", mistakes: Mistakes | None = None) -> None:
    """A single number (:func:`as_number`) close to ``expected``."""
    expect_array(as_number(got, name), np.float64(expected), rtol=rtol, atol=atol, name=name,
                 mistakes=mistakes)


def expect_int(got: Any, expected: int, name: str = "result", *,
               mistakes: Mistakes | None = None) -> None:
    """An exact integer count (:func:`as_count`: ``28.0`` or a 0-d tensor holding 28 is 28)."""
    value = as_count(got, name, expected)
    if value != expected:
        hint = ""
        if isinstance(value, float) and not math.isfinite(value):
            hint = "not a finite number"
        elif isinstance(value, float):
            hint = "a count is a whole number (floor it?)"
        elif abs(value - expected) == 1:
            hint = "off by one"
        shown = got if isinstance(got, (int, float)) else value       # as the student wrote it
        fail(f"{name}: expected {expected}, got {show(shown)}", value, mistakes, same=operator.eq, hint=hint)


def expect_sequence(got: Any, length: int, name: str = "result", *,
                    mistakes: Mistakes | None = None) -> list:
    """A tuple of ``length`` entries (a tuple, a list, a ``torch.Size``, or an array along its
    first axis), returned as a list."""
    if isinstance(got, np.ndarray) and got.ndim:
        got = got.tolist() if got.ndim == 1 else list(got)
    if not isinstance(got, (tuple, list)):
        raise Mismatch(f"{name}: expected a tuple of {length} values, got {kind_name(got)} {show(got)}")
    if len(got) != length:
        fail(f"{name}: expected {length} values, got {len(got)}", got, mistakes,
             values=f"you returned {show(got)}")
    return list(got)


def expect_dict(got: Any, keys: Iterable[str], name: str = "result") -> dict:
    """A dict holding at least ``keys``; returns it."""
    keys = list(keys)
    if not isinstance(got, dict):
        raise Mismatch(f"{name}: expected a dict with keys {keys}, got {kind_name(got)} {show(got)}")
    missing = [k for k in keys if k not in got]
    if missing:
        raise Mismatch(f"{name}: missing key(s) {missing}; the dict has {sorted(map(str, got))}")
    return got


def expect_bool(got: Any, expected: bool, name: str = "result") -> None:
    """A bool (a 0-d bool array or tensor, sympy's ``true``/``false`` too; ``1`` or ``"True"``
    is not one) equal to ``expected``."""
    from .codec import SympyText
    if isinstance(got, np.ndarray) and got.shape == () and got.dtype.kind == "b":
        got = bool(got)
    if isinstance(got, SympyText) and str.__str__(got) in ("True", "False"):
        got = str.__str__(got) == "True"                 # sympy.true and sympy.false, as they cross
    if not isinstance(got, bool):
        raise Mismatch(f"{name}: expected True or False (a bool), got {kind_name(got)} {show(got)}")
    if got is not expected:
        raise Mismatch(f"{name}: expected {expected}, got {got}")


def letters(got: Any, name: str = "result") -> frozenset[str]:
    """A choice answer as a set of uppercase letters: a letter, a string of letters, a list or a set."""
    if isinstance(got, np.ndarray) and got.ndim <= 1:
        got = got.tolist()
    if isinstance(got, str):
        parts = [ch for ch in got if not ch.isspace() and ch != ","]
    elif isinstance(got, (list, tuple, set, frozenset)):
        parts = list(got)
    else:
        raise Mismatch(f"{name}: expected letters such as 'A' or ['A', 'C'], got {kind_name(got)} {show(got)}")
    out = set()
    for p in parts:
        if not (isinstance(p, str) and len(p) == 1 and p.isalpha() and p.isupper()):
            raise Mismatch(f"{name}: {show(got)} is not a choice of letters ({show(p)} is not an uppercase "
                           "letter): give the letters as \"AC\" or [\"A\", \"C\"]")
        out.add(p)
    return frozenset(out)


def expect_choice(got: Any, expected: str | Iterable[str], name: str = "result",
                  many: bool = False) -> None:
    """A single letter (``many=False``) or a check-all-that-apply set of letters."""
    want = frozenset(expected)
    if isinstance(got, np.ndarray) and got.shape == ():
        got = got.item()
    if not many and not (isinstance(got, str) and len(got.strip()) == 1):
        raise Mismatch(f"{name}: expected one uppercase letter, got {show(got)}")
    chosen = letters(got, name)
    if chosen != want:
        raise Mismatch(f"{name}: wrong choice {''.join(sorted(chosen)) or 'nothing'}")
