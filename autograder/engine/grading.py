"""The grading loop: every selected case of one submission, in the trusted process, with the
student's functions called in its sandbox. Whatever the student's code does, every case gets a
result; a fault of the grader or of the machine is retried once in a fresh sandbox and never
becomes a score.
"""

from __future__ import annotations

import os
import time
import traceback
from itertools import islice
from typing import Callable

from .. import catalog, checks
from ..options import GradingOptions
from ..sandbox.protocol import SandboxFault, SandboxUnavailable, StudentError, printable
from ..sandbox.zygote_handle import zygote
from ..spec import Case
from ..submission import Submission, SubmissionError, open_submission
from .calls import CaseCalls, StudentFunction
from .results import CaseResult, Report
from .session import Session

MISNAMED_SHOWN = 5           # entries of a folder with nothing to grade, named in the message


def selected(options: GradingOptions) -> list[Case]:
    """The cases ``options`` grade, in report order: those of its modules that its ``select``
    accepts."""
    return [c for c in catalog.cases(options.modules) if options.select is None or options.select(c)]


def run_case(case: Case, session, seed: int) -> CaseResult:
    """Runs one case with its calls sent through ``session`` (anything with ``send``); its
    output is "called f(args)" (when a call was made) and the reason."""
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
    nothing is gradable (``check_gradable``), SandboxUnavailable when no sandbox can be made. ``progress`` is told
    what is being graded.

    The front doors rehearse the reference first (``rehearsal.rehearse``), while the zygote
    imports, so that a reply equal to the reference's costs its checks nothing.

    Hidden cases (declared ``hidden=True``, or whose label is in ``options.hidden_labels``) are
    graded after every visible case, in a fresh sandbox: nothing the student's code learns from
    a hidden instance can reach a visible case's feedback or the report's notes."""
    start = time.monotonic()
    zygote()                 # starts importing in its own process while the graders load here
    submission = open_submission(path)
    seed = options.seed
    cases = selected(options)
    check_gradable(submission, list(dict.fromkeys(c.module for c in cases)))
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


def check_gradable(submission: Submission, modules: list[str]) -> None:
    """Raises SubmissionError when a folder holds no file of the modules graded and no
    notebook (an empty folder, or files named otherwise than the template's): a report of
    every case lost would say nothing true, and a platform should not spend an attempt on it."""
    if submission.modules is None or submission.modules & set(modules):
        return
    names = ", ".join(f"{m}.py" for m in modules)
    held = sorted(n for n in os.listdir(submission.path) if not n.startswith("."))
    if not held:
        raise SubmissionError(f"nothing was handed in: {submission.path} is empty; hand in the template's "
                              f"module files ({names}) or a notebook (.ipynb)")
    shown = ", ".join(held[:MISNAMED_SHOWN]) + \
        (f" and {len(held) - MISNAMED_SHOWN} more" if len(held) > MISNAMED_SHOWN else "")
    raise SubmissionError(f"nothing to grade in {submission.path}: it holds {printable(shown)} but none of the "
                          f"template's module files ({names}) and no notebook (.ipynb); name the files as in "
                          "the template, at the top of the folder")


def _graded(case: Case, session: Session, seed: int, done: dict[str, CaseResult]) -> CaseResult:
    """``run_case``, again in a fresh sandbox when the first try met a fault (the grader's or
    the machine's: a sandbox that failed, an internal grader error). A fault that persists
    leaves the case ungraded; once two cases in a row were left so by a failing sandbox, the
    rest are not tried (the machine cannot make sandboxes now)."""
    recent = list(islice(reversed(done.values()), 2))          # the latest first
    if len(recent) == 2 and all(r.fault and r.output.startswith("not graded: ") for r in recent):
        return CaseResult(case, 0, f"not graded: {recent[0].fault}", fault=recent[0].fault)
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
