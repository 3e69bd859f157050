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
