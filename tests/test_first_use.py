"""What a first-time user meets (issue 28, "the first-time user's rough edges"): a path with
nothing to grade, a module that does not import, a blank template, long arrays in feedback,
the next command to paste, and the pages a student reads."""

import json
import os
import re

import pytest

from autograder.front import cli
from tests.helpers import write_submission


def _cli(capsys, *args) -> tuple[int, str, str]:
    code = cli.main([*args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("form", ["gradescope", "prairielearn"])
def test_an_empty_folder_is_not_graded_and_says_nothing_was_handed_in(tmp_path, capsys, form):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".DS_Store").write_text("")
    results = tmp_path / "results.json"
    code, out, err = _cli(capsys, str(tmp_path / "sub"), "--json", str(results), "--format", form)
    assert code == 2 and out == ""                    # no report of 0 / 243, no "sandbox ?"
    assert "nothing was handed in" in err and "is empty" in err and "activations.py" in err
    data = json.loads(results.read_text())
    if form == "gradescope":      # a 0 the student can read the reason of (Gradescope has no "no attempt")
        assert data["score"] == 0 and data["tests"] == [] and "nothing was handed in" in data["output"]
        assert data["extra_data"]["status"] == "unreadable submission"
    else:                         # PrairieLearn: not gradable, so no attempt is lost
        assert data["gradable"] is False and "nothing was handed in" in data["format_errors"][0]


def test_a_lone_misnamed_file_is_not_graded_and_says_what_was_expected(tmp_path, capsys):
    folder = write_submission(tmp_path / "sub", {"my_tuning.py": "def grid_search_cost(*a):\n    return 1\n"})
    results = tmp_path / "results.json"
    code, out, err = _cli(capsys, folder, "--module", "tuning", "--json", str(results), "--format", "prairielearn")
    assert code == 2 and out == ""
    data = json.loads(results.read_text())
    assert data["gradable"] is False
    assert "it holds my_tuning.py" in data["message"] and "(tuning.py)" in data["message"]
    assert data["message"] in f"Not graded: {err.removeprefix('grade.py: ').strip()}"


def test_a_folder_with_one_module_of_the_homework_is_graded(tmp_path):
    from tests.helpers import grade
    folder = write_submission(tmp_path / "sub", {"notes.txt": "", "tuning.py": "x = 1\n"})
    report = grade(folder, modules=("tuning", "concepts"))
    assert report.max_score == 12 and report.score == 0


@pytest.fixture(scope="module")
def syntax_error(tmp_path_factory):
    """engine_syntax_error (tuning.py misses a colon), graded on the modules it hands in."""
    from tests.helpers import grade, stage
    return grade(stage("engine_syntax_error", tmp_path_factory.mktemp("corpus")))


@pytest.mark.parametrize("verbose", [False, True], ids=["terminal", "feedback.txt"])
def test_a_syntax_error_is_said_once_with_its_line_and_a_caret(syntax_error, verbose):
    from autograder.report.text import to_text
    lines = to_text(syntax_error, width=100, verbose=verbose).splitlines()
    said = [i for i, line in enumerate(lines) if "SyntaxError" in line]
    assert len(said) == 1, said                       # not once per case of the module
    head, source, caret = lines[said[0]: said[0] + 3]
    assert head.startswith("tuning  0/6  all 6 cases: tuning.py failed to import: SyntaxError: expected ':' "
                           "(tuning.py, line 1)")
    assert source.strip() == "def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch)"
    assert caret.strip() == "^" and caret.index("^") == len(source)     # just after the missing colon
    assert not any("tuning." in line for line in lines if line.startswith("  "))   # no line per case
    tuning = [r for r in syntax_error.results if r.case.module == "tuning"]
    assert len(tuning) == 6 and all(r.output == tuning[0].output and len(r.output) < 300 for r in tuning)


def test_a_long_line_with_a_syntax_error_is_cut_around_its_caret():
    from autograder.sandbox.runner import SOURCE_SHOWN, syntax_error
    source = "total = (" + " + ".join(f"w{i} * x{i}" for i in range(30)) + " +* bias)\n"
    with pytest.raises(SyntaxError) as caught:
        compile(source, "deep_linear.py", "exec")
    head, line, caret = syntax_error(caught.value).splitlines()
    assert head == "SyntaxError: invalid syntax (deep_linear.py, line 1)"
    assert line.startswith("    ...") and len(line) <= 4 + SOURCE_SHOWN and line.strip(". ") in source
    assert line[caret.index("^"):].startswith("* bias")              # the caret under the error


def test_the_blank_template_is_a_line_a_module():
    from autograder import catalog
    from autograder.report.text import to_text
    from tests.helpers import ROOT, grade
    report = grade(os.path.join(ROOT, "student_template"))
    lines = to_text(report, width=100).splitlines()
    assert len(lines) <= 2 * len(catalog.available()) + 20, len(lines)      # was 321 lines
    for m in catalog.load():
        mine = [line for line in lines if line.startswith(f"{m.name}  ")]
        assert len(mine) == 1 and mine[0].startswith(f"{m.name}  0/{m.total}  all ") and \
            ": not implemented (" in mine[0], m.name
    assert "not implemented (11 functions raised NotImplementedError)" in lines[2]    # activations


def report_outputs(report, test: dict) -> str:
    """The whole feedback of the case that ``test`` (PrairieLearn's) is."""
    return next(r.output for r in report.results if f"{r.case.item} [{r.case.label}]" == test["name"])


def test_prairielearn_output_adds_to_its_message_and_never_repeats_it(syntax_error):
    from autograder import engine
    from autograder.report import prairielearn
    from tests.helpers import EXAMPLE
    for report in (engine.grade(EXAMPLE), syntax_error):
        tests = prairielearn.results(report)["tests"]
        for t in tests:
            assert t["message"] not in t["output"].splitlines(), t
            assert t["output"] == "" if t["message"] == "passed" else t["output"] in report_outputs(report, t), t
    lost = [t for t in prairielearn.results(engine.grade(EXAMPLE))["tests"] if t["points"] < t["max_points"]]
    assert sum(t["output"].startswith("called ") for t in lost) > 20
    caret = next(t for t in prairielearn.results(syntax_error)["tests"] if t["name"].startswith("tuning."))
    assert caret["message"].startswith("tuning.py failed to import: SyntaxError")
    assert caret["output"].splitlines()[1].strip() == "^"


def test_feedback_html_opens_with_the_modules_and_puts_failed_cases_first():
    from autograder import engine
    from autograder.report.html import to_html
    from tests.helpers import EXAMPLE
    page = to_html(engine.grade(EXAMPLE), title="Feedback")
    table = page.index('<table class="modules">')
    assert table < page.index('class="mark failed"')
    for row in ('<td class="partial">backprop</td><td class="points">20/40</td><td>4 of 14</td>',
                '<td class="failed">xor</td><td class="points">0/15</td><td>all 5: xor.py is not in the submission</td>'):
        assert row in page
    assert page.rindex('class="mark failed"') < page.index('class="mark passed"')
    assert page.index("Cases that lost points") < page.index("Cases that passed")


def _balanced(text: str) -> bool:
    stack = []
    for c in text:
        if c in "([{":
            stack.append(")]}"["([{".index(c)])
        elif c in ")]}" and (not stack or stack.pop() != c):
            return False
    return not stack


@pytest.mark.parametrize("shape", [(2, 4), (40,), (5, 3), (1, 3, 8, 8), (16, 32, 32, 32), (2,) * 10, (0, 3)])
def test_a_long_array_is_summarised_as_numpy_does_with_its_shape(shape):
    import numpy as np
    from autograder.engine.calls import render_call
    from autograder.mismatch import show
    x = np.random.default_rng(0).normal(size=shape)
    for limit in (80, 160):
        text = show(x, limit)
        assert _balanced(text) and f"{shape}" in text, text
        assert len(text) <= 2 * limit + 60, text                     # about its room
        numbers = [float(n) for n in re.findall(r"-?\d+\.\d*(?:e[-+]\d+)?", text.split(" (shape")[0])]
        if x.size:                                                  # the first and last entries
            assert abs(numbers[0] - x.flat[0]) < 1e-3 and abs(numbers[-1] - x.flat[-1]) < 1e-3, text
        if x.size > 12:
            assert ", ..., " in text, text
    call = render_call("conv2d", (x, [x, x, x], {"w": x}, "s" * 300), {"stride": 2})
    assert _balanced(call.replace("s" * 47, "")) and call.startswith("conv2d(") and call.endswith(", stride=2)")


def test_long_containers_and_strings_keep_their_ends():
    from autograder.mismatch import show
    assert show(list(range(20)), 80) == "[0, 1, 2, ..., 18, 19] (20 entries)"
    assert show(tuple(range(3))) == "(0, 1, 2)" and show((1,)) == "(1,)"
    text = show("Max(" * 200, 80)
    assert text.startswith("'Max(Max(") and text.endswith("...' (800 characters)")
    text = show(type("R", (), {"__repr__": lambda self: "R(" + "[1, " * 100 + "2" + "]" * 100 + ")"})(), 60)
    assert _balanced(text) and text.startswith("R([1, [1, ") and text.endswith(",...]]]]]]]]]]]]]])")


def test_the_program_is_named_as_it_was_run(tmp_path, monkeypatch):
    from autograder.front.invocation import PACKAGE, Invocation, invocation
    monkeypatch.chdir(tmp_path)
    venv = str(tmp_path / ".venv" / "bin" / "python")
    nowhere = {}.get
    assert invocation("grade.py", venv, nowhere) == Invocation("grade.py", ".venv/bin/python grade.py")
    assert invocation("../my clone/grade.py", "/usr/bin/python3", {"python3": "/usr/bin/python3"}.get) == \
        Invocation("grade.py", "python3 '../my clone/grade.py'")
    assert invocation(os.path.join(PACKAGE, "__main__.py"), venv, {"python": venv}.get) == \
        Invocation("python -m autograder", "python -m autograder")
    script = "/home/me/grader/bin/dl-autograder"
    assert invocation(script, "/home/me/grader/bin/python", {"dl-autograder": script}.get) == \
        Invocation("dl-autograder", "dl-autograder")
    assert invocation(script, "/home/me/grader/bin/python", nowhere) == Invocation("dl-autograder", script)


def test_the_suggested_command_pastes_into_a_shell(tmp_path, monkeypatch):
    """grade.py as the README runs it, on a folder whose name needs quoting: the last line is a
    command that, pasted into a shell in the same folder, grades that module again."""
    import shlex
    import subprocess
    import sys
    from autograder.front.invocation import interpreter
    from tests.helpers import ROOT, reference_source
    folder = write_submission(tmp_path / "my submission", {
        "tuning.py": reference_source("tuning").replace("total_epochs * minutes_per_epoch", "total_epochs + 1", 1)})
    first = subprocess.run([sys.executable, "grade.py", folder, "--module", "tuning", "--seed", "4"],
                           capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert first.returncode == 0, first.stderr
    command = first.stdout.splitlines()[-1].removeprefix("Work on tuning: ").strip()
    monkeypatch.chdir(ROOT)
    assert command == f"{interpreter(sys.executable)} grade.py {shlex.quote(folder)} --module tuning --failed --seed 4"
    again = subprocess.run(command, shell=True, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert again.returncode == 0 and "FAIL" in again.stdout and "  ok " not in again.stdout, again.stderr


def test_version_says_the_version_and_the_default_seed(capsys):
    from autograder.course.analysis import grader_version
    from autograder.options import GradingOptions
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"dl-autograder {grader_version()} (default seed {GradingOptions().seed})\n"


def test_the_suggested_command_keeps_the_limits_it_was_given():
    from types import SimpleNamespace
    args = SimpleNamespace(submission="s", seed=0, timeout=5.0, budget=90.0, load_timeout=60.0, hide=[],
                           unsandboxed=False)
    assert cli.rerun(args, "tuning").endswith("s --module tuning --failed --load-timeout 60")


def test_options_that_cannot_be_are_refused(capsys):
    for argv, said in ((["x", "--batch", "--out", "o", "--workers", "0"], "--workers must be at least 1"),
                       (["--merge", "a", "b", "--out", "o", "--assignment", "HW2"], "give --roster too")):
        with pytest.raises(SystemExit) as left:
            cli.main(argv)
        assert left.value.code == 2 and said in capsys.readouterr().err


def test_prairielearn_waits_past_the_budget():
    from autograder.make.bundle import pl_timeout
    from autograder.options import GradingOptions
    assert pl_timeout(GradingOptions()) >= GradingOptions().budget + 20
    assert pl_timeout(GradingOptions(budget=600)) >= 620
