"""Similarity across a class (``--similarity``): code fingerprints per function and coinciding
wrong answers, similarity.csv and the self-contained similarity.html."""

import ast
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tokenize

import nbformat
import pytest
from nbformat import v4

from autograder.course import similarity as sim
from autograder.course.batch import entries, grade_class
from autograder.course.fingerprints import template_of, units
from autograder.course.similarity_html import write_report
from autograder.engine.calls import _answer
from autograder.options import GradingOptions
from autograder.sandbox.protocol import StudentError
from tests.helpers import ROOT, SUBMISSIONS, markers, reference_source
from tests.test_batch import _browser_dom, _Page

CODE = ("activations", "conv", "jacobians")
RENAMES = {"e": "expz", "s": "sig", "out": "result", "cols": "patches", "n": "batch", "x": "inp",
           "w": "kernel", "J": "jac", "ho": "out_h", "wo": "out_w", "m_hat": "mh", "v_hat": "vh",
           "theta": "params"}


def plant_copy(source: str) -> str:
    """``source`` disguised as a student disguises a copy: its functions in reverse order,
    local variables renamed, every comment rewritten, a comment line added to each function."""
    tree = ast.parse(source)
    lines = source.splitlines()
    head, functions = [], []
    for node in tree.body:
        text = "\n".join(lines[node.lineno - 1: node.end_lineno])
        if isinstance(node, ast.FunctionDef):
            functions.append(text.replace(":\n", ":\n    # worked this out myself\n", 1))
        else:
            head.append(text)
    text = "\n".join(head) + "\n\n\n" + "\n\n\n".join(reversed(functions)) + "\n"
    out, previous = [], None
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.NAME and tok.string in RENAMES and previous != ".":
            tok = tok._replace(string=RENAMES[tok.string])
        elif tok.type == tokenize.COMMENT:
            tok = tok._replace(string="# see lecture 4")
        out.append(tok)
        previous = tok.string
    return tokenize.untokenize(out)


def _folder(path, files: dict[str, str]) -> str:
    os.makedirs(path, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(path, name), "w") as f:
            f.write(text)
    return str(path)


def _notebook(path, cells: list[str]) -> str:
    nb = v4.new_notebook()
    nb.cells = [v4.new_markdown_cell("# My homework")] + [v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, str(path))
    return str(path)


@pytest.fixture(scope="module")
def code_class(tmp_path_factory):
    """alice: the reference's code; bob: alice's, disguised, in a notebook; carol (one .py) and
    dave (a folder): correct solutions written independently of it (the corpus's ok_*); erin:
    the blank template; frank: the template with one function of his own."""
    folder = tmp_path_factory.mktemp("code")
    _folder(folder / "alice", {f"{m}.py": reference_source(m) for m in CODE})
    _notebook(folder / "bob.ipynb", [plant_copy(reference_source(m)) for m in reversed(CODE)])
    shutil.copy(os.path.join(SUBMISSIONS, "ok_activations_alternatives", "activations.py"), folder / "carol.py")
    shutil.copytree(os.path.join(SUBMISSIONS, "ok_conv_jacobians_loops"), folder / "dave")
    template = {f"{m}.py": open(os.path.join(ROOT, "student_template", f"{m}.py")).read() for m in CODE}
    _folder(folder / "erin", template)
    frank = template["activations.py"].replace(
        "def softmax(z):", "def softmax(z):\n    shifted = z - np.max(z, axis=-1, keepdims=True)\n"
        "    p = np.exp(shifted)\n    total = np.sum(p, axis=-1, keepdims=True)\n"
        "    return p / total\n\n\ndef _unused(z):", 1)
    _folder(folder / "frank", {**template, "activations.py": frank})
    return folder


def test_a_planted_copy_is_the_top_pair(code_class, tmp_path):
    pairs, _ = sim.compare(entries(str(code_class), str(tmp_path)), str(tmp_path), CODE)
    top = pairs[0]
    assert (top.a, top.b) == ("alice", "bob")
    assert top.code >= 0.9 and top.score >= sim.FLAGGED and top.answers == 0
    shares = {item: share for item, share, _ in top.functions}
    assert shares["conv.conv2d"] == shares["activations.softmax"] == shares["jacobians.jac_matmul_t"] == 1


