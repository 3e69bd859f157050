"""The cases graded on the reference's own functions, called in this process: each call's
arguments and value encoded and decoded as the wire carries them between the grader and a
student's process, so a reply here is the reply a submission identical to the reference sends.

- :func:`rehearse`: what a front door does before ``grade``, while the zygote still imports
  torch: every case
  graded on the reference's replies, so that ``engine/memo.py`` knows their verdicts before
  the first student's process serves; a reply equal to the reference's then costs its checks
  nothing. Calls through a probe not registered ``in_grader`` (``sandbox/probes.py``: the
  network's, which needs torch) and measurements are not made here; their cases run with the
  student's process.
- :func:`ceiling`: how long the reference's functions take on the cases' calls, the floor no
  sandbox can beat (``bench/``; every probe and measurement, torch imported).

Only ``reference/`` runs here (trusted, and already imported by the graders), never a
submission.
"""

from __future__ import annotations

import importlib
import os
import time

from .. import codec
from ..sandbox.client import Replies, Reply
from ..sandbox.probes import IN_GRADER, MEASURES, PROBES
from ..sandbox.protocol import StudentError
from ..spec import Case
from . import memo
from .calls import StudentFunction
from .grading import run_case


class NotHere(Exception):
    """A call this process does not make (a probe or a measurement that needs torch)."""


class ReferenceCalls:
    """A Session's ``send`` answered by the reference's functions; ``seconds`` adds up the time
    spent inside them. ``every_probe``: also the probes and measurements that need torch (the
    homework's, ``autograder/probes/``, loaded then). ``replaced``: ``{"module.function": fn}``
    answered by ``fn`` instead (a test's mutant or recorder, never a submission)."""

    def __init__(self, every_probe: bool = False, replaced: dict | None = None):
        self.seconds = 0.0
        self.every_probe = every_probe
        self.replaced = dict(replaced or {})
        if every_probe:
            from .. import probes
            probes.load()

    def send(self, message: dict, timeout: float | None = None) -> Reply | Replies:
        here = message["op"] != "measure" and (message["probe"] is None or message["probe"] in IN_GRADER)
        if not (here or self.every_probe):
            raise NotHere(message["probe"])
        plain = codec.plain(message)                   # what the student's process would get
        if message["op"] == "measure":
            return self._call(MEASURES[message["probe"]], None, plain["args"], plain["kwargs"])
        fn = self.replaced.get(f"{message['module']}.{message['function']}") or \
            getattr(importlib.import_module(f"reference.{message['module']}"), message["function"])
        if message["op"] == "call":
            return self._call(fn, message["probe"], plain["args"], plain["kwargs"])
        return Replies.gather(plain["calls"], lambda args, kwargs: self._call(fn, None, args, kwargs))

    def _call(self, fn, probe: str | None, args, kwargs) -> Reply:
        start = time.perf_counter()
        try:
            value = PROBES[probe](fn, *args, **kwargs) if probe else fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - as the student's process would report it
            raise StudentError("raised", f"{type(exc).__name__}: {exc}") from None
        finally:
            self.seconds += time.perf_counter() - start
        return Reply.of(value)


def rehearse(cases: list[Case], seed: int) -> None:
    """Grades on the reference every case whose verdicts ``engine/memo.py`` does not know yet.
    Only where a core is free for it: on one core it would delay the zygote it waits for."""
    if len(os.sched_getaffinity(0)) < 2:
        return
    calls = ReferenceCalls()
    for case in cases:
        if not memo.seen(case, seed):
            run_case(case, calls, seed)


def ceiling(cases: list[Case], seed: int) -> float:
    """Seconds the reference's own functions (and probes) take on the calls of ``cases``,
    nothing of the memo used; imports torch."""
    calls = ReferenceCalls(every_probe=True)
    for case in cases:
        case.check(StudentFunction(calls.send, case.module, case.function, case.timeout), case.rng(seed))
    return calls.seconds
