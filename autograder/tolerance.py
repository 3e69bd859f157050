"""How close a number must be to count as right: the tolerances the contract states
(``docs/ASSIGNMENT.md``'s conventions), and the declaration of a case that needs another one.

A value ``got`` is within ``Tolerance(rtol, atol)`` of ``expected`` when both are finite and
``|got - expected| <= atol + rtol * |expected|``; a non-finite value only where the very same
non-finite value is expected (``autograder.checks.close``). Every comparison of a grader goes
through ``checks``, which notes the tolerance it used, so a test can hold every case to the
tolerance it declares (``M.case(..., tolerance=...)``) or, if it declares none, to its label's
default: :data:`HAND` for a ``worked`` case, :data:`DEFAULT` for the others.

No numpy here: the command line reads the declarations before it imports numpy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RTOL, ATOL = 1e-6, 1e-9          # implementation items, float64 against the reference
HAND_RTOL = 1e-3                 # worked instances, where hand-rounded numbers must pass


def number(x: float) -> str:
    """``2.0`` as ``2``, ``0.5`` as ``0.5``; a tolerance such as ``0.001`` as ``1e-3``."""
    text = f"{x:.0e}" if 0 < abs(x) < 0.01 and float(f"{x:.0e}") == x else f"{x:g}"
    return re.sub(r"e([+-])0*(\d)", r"e\1\2", text).replace("e+", "e")


@dataclass(frozen=True)
class Tolerance:
    """``|got - expected| <= atol + rtol * |expected|``, on ``of`` when what is compared is not
    the answer's value itself (``"log10 of the loss"``)."""

    rtol: float
    atol: float
    of: str = ""

    def __str__(self) -> str:
        text = f"rtol={number(self.rtol)}, atol={number(self.atol)}"
        return f"{text} on {self.of}" if self.of else text


DEFAULT = Tolerance(RTOL, ATOL)
HAND = Tolerance(HAND_RTOL, ATOL)


def default_for(label: str) -> Tolerance:
    """The contract's tolerance for a case with this label and no declaration of its own."""
    return HAND if label == "worked" else DEFAULT
