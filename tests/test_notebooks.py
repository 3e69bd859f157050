"""Notebook submissions: IPython-only lines skipped and reported, failing cells reported while
the rest run, the reference as a notebook earning full marks, the template notebook in step with
the template modules."""

import json
import os

import nbformat
import pytest
from nbformat import v4

from autograder import catalog
from autograder.make import template
from autograder.submission import SubmissionError
from autograder.submission.notebook import (UnreadableNotebook, cell_code, check_cell, read_cells,
                                            skipped_cell_note)
from tests.helpers import ROOT, grade, reference_source

OURS = ("tuning", "gradient_flow", "concepts")


def _notebook(path, cells):
    nb = v4.new_notebook()
    nb.cells = [v4.new_code_cell(c) if not c.startswith("# md") else v4.new_markdown_cell(c) for c in cells]
    nbformat.write(nb, str(path))
    return str(path)


def test_ipython_lines_become_pass():
    code, skipped = cell_code("%matplotlib inline\nfiles = !ls\nfor i in range(2):\n    !echo hi\n"
                              "x = 1\nget_ipython().system('ls')")
    assert code == "pass\npass\nfor i in range(2):\n    pass\nx = 1\npass"
    assert skipped == ["%matplotlib inline", "files = !ls", "!echo hi", "get_ipython().system('ls')"]
    assert cell_code("%%bash\nrm -rf /\n") == ("", ["%%bash"])
    assert cell_code("a = b % 2\nprint('!')") == ("a = b % 2\nprint('!')", [])


def test_cell_magics_that_run_python_keep_their_cell_as_jupyter_does():
    """%%time, %%capture and %%prun run their body in the kernel's namespace: it runs, its line
    numbers kept, line magics in it skipped; %%timeit runs it in a function, as IPython does
    (once here), so what it defines is not kept; any other cell magic skips its cell."""
    body = "%matplotlib inline\ndef f():\n    return 1"
    for magic in ("%%time", "%%capture out", "%%capture --no-stdout", "%%prun -s cumulative", "  %%time"):
        assert cell_code(f"{magic}\n{body}") == ("\npass\ndef f():\n    return 1", ["%matplotlib inline"])
    assert cell_code("%%time\n%%capture\nx = 1") == ("\n\nx = 1", [])
    code, _ = cell_code("%%timeit -n 10 -r1 -q x = 2\ny = f() + x\ndef g(): pass")
    namespace = {"f": lambda: 1, "y": 0}
    exec(code, namespace)
    assert [k for k in namespace if not k.startswith("__")] == ["f", "y"]       # nothing kept: as IPython
    for magic in ("%%bash", "%%html", "%%javascript", "%%writefile helper.py", "%%script python", "%%python3",
                  "%%sql"):
        assert cell_code(f"{magic}\nx = 1") == ("", [magic])
    assert skipped_cell_note("%%writefile helper.py").startswith(
        "not run: %%writefile helper.py writes a file, which grading does not do")