def test_independent_solutions_and_the_template_are_not_flagged(code_class, tmp_path):
    """carol, dave and frank wrote correct code of their own, erin handed in the template: no
    pair but the copy comes near the threshold, and the template makes no one alike."""
    pairs, _ = sim.compare(entries(str(code_class), str(tmp_path)), str(tmp_path), CODE)
    others = [p for p in pairs if {p.a, p.b} != {"alice", "bob"}]
    assert max((p.score for p in others), default=0) < sim.LISTED, [(p.a, p.b, p.score) for p in others]
    assert not [p for p in pairs if "erin" in (p.a, p.b)]
    functions = sim.graded_functions(CODE)
    assert units(str(code_class / "erin"), functions, sim._template(functions)) == {}
    assert set(units(str(code_class / "frank"), functions, sim._template(functions))) == {"activations.softmax"}


def test_the_readers_agree(code_class, tmp_path):
    """The same code as a folder of module files, as one .py and as notebook cells has the same
    fingerprints, and a function the cells lack comes from the module file beside them."""
    functions = sim.graded_functions(("activations",))
    template = sim._template(functions)
    text = reference_source("activations")
    folder = units(_folder(tmp_path / "folder", {"activations.py": text}), functions, template)
    one = units(os.path.join(_folder(tmp_path, {"one.py": text}), "one.py"), functions, template)
    cut = text.index("def softmax(")
    beside = _folder(tmp_path / "nb", {"activations.py": text})
    _notebook(tmp_path / "nb" / "homework.ipynb",
              [text[:cut], text[cut:].replace("def sigmoid_grad_expr", "def _x")])
    cells = units(beside, functions, template)
    assert set(folder) == {f"activations.{f}" for f in functions["activations"]}
    for found in (one, cells):
        assert {i: u.hashes for i, u in found.items()} == {i: u.hashes for i, u in folder.items()}


def test_the_templates_own_code_is_left_out(tmp_path):
    """Code the template hands out (here a scaffold every student keeps) is no one's: two
    students who finish it differently are not alike, though they would be without the
    template's fingerprints removed."""
    scaffold = ("import numpy as np\n\n\ndef softmax(z):\n    \"\"\"Softmax.\"\"\"\n"
                "    z = np.asarray(z, dtype=np.float64)\n    if z.ndim == 0:\n"
                "        raise ValueError('softmax needs at least one axis, got a scalar')\n"
                "    if not np.all(np.isfinite(z)):\n        raise ValueError('z must be finite')\n"
                "    if z.shape[-1] == 0:\n        return np.zeros_like(z)\n"
                "    shifted = z - z.max(axis=-1, keepdims=True)\n    raise NotImplementedError\n")
    finish = {"kim": "    e = np.exp(shifted)\n    return e / e.sum(axis=-1, keepdims=True)\n",
              "lee": "    out = np.empty_like(shifted)\n    for i in np.ndindex(shifted.shape[:-1]):\n"
                     "        out[i] = np.exp(shifted[i]) / np.exp(shifted[i]).sum()\n    return out\n"}
    students = [(name, _folder(tmp_path / name, {"activations.py": scaffold.replace(
        "    raise NotImplementedError\n", body)})) for name, body in finish.items()]
    functions = {"activations": ["softmax"]}
    handed = template_of(functions, {"activations.py": scaffold})
    with_template, _ = sim.compare(students, str(tmp_path), ("activations",), template=handed)
    without, _ = sim.compare(students, str(tmp_path), ("activations",), template=template_of(functions, {}))
    assert max((p.code for p in with_template), default=0) < sim.LISTED
    assert without and without[0].code >= sim.LISTED


def test_code_the_whole_class_shares_counts_for_no_pair(tmp_path):
    """Six students write softmax the idiomatic way (more than common_limit), each with a
    function of their own: the idiom pairs no one."""
    idiom = ("def softmax(z):\n    e = np.exp(z - z.max(axis=-1, keepdims=True))\n"
             "    return e / e.sum(axis=-1, keepdims=True)\n")
    own = ["return np.maximum(z, 0.0)", "return z * (z > 0)", "return np.where(z > 0, z, 0.0)",
           "return np.clip(z, 0, None)", "out = z.copy()\n    out[out < 0] = 0\n    return out",
           "return (np.abs(z) + z) / 2"]
    students = [(f"s{i}", _folder(tmp_path / f"s{i}", {"activations.py": f"import numpy as np\n\n{idiom}\n\n"
                                                        f"def relu(z):\n    {body}\n"}))
                for i, body in enumerate(own)]
    assert sim.common_limit(len(students)) < len(students)
    pairs, klass = sim.compare(students, str(tmp_path), ("activations",))
    assert pairs == [] and {item for item, _ in klass.common} == {"activations.softmax"}


