"""What a wrong answer raises, and how a value reads in feedback: the ground that the checks
(``checks.py``, whose names these are for graders) and the symbolic checker's parser
(``symbolic/parser.py``, which the checks use to read a sympy number) both stand on.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


class Mismatch(AssertionError):
    """The student's value is wrong; the message says how; ``mistake``: the named mistake
    (the phrase after the colon), when one was recognised."""

    mistake: str | None = None


def kind_name(value: Any) -> str:
    """A value's type as feedback names it: a sympy object's text crossed as the grader's own
    ``SympyText``, a name no student wrote, so it is "sympy"."""
    from .codec import SympyText
    return "sympy" if isinstance(value, SympyText) else type(value).__name__


# How an array is printed, most detailed first: numpy's summary (its first and last entries
# along every axis longer than twice the edge) at each (edge items, precision) until it fits.
ARRAY_FORMS = ((2, 6), (1, 6), (1, 3))
SUMMARY_THRESHOLD = 12     # an array of more entries is summarised (numpy's ``threshold``)
MOST_ENTRIES = 16          # an array whose summary would print more (or twice the room) is shown
                           # by its first and last entries, flat
EDGE = 3                   # entries kept at each end of a long list, tuple or dict (2 at the end)
_GAP = object()            # where a container's middle entries are left out


def show(value: Any, limit: int = 160) -> str:
    """A value as feedback shows it, in about ``limit`` characters, never cut inside: numbers
    whole; an array as numpy summarises a long one (its first and last entries along each
    axis) with its shape; a list, tuple or dict by its first and last entries and its length;
    a long string by its start, quoted, and its length. Brackets always balance. In time
    bounded whatever the value: containers nested deeper than NESTED are shown by their length."""
    return _show(value, limit, 0)


NESTED = 4                 # levels of containers shown entry by entry (each shows at most 6)


def _show(value: Any, limit: int, depth: int) -> str:
    if isinstance(value, np.ndarray):
        return _array(value, limit)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return _string(value, limit)
    if isinstance(value, (list, tuple, dict)):
        if depth >= NESTED:
            opening, closing = "{}" if isinstance(value, dict) else "[]" if isinstance(value, list) else "()"
            return f"{opening}...{closing} ({len(value):,} entries)"
        return _container(value, limit, depth)
    try:
        text = " ".join(repr(value).split())
    except ValueError:                       # an int past Python's 4,300 digits
        return f"an integer of {value.bit_length():,} bits"
    return text if len(text) <= limit else _cut_balanced(text, limit)


def _array(value: np.ndarray, limit: int) -> str:
    shape = f" (shape {value.shape})" if value.ndim else ""
    text = None
    for edge, precision in ARRAY_FORMS:
        entries = value.size if value.size <= SUMMARY_THRESHOLD else \
            int(np.prod([min(n, 2 * edge) for n in value.shape]))
        if entries > MOST_ENTRIES and value.size > SUMMARY_THRESHOLD:
            continue
        with np.printoptions(precision=precision, threshold=SUMMARY_THRESHOLD, edgeitems=edge, linewidth=10_000):
            text = " ".join(np.array2string(value, separator=", ").split())
        if len(text) + len(shape) <= limit:
            break
    if text is None or (len(text) + len(shape) > 2 * limit and value.size > SUMMARY_THRESHOLD):
        # many axes, or a summary twice the room: the first and last entries, flat
        with np.printoptions(precision=6):
            ends = ", ".join(np.array2string(np.asarray(v)) for v in (value.flat[0], value.flat[-1]))
        text, shape = f"[{ends.replace(', ', ', ..., ')}]", f" (shape {value.shape}, {value.size:,} entries)"
    return text + shape


def _string(value: str, limit: int) -> str:
    text = repr(value)
    if len(text) <= limit:
        return text
    start = repr(value[:max(limit - 30, 10)])
    return f"{start[:-1]}...{start[-1]} ({len(value):,} characters)"


def _container(value: list | tuple | dict, limit: int, depth: int) -> str:
    """``[a, b, c, ..., y, z] (N entries)``: each entry shown in its share of ``limit``; the
    first and last entries only when all of them would not fit in twice the room."""
    items = list(value.items()) if isinstance(value, dict) else list(value)
    brackets = "{}" if isinstance(value, dict) else "[]" if isinstance(value, list) else "()"
    forms = [items] if len(items) <= 2 * EDGE else []
    forms += [items[:keep] + [_GAP] + items[-min(keep, 2):] for keep in (EDGE, 1)
              if keep + min(keep, 2) < len(items)]
    texts = []
    for shown in forms:
        share = max(24, limit // max(1, len(shown)))
        parts = ["..." if item is _GAP else f"{_show(item[0], share, depth + 1)}: {_show(item[1], share, depth + 1)}"
                 if isinstance(value, dict) else _show(item, share, depth + 1) for item in shown]
        text = brackets[0] + ", ".join(parts) + ("," if len(items) == 1 and brackets == "()" else "") + brackets[1]
        texts.append(text + (f" ({len(items):,} entries)" if any(item is _GAP for item in shown) else ""))
    return next((t for room in (limit, 2 * limit) for t in texts if len(t) <= room), texts[-1])


_CLOSING = {"(": ")", "[": "]", "{": "}"}


def _cut_balanced(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters, then ``...`` and whatever its cut left
    open closed (a quote, brackets), so that a repr of anything stays balanced."""
    kept, stack, quote = text[: max(limit - 3, 1)], [], None
    for i, c in enumerate(kept):
        if quote:
            if c == quote and kept[i - 1] != "\\":
                quote = None
        elif c in "'\"":
            quote = c
        elif c in _CLOSING:
            stack.append(_CLOSING[c])
        elif stack and c == stack[-1]:
            stack.pop()
    return kept + (quote or "") + "..." + "".join(reversed(stack))
