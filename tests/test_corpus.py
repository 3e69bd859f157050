"""Every submission under tests/submissions/ gets exactly the score its expected.json states,
case by case: ``"scores"`` lists the cases that lose points, with their exact score, and every
other case of the modules it hands in must earn all of its points. Optional ``"messages"`` name
text its feedback must contain, and ``"in_mode"`` what a sandbox mode changes
(``{"container": {"scores": ...}}``). A submission with ``"targets"`` is graded from a copy that
names this machine's project paths to its probes (tests/helpers.py, stage)."""

import pytest

from autograder import catalog
from tests.helpers import corpus, expected, expected_scores, grade, stage


@pytest.mark.parametrize("name", corpus())
def test_exact_score(name, tmp_path):
    want = expected(name)
    report = grade(stage(name, tmp_path), **({"modules": tuple(want["modules"])} if "modules" in want else {}))
    got = report.by_case()
    scores = expected_scores(name, got, report.sandbox_mode)
    outputs = {r.case.id: r.output for r in report.results}
    wrong = {case: (scores[case], score) for case, score in got.items() if score != scores[case]}
    assert not wrong, "\n".join(f"{c}: expected {e}, got {g}: {outputs[c]}" for c, (e, g) in wrong.items())
    for case, text in expected(name, report.sandbox_mode).get("messages", {}).items():
        assert text in outputs[case], f"{case}: feedback lacks {text!r}: {outputs[case]!r}"


@pytest.mark.parametrize("name", corpus())
def test_expectations_list_only_lost_points(name):
    """A case listed with its full points says nothing: the corpus lists what a submission
    loses, so adding a case to a grader changes no expected.json but those it costs."""
    points = {c.id: c.points for c in catalog.cases()}
    full = sorted(c for c, s in expected(name)["scores"].items() if s == points[c])
    assert not full, f"{name}/expected.json lists cases at full points: {full}"
