"""Whole-class grading (gradebook, summary, resume, isolation between students) and the
Gradescope bundle, run on a stand-in of Gradescope's folder tree."""

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from html.parser import HTMLParser

import nbformat
import pytest
from nbformat import v4

from autograder import catalog, engine
from autograder.course.batch import entries, grade_class, student_name
from autograder.engine.results import CaseResult, Report
from autograder.options import GradingOptions
from autograder.report.html import to_html
from autograder.sandbox.zygote_handle import zygote
from autograder.spec import Case
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
    served = zygote(warm_up=True)            # the one the batch uses
    rows = grade_class(str(klass), str(out), GradingOptions(modules=OURS), progress=False)
    served.proc.wait(timeout=30)             # let go once the students were graded: it has ended
    totals = {r["student"]: r["total"] for r in rows}
    # eve answers gradient_flow only, with chain_gradient killing itself: 10 - 2
    assert totals == {"alice": 12, "bob": 22, "carol": 0, "dave_smith": 22, "eve": 8}
    with open(out / "gradebook.csv") as f:
        maximum, *book = list(csv.DictReader(f))
    assert maximum["student"] == "(maximum)" and (maximum["total"], maximum["tuning"]) == ("22", "6")
    assert [r["student"] for r in book] == ["alice", "bob", "carol", "dave_smith", "eve"]
    assert book[0]["tuning.grid_search_cost"] == "0" and book[1]["concepts.mcq_answers"] == "6"
    assert (book[0]["tuning"], book[0]["gradient_flow"], book[4]["gradient_flow"]) == ("2", "6", "8")
    assert len(book[0]) == 4 + 3 + 7          # student, status, total, max_score, 3 modules, 7 items
    assert {r["status"] for r in book} == {"graded"}
    summary = (out / "summary.txt").read_text()
    assert "5 students" in summary and "concepts.mcq_answers" in summary and "seed 0" in summary
    assert (out / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "data:image/png;base64," in (out / "summary.html").read_text()
    data = json.loads((out / "alice" / "results.json").read_text())
    named = {t["extra_data"]["case"]: t["extra_data"]["mistake"] for t in data["tests"]
             if t["extra_data"]["item"] == "tuning.random_search_trials" and "mistake" in t["extra_data"]}
    assert list(named) == ["boundary"] and "at an exact boundary" in named["boundary"]   # alice's, named
    assert f"tuning.random_search_trials: 1 student: {named['boundary']}" in summary     # and counted
    feedback = (out / "alice" / "feedback.txt").read_text()
    assert data["score"] == 12 and "Total: 12 / 22" in feedback and str(klass) not in feedback
    assert (out / "dave_smith" / "feedback.txt").read_text().startswith("Grading dave smith.ipynb (")
    assert not [p for p in out.rglob("*") if ".tmp" in p.name]

    before = {s: os.stat(out / s / "results.json").st_mtime_ns for s in totals}
    os.unlink(out / "carol" / "results.json")
    grade_class(str(klass), str(out), GradingOptions(modules=OURS), progress=False)
    after = {s: os.stat(out / s / "results.json").st_mtime_ns for s in totals}
    assert {s for s in totals if before[s] != after[s]} == {"carol"}


def _cli(*args):
    return subprocess.run([sys.executable, os.path.join(ROOT, "grade.py"), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)


def test_batch_command_line_with_a_roster(klass, tmp_path):
    """The roster names folders and files (with or without .py/.ipynb); eve is not in it, zed
    has no submission: both are listed, neither silently dropped."""
    roster = tmp_path / "roster.csv"
    roster.write_text("submission,id,name,section\nalice,101,\"Liddell, Alice\",L1\nbob,102,Bob,L1\n"
                      "carol.py,103,Carol,L2\ndave smith,104,Dave Smith,L2\nzed,105,Zed,L2\n")
    run = _cli(str(klass), "--batch", "--out", str(tmp_path / "o"), "--module", "tuning", "--roster",
               str(roster), "--assignment", "Homework 1")
    assert run.returncode == 0, run.stderr
    assert "graded 5/5 students" in run.stderr and "wrote 5 reports" in run.stdout
    assert "1 submission(s) not in the roster, left out of the LMS files: eve" in run.stderr
    assert "zed: no submission" in run.stdout and "not in the roster (in gradebook.csv, in no LMS file): eve" \
        in run.stdout
    with open(tmp_path / "o" / "gradebook-canvas.csv") as f:
        canvas = list(csv.reader(f))
    assert canvas[:2] == [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Homework 1"],
                          ["Points Possible", "", "", "", "", "6"]]
    assert [(r[0], r[2], r[5]) for r in canvas[2:]] == [("Liddell, Alice", "101", "2"), ("Bob", "102", "6"),
                                                        ("Carol", "103", "0"), ("Dave Smith", "104", "6"),
                                                        ("Zed", "105", "")]
    with open(tmp_path / "o" / "gradebook-moodle.csv") as f:
        assert list(csv.reader(f))[1:] == [["101", "33.33"], ["102", "100"], ["103", "0"], ["104", "100"],
                                           ["105", "-"]]
    assert _cli(str(klass), "--batch").returncode == 2
    bad = _cli(str(klass), "--batch", "--out", str(tmp_path / "p"), "--roster", str(tmp_path / "none.csv"))
    assert bad.returncode == 2 and "cannot read the roster" in bad.stderr


def test_gradescope_bundle_on_a_stand_in_tree(tmp_path):
    zip_path = tmp_path / "autograder.zip"
    run = _cli("--gradescope-bundle", str(zip_path), "--seed", "7", "--hide", "random")
    assert run.returncode == 0, run.stderr
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
        zf.extractall(root / "source")
    assert {"setup.sh", "run_autograder", "pyproject.toml", "graders/tuning.py", "reference/tuning.py",
            "autograder/engine/grading.py", "autograder/sandbox/jail.py"} <= names
    assert not any(n.startswith(("tests/", "student_template/")) or os.path.basename(n).startswith("test_")
                   for n in names)
    for script in ("setup.sh", "run_autograder"):
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


class _Page(HTMLParser):
    """The text a page shows (style aside), its elements and their attributes."""

    def __init__(self, markup: str):
        super().__init__()
        self.text, self.tags, self._skip = [], [], 0
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _browser_dom(page: str, folder) -> str:
    """The DOM headless Chromium builds from the file ``page`` (its screenshot beside it)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run installs it)")
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={folder / 'profile'}", "--window-size=1000,1400"]
    url = f"file://{page}"
    dom = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    shot = subprocess.run([*flags, f"--screenshot={folder / 'page.png'}", url], capture_output=True, timeout=120)
    assert shot.returncode == 0 and (folder / "page.png").read_bytes()[:4] == b"\x89PNG"
    return dom.stdout


def test_feedback_html_in_a_real_browser(klass, tmp_path):
    """feedback.html renders in headless Chromium with the score and every failed case's whole
    feedback, asks for nothing outside itself, and shows a student's markup as text."""
    out = tmp_path / "out"
    grade_class(str(klass), str(out), GradingOptions(modules=OURS), progress=False)
    data = json.loads((out / "alice" / "results.json").read_text())
    page = _Page(_browser_dom(out / "alice" / "feedback.html", tmp_path))
    shown = "".join("".join(page.text).split())
    assert "Total:12/22" in shown
    failed = [t for t in data["tests"] if t["status"] == "failed"]
    assert failed
    for t in failed:
        for line in t["output"].splitlines():
            assert "".join(line.split()) in shown, (t["name"], line)
    assert page.tags and not [(tag, a) for tag, a in page.tags if {"src", "href"} & set(a) or tag == "link"]


def test_feedback_html_escapes_the_students_text(tmp_path):
    case = Case("tuning", "grid_search_cost", "worked", 2, check=lambda f, rng: None)
    hostile = "called grid_search_cost()\n<img src=x onerror=alert(1)> & </pre><script>bad()</script>"
    result = Report("sub", 0, [CaseResult(case, 0, hostile)], catalog.load(("tuning",)),
                           0.1, "root", ["<b>note</b>"])
    path = tmp_path / "feedback.html"
    path.write_text(to_html(result, title="Feedback for <eve>"))
    page = _Page(_browser_dom(path, tmp_path))
    assert not [t for t, _ in page.tags if t in ("img", "script", "b")]
    text = "".join(page.text)
    assert "<img src=x onerror=alert(1)> & </pre><script>bad()</script>" in text and "<b>note</b>" in text


def _killed_for_bob(student, path, out, options):
    """A worker's grading, killed from outside (as the OOM killer does) when it grades bob."""
    if student == "bob":
        os.kill(os.getpid(), 9)
    return _killed_for_bob.real(student, path, out, options)


def test_a_worker_killed_from_outside_leaves_students_not_graded_and_the_class_written(tmp_path, monkeypatch):
    from autograder.course import batch
    folder = tmp_path / "class"
    for name in ("alice", "bob"):
        (folder / name).mkdir(parents=True)
        (folder / name / "tuning.py").write_text(reference_source("tuning"))
    os.chmod(folder, 0o755)
    _killed_for_bob.real = batch._grade_one
    monkeypatch.setattr(batch, "_grade_one", _killed_for_bob)
    rows = grade_class(str(folder), str(tmp_path / "out"), GradingOptions(modules=("tuning",)), workers=1,
                       progress=False)
    status = {r["student"]: r["status"] for r in rows}
    assert status["bob"].startswith("not graded"), status
    assert (tmp_path / "out" / "gradebook.csv").exists()
    monkeypatch.setattr(batch, "_grade_one", _killed_for_bob.real)          # resumed: bob is graded
    rows = grade_class(str(folder), str(tmp_path / "out"), GradingOptions(modules=("tuning",)), progress=False)
    assert {r["student"]: r["status"] for r in rows} == {"alice": "graded", "bob": "graded"}
