"""Whole-class grading (gradebook, summary, resume, isolation between students) and the
Gradescope bundle, run on a stand-in of Gradescope's folder tree."""

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest
from nbformat import v4

from autograder.batch import Options, entries, grade_class, student_name
from tests.helpers import ROOT, SUBMISSIONS, reference_source

OURS = ("tuning", "gradient_flow", "concepts")


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    shutil.copytree(os.path.join(SUBMISSIONS, "wrong_tuning_flow_concepts"), folder / "alice")
    bob = folder / "bob"
    bob.mkdir()
    for m in OURS:
        (bob / f"{m}.py").write_text(reference_source(m))
    shutil.copy(os.path.join(SUBMISSIONS, "engine_syntax_error", "tuning.py"), folder / "carol.py")
    nb = v4.new_notebook()
    nb.cells = [v4.new_code_cell("!pip install cheat"), *(v4.new_code_cell(reference_source(m)) for m in OURS)]
    nbformat.write(nb, str(folder / "dave smith.ipynb"))
    shutil.copytree(os.path.join(SUBMISSIONS, "engine_signals_grader"), folder / "eve")
    (folder / "notes.txt").write_text("not a submission")
    return folder


def test_entries_and_names(klass, tmp_path):
    assert [s for s, _ in entries(str(klass), str(tmp_path))] == ["alice", "bob", "carol", "dave_smith", "eve"]
    assert student_name("../x y.py") == "x_y"


def test_gradebook_summary_and_resume(klass, tmp_path):
    out = tmp_path / "out"
    rows = grade_class(str(klass), str(out), Options(modules=OURS), progress=False)
    totals = {r["student"]: r["total"] for r in rows}
    # eve answers gradient_flow only, with chain_gradient killing itself: 10 - 2
    assert totals == {"alice": 12, "bob": 22, "carol": 0, "dave_smith": 22, "eve": 8}
    with open(out / "gradebook.csv") as f:
        book = list(csv.DictReader(f))
    assert [r["student"] for r in book] == ["alice", "bob", "carol", "dave_smith", "eve"]
    assert book[0]["tuning.grid_search_cost"] == "0" and book[1]["concepts.mcq_answers"] == "6"
    assert len(book[0]) == 3 + 7                       # student, total, max_score and 7 items
    summary = (out / "summary.txt").read_text()
    assert "5 students" in summary and "concepts.mcq_answers" in summary
    assert (out / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads((out / "alice" / "results.json").read_text())
    assert data["score"] == 12 and "Total: 12 / 22" in (out / "alice" / "feedback.txt").read_text()
    assert not [p for p in out.rglob("*") if ".tmp" in p.name]

    before = {s: os.stat(out / s / "results.json").st_mtime_ns for s in totals}
    os.unlink(out / "carol" / "results.json")
    grade_class(str(klass), str(out), Options(modules=OURS), progress=False)
    after = {s: os.stat(out / s / "results.json").st_mtime_ns for s in totals}
    assert {s for s in totals if before[s] != after[s]} == {"carol"}


def _cli(*args):
    return subprocess.run([sys.executable, os.path.join(ROOT, "grade.py"), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)


def test_batch_command_line(klass, tmp_path):
    run = _cli(str(klass), "--batch", "--out", str(tmp_path / "o"), "--module", "tuning")
    assert run.returncode == 0, run.stderr
    assert "graded 5/5 students" in run.stderr and "wrote 5 reports" in run.stdout
    assert _cli(str(klass), "--batch").returncode == 2


def test_gradescope_bundle_on_a_stand_in_tree(tmp_path):
    zip_path = tmp_path / "autograder.zip"
    run = _cli("--gradescope-bundle", str(zip_path), "--seed", "7", "--hide", "random")
    assert run.returncode == 0, run.stderr
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
        zf.extractall(root / "source")
    assert {"setup.sh", "run_autograder", "setup_project.sh", "grade.py", "graders/tuning.py",
            "reference/tuning.py", "autograder/engine.py"} <= names
    assert not any(n.startswith(("tests/", "student_template/")) for n in names)
    for script in ("setup.sh", "run_autograder", "setup_project.sh"):
        os.chmod(root / "source" / script, 0o755)
    shutil.copytree(os.path.join(SUBMISSIONS, "wrong_tuning_flow_concepts"), root / "submission")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["extra_data"]["seed"] == 7
    by_name = {t["name"]: t for t in data["tests"]}
    assert by_name["tuning.grid_search_cost [worked]"]["score"] == 0
    assert by_name["tuning.grid_search_cost [random]"]["visibility"] == "hidden"
    assert by_name["tuning.grid_search_cost [worked]"]["visibility"] == "visible"
    assert sum(t["score"] for t in data["tests"] if t["extra_data"]["item"].startswith(OURS)) == 12
