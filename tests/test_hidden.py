"""Hidden cases stay hidden: graded after every visible case, in a fresh sandbox, so nothing the
student's code learns from a hidden instance reaches a text the student sees (a visible case's
feedback, the report's notes, results.json's output, feedback.txt and feedback.html). Proved
with hostile_leak_hidden, which raises every argument it has ever seen, as module files, as a
notebook and in a batch; tests/test_container_mode.py runs this file in container mode, and
tests/test_install.py grades it as an ordinary user."""

import json
import os
import shutil

import pytest

from autograder import codec, engine
from autograder.course.batch import grade_class
from autograder.engine import grading
from autograder.engine.session import Session
from autograder.options import GradingOptions
from autograder.report import gradescope
from autograder.report.html import to_html
from autograder.report.text import to_text
from autograder.report.views import HELD_BACK
from tests.helpers import ROOT, SUBMISSIONS

LEAK = os.path.join(SUBMISSIONS, "hostile_leak_hidden")
HIDE = ("random",)
MODULES = ("tuning", "gradient_flow")


def _floats(value):
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _floats(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _floats(v)


def hidden_instances(path: str, monkeypatch) -> set[str]:
    """How the hidden cases' arguments would read in a text (every float, as repr and to six
    digits), recorded while ``path`` is graded here with the random cases hidden."""
    recorded, current = [], {"hidden": False}
    real_run_case, real_send = grading.run_case, Session.send

    def run_case(case, session, seed):
        current["hidden"] = case.label in HIDE
        return real_run_case(case, session, seed)

    def send(self, message, timeout=None):
        if current["hidden"]:
            calls = message["calls"] if message["op"] == "calls" else [[message["args"], message["kwargs"]]]
            for args, kwargs in calls:             # f.each sends a case's calls together
                recorded.extend(_floats([list(codec.decode(args)), codec.decode(kwargs)]))
        return real_send(self, message, timeout)

    monkeypatch.setattr(grading, "run_case", run_case)
    monkeypatch.setattr(Session, "send", send)
    engine.grade(path, GradingOptions(modules=MODULES, hidden_labels=HIDE))
    monkeypatch.undo()
    assert recorded
    return {t for x in recorded if x not in (0.0, 0.5, 1.0) for t in (repr(x), f"{x:.6g}")}


def visible_texts(data: dict) -> list[str]:
    """What a student sees of a results.json."""
    return [data["output"]] + [t["output"] for t in data["tests"] if t["visibility"] == "visible"]


def leaks(texts, instances) -> list[str]:
    return sorted({i for i in instances for text in texts if i in text})


@pytest.fixture(scope="module")
def instances():
    with pytest.MonkeyPatch.context() as monkeypatch:
        return hidden_instances(LEAK, monkeypatch)


def test_the_probe_sees_a_leak_where_hidden_cases_are_graded_in_order(instances):
    """Without hiding, the random cases come between the others, and the later cases' feedback
    shows their arguments: the check below would see a leak."""
    data = gradescope.results(engine.grade(LEAK, GradingOptions(modules=MODULES)))
    assert leaks([t["output"] for t in data["tests"] if not t["name"].endswith("[random]")], instances)


def test_hidden_instances_never_reach_visible_text(instances):
    result = engine.grade(LEAK, GradingOptions(modules=MODULES, hidden_labels=HIDE))
    data = gradescope.results(result)
    hidden = [t for t in data["tests"] if t["visibility"] == "hidden"]
    assert {t["extra_data"]["case"] for t in hidden} == {"random"} and len(hidden) == 6
    assert leaks([t["output"] for t in hidden], instances)        # they are there, hidden
    assert leaks(visible_texts(data), instances) == []
    for text in (to_text(result, width=100), to_html(result, title="feedback")):
        assert leaks([text], instances) == [] and HELD_BACK in text


def test_visible_scores_do_not_change_with_hidden_cases():
    example = os.path.join(ROOT, "examples", "partly_wrong")
    for path in (example, LEAK):
        plain = engine.grade(path).by_case()
        hidden = engine.grade(path, GradingOptions(hidden_labels=HIDE))
        assert {c: s for c, s in hidden.by_case().items() if c not in hidden.hidden} == \
            {c: s for c, s in plain.items() if c not in hidden.hidden}
        assert hidden.hidden and all(c.endswith("[random]") for c in hidden.hidden)


def _as_notebook(folder) -> str:
    import nbformat
    from nbformat import v4
    nb = v4.new_notebook()
    for name in ("leak.py", "tuning.py", "gradient_flow.py"):
        with open(os.path.join(LEAK, name)) as f:
            nb.cells.append(v4.new_code_cell(f.read().replace("from leak import leak\n", "")))
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "homework.ipynb")
    nbformat.write(nb, path)
    return path


def test_a_notebook_leaks_no_hidden_instance(instances, tmp_path):
    data = gradescope.results(engine.grade(_as_notebook(tmp_path / "nb"),
                                             GradingOptions(modules=MODULES, hidden_labels=HIDE)))
    assert data["score"] == 0 and leaks(visible_texts(data), instances) == []
    assert leaks([t["output"] for t in data["tests"] if t["visibility"] == "hidden"], instances)


def test_a_batch_leaks_no_hidden_instance(instances, tmp_path):
    klass = tmp_path / "class"
    shutil.copytree(LEAK, klass / "alice")
    _as_notebook(klass / "bob")
    out = tmp_path / "out"
    grade_class(str(klass), str(out), GradingOptions(modules=MODULES, hidden_labels=HIDE), progress=False)
    for student in ("alice", "bob"):
        data = json.loads((out / student / "results.json").read_text())
        assert any(t["visibility"] == "hidden" for t in data["tests"])
        texts = visible_texts(data) + [(out / student / name).read_text()
                                       for name in ("feedback.txt", "feedback.html")]
        assert leaks(texts, instances) == [], student