def test_unreadable_notebook_is_not_gradable_alone_and_a_note_beside_modules(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{not json")
    with pytest.raises(UnreadableNotebook, match="could not be read as a notebook"):
        read_cells(str(path))
    with pytest.raises(SubmissionError, match="broken.ipynb could not be read as a notebook"):
        grade(str(path), modules=("tuning",))        # nothing at all to grade: PrairieLearn's gradable false
    (tmp_path / "tuning.py").write_text(reference_source("tuning"))
    os.chmod(tmp_path, 0o755)
    r = grade(str(tmp_path), modules=("tuning",))
    assert r.score == 6 and any("could not be read" in n for n in r.notes)


def test_reference_as_a_notebook_earns_full_marks(tmp_path):
    names = [m.name for m in catalog.load()]
    path = _notebook(tmp_path / "reference.ipynb",
                     ["# md The reference, one module per cell"] + [reference_source(n) for n in names])
    r = grade(path)
    lost = {x.case.id: x.output for x in r.results if not x.passed}
    assert not lost and r.score == r.max_score


def test_magics_failing_and_hanging_cells(tmp_path):
    path = _notebook(tmp_path / "hw.ipynb", [
        "%matplotlib inline\nimport math\n!ls /",
        "%%bash\necho hi",
        reference_source("tuning"),
        "raise ValueError('oops')",
        "import time\nwhile True:\n    pass",
        reference_source("gradient_flow"),
        "import os\nos._exit(1)",
        reference_source("concepts").replace('"q4": "D"', '"q4": "C"'),
    ])
    r = grade(path, modules=OURS, timeout=2, load_timeout=2)
    assert r.score == 21 and r.by_case()["concepts.mcq_answers[q4]"] == 0
    notes = "\n".join(r.notes)
    assert "hw.ipynb cell 1: skipped IPython-only lines %matplotlib inline; !ls /" in notes
    assert "hw.ipynb cell 2: not run: %%bash does not run its cell as Python in the notebook's namespace" in notes
    assert notes.count("ValueError: oops") == 1
    assert "hw.ipynb cell 5: timed out after 2 s; left out of every later run" in notes
    assert "hw.ipynb cell 7: the process exited with status 1" in notes


def test_definitions_under_python_cell_magics_earn_their_points(tmp_path):
    """The trial's %%time and %%capture cells: Jupyter keeps what they define, so does the
    grader (the corpus's expectations follow the reader itself, so this says it outright)."""
    path = _notebook(tmp_path / "magic.ipynb", ["%%time\n" + reference_source("tuning"),
                                                "%%capture out\n" + reference_source("gradient_flow")])
    r = grade(path, modules=("tuning", "gradient_flow"))
    assert r.score == r.max_score == 16 and r.notes == []


def test_notebook_beside_module_files(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    _notebook(folder / "work.ipynb", [reference_source("tuning")])
    (folder / "gradient_flow.py").write_text(reference_source("gradient_flow"))
    r = grade(str(folder), modules=("tuning", "gradient_flow"))
    assert r.score == r.max_score == 16


def test_template_notebook_matches_the_template_modules():
    """Each template module in a code cell, followed by its check cell."""
    nb = nbformat.read(os.path.join(ROOT, "student_template", template.NOTEBOOK), as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    modules = {text.strip(): name[:-3] for name, text in template.generate().items()}
    assert sorted(code[::2]) == sorted(modules)
    assert code[1::2] == [check_cell(modules[source]) for source in code[::2]]


def test_template_notebook_earns_nothing():
    r = grade(os.path.join(ROOT, "student_template", template.NOTEBOOK), modules=OURS)
    assert r.score == 0 and all("not implemented" in x.output for x in r.results)


def test_oversized_notebook_is_not_read(tmp_path):
    path = _notebook(tmp_path / "huge.ipynb", ["# md " + "x" * (17 * 2**20), reference_source("tuning")])
    with pytest.raises(UnreadableNotebook) as why:
        read_cells(path)
    assert str(why.value) == "huge.ipynb is over 16 MB and was not read (clear its outputs before handing it in)"


def _raw_notebook(path, sources: list[str]) -> str:
    """A notebook of code cells written as JSON at once (nbformat validates as it writes: slow
    for thousands of cells)."""
    cells = [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "outputs": [],
              "source": s} for i, s in enumerate(sources)]
    with open(path, "w") as f:
        json.dump({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}, f, indent=1)
    return str(path)


def test_notebooks_are_read_within_their_allowance_in_all(tmp_path):
    """The trusted process parses notebooks (a 15 MB one of 140,000 tiny cells once cost it 12 s
    and 240 MB): 200,000 JSON values and 16 MB in all, counted before parsing."""
    from autograder.submission import notebook_submission
    from autograder.submission.notebook import MAX_NOTEBOOK_VALUES
    tiny = _raw_notebook(tmp_path / "a tiny.ipynb", [reference_source("tuning")] + ["%%bash"] * 14_000)
    with pytest.raises(UnreadableNotebook) as why:
        read_cells(tiny)
    assert str(why.value) == (f"a tiny.ipynb holds over {MAX_NOTEBOOK_VALUES:,} JSON values (cells, lines, "
                              "outputs) and was not read (clear its outputs before handing it in)")
    os.unlink(tiny)
    first = _raw_notebook(tmp_path / "a.ipynb", [reference_source("tuning")] + ["x = 1"] * 7_000)
    second = _raw_notebook(tmp_path / "b.ipynb", ["y = 2"] * 7_000)
    sub = notebook_submission(str(tmp_path), [first, second], [])
    assert len(sub.cells) == 2_000 and sub.notes == [
        "b.ipynb holds over 200,000 JSON values (cells, lines, outputs) with the notebooks before it "
        "and was not read (clear its outputs before handing it in)",
        "a.ipynb: only its first 2000 code cells were run (at most 2000 in all)"]


def test_a_notebooks_name_cannot_redraw_the_report(tmp_path):
    path = _notebook(tmp_path / "\x1b[2Jall passed.ipynb", ["import os\nos._exit(3)", reference_source("tuning")])
    r = grade(path, modules=("tuning",))
    notes = "\n".join(r.notes)
    assert "\\x1b[2Jall passed.ipynb cell 1" in notes and "\x1b" not in notes


def test_a_cell_splits_at_python_line_ends_only():
    """U+2028 and form feeds inside a string are not line ends to Python (``splitlines`` says
    they are): the cell runs as Jupyter runs it."""
    from autograder.submission.notebook import cell_code
    source = 's = "a\u2028b\x0cc"\n%time x = 1\n'
    code, skipped = cell_code(source, set())
    assert code.split("\n")[0] == 's = "a\u2028b\x0cc"' and skipped == ["%time x = 1"]
    compile(code, "cell", "exec")
