"""A fault of the grader or of the machine is never a student's score: a sandbox that fails
for a reason that is not the student's is retried in a fresh one; if it fails again the
submission is not graded, and every front door says so in its platform's words (no
results.json for Gradescope, ``gradable: false`` for PrairieLearn, a status in the batch's
gradebook, exit status 3), never a low score."""

import csv
import json
import os
import shutil

import pytest

from autograder import engine
from autograder.course.batch import grade_class
from autograder.engine.grading import _graded
from autograder.engine.session import Session
from autograder.front import cli
from autograder.options import GradingOptions
from autograder.sandbox import client, protocol
from autograder.spec import Module
from autograder.submission import open_submission
from tests.helpers import ROOT, SUBMISSIONS, reference_source

MODULES = ("tuning",)
JAIL_ERROR = '{"error": "FileNotFoundError: [Errno 2] No such file or directory: \'/sys/fs/cgroup/pids/x/cgroup.procs\'"}'


@pytest.fixture
def failing_starts(monkeypatch):
    """Sandbox starts that fail as a jail says it failed (its control pipe's error line), for
    the submissions whose path contains a key of ``plan``, as many times as its value says
    (None: always)."""
    plan: dict[str, int | None] = {}
    real = client.Sandbox._start

    def start(self):
        for key, left in plan.items():
            if key in self.files.root and (left is None or left > 0):
                if left is not None:
                    plan[key] = left - 1
                protocol.parse_start(JAIL_ERROR)         # raises SandboxFault
        return real(self)
    monkeypatch.setattr(client.Sandbox, "_start", start)
    return plan


def test_the_jails_error_line_is_a_fault_and_its_refusal_is_no_sandbox():
    with pytest.raises(protocol.SandboxFault, match="FileNotFoundError"):
        protocol.parse_start(JAIL_ERROR)
    with pytest.raises(protocol.SandboxFault, match="no answer"):
        protocol.parse_start("")
    with pytest.raises(protocol.SandboxUnavailable, match="no namespaces"):
        protocol.parse_start('{"refused": "no namespaces"}')
    with pytest.raises(protocol.SandboxFault, match="the sandbox failed"):
        protocol.describe_end(JAIL_ERROR, str)
    assert protocol.describe_end('{"exit": 9}', lambda s: f"status {s}") == "status 9"


def test_a_transient_fault_is_retried_and_costs_nothing(failing_starts):
    failing_starts["reference"] = 1                  # the first sandbox fails, the next ones serve
    report = engine.grade(os.path.join(ROOT, "reference"), GradingOptions(modules=MODULES))
    assert report.graded and report.score == report.max_score


def test_a_fault_that_persists_leaves_the_submission_not_graded(failing_starts):
    failing_starts["reference"] = None
    report = engine.grade(os.path.join(ROOT, "reference"), GradingOptions(modules=MODULES))
    assert not report.graded and len(report.faults) == len(report.results)
    assert "FileNotFoundError" in report.why_not_graded
    assert all(r.fault and not r.passed for r in report.results)


def test_an_internal_grader_error_is_not_a_score():
    """A grader that raises (its bug, not the student's) is tried again in a fresh sandbox,
    then leaves the submission not graded, with the traceback in the case's output."""
    module = Module("tuning", total=1)

    @module.case("grid_search_cost", "buggy", points=1)
    def grid_search_cost_buggy(f, rng):
        f([1], 1, 1)
        raise ZeroDivisionError("a grader bug")
    session = Session(open_submission(os.path.join(ROOT, "reference")),
                             GradingOptions(timeout=5, budget=60))
    try:
        result = _graded(module.cases[0], session, 0, {})
    finally:
        session.close()
    assert result.fault and "ZeroDivisionError" in result.fault
    assert result.score == 0 and not result.passed and "internal grader error" in result.output


def test_the_command_line_says_not_graded_in_each_platforms_words(failing_starts, tmp_path, capsys):
    failing_starts["reference"] = None
    gradescope, prairielearn = tmp_path / "gs.json", tmp_path / "pl.json"
    args = [os.path.join(ROOT, "reference"), "--module", "tuning"]
    assert cli.main([*args, "--json", str(gradescope)]) == cli.NOT_GRADED
    assert not gradescope.exists()                   # Gradescope: "the autograder failed", no score
    assert not [p for p in tmp_path.iterdir()]       # nor its reserved space left behind
    assert cli.main([*args, "--json", str(prairielearn), "--format", "prairielearn"]) == cli.NOT_GRADED
    data = json.loads(prairielearn.read_text())
    assert data["gradable"] is False and "FileNotFoundError" in data["format_errors"][0]
    out = capsys.readouterr()
    assert "Not graded:" in out.out and "Total: not graded" in out.out and "Not graded:" in out.err


def test_a_batch_gives_a_status_and_a_resume_grades_the_not_graded_again(failing_starts, tmp_path):
    klass = tmp_path / "class"
    for student in ("ann", "ben", "cid"):
        (klass / student).mkdir(parents=True)
        (klass / student / "tuning.py").write_text(reference_source("tuning"))
    shutil.copy(os.path.join(SUBMISSIONS, "engine_syntax_error", "tuning.py"), klass / "dan.py")
    (klass / "eve.ipynb").write_text("{ not a notebook")
    out = tmp_path / "out"
    failing_starts[str(klass / "ben")] = None
    rows = {r["student"]: r for r in grade_class(str(klass), str(out), GradingOptions(modules=MODULES), progress=False)}
    assert rows["ben"]["total"] is None and rows["ben"]["status"].startswith("not graded: ")
    assert rows["eve"]["status"].startswith("unreadable submission: ")
    assert {s: rows[s]["status"] for s in ("ann", "cid", "dan")} == dict.fromkeys(("ann", "cid", "dan"), "graded")
    assert not (out / "ben" / "results.json").exists()
    assert "Not graded:" in (out / "ben" / "feedback.txt").read_text()
    with open(out / "gradebook.csv") as f:
        book = {r["student"]: r for r in csv.DictReader(f)}
    assert book["ben"]["total"] == "" and book["ben"]["tuning.grid_search_cost"] == ""
    assert book["ann"]["total"] == "6" and book["dan"]["total"] == "0"
    summary = (out / "summary.txt").read_text()
    assert "5 students: 3 graded, 1 not graded, 1 unreadable submission" in summary
    assert summary.index("ben: not graded") < summary.index("totals:")
    assert "max 6, mean 4.0" in summary             # ann, cid 6 and dan 0: ben and eve not averaged in

    failing_starts.clear()                           # the machine recovered: resume
    rows = {r["student"]: r for r in grade_class(str(klass), str(out), GradingOptions(modules=MODULES), progress=False)}
    assert rows["ben"]["status"] == "graded" and rows["ben"]["total"] == 6
    assert (out / "ben" / "results.json").exists()


def test_the_notebook_check_raises_rather_than_scoring_a_fault(failing_starts, tmp_path):
    from autograder.front import check_server
    folder = tmp_path / "check-folder"
    folder.mkdir()
    failing_starts["check-folder"] = None
    with pytest.raises(check_server.NotGraded, match="Not graded: .*Run the check again"):
        check_server.check({"cells": [reference_source("tuning")], "modules": ["tuning"]}, str(folder))
