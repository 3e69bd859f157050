"""Cases graded in this process on stand-ins of a student's functions: the reference's own,
some of them replaced (by a mutant that makes a known mistake, or by a recorder of how the
cases call them). Each call's arguments and value cross ``autograder.codec`` as the wire
carries them, as in ``autograder/engine/rehearsal.py``; no sandbox, so a test can grade a mutant
case by case in milliseconds. Only ``reference/`` and the test's own functions run here.
``WireCalls`` goes further: a stand-in's answer takes the reply's whole path but the socket,
so it may be anything a student's function can return or raise."""

from __future__ import annotations

import functools
import importlib
import inspect
from typing import Callable

from autograder import catalog, codec
from autograder.engine.grading import run_case
from autograder.engine.rehearsal import ReferenceCalls
from autograder.engine.results import CaseResult
from autograder.sandbox import runner
from autograder.sandbox.client import Reply, Room, too_large
from autograder.sandbox.protocol import DETAIL_CHARS, RUNNER_KINDS, StudentError, shown
from autograder.spec import Case


def reference_function(item: str) -> Callable:
    """``reference.<module>.<function>`` of ``item`` ("module.function")."""
    module, function = item.split(".")
    return getattr(importlib.import_module(f"reference.{module}"), function)


def grade_case(case: Case, replaced: dict[str, Callable] | None = None, seed: int = 0) -> CaseResult:
    """``case`` graded on the reference with ``replaced`` functions in place."""
    return run_case(case, ReferenceCalls(every_probe=True, replaced=replaced), seed)


class WireCalls(ReferenceCalls):
    """The reference, ``replaced`` functions in place, answering as a student's process does
    and read as the grader reads it: each call (a probe's and a measurement's too) answered by
    the runner's own ``_invoke`` and framed as ``runner.serve`` frames it (a value JSON cannot
    carry refused there), then counted against a request's room and parsed when the case reads
    it, an error reply's text shown, as ``sandbox/client.py`` does. A ``BaseException`` out of
    the runner's hands (an exception whose ``__str__`` raises) ends a real process: a crash."""

    def _call(self, fn, probe, args, kwargs) -> Reply:
        try:
            reply = runner._invoke(fn, probe, args, kwargs)
        except BaseException:  # noqa: BLE001 - the student's process would die of it
            raise StudentError("crash", "the student process died") from None
        try:
            body = codec.body(reply, 1)
        except (ValueError, TypeError) as exc:
            body = codec.body({"ok": False, "kind": "unencodable", "message": str(exc)[:DETAIL_CHARS]}, 1)
        try:
            if len(body) > codec.MAX_MESSAGE:
                raise codec.TooLarge(f"a reply of {len(body):,} bytes", len(body))
            Room().take(body)
        except codec.TooLarge as exc:
            raise too_large(exc) from None
        if codec.returns_value(body, 1):
            return Reply(None, codec.digest(codec.without_id(body, 1)), body)
        error = codec.loads(body)
        raise StudentError(error["kind"] if error["kind"] in RUNNER_KINDS else "raised", shown(error["message"]))


def case(case_id: str) -> Case:
    """The declared case of that id."""
    return next(c for c in catalog.cases() if c.id == case_id)


def item_cases(item: str) -> list[Case]:
    """The declared cases of ``item`` ("module.function")."""
    return [c for c in catalog.cases() if c.item == item]


def recorder(fn: Callable, seen: set) -> Callable:
    """``fn``, adding to ``seen`` the names of the parameters each call leaves to their
    default values."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def recording(*args, **kwargs):
        bound = signature.bind(*args, **kwargs).arguments
        seen.update(name for name, p in signature.parameters.items()
                    if p.default is not p.empty and name not in bound)
        return fn(*args, **kwargs)
    return recording
