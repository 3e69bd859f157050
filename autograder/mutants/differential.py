"""The differential check of a surviving mutant: the reference and the mutant called on the same
inputs, each in its own sandboxed process, until one input makes them differ.

An input counts only where the reference answers it: a reference that raises, times out or
returns nan there says the input is outside the item's domain (a singular matrix, a log of 0).
The mutant differs where it returns another value (compared as the graders compare: arrays by
shape and at ``checks.RTOL``/``checks.ATOL``, symbolic answers by mathematical equivalence,
never by text), raises, or times out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np
import sympy

from .. import checks
from ..options import GradingOptions
from ..codec import Message, SympyText, encode
from ..engine.calls import calls_message
from ..sandbox.protocol import StudentError
from ..symbolic import expect_equivalent
from ..symbolic.allowed import FUNCTIONS
from ..symbolic.parser import parse
from .record import Call

BATCH = 64          # calls of one function sent as one request
CHUNK = 256         # inputs tried before looking for a difference


@dataclass(frozen=True)
class Outcome:
    """What a call gave: its value, or ``error``, the failure in words."""

    value: object = None
    error: str | None = None

    def __str__(self) -> str:
        return self.error if self.error is not None else checks.show(self.value, 300)


@dataclass(frozen=True)
class Separation:
    """An input on which the mutant and the reference differ."""

    call: Call
    reference: Outcome
    mutant: Outcome


def _outcome(reply) -> Outcome:
    try:
        return Outcome(reply.value)
    except StudentError as exc:
        return Outcome(error=exc.message)


def _plain_call(call: Call) -> bool:
    return call.op == "call" and call.probe is None


def replay(send: Callable, module: str, calls: list[Call]) -> list[Outcome]:
    """Each of ``calls`` made through ``send`` (a Session's): the plain calls of one function go
    ``BATCH`` to a request, and a failed call's successors are sent again."""
    out: list[Outcome] = []
    i = 0
    while i < len(calls):
        first = calls[i]
        if not _plain_call(first):          # through a probe, or another kind of request
            message = Message(op=first.op, module=module, function=first.function, probe=first.probe,
                              args=encode(tuple(first.args)), kwargs=encode(dict(first.kwargs)))
            try:
                out.append(_outcome(send(message)))
            except StudentError as exc:
                out.append(Outcome(error=exc.message))
            i += 1
            continue
        j = i + 1
        while j < len(calls) and j - i < BATCH and _plain_call(calls[j]) and calls[j].function == first.function:
            j += 1
        try:
            replies = send(calls_message(module, first.function, [(c.args, c.kwargs) for c in calls[i:j]]))
        except StudentError as exc:
            out.append(Outcome(error=exc.message))
            i += 1
            continue
        out += [_outcome(r) for r in replies.items]
        i += len(replies.items)
        if replies.error is not None:
            out.append(Outcome(error=replies.error.message))
            i += 1
    return out


def has_nan(value) -> bool:
    """Whether a nan lies anywhere in ``value`` (the reference's sign of a bad input)."""
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "fc" and bool(np.isnan(value).any())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(has_nan(v) for v in value)
    if isinstance(value, dict):
        return any(has_nan(v) for v in value.values())
    return False


def usable(reference: Outcome) -> bool:
    return reference.error is None and not has_nan(reference.value)


def _numeric(value) -> bool:
    return isinstance(value, (int, float, np.ndarray, np.number)) and not isinstance(value, bool)


def same(expected, got, symbols: dict[str, sympy.Symbol], seed: int = GradingOptions().seed) -> bool:
    """Whether ``got`` is ``expected`` as a grader would judge it (see the module docstring)."""
    if isinstance(expected, SympyText):
        return _same_symbolic(expected, got, symbols, seed)
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(expected) is type(got) and expected == got
    if _numeric(expected) and _numeric(got):
        a, b = np.asarray(expected), np.asarray(got)
        if a.shape != b.shape or a.dtype.kind not in "iuf" or b.dtype.kind not in "iuf":
            return False
        with np.errstate(all="ignore"):
            return bool(np.allclose(b.astype(float), a.astype(float), rtol=checks.RTOL,
                                    atol=checks.ATOL, equal_nan=True))
    if isinstance(expected, (list, tuple)) and isinstance(got, (list, tuple)):
        return len(expected) == len(got) and all(same(e, g, symbols, seed) for e, g in zip(expected, got))
    if isinstance(expected, dict) and isinstance(got, dict):
        return expected.keys() == got.keys() and all(same(expected[k], got[k], symbols, seed) for k in expected)
    return type(expected) is type(got) and expected == got


def _same_symbolic(expected: str, got, symbols, seed: int) -> bool:
    """Equivalence as ``expect_equivalent`` judges it, at test points keyed by ``seed``."""
    wanted = parse(expected, symbols, tuple(FUNCTIONS), matrices=True, sets=True)
    try:
        expect_equivalent(got, wanted, symbols, tuple(FUNCTIONS), rng=np.random.default_rng(seed))
    except checks.Mismatch:
        return False
    return True


class Reference:
    """The reference's outcomes on a module's inputs, each computed once (in the reference's
    sandbox, through ``send``) however many mutants ask."""

    def __init__(self, send: Callable, module: str, inputs: list[Call]):
        self.send, self.module, self.inputs = send, module, inputs
        self.known: dict[int, Outcome] = {}

    def outcomes(self, indices: list[int]) -> list[Outcome]:
        todo = [i for i in indices if i not in self.known]
        for i, outcome in zip(todo, replay(self.send, self.module, [self.inputs[i] for i in todo])):
            self.known[i] = outcome
        return [self.known[i] for i in indices]


def separate(send: Callable, reference: Reference, indices: Iterable[int],
             symbols: dict[str, sympy.Symbol]) -> Separation | None:
    """The first of ``reference.inputs[indices]`` (in that order) on which the mutant (through
    ``send``) and the reference differ, or None."""
    indices = list(indices)
    for start in range(0, len(indices), CHUNK):
        chunk = indices[start:start + CHUNK]
        expected = reference.outcomes(chunk)
        keep = [(i, e) for i, e in zip(chunk, expected) if usable(e)]
        got = replay(send, reference.module, [reference.inputs[i] for i, _ in keep])
        for (i, e), g in zip(keep, got):
            call = reference.inputs[i]
            if g.error is not None or not same(e.value, g.value, symbols, call.seed):
                return Separation(call, e, g)
    return None