def _results(out, student: str, answers: dict[str, str | None]) -> None:
    """A results.json for ``student``: every case in ``answers`` lost, with that digest."""
    tests = [{"name": case, "score": 0, "max_score": 1, "output": f"called f()\n{case}: got {digest}",
              "extra_data": {"item": case.split("[")[0], "case": case.split("[")[1][:-1],
                             **({"replies": digest} if digest else {})}} for case, digest in answers.items()]
    tests.append({"name": "ok", "score": 1, "max_score": 1, "output": "passed",
                  "extra_data": {"item": "optim.sgd_step", "case": "random"}})
    _folder(out / student, {"results.json": json.dumps({"score": 1, "max_score": len(tests), "tests": tests})})


def test_wrong_answers_weighed_by_how_many_gave_them(tmp_path):
    """Only the same wrong answer to the same case pairs students; it weighs 1/(k - 1) among
    the k students who gave it, and nothing beyond common_limit; a case without an answer
    of the student's own (no digest) and a right answer pair no one."""
    out = tmp_path / "out"
    a, b, c = "optim.adam_step[worked]", "optim.adam_step[random]", "optim.rmsprop_step[random]"
    given = {"p1": {a: "x1", b: "y1", c: None}, "p2": {a: "x1", b: "y1", c: None},
             "p3": {a: "x1", b: "y2"}, "p4": {a: "x2", b: "y3"},
             **{f"q{i}": {c: "common"} for i in range(6)}}
    for student, answers in given.items():
        _results(out, student, answers)
    students = [(s, _folder(tmp_path / "class" / s, {})) for s in given]
    pairs, _ = sim.compare(students, str(out), ("optim",))
    found = {(p.a, p.b): p for p in pairs}
    assert sim.common_limit(len(students)) == 5
    assert set(found) == {("p1", "p2"), ("p1", "p3"), ("p2", "p3")}
    assert found["p1", "p2"].wrong == [(b, 2), (a, 3)]
    assert found["p1", "p2"].answers == pytest.approx((1 + 0.5) / (2 + sim.ANSWER_PRIOR))
    assert found["p1", "p3"].wrong == [(a, 3)] and found["p1", "p3"].code == 0


def test_the_same_exception_is_the_same_answer_wherever_it_is_raised():
    moved = [StudentError("raised", f"ValueError: shapes (3,) and (4,) not aligned (optim.py, line {n}, "
                                    "in adam_step)") for n in (12, 80)]
    assert _answer(moved[0]) == _answer(moved[1]) != _answer(StudentError("raised", "ValueError: other"))
    assert _answer(StudentError("timeout", "timed out")) is None
    assert _answer(StudentError("not_implemented", "not implemented")) is None


def test_coinciding_wrong_answers_in_a_graded_class(tmp_path):
    """ann and ben (ann's code disguised) count t from 0 in Adam and get the same wrong values;
    cid forgot the bias correction and loses the same adam_step cases with other values; dee is
    right. Graded as a batch with --similarity: ann and ben share their wrong answers, cid
    shares none with either, and the right answers pair no one."""
    folder = tmp_path / "class"
    wrong = open(os.path.join(SUBMISSIONS, "wrong_adam_t_from_zero", "optim.py")).read()
    _folder(folder / "ann", {"optim.py": wrong})
    _folder(folder / "ben", {"optim.py": plant_copy(wrong)})
    shutil.copytree(os.path.join(SUBMISSIONS, "wrong_adam_no_bias_correction"), folder / "cid")
    _folder(folder / "dee", {"optim.py": reference_source("optim")})
    out = tmp_path / "out"
    grade_class(str(folder), str(out), GradingOptions(modules=("optim",)), progress=False, similarity=True)
    lost = {s: sim._lost_cases(str(out), s) for s in ("ann", "ben", "cid", "dee")}
    assert set(lost["ann"]) == set(lost["ben"]) and lost["dee"] == {}
    assert {"optim.adam_step[vs_torch]", "optim.adam_step[hyperparams]"} <= set(lost["cid"]) & set(lost["ann"])
    assert all(t["extra_data"]["replies"] for t in lost["ann"].values())
    pairs, _ = sim.compare(entries(str(folder), str(out)), str(out), ("optim",))
    found = {(p.a, p.b): p for p in pairs}
    assert {case for case, _ in found["ann", "ben"].wrong} == set(lost["ann"])
    assert not [p for p in pairs if p.wrong and "cid" in (p.a, p.b)]
    with open(out / "similarity.csv") as f:
        rows = {(r["student_a"], r["student_b"]): r for r in csv.DictReader(f)}
    assert "optim.adam_bias_correction[random]" in rows["ann", "ben"]["coincides"]
    assert float(rows["ann", "ben"]["wrong_answers"]) >= sim.FLAGGED
    text = _Page((out / "similarity.html").read_text())
    assert "counting t from 0" in "".join(text.text)                 # the feedback of the answer


