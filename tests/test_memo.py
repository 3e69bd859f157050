"""Verdicts are remembered by the replies that led to them (autograder/memo.py): a case whose
replies were all seen before gets that verdict without its checks running, every call still
made; anything else runs the case, answered first with what was already received."""

import subprocess
import sys

import pytest

from autograder import catalog, checks, engine
from autograder.engine import memo, rehearsal
from autograder.engine.calls import CaseCalls
from autograder.engine.grading import run_case
from autograder.options import GradingOptions
from autograder.sandbox.client import Replies, Reply
from autograder.sandbox.protocol import StudentError
from autograder.spec import Module
from tests.helpers import ROOT


class Student:
    """A Session's ``send`` answered by ``answer(function, *args)``; counts the calls."""

    def __init__(self, answer):
        self.answer, self.calls = answer, []

    def send(self, message, timeout=None):
        from autograder.codec import plain
        message = plain(message)
        if message["op"] == "calls":               # f.each: as the runner answers a bundle
            return Replies.gather(message["calls"], lambda args, _: self._call(message["function"], args))
        return self._call(message["function"], message["args"])

    def _call(self, function, args):
        self.calls.append(function)
        value = self.answer(function, *args)
        if isinstance(value, StudentError):
            raise value
        return Reply.of(value)


def _case(label, checked):
    """A case of three calls, each checked before the next is made."""
    module = Module("memo_test", total=1)

    @module.case("double", label, points=1)
    def double_case(f, rng):
        checked.append(label)
        for x in rng.normal(size=3):
            checks.expect_close(f(float(x)), 2 * x, name=f"double({x:.3g})")
    return module.cases[0]


def right(function, x):
    return 2 * x


def test_the_same_replies_give_the_remembered_verdict_without_running_the_checks():
    checked = []
    case = _case("same", checked)
    first, again = Student(right), Student(right)
    a = run_case(case, first, 0)
    b = run_case(case, again, 0)
    assert a.passed and (b.score, b.output) == (a.score, a.output)
    assert checked == ["same"]                        # the checks ran once
    assert again.calls == first.calls == ["double"] * 3      # every call still made


def test_other_replies_run_the_case_answered_with_what_was_received():
    checked = []
    case = _case("other", checked)
    run_case(case, Student(right), 0)
    wrong_second = Student(lambda f, x: 2 * x if len(wrong_second.calls) < 2 else -x)
    result = run_case(case, wrong_second, 0)
    assert not result.passed and "double(" in result.output
    assert checked == ["other", "other"]
    assert wrong_second.calls == ["double"] * 2       # the case's own two calls, none twice
    repeat = Student(lambda f, x: 2 * x if len(repeat.calls) < 2 else -x)
    assert (run_case(case, repeat, 0).output, checked) == (result.output, ["other", "other"])


def test_a_failed_call_is_never_remembered():
    checked = []
    case = _case("failed", checked)
    for _ in range(2):
        timing_out = Student(lambda f, x: StudentError("timeout", "timed out after 5 s"))
        result = run_case(case, timing_out, 0)
        assert result.score == 0 and "timed out" in result.output
    assert checked == ["failed", "failed"]            # graded again: a timeout is the session's


def _bundled_case(label, checked):
    """A case of three calls in one round trip (f.each), each reply checked in turn."""
    module = Module("memo_bundle", total=1)

    @module.case("double", label, points=1)
    def double_bundled(f, rng):
        checked.append(label)
        xs = [float(x) for x in rng.normal(size=3)]
        for x, got in zip(xs, f.each((x,) for x in xs)):
            checks.expect_close(got, 2 * x, name=f"double({x:.3g})")
    return module.cases[0]


def test_a_bundle_of_calls_is_remembered_as_one_step_of_the_path():
    checked = []
    case = _bundled_case("bundle", checked)
    first, again = Student(right), Student(right)
    a, b = run_case(case, first, 0), run_case(case, again, 0)
    assert a.passed and (b.score, b.output) == (a.score, a.output) and checked == ["bundle"]
    assert again.calls == ["double"] * 3              # every call still made
    wrong_second = Student(lambda f, x: 2 * x if len(wrong_second.calls) != 2 else -x)
    result = run_case(case, wrong_second, 0)
    assert not result.passed and checked == ["bundle", "bundle"]
    xs = [float(x) for x in case.rng(0).normal(size=3)]
    assert result.output.startswith(f"called double({xs[1]!r})"), result.output   # the second call's


def test_a_failed_call_in_a_bundle_is_reported_where_the_case_reads_it():
    checked = []
    case = _bundled_case("bundle_error", checked)
    xs = [float(x) for x in case.rng(0).normal(size=3)]
    raising = Student(lambda f, x: 2 * x if x != xs[1] else StudentError("raised", "ValueError: no"))
    result = run_case(case, raising, 0)
    assert result.score == 0 and result.output == f"called double({xs[1]!r})\nValueError: no"
    assert raising.calls == ["double"] * 2            # the bundle stops at the failed call
    run_case(case, raising, 0)
    assert checked == ["bundle_error"] * 2            # a failed call is never remembered


def test_the_seed_is_part_of_the_key():
    checked = []
    case = _case("seeded", checked)
    run_case(case, Student(right), 0)
    run_case(case, Student(right), 1)
    assert checked == ["seeded", "seeded"] and memo.seen(case, 0) and memo.seen(case, 1)


def test_a_case_that_changes_its_calls_is_a_grader_error_not_another_verdict():
    calls = iter([1.0, 2.0, 3.0, 4.0])
    module = Module("memo_unstable", total=1)

    @module.case("double", "unstable", points=1)
    def double_unstable(f, rng):
        checks.expect_close(f(next(calls)), -1.0)
    case = module.cases[0]
    run_case(case, Student(right), 0)          # learns: call 1.0 -> 2.0, a mismatch
    result = run_case(case, Student(lambda f, x: -1.0), 0)   # off the tree: runs, calls 2.0
    assert result.score == 0 and "internal grader error" in result.output


def test_a_reply_keyed_here_is_keyed_as_the_wire_carries_it():
    """The rehearsal's replies (built here) and a student's process's replies of the same value
    have equal keys: after the rehearsal, grading the reference runs no case but those whose
    calls need torch (the CNN's probe)."""
    cases = catalog.cases(("activations", "regularization"))
    rehearsal.rehearse(cases, 7)
    ran = []
    known = CaseCalls.known

    def spy(self):
        verdict = known(self)
        if verdict is None:
            ran.append(self.case.id)
        return verdict
    CaseCalls.known = spy
    try:
        report = engine.grade("reference", GradingOptions(seed=7, modules=("activations", "regularization")))
    finally:
        CaseCalls.known = known
    assert report.score == report.max_score
    assert ran and all(c.startswith("regularization.build_dropout_cnn") for c in ran), ran


def test_the_ceiling_times_every_call_of_the_reference():
    assert 0 < rehearsal.ceiling(catalog.cases(("xor", "regularization")), 0) < 60


@pytest.mark.parametrize("code, absent", [
    ("import autograder.front.cli", "numpy"),                 # the zygote starts before numpy here
    ("from autograder import catalog; from autograder.engine import rehearsal; "
     "rehearsal.rehearse(catalog.cases(), 0)", "torch"),   # the grader never imports torch
])
def test_what_the_grading_process_does_not_import(code, absent):
    run = subprocess.run([sys.executable, "-c", f"import sys; {code}; print({absent!r} in sys.modules)"],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    assert run.stdout.strip() == "False"

