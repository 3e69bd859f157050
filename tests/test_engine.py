"""The engine end to end: scores, messages, the report formats and the command line."""

import json
import os
import subprocess
import sys

import pytest

from autograder import catalog
from autograder.engine.calls import call_message, calls_message
from autograder.engine.session import Session
from autograder.options import GradingOptions
from autograder.report import gradescope
from autograder.report.files import write_atomic
from autograder.report.text import to_text
from tests.helpers import ROOT, grade, reference_source, write_submission

OURS = ("tuning", "gradient_flow", "concepts")


def test_reference_earns_every_point():
    r = grade(os.path.join(ROOT, "reference"))
    lost = {x.case.id: x.output for x in r.results if not x.passed}
    assert not lost and r.score == r.max_score > 0


def test_template_earns_nothing_and_says_not_implemented():
    r = grade(os.path.join(ROOT, "student_template"))
    assert r.score == 0
    assert all("not implemented" in x.output for x in r.results), \
        [x.output for x in r.results if "not implemented" not in x.output][:3]


def test_max_score_comes_from_the_declaration_not_from_what_ran(tmp_path):
    folder = write_submission(tmp_path / "s", {"notes.py": "x = 1\n", "tuning.py": "x = 1\n"})
    r = grade(folder, modules=OURS)
    assert r.score == 0
    assert r.max_score == sum(catalog.load(OURS)[i].total for i in range(3)) == 22
    assert all(x.output == f"{x.case.module}.py is not in the submission" for x in r.results
               if x.case.module != "tuning")


def test_module_totals_match_their_cases():
    for m in catalog.load():
        assert m.declared_points == m.total, m.name



def test_missing_function_and_exception_messages(tmp_path):
    src = reference_source("gradient_flow").replace(
        "def chain_gradient(", "def chain_gradient_(").replace(
        "    return upstream * local ** n_layers", "    return 1 / 0")
    r = grade(write_submission(tmp_path / "s", {"gradient_flow.py": src}))
    out = {x.case.id: x.output for x in r.results}
    assert out["gradient_flow.chain_gradient[worked]"] == "gradient_flow.py defines no function chain_gradient"
    assert out["gradient_flow.plain_depth_gradient[worked]"].startswith("called plain_depth_gradient(1)\n"
                                                                        "ZeroDivisionError: division by zero")
    assert "gradient_flow.py, line" in out["gradient_flow.plain_depth_gradient[worked]"]


def test_single_file_submission_serves_every_module(tmp_path):
    src = "\n".join(reference_source(m) for m in OURS)
    path = tmp_path / "all.py"
    path.write_text(src)
    r = grade(str(path), modules=OURS)
    assert r.score == r.max_score == 22


def test_seed_changes_the_instances_not_the_verdict():
    ref = os.path.join(ROOT, "reference")
    case = catalog.load(("tuning",))[0].cases[1]
    assert (case.rng(1).integers(0, 10**9, 4) != case.rng(2).integers(0, 10**9, 4)).any()
    assert grade(ref, modules=("tuning",), seed=12345).score == 6


def test_seed_moves_the_symbolic_test_points():
    """grade.py --seed N judges a wrong symbolic answer at points that follow N."""
    wrong = os.path.join(ROOT, "tests", "submissions", "wrong_sigma_prime_plus")

    def point(seed):
        out = {x.case.id: x.output for x in grade(wrong, seed=seed).results}
        return out["activations.sigmoid_grad_expr[equivalence]"].split("at z = ")[1].split(":")[0]
    first = point(1)
    assert point(2) != first and point(1) == first


def test_case_functions_are_named_after_their_case():
    """A traceback or a profile names the case: no grader function is called `_`."""
    assert [c.id for c in catalog.cases() if c.check.__name__ == "_"] == []


def test_gradescope_report_shape(tmp_path):
    r = grade(os.path.join(ROOT, "tests", "submissions", "wrong_tuning_flow_concepts"))
    path = tmp_path / "out" / "results.json"
    write_atomic(str(path), json.dumps(gradescope.results(r), indent=1))
    data = json.loads(path.read_text())
    assert data["score"] == r.score and data["max_score"] == 22
    assert data["execution_time"] >= 0
    for t in data["tests"]:
        assert set(t) == {"name", "score", "max_score", "status", "output", "visibility", "extra_data"}
        assert t["status"] == ("passed" if t["score"] == t["max_score"] else "failed")
        assert t["extra_data"]["item"] in t["name"] and t["extra_data"]["case"] in t["name"]
    failed = [t for t in data["tests"] if t["status"] == "failed"]
    assert failed and all(t["output"].startswith("called ") for t in failed)
    assert "Graded by hand" in data["output"]


