"""Grades one submission: every declared case, in the trusted process, with the student's
functions called in the sandbox. Whatever the student's code does, every case gets a result.
"""

from __future__ import annotations

import re
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .. import catalog, checks
from ..codec import Message, digest, encode
from ..options import GradingOptions
from ..sandbox.client import Replies, Reply, Sandbox, zygote
from ..sandbox.measuring import Measurer
from ..sandbox.protocol import (CELL_ERROR_CHARS, SandboxFault, SandboxUnavailable, StudentError, printable,
                                shown)
from ..spec import Args, Case, Module
from ..submission import Submission, open_submission
from . import memo, rehearsal


# The size of a report, bounded here once for every rendering of it (results.json, feedback
# files, the terminal, the notebook check): a case's feedback, and the notes (cell errors,
# skipped lines, ...) of which a notebook of thousands of failing cells makes thousands.
OUTPUT_CHARS = 2500        # characters of one case's feedback (an exception's 2,000 and the call)
MAX_NOTES = 40             # notes kept; the rest are counted in one more ("and 7,980 more notes")
NOTE_CHARS = 500           # characters of one note


def cut(text: str, limit: int) -> str:
    """``text``, or its first characters and how many more there were, in ``limit`` or a few more."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"... ({len(text) - limit:,} more characters)"


@dataclass
class CaseResult:
    case: Case
    score: float
    output: str                    # empty when passed; at most OUTPUT_CHARS (and a count)
    fault: str | None = None       # why the case could not be graded (the grader's or the
                                   # machine's doing, never the student's): no score at all
    replies: str | None = None     # of a case that lost points: a digest of what the student's
                                   # code answered (equal digests, equal answers), or None when a
                                   # call got no answer of its own (autograder.course.similarity)
    mistake: str | None = None     # the named mistake its feedback gives, when recognised

    def __post_init__(self):
        self.output = cut(self.output, OUTPUT_CHARS)

    @property
    def passed(self) -> bool:
        return self.fault is None and self.score == self.case.points


@dataclass
class Report:
    submission: str
    seed: int
    results: list[CaseResult]
    modules: tuple[Module, ...]
    seconds: float
    sandbox_mode: str
    notes: list[str] = field(default_factory=list)      # at most MAX_NOTES (and a count)
    printed: str = ""
    hidden: frozenset[str] = frozenset()    # ids of the cases whose feedback students must not see

    def __post_init__(self):
        more = len(self.notes) - MAX_NOTES
        self.notes = [cut(n, NOTE_CHARS) for n in self.notes[:MAX_NOTES]]
        if more > 0:
            self.notes.append(f"and {more:,} more note{'s' if more > 1 else ''}")

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.case.points for r in self.results)

    def by_case(self) -> dict[str, float]:
        return {r.case.id: r.score for r in self.results}

    @property
    def faults(self) -> list[CaseResult]:
        """The cases that could not be graded: while any is, the submission has no score."""
        return [r for r in self.results if r.fault is not None]

    @property
    def graded(self) -> bool:
        return not self.faults

    @property
    def why_not_graded(self) -> str:
        """The first fault and how many cases it left ungraded ("" when graded)."""
        faults = self.faults
        if not faults:
            return ""
        more = f" ({len(faults)} cases could not be graded)" if len(faults) > 1 else ""
        return f"{faults[0].case.id}: {faults[0].fault}{more}"


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


class Session:
    """One submission's sandbox, with what the grader has learned about it so far."""

    def __init__(self, submission: Submission, options: GradingOptions = GradingOptions(), *,
                 progress: Callable[[str], None] | None = None):
        self.submission = submission
        self.options = options
        self.progress = progress                       # told which notebook cell runs
        self.deadline = time.monotonic() + options.budget
        self.sandbox = Sandbox(submission.sandbox_spec(), options.limits, unsandboxed=options.unsandboxed,
                               guarded=options.guarded)
        self.measurer = Measurer(options.limits, unsandboxed=options.unsandboxed, guarded=options.guarded)
        self.broken_modules: dict[str, str] = {}      # module -> why it cannot be used
        self.timed_out: set[str] = set()               # "module.function"
        self.notes: list[str] = []                     # cell errors and the like, for the report
        self.bad_cells: set[int] = set()               # notebook cells that hang or kill the process
        self.cells_generation = -1                     # which sandbox process ran the cells
        self.loaded: set[str] = set()                  # modules imported by the live process
        self.loaded_generation = -1

    def successor(self) -> "Session":
        """A session of the same submission in a fresh sandbox (new processes, a new private
        tmp, a new uid), under the same options and time budget and knowing what this one
        learned: for the hidden cases, which no visible case's feedback comes after."""
        later = Session(self.submission, self.options, progress=self.progress)
        later.deadline = self.deadline
        later.broken_modules, later.timed_out = dict(self.broken_modules), set(self.timed_out)
        later.bad_cells = set(self.bad_cells)
        return later

    def close(self) -> None:
        self.sandbox.close()
        self.measurer.close()

    def restart(self) -> None:
        """The next request goes to a fresh sandbox (a new process, a new uid, a new tmp); what
        the grader learned of the student's code (broken modules, timeouts) stays."""
        self.sandbox.close()

    def _limit(self, timeout: float) -> float:
        """Seconds a call may take now: ``timeout``, or what is left of the budget."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise StudentError("budget", f"not run: the submission used up its {self.options.budget:g} s "
                                         "time budget")
        return min(timeout, left)

    def _request(self, message: dict, timeout: float) -> Reply:
        return self.sandbox.reply(message, self._limit(timeout))

    def _run_cells(self) -> None:
        """Runs a notebook's cells in a fresh process, leaving out those that hang or crash it
        (each is tried once); a cell that raises is reported and the next cells still run."""
        while not self.sandbox.alive or self.cells_generation != self.sandbox.generation:
            self._request({"op": "load", "module": "notebook"}, self.options.timeout)   # a fresh process
            for i, cell in enumerate(self.submission.cells):
                if i in self.bad_cells:
                    continue
                if self.progress:
                    self.progress(f"running {cell['label']} ({i + 1} of {len(self.submission.cells)} code cells)")
                try:
                    error = self._request({"op": "cell", "code": cell["code"], "label": cell["label"]},
                                          self.options.timeout).value
                except StudentError as exc:
                    if exc.kind == "budget":
                        raise
                    self.bad_cells.add(i)
                    self.notes.append(f"{cell['label']}: {exc.message}; left out of every later run")
                    break
                error = shown(str(error), CELL_ERROR_CHARS) if error else None
                if error and error not in self.notes:
                    self.notes.append(error)
            else:
                self.cells_generation = self.sandbox.generation

    def _ensure_loaded(self, module: str) -> None:
        if self.submission.kind == "notebook":
            self._run_cells()
            return
        if module in self.broken_modules:
            raise StudentError("import", self.broken_modules[module])
        if self.sandbox.alive and self.loaded_generation == self.sandbox.generation \
                and module in self.loaded:
            return
        if not self.submission.has_module(module):
            raise StudentError("missing_module", f"{module}.py is not in the submission")
        filename = self.submission.module_file(module)
        try:
            self._request({"op": "load", "module": module}, self.options.timeout)
        except StudentError as exc:
            why = {"timeout": f"importing {filename} timed out after {self.options.timeout:g} s",
                   "crash": f"importing {filename}: {exc.message}",
                   "import": f"{filename} failed to import: {exc.message}"}.get(exc.kind)
            if why is None:
                raise
            self.broken_modules[module] = why
            raise StudentError("import", why) from None
        if self.loaded_generation != self.sandbox.generation:
            self.loaded, self.loaded_generation = set(), self.sandbox.generation
        self.loaded.add(module)

    def send(self, message: dict, timeout: float | None = None) -> Reply | Replies:
        """A ``call_message`` to the student's process (``timeout``: the case's own limit, else
        the session's): its reply, or StudentError. A ``calls_message``: its Replies (a failed
        call's error among them; raised only when none of its calls could be made)."""
        module, function = message["module"], message["function"]
        key = f"{module}.{function}"
        if key in self.timed_out:
            raise StudentError("skipped", f"not run: {function} timed out in an earlier case")
        if message["op"] == "measure":
            return self._measure(message, timeout or self.options.timeout)
        self._ensure_loaded(module)
        timeout = timeout or self.options.timeout
        if message["op"] == "calls":
            replies = self.sandbox.replies(message, len(message["calls"]), lambda: self._limit(timeout))
            if replies.error is not None:
                replies.error = self._explained(replies.error, module, function)
            return replies
        try:
            return self._request(message, timeout)
        except StudentError as exc:
            raise self._explained(exc, module, function) from None

    def _measure(self, message: dict, timeout: float) -> Reply:
        """A measurement's reply, from the measuring process (``sandbox/measuring.py``); its
        failure is the student's network's (too slow, too big), said so."""
        try:
            return self.measurer.reply(message, self._limit(timeout))
        except StudentError as exc:
            if exc.kind == "budget":
                raise
            exc = self._explained(exc, message["module"], message["function"])
            raise StudentError(exc.kind, f"measuring the network it returned: {exc.message}") from None

    def _explained(self, exc: StudentError, module: str, function: str) -> StudentError:
        """``exc``, a call's failure, in the report's words (a timeout is remembered)."""
        if exc.kind == "timeout":
            self.timed_out.add(f"{module}.{function}")
        if exc.kind == "missing":
            return StudentError("missing", f"{self.submission.module_file(module)} defines no "
                                           f"function {function}")
        if exc.kind == "not_implemented":
            return StudentError("not_implemented", f"not implemented ({function} raised "
                                                   f"NotImplementedError)")
        return exc


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
    """The calls of one case being graded (``autograder.memo``): those the case is known to
    make, sent while the replies are known ones; then, if that led to no verdict, the case's
    own calls, the first ones answered with what was already received. Keeps the path of calls
    and reply digests, to be learned when every call returned a value."""

    def __init__(self, case: Case, seed: int, session: Session):
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


