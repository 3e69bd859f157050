"""What a wrong answer raises, and how a value reads in feedback: the ground that the checks
(``checks.py``, whose names these are for graders) and the symbolic checker's parser
(``symbolic/parser.py``, which the checks use to read a sympy number) both stand on.
"""

from __future__ import annotations

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