def test_table_lists_every_case_and_the_total():
    r = grade(os.path.join(ROOT, "tests", "submissions", "wrong_tuning_flow_concepts"))
    text = to_text(r, width=200)
    assert f"Total: {r.score:g} / 22" in text
    for x in r.results:
        assert x.case.item in text
    assert "total_minutes: expected 6000, got 100.0" in text


def _cli(*args):
    return subprocess.run([sys.executable, os.path.join(ROOT, "grade.py"), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_cli_writes_json_and_exits_zero_whatever_the_score(tmp_path):
    out = tmp_path / "r.json"
    run = _cli("student_template", "--module", "tuning", "--json", str(out))
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text())["score"] == 0
    assert "Total: 0 / 6" in run.stdout


def test_cli_rejects_bad_arguments():
    assert _cli("no/such/folder").returncode == 2
    assert _cli("reference", "--module", "nonsense").returncode == 2
    assert _cli("reference", "--timeout", "0").returncode == 2


def test_no_jail_means_no_grading(monkeypatch, capsys):
    """Where the jail reports it cannot isolate (mode "none" without --unsandboxed), nothing is
    graded and grade.py exits 2 with the reason, rather than running student code openly."""
    from autograder.front import cli
    from autograder.sandbox import client
    real = client.Sandbox._read_line

    def refused(fd, wait):
        real(fd, wait)                               # the jail's own line, then the refusal
        return '{"refused": "no namespaces here"}'
    monkeypatch.setattr(client.Sandbox, "_read_line", staticmethod(refused))
    with pytest.raises(client.SandboxUnavailable, match="no namespaces here"):
        grade(os.path.join(ROOT, "reference"), modules=("tuning",))
    assert cli.main([os.path.join(ROOT, "reference"), "--module", "tuning"]) == 2
    assert "grade.py: no namespaces here" in capsys.readouterr().err


def test_the_suite_has_a_safety_net(request):
    """pytest-timeout is installed and configured (pyproject.toml): a hang fails its test
    instead of holding CI for its whole time limit."""
    assert float(request.config.getini("timeout")) == 600
    assert request.config.pluginmanager.hasplugin("timeout")


def test_the_loading_limit_is_an_option_of_the_command_line_and_of_a_bundle():
    """--load-timeout (a notebook cell, a module's import) is declared once, in GradingOptions:
    the command line reads it and a bundle bakes it into its command line when it is not the
    default, as it does the budget."""
    from autograder.front import cli
    from autograder.make import bundle
    p = cli.parser()
    assert cli._options(p, p.parse_args(["sub", "--load-timeout", "12"])).load_timeout == 12
    assert cli._options(p, p.parse_args(["sub"])).load_timeout == GradingOptions().load_timeout == 30
    assert "--load-timeout 12" in bundle._options(GradingOptions(load_timeout=12))
    assert "--load-timeout" not in bundle._options(GradingOptions())


def test_the_command_line_knows_every_report_format():
    from autograder.front import cli
    assert all(callable(cli.exporter(form).results) and callable(cli.exporter(form).unreadable)
               for form in cli.FORMATS)


def test_a_bundle_of_calls_stops_at_a_failure_and_leaves_no_reply_behind(tmp_path):
    """f.each's request, end to end: the replies before a failed call, that call's error, and
    the next request answered by its own reply; a timeout inside a bundle is a timeout."""
    from autograder import engine
    from autograder.sandbox.protocol import StudentError
    from autograder.submission import open_submission
    from reference.gradient_flow import plain_depth_gradient
    src = reference_source("gradient_flow") + (
        "\n\n_plain = plain_depth_gradient\n\n\n"
        "def plain_depth_gradient(n_layers, **kwargs):\n"
        "    if n_layers == 3:\n"
        "        raise ValueError('three')\n"
        "    while n_layers == 5:\n"
        "        pass\n"
        "    return _plain(n_layers, **kwargs)\n")
    session = Session(open_submission(write_submission(tmp_path / "s", {"gradient_flow.py": src})),
                             GradingOptions(timeout=2.0, budget=60.0))

    def bundle(*depths):
        return session.send(calls_message("gradient_flow", "plain_depth_gradient",
                                                 [((n,), {}) for n in depths]))
    try:
        replies = bundle(1, 2, 3, 4)
        assert [r.value for r in replies.items] == [plain_depth_gradient(1), plain_depth_gradient(2)]
        assert replies.error.kind == "raised" and "ValueError: three" in replies.error.message
        alone = session.send(call_message("gradient_flow", "plain_depth_gradient", (4,), {}))
        assert alone.value == plain_depth_gradient(4)          # not a reply left over from the bundle
        replies = bundle(6, 5, 1)
        assert [r.value for r in replies.items] == [plain_depth_gradient(6)]
        assert replies.error.kind == "timeout"
        with pytest.raises(StudentError, match="timed out in an earlier case"):
            bundle(1)
    finally:
        session.close()