def run_case(case: Case, session: Session, seed: int) -> CaseResult:
    """Runs one case; its output is "called f(args)" (when a call was made) and the reason."""
    calls = CaseCalls(case, seed, session)
    f = StudentFunction(calls.send, case.module, case.function, case.timeout)
    try:
        verdict = calls.known()
        if verdict is not None:
            return CaseResult(case, verdict.score, verdict.output, mistake=verdict.mistake,
                              replies=calls.replies() if verdict.score < case.points else None)
        case.check(f, case.rng(seed))
    except (StudentError, checks.Mismatch) as exc:
        reason = exc.message if isinstance(exc, StudentError) else str(exc)
        called = f.last_call if not isinstance(exc, StudentError) or exc.shows_call else None
        result = CaseResult(case, 0, f"called {called}\n{reason}" if called else reason,
                            replies=calls.replies(exc if isinstance(exc, StudentError) else None),
                            mistake=getattr(exc, "mistake", None))
    except SandboxUnavailable:
        raise                # nothing can be graded here: the whole run stops, with the reason
    except SandboxFault as fault:
        return CaseResult(case, 0, f"not graded: {fault}", fault=str(fault))
    except Exception as exc:  # noqa: BLE001 - a bug in a grader must not stop the others
        return CaseResult(case, 0, "internal grader error, not your fault; tell your instructor:\n"
                          + traceback.format_exc(limit=-3),
                          fault=f"internal grader error ({type(exc).__name__}: {str(exc)[:200]})")
    else:
        result = CaseResult(case, case.points, "")
    calls.learn(result)
    return result


