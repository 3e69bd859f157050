"""Every submission under tests/submissions/ gets exactly the score its expected.json states,
case by case, for every case of the modules it hands in; optional "messages" name text its
feedback must contain, and "in_mode" what a sandbox mode changes ({"container": {"scores": ...}}). A submission with "targets" is graded from a copy that names this
machine's project paths to its probes (tests/helpers.py, stage)."""

import pytest

from tests.helpers import corpus, expected, grade, stage


@pytest.mark.parametrize("name", corpus())
def test_exact_score(name, tmp_path):
    want = expected(name)
    report = grade(stage(name, tmp_path), **({"modules": tuple(want["modules"])} if "modules" in want else {}))
    for key, value in want.get("in_mode", {}).get(report.sandbox_mode, {}).items():
        want[key] = {**want.get(key, {}), **value}      # what this isolation mode changes
    got = report.by_case()
    assert set(got) == set(want["scores"]), (
        f"expected.json must list exactly the cases graded: missing {sorted(set(got) - set(want['scores']))}, "
        f"unknown {sorted(set(want['scores']) - set(got))}")
    wrong = {case: (want["scores"][case], score) for case, score in got.items()
             if score != want["scores"][case]}
    outputs = {r.case.id: r.output for r in report.results}
    assert not wrong, "\n".join(f"{c}: expected {e}, got {g}: {outputs[c]}" for c, (e, g) in wrong.items())
    for case, text in want.get("messages", {}).items():
        assert text in outputs[case], f"{case}: feedback lacks {text!r}: {outputs[case]!r}"
