"""What a first-time user meets (issue 28, "the first-time user's rough edges"): a path with
nothing to grade, a module that does not import, a blank template, long arrays in feedback,
the next command to paste, and the pages a student reads."""

import json
import os

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