def grade(path: str, options: GradingOptions = GradingOptions(),
          progress: Callable[[str], None] | None = None) -> Report:
    """Grades the submission at ``path`` as ``options`` say; raises SubmissionError only when
    nothing is gradable, SandboxUnavailable when no sandbox can be made. ``progress`` is told
    what is being graded.

    Hidden cases (declared ``hidden=True``, or whose label is in ``options.hidden_labels``) are
    graded after every visible case, in a fresh sandbox: nothing the student's code learns from
    a hidden instance can reach a visible case's feedback or the report's notes."""
    start = time.monotonic()
    zygote()                 # starts importing in its own process while the graders load here
    submission = open_submission(path)
    seed = options.seed
    cases = [c for c in catalog.cases(options.modules) if options.select is None or options.select(c)]
    rehearsal.rehearse(cases, seed)       # while the zygote imports: verdicts on the reference's replies
    hidden = frozenset(c.id for c in cases if c.hidden or c.label in options.hidden_labels)
    announce = _announcer(cases, progress)
    done: dict[str, CaseResult] = {}
    visible = Session(submission, options, progress=progress)
    sessions = [visible]
    try:
        for case in (c for c in cases if c.id not in hidden):
            announce(case)
            done[case.id] = _graded(case, visible, seed, done)
    finally:
        visible.close()
    notes = list(visible.notes)
    if hidden:
        later = visible.successor()
        sessions.append(later)
        try:
            for case in (c for c in cases if c.id in hidden):
                announce(case, "hidden cases")
                done[case.id] = _graded(case, later, seed, done)
        finally:
            later.close()
        if later.notes:                    # what its cells said may carry a hidden instance
            notes.append(f"the run of the hidden cases reported {len(later.notes)} more note(s), held back")
    machine = [n for s in sessions for n in s.sandbox.notes]
    mode = next((s.sandbox.mode for s in sessions if s.sandbox.mode != "?"), "?")
    notes = [f"sandbox ({mode}): {n}" for n in dict.fromkeys(machine)] + \
        [printable(n) for n in submission.notes] + notes        # they quote its lines
    return Report(submission.path, seed, [done[c.id] for c in cases], catalog.load(options.modules),
                  time.monotonic() - start, mode, notes,
                  bytes(visible.sandbox.output).decode(errors="replace"), hidden)


def _graded(case: Case, session: Session, seed: int, done: dict[str, CaseResult]) -> CaseResult:
    """``run_case``, again in a fresh sandbox when the first try met a fault (the grader's or
    the machine's: a sandbox that failed, an internal grader error). A fault that persists
    leaves the case ungraded; once two cases in a row were left so by a failing sandbox, the
    rest are not tried (the machine cannot make sandboxes now)."""
    recent = [r for r in done.values()][-2:]
    if len(recent) == 2 and all(r.fault and r.output.startswith("not graded: ") for r in recent):
        return CaseResult(case, 0, f"not graded: {recent[-1].fault}", fault=recent[-1].fault)
    result = run_case(case, session, seed)
    if result.fault is not None:
        session.restart()
        result = run_case(case, session, seed)
    return result


def _announcer(cases: list[Case], progress: Callable[[str], None] | None):
    """Tells ``progress`` when grading moves to another module (or phase)."""
    names = list(dict.fromkeys(c.module for c in cases))
    last: list = [None]

    def announce(case: Case, phase: str = "") -> None:
        if progress and last[0] != (case.module, phase):
            last[0] = (case.module, phase)
            progress(f"grading {case.module} ({names.index(case.module) + 1} of {len(names)} modules)"
                     + (f", {phase}" if phase else ""))
    return announce
