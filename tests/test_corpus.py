"""Every submission under tests/submissions/ gets exactly the score its expected.json states,
case by case: ``"scores"`` lists the cases that lose points, with their exact score, and every
other case of the modules it hands in must earn all of its points. Optional ``"messages"`` name
text its feedback must contain, ``"options"`` the GradingOptions it is graded with (a shorter
``load_timeout`` where a hang only needs some limit, to keep the suite short), and ``"in_mode"`` what a sandbox mode changes
(``{"container": {"scores": ...}}``). A submission with ``"targets"`` is graded from a copy that
names this machine's project paths to its probes (tests/helpers.py, stage)."""

import json
import os

import pytest

from autograder import catalog
from tests.helpers import (EXAMPLE, corpus, defines, expected, expected_scores, grade, renders_whole,
                           stage, write_submission)


@pytest.mark.parametrize("name", corpus())
def test_exact_score(name, tmp_path):
    want = expected(name)
    options = {**({"modules": tuple(want["modules"])} if "modules" in want else {}), **want.get("options", {})}
    report = grade(stage(name, tmp_path), **options)
    assert report.graded, f"not graded (never a score, nor a 0 to expect): {report.why_not_graded}"
    renders_whole(report)
    got = report.by_case()
    scores = expected_scores(name, got, report.sandbox_mode)
    outputs = {r.case.id: r.output for r in report.results}
    wrong = {case: (scores[case], score) for case, score in got.items() if score != scores[case]}
    assert not wrong, "\n".join(f"{c}: expected {e}, got {g}: {outputs[c]}" for c, (e, g) in wrong.items())
    for case, text in expected(name, report.sandbox_mode).get("messages", {}).items():
        assert text in outputs[case], f"{case}: feedback lacks {text!r}: {outputs[case]!r}"
    assert_brackets_balance(name, outputs)


BUILT_TO_MISBEHAVE = ("hostile_", "engine_")     # their words (exceptions, strings) are anything


def assert_brackets_balance(name: str, outputs: dict[str, str]) -> None:
    """Every bracket of the feedback closes: values are summarised whole (issue 28: calls were
    cut mid-array with "..."). Of a submission built to misbehave, whose exception messages and
    strings are anything it likes, the calls the grader renders."""
    for case, output in outputs.items():
        lines = output.splitlines()
        if os.path.basename(name).startswith(BUILT_TO_MISBEHAVE):
            lines = [line for line in lines if line.startswith("called ")]
        for line in lines:
            stack = []
            for c in line:
                if c in "([{":
                    stack.append(")]}"["([{".index(c)])
                elif c in ")]}":
                    assert stack and stack.pop() == c, f"{name} {case}: {line}"
            assert not stack, f"{name} {case}: {line}"


@pytest.mark.parametrize("name", corpus() + [EXAMPLE])
def test_expectations_list_only_lost_points(name):
    """A case listed with its full points says nothing: the corpus lists what a submission
    loses, so adding a case to a grader changes no expected.json but those it costs."""
    points = {c.id: c.points for c in catalog.cases()}
    full = sorted(c for c, s in expected(name)["scores"].items() if s == points[c])
    assert not full, f"{name}/expected.json lists cases at full points: {full}"


def test_the_readme_example_scores_as_its_expected_json():
    """examples/partly_wrong (the README's first command) holds its expectations in the
    corpus's format; the Docker tool and the container tests read its total from them."""
    report = grade(EXAMPLE)
    got = report.by_case()
    scores = expected_scores(EXAMPLE, got, report.sandbox_mode)
    assert {c: s for c, s in got.items() if s != scores[c]} == {}
    assert_brackets_balance(EXAMPLE, {r.case.id: r.output for r in report.results})


def test_a_function_the_submission_lacks_is_expected_to_score_nothing(tmp_path):
    """The rule that lets a new item cost the corpus no edit: an unlisted case scores its full
    points only when the submission's sources (read with ``ast``) may define its function."""
    folder = write_submission(tmp_path / "s", {
        "tuning.py": "def grid_search_cost(k, n):\n    return k ** n\n",
        "concepts.py": "from math import *\n",
        "gradient_flow.py": "def chain_gradient(:\n"})
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump({"scores": {}}, f)
    defined = defines(folder)
    by_id = {c.id: c for c in catalog.cases()}
    assert defined(by_id["tuning.grid_search_cost[worked]"])
    assert not defined(by_id["tuning.random_search_trials[worked]"])
    assert defined(by_id["concepts.mcq_answers[q1]"])                  # a star import may define it
    assert not defined(by_id["gradient_flow.chain_gradient[worked]"])  # does not parse: loads nothing
    assert not defined(by_id["xor.xor_params[behaviour]"])             # no xor.py
    graded = ["tuning.grid_search_cost[worked]", "tuning.random_search_trials[worked]"]
    assert expected_scores(folder, graded) == {graded[0]: by_id[graded[0]].points, graded[1]: 0}