def test_the_page_is_self_contained_and_escaped(code_class, tmp_path):
    """A student named <b>x</b> whose code holds markup: every text escaped, no script, nothing
    fetched; the page says it is no score."""
    hostile = reference_source("activations").replace(
        "def relu(z):", "def relu(z):\n    # </pre></td><script>alert(1)</script>\n"
                        "    label = '<img src=x onerror=alert(2)>'", 1)
    students = [("<b>x</b>", _folder(tmp_path / "x", {"activations.py": hostile})),
                ("eve", _folder(tmp_path / "eve", {"activations.py": plant_copy(hostile)}))]
    write_report(students, str(tmp_path), ("activations",))
    markup = (tmp_path / "similarity.html").read_text()
    parsed = _Page(markup)
    assert "<script" not in markup and "<img" not in markup and "<b>x</b>" not in markup
    assert not [(t, a) for t, a in parsed.tags if t in ("script", "img", "b", "link", "iframe")
                or {"src", "href"} & set(a)]
    text = "".join(parsed.text)
    assert "<b>x</b>" in text and "</pre></td><script>alert(1)</script>" in text
    assert "label = '<img src=x onerror=alert(2)>'" in text
    assert "Not part of any score." in text
    with open(tmp_path / "similarity.csv") as f:
        assert next(csv.DictReader(f))["student_a"] == "<b>x</b>"


def test_the_page_in_a_real_browser(code_class, tmp_path):
    out = tmp_path / "out"
    write_report(entries(str(code_class), str(out)), str(out), CODE)
    page = _Page(_browser_dom(out / "similarity.html", tmp_path))
    shown = "".join(page.text)
    assert "alice" in shown and "bob" in shown and "Not part of any score." in shown
    assert not [(t, a) for t, a in page.tags if {"src", "href"} & set(a) or t in ("link", "script")]


def test_the_corpus_is_read_and_never_run(tmp_path):
    """Every submission of the corpus, hostile ones included, as one class: read, compared,
    reported; none of its code ran (no marker file)."""
    students = [(name, os.path.join(SUBMISSIONS, name)) for name in sorted(os.listdir(SUBMISSIONS))]
    listed = write_report(students, str(tmp_path))
    assert listed and (tmp_path / "similarity.html").stat().st_size > 0
    assert markers() == []


def test_similarity_on_a_class_already_graded(code_class, tmp_path):
    run = subprocess.run([sys.executable, os.path.join(ROOT, "grade.py"), str(code_class), "--similarity",
                          "--out", str(tmp_path), "--module", "activations", "--module", "conv",
                          "--module", "jacobians"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "1 pairs listed, 1 worth a look" in run.stdout and "no results.json" in run.stderr
    with open(tmp_path / "similarity.csv") as f:
        assert [(r["student_a"], r["student_b"]) for r in csv.DictReader(f)] == [("alice", "bob")]
    missing = subprocess.run([sys.executable, os.path.join(ROOT, "grade.py"), str(code_class), "--similarity"],
                             capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert missing.returncode == 2 and "--out" in missing.stderr


def test_a_huge_function_is_shown_in_part(tmp_path):
    """Two students share a 3000-line function: the page shows and aligns its first lines only
    and says how many more there are; its fingerprints stop at MAX_TOKENS."""
    body = "".join(f"    total = total + np.sum(z ** {i}) * {i}\n" for i in range(3000))
    text = f"import numpy as np\n\n\ndef relu(z):\n    total = 0.0\n{body}    return total\n"
    students = [(name, _folder(tmp_path / name, {"activations.py": text})) for name in ("ada", "bo")]
    listed = write_report(students, str(tmp_path), ("activations",))
    assert [(p.a, p.b) for p in listed] == [("ada", "bo")]
    markup = (tmp_path / "similarity.html").read_text()
    assert "more lines" in markup and len(markup) < 200_000
