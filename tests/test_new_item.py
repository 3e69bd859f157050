"""A new item is three files by hand: the reference function, the grader's case, the oracle
test (docs/ENGINE.md). Proved on a copy of this checkout: a throw-away item is added to
gradient_flow, the template and the contract are regenerated, and the suite's guards of the
rule pass there (generated files up to date, the oracle test, the reference earning every
point and the template none, the corpus's expectations for a sample of the submissions that
hand in gradient_flow); the only files that changed are the three and the generated ones."""

import hashlib
import os
import shutil
import subprocess
import sys

import pytest

from tests.helpers import ROOT

ADDED = {
    "reference/gradient_flow.py": '''

def layer_gradient_sum(local_grads):
    """The sum of a chain's local gradients (a throw-away item: tests/test_new_item.py).

    local_grads: a list of floats; returns a float."""
    return float(sum(local_grads))
''',
    "graders/gradient_flow.py": '''

@M.case("layer_gradient_sum", "worked", points=1)
def layer_gradient_sum_worked(f, rng):
    checks.expect_close(f([0.5, 0.25]), 0.75)
''',
    "tests/test_reference_gradient_flow.py": '''

def test_layer_gradient_sum_is_torchs_sum():
    grads = [0.5, -0.25, 2.0]
    assert math.isclose(ref.layer_gradient_sum(grads), torch.tensor(grads, dtype=torch.float64).sum().item())
''',
}
GENERATED = {"student_template/gradient_flow.py", "student_template/homework.ipynb", "docs/ASSIGNMENT.md"}
# a sample of the corpus that hands in gradient_flow: wrong, whole and correct, failing to
# import, leaving at import, and a notebook (which defines gradient_flow's items in its cells)
CORPUS_SAMPLE = ("wrong_tuning_flow_concepts", "ok_style_loops", "engine_syntax_error",
                 "hostile_exit_at_import", "ok_style_notebook")
GUARDS = ["tests/test_reference_gradient_flow.py", "tests/test_template.py", "tests/test_contract.py",
          "tests/test_engine.py::test_reference_earns_every_point",
          "tests/test_engine.py::test_template_earns_nothing_and_says_not_implemented",
          "tests/test_engine.py::test_module_totals_match_their_cases",
          *[f"tests/test_corpus.py::test_exact_score[{n}]" for n in CORPUS_SAMPLE],
          *[f"tests/test_corpus.py::test_expectations_list_only_lost_points[{n}]" for n in CORPUS_SAMPLE]]
SKIPPED = shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.pyc", ".pytest_cache")


def _digests(root: str) -> dict[str, str]:
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in (".venv", ".git", "__pycache__", ".pytest_cache")]
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, root)] = hashlib.sha256(f.read()).hexdigest()
    return found


def _run(copy: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": copy, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True,
                          text=True, timeout=900)


@pytest.mark.timeout(1200)
def test_a_new_item_is_three_files_and_what_is_regenerated(tmp_path):
    copy = str(tmp_path / "checkout")
    shutil.copytree(ROOT, copy, ignore=SKIPPED)
    before = _digests(copy)
    for path, text in ADDED.items():
        with open(os.path.join(copy, path), "a") as f:
            f.write(text)
    grader = os.path.join(copy, "graders", "gradient_flow.py")
    with open(grader) as f:
        source = f.read()
    assert 'Module("gradient_flow", total=10,' in source      # the item's point, declared there
    with open(grader, "w") as f:
        f.write(source.replace('Module("gradient_flow", total=10,', 'Module("gradient_flow", total=11,'))
    for command in ("autograder.make.template", "autograder.make.contract"):
        made = _run(copy, "-m", command)
        assert made.returncode == 0, made.stderr[-3000:]
    changed = {p for p, d in _digests(copy).items() if before.get(p) != d}
    assert changed == set(ADDED) | GENERATED, sorted(changed)
    checked = _run(copy, "-m", "pytest", "-q", *GUARDS)
    assert checked.returncode == 0, checked.stdout[-5000:]
    assert " passed" in checked.stdout and "skipped" not in checked.stdout, checked.stdout[-2000:]
    assert "layer_gradient_sum" in _read(copy, "docs/ASSIGNMENT.md")


def _read(copy: str, path: str) -> str:
    with open(os.path.join(copy, path)) as f:
        return f.read()

