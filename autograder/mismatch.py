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


def show(value: Any, limit: int = 160) -> str:
    """A short, readable rendering of a value for feedback, in time bounded by ``limit``
    whatever the value: a container's entries are rendered only while characters are wanted,
    and an array that numpy's summary would still print in full (2^21 entries over 21 axes
    of 2) is shown flattened, its first entries."""
    text = _text(value, limit)
    return text if len(text) <= limit else text[: limit - 3] + "..."


PRINTED = 1000                 # entries of an array numpy may print; past them, shown flattened
_BRACKETS = {list: ("[", "]"), tuple: ("(", ")"), dict: ("{", "}"), set: ("{", "}"),
             frozenset: ("frozenset({", "})")}


def _text(value: Any, limit: int) -> str:
    if isinstance(value, np.ndarray):
        return _array_text(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)) and len(value) > 8:
        return "[" + ", ".join(show(v, 40) for v in value[:6]) + f", ... ({len(value)} entries)]"
    if type(value) in _BRACKETS and value:
        opening, closing = _BRACKETS[type(value)]
        parts, left = [], limit
        for entry in (value.items() if isinstance(value, dict) else value):
            if left <= 0:
                parts.append("...")
                break
            part = (f"{_text(entry[0], left)}: {_text(entry[1], left)}" if isinstance(value, dict)
                    else _text(entry, left))
            parts.append(part)
            left -= len(part) + 2
        comma = "," if type(value) is tuple and len(value) == 1 else ""
        return opening + ", ".join(parts) + comma + closing
    text = " ".join(repr(value)[: 4 * limit + 8].split())      # a string of 1 MB: its start
    return text if len(text) <= limit else text[:limit] + "..."


def _array_text(value: np.ndarray) -> str:
    shape = f" (shape {value.shape})" if value.ndim else ""
    printed = value.size if value.size <= 12 else math.prod(min(n, 4) for n in value.shape)
    if printed > PRINTED:                     # numpy would print every entry of each short axis
        value, shape = np.asarray(value.flat[:4]), f" (shape {value.shape}, flattened)"
    with np.printoptions(precision=6, threshold=12, edgeitems=2, linewidth=10_000):
        text = np.array2string(value, separator=", ")
    text = " ".join(text.split())
    if shape.endswith("flattened)"):
        text = text[:-1] + ", ...]"
    return text + shape
