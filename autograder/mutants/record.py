"""The inputs an item's cases send: every case of a module run against a recording stand-in of
the student's module, which answers as the reference does and writes down each call.

The stand-in answers in this process with the reference's own functions (trusted code, as
``autograder/engine/rehearsal.py`` does while a grading starts), and through ``fallback`` (the
``send`` of a reference ``Session`` in the sandbox) for the probes that need torch. A case's later calls may
depend on its earlier replies (``f.sibling``, trajectories): answered as the reference answers,
they are the calls a correct submission gets.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from .. import codec
from ..checks import Mismatch
from ..engine.calls import StudentFunction
from ..engine.rehearsal import NotHere, ReferenceCalls
from ..sandbox.protocol import StudentError
from ..spec import Case


@dataclass(frozen=True, eq=False)
class Call:
    """One call of a student's function as a case sends it: positional ``args`` and ``kwargs``
    as the student's process receives them; ``probe``: run through that probe; ``op``: the
    request's kind (a "call", or another a Session sends the same way); ``case`` and ``seed``:
    who sent it; ``how``: how it was changed from what was sent ("" if not at all)."""

    case: str
    seed: int
    function: str
    probe: str | None
    args: tuple
    kwargs: dict
    how: str = ""
    op: str = "call"

    def changed(self, how: str, args: tuple, kwargs: dict) -> "Call":
        return replace(self, how=how, args=tuple(args), kwargs=dict(kwargs))

    def origin(self) -> str:
        """Where it comes from, for people: the case, the seed, what was changed."""
        return f"{self.case} (seed {self.seed}{', ' + self.how if self.how else ''})"


class Recorder:
    """A Session's ``send`` that answers as the reference does and records every call of the
    case being run (``case``, ``seed``)."""

    def __init__(self, fallback: Callable):
        self.reference = ReferenceCalls()
        self.fallback = fallback
        self.calls: list[Call] = []
        self.case, self.seed = "", 0

    def send(self, message: dict, timeout: float | None = None):
        plain = codec.plain(message)
        if message["op"] == "calls":
            self.calls += [Call(self.case, self.seed, message["function"], None, tuple(args), kwargs)
                           for args, kwargs in plain["calls"]]
        else:
            self.calls.append(Call(self.case, self.seed, message["function"], message["probe"],
                                   tuple(plain["args"]), plain["kwargs"], op=message["op"]))
        try:
            return self.reference.send(message)
        except NotHere:
            return self.fallback(message, timeout)


def record(cases: list[Case], seeds: list[int], fallback: Callable) -> list[Call]:
    """Every call each of ``cases`` sends with each of ``seeds``, seed by seed, in case order."""
    recorder = Recorder(fallback)
    for seed in seeds:
        for case in cases:
            recorder.case, recorder.seed = case.id, seed
            f = StudentFunction(recorder.send, case.module, case.function, case.timeout)
            try:
                case.check(f, case.rng(seed))
            except (Mismatch, StudentError):
                pass           # the reference's own verdict does not matter here, its calls do
            except Exception:  # noqa: BLE001 - a grader's bug at another seed: the calls made count
                pass
    return recorder.calls
