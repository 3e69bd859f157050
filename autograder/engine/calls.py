"""The graders' face: what a case's ``f`` is (:class:`StudentFunction`, the API that
``autograder/spec.py`` documents: ``f(...)``, ``f.each``, ``f.feedback``, ``f.network``,
``f.measure``, ``f.probe``, ``f.sibling``), the wire messages its calls send, and the calls of
one case as they are replayed from and taught to the memo (:class:`CaseCalls`,
``engine/memo.py``).

A session here is anything with ``send(message, timeout)``: a :class:`~.session.Session`, the
reference's rehearsal (``engine/rehearsal.py``), or a test's stand-in.
"""

from __future__ import annotations

import re
from typing import Callable

import numpy as np

from .. import checks
from ..codec import Message, digest, encode
from ..sandbox.client import Replies, Reply
from ..sandbox.protocol import StudentError, shown
from ..spec import Args, Case
from . import memo
from .results import CaseResult


def render_call(name: str, args: tuple, kwargs: dict) -> str:
    parts = [checks.show(a, 80) for a in args] + [f"{k}={checks.show(v, 80)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def call_message(module: str, function: str, args: tuple, kwargs: dict, probe: str | None = None) -> dict:
    """What a call of the student's ``module.function`` sends (``probe``: run through that probe)."""
    return Message(op="call", module=module, function=function, probe=probe,
                   args=encode(tuple(args)), kwargs=encode(dict(kwargs)))


def measure_message(module: str, function: str, name: str, args: tuple, kwargs: dict) -> dict:
    """What measurement ``name`` of data (a network that ``module.function`` returned) sends to
    the measuring process, which never runs the student's code."""
    return Message(op="measure", module=module, function=function, probe=name,
                   args=encode(tuple(args)), kwargs=encode(dict(kwargs)))


def calls_message(module: str, function: str, calls: list[tuple[tuple, dict]]) -> dict:
    """What ``calls`` of the student's ``module.function`` send as one request (``f.each``)."""
    return Message(op="calls", module=module, function=function, probe=None,
                   calls=[[encode(tuple(args)), encode(dict(kwargs))] for args, kwargs in calls])


class StudentFunction:
    """What a grader's case calls: the student's ``module.function``, run in the sandbox.
    ``send``: how its calls go (a Session's ``send``, or a case's ``CaseCalls.send``)."""

    def __init__(self, send: Callable[[dict, float | None], Reply], module: str, function: str,
                 timeout: float | None):
        self.send, self.module, self.function, self.timeout = send, module, function, timeout
        self._last: tuple | None = None

    @property
    def last_call(self) -> str | None:
        """The latest call as text, rendered only when feedback needs it."""
        return render_call(self.function, *self._last) if self._last else None

    def __call__(self, *args, **kwargs):
        self._last = (args, kwargs)
        return self.send(call_message(self.module, self.function, args, kwargs), self.timeout).value

    def each(self, calls):
        """The function called on each of ``calls`` in turn (a tuple of positional arguments,
        or an ``Args``), all in one round trip: yields each call's value as the case reads it,
        then raises the first failed call's error where that call's value would have come.
        Every argument is sent before any reply is read, so none may be computed from a reply;
        the calls after one that returned a wrong value still run (a case's ``for`` over
        ``f(x)`` stops there)."""
        calls = [(c.args, c.kwargs) if isinstance(c, Args) else (tuple(c), {}) for c in calls]
        if not calls:
            return
        self._last = calls[0]
        replies = self.send(calls_message(self.module, self.function, calls), self.timeout)
        for call, reply in zip(calls, replies.items):
            self._last = call
            yield reply.value
        if replies.error is not None:
            self._last = calls[len(replies.items)]
            raise replies.error

    def probe(self, name: str, *args, **kwargs):
        self._last = (args, kwargs)
        return self.send(call_message(self.module, self.function, args, kwargs, name), self.timeout).value

    def network(self, *args, **kwargs):
        """What the function returns for these arguments, a ``torch.nn.Module``, as data (the
        ``network`` probe, ``sandbox/network.py``): the student's answer, to be measured with
        ``measure``; or ``{"refused": why}`` when it cannot cross as data."""
        return self.probe("network", *args, **kwargs)

    def measure(self, name: str, *args, **kwargs):
        """Measurement ``name`` (``autograder/probes/``) on data, such as a ``network``'s, in a
        process that never ran the student's code: its value, to be judged here. The call
        shown in feedback stays the student's own."""
        return self.send(measure_message(self.module, self.function, name, args, kwargs), self.timeout).value

    def feedback(self, state: list, steps: list, layout: list, **kwargs):
        """An update rule's trajectory in one round trip (the ``feedback`` probe): step t calls
        the function with ``layout`` (``("state", i)`` or ``("step", j)`` per argument) filled
        from the state, the previous step's returned values or ``state`` at first, and from
        ``steps[t]``. Yields ``(args, returned)`` per step; the arguments are rebuilt here from
        what came back, and a failed check reports that step's call."""
        def fill(state, step):
            return tuple(np.array(state[i], dtype=np.float64) if kind == "state" else step[i]
                         for kind, i in layout)
        self._last = (fill(state, steps[0]), kwargs)      # what a timeout or crash reports
        reply = self.send(call_message(self.module, self.function, (list(state), [list(s) for s in steps],
                                       [list(p) for p in layout]), kwargs, "feedback"), self.timeout).value
        if not (isinstance(reply, dict) and isinstance(reply.get("outputs"), list)
                and isinstance(reply.get("error"), (str, type(None)))):
            raise StudentError("crash", "the student process sent a malformed trajectory")
        for t, step in enumerate(steps):
            args = fill(state, step)
            self._last = (args, kwargs)
            if t >= len(reply["outputs"]):
                if reply.get("not_implemented") is True:
                    raise StudentError("not_implemented",
                                       f"not implemented ({self.function} raised NotImplementedError)")
                raise StudentError("raised", shown(reply["error"]) if reply["error"]
                                   else "the trajectory stopped early")   # the student's text
            yield args, reply["outputs"][t]
            state = [np.asarray(v, dtype=np.float64) for v in reply["outputs"][t]]

    def sibling(self, function: str) -> "StudentFunction":
        return StudentFunction(self.send, self.module, function, self.timeout)


class CaseCalls:
    """The calls of one case being graded (``engine/memo.py``): those the case is known to
    make, sent while the replies are known ones; then, if that led to no verdict, the case's
    own calls, the first ones answered with what was already received. Keeps the path of calls
    and reply digests, to be learned when every call returned a value."""

    def __init__(self, case: Case, seed: int, session):
        self.case, self.seed, self.session = case, seed, session
        self.received: list = []            # (message, Reply or exception) not yet handed out
        self.path: list = []                # (message, timeout, reply digest)
        self.clean = True                   # every call so far returned a value
        self.answers: list = []             # what each call handed out answered (``_answer``)
        self.errors: list = []              # the exceptions among them

    def known(self) -> memo.Verdict | None:
        verdict, self.received = memo.known(self.case, self.seed, self.session.send)
        return verdict

    def send(self, message: dict, timeout: float | None) -> Reply:
        if self.received:
            sent, outcome = self.received.pop(0)
            if sent != message:
                raise RuntimeError(f"{self.case.id} made other calls than in an earlier run")
        else:
            try:
                outcome = self.session.send(message, timeout)
            except Exception as exc:  # noqa: BLE001 - raised below, where the case made the call
                outcome = exc
        self.answers.append(_answer(outcome))
        self.errors += [outcome] if isinstance(outcome, Exception) else \
            [outcome.error] if isinstance(outcome, Replies) and outcome.error else []
        if isinstance(outcome, Exception):
            self.clean = False
            raise outcome
        if outcome.key is None:
            self.clean = False             # a reply not in the runner's form: never remembered
        self.path.append((message, timeout, outcome.key))
        return outcome

    def learn(self, result: CaseResult) -> None:
        if self.clean:
            memo.learn(self.case, self.seed, self.path,
                       memo.Verdict(result.score, result.output, result.mistake))

    def replies(self, error: Exception | None = None) -> str | None:
        """A digest of every answer of the student's code in this case: the replies handed out
        (a known verdict's among them), and ``error`` when the case ended on the exception a
        call's value raised; None where one had no answer of the student's own."""
        answers = self.answers + [_answer(outcome) for _, outcome in self.received]
        if error is not None and not any(error is e for e in self.errors):
            answers.append(_answer(error))      # raised after its reply came (a bundle, a trajectory)
        return None if not answers or None in answers else digest(b"".join(answers)).hex()


_PLACE = re.compile(r" \([^()\n]*, line \d+(, in [^()\n]*)?\)$")


def _answer(outcome) -> bytes | None:
    """A digest of what the student's code answered to one request: its reply (every reply of
    a bundle, and the exception of the call that raised), or the exception it raised, its place
    in the file aside (a copy moved around raises it on another line). None for what is not an
    answer of its own: a timeout, a crash, a stub, a missing function."""
    if isinstance(outcome, StudentError):
        return digest(_PLACE.sub("", outcome.message).encode()) if outcome.kind == "raised" else None
    if isinstance(outcome, Replies):
        parts = [r.key for r in outcome.items] + ([_answer(outcome.error)] if outcome.error else [])
        return None if None in parts else digest(b"".join(parts))
    return getattr(outcome, "key", None)
