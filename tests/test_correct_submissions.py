"""Never take a point from a correct answer (issue 25): every correct-but-different
submission of the corpus (``tests/submissions/ok_*``: four complete ones in different styles,
one-function variants of every kind of answer, and the older ones) earns every point of the
modules it hands in at seeds 0, 1 and 7, so a grader change that refuses a correct form, or an
instance drawn at another seed that a correct form fails, cannot land unnoticed.

One batch run per seed over the whole class (the batch's workers, its rehearsal and memo),
each submission checked on its own modules only (a notebook hands in every module).
"""

import json
import os
import shutil

import pytest

from autograder.course.batch import grade_class
from autograder.options import GradingOptions
from tests.helpers import SUBMISSIONS, corpus, modules_in

CORRECT = [name for name in corpus() if name.startswith("ok_")]
SEEDS = (0, 1, 7)


def _cases_lost(results: dict, modules: tuple[str, ...] | None) -> list[str]:
    lost = []
    for test in results["tests"]:
        module = test["extra_data"]["item"].partition(".")[0]
        if (modules is None or module in modules) and test["score"] != test["max_score"]:
            lost.append(f"{test['name']}: {test['score']}/{test['max_score']} {test.get('output', '')[:400]}")
    return lost


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    folder = tmp_path_factory.mktemp("correct")
    for name in CORRECT:
        shutil.copytree(os.path.join(SUBMISSIONS, name), folder / name,
                        ignore=shutil.ignore_patterns("expected.json"))
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    os.chmod(folder.parent, 0o755)
    return folder


def test_the_corpus_holds_the_four_styles_and_every_kind():
    wanted = {"ok_style_loops", "ok_style_torch", "ok_style_forms", "ok_style_notebook"} | \
        {f"ok_kind_{kind}" for kind in ("array", "number", "count", "tuple", "bool", "choice", "symbolic")}
    assert wanted <= set(CORRECT), wanted - set(CORRECT)


@pytest.mark.parametrize("seed", SEEDS)
def test_correct_submissions_earn_every_point(seed, klass, tmp_path):
    out = tmp_path / "out"
    grade_class(str(klass), str(out), GradingOptions(seed=seed), progress=False)
    lost = {}
    for name in CORRECT:
        with open(out / name / "results.json") as f:
            results = json.load(f)
        lost[name] = _cases_lost(results, modules_in(str(klass / name)) or None)
    assert not any(lost.values()), "\n".join(f"{name} at seed {seed}: {case}"
                                             for name, cases in lost.items() for case in cases)
