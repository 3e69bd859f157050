"""``autograder.check()`` in a real Jupyter kernel (ipykernel, run by nbclient): the template
notebook's check cells give the reference full marks and the blank template none; the grading
process lives as long as the kernel; a notebook's check lines cost nothing when it is graded."""

import os
import re
import signal
import time

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

from autograder import catalog
from autograder.front.notebook_check import CheckError, check
from autograder.make import template
from autograder.submission.notebook import CheckNames, cell_code, check_cell
from tests.helpers import ROOT, grade, reference_source

TOTAL = re.compile(r"^Total: (\S+) / (\S+)", re.M)


def _template_notebook():
    return nbformat.read(os.path.join(ROOT, "student_template", template.NOTEBOOK), as_version=4)


def _run(nb, folder):
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def _check_totals(nb) -> dict[str, tuple[float, float]]:
    """``{module: (score, max_score)}`` read from each check cell's displayed result."""
    totals = {}
    for cell in nb.cells:
        match = re.fullmatch(r'import autograder\nautograder\.check\("(\w+)"\)', cell.source)
        if cell.cell_type != "code" or not match:
            continue
        result = [o for o in cell.outputs if o.output_type == "execute_result"]
        assert len(result) == 1, cell.outputs
        assert '<div class="ag-report">' in result[0].data["text/html"]
        score, max_score = TOTAL.search(result[0].data["text/plain"]).groups()
        totals[match.group(1)] = (float(score), float(max_score))
    return totals


def test_reference_pasted_into_the_template_earns_full_marks_through_its_checks(tmp_path):
    nb = _template_notebook()
    templates = {text.strip(): name[:-3] for name, text in template.generate().items()}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source in templates:
            cell.source = reference_source(templates[cell.source])
    totals = _check_totals(_run(nb, tmp_path))
    assert totals == {m.name: (m.total, m.total) for m in catalog.load()}


def test_blank_template_earns_nothing_through_its_checks(tmp_path):
    totals = _check_totals(_run(_template_notebook(), tmp_path))
    assert totals == {m.name: (0, m.total) for m in catalog.load()}


def _pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("end", ["shutdown", "kill"])
def test_grading_process_lives_and_dies_with_the_kernel(end):
    """Two checks use one grading process (with its zygote), which ends with the kernel, be the
    kernel shut down or killed."""
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        pids = []
        for _ in range(2):
            reply = client.execute_interactive(
                reference_source("tuning") + "\nimport autograder\nr = autograder.check('tuning')\n"
                "import autograder.front.notebook_check as c\nprint(r.score, r.max_score, c._process.proc.pid)",
                timeout=600, output_hook=lambda msg: pids.append(msg["content"].get("text", "")))
            assert reply["content"]["status"] == "ok"
        lines = [line.split() for line in "".join(pids).splitlines()]
        assert [(float(a), float(b)) for a, b, _ in lines] == [(6, 6), (6, 6)]
        assert lines[0][2] == lines[1][2]
        server = int(lines[0][2])
        with open(f"/proc/{server}/task/{server}/children") as f:
            children = [int(p) for p in f.read().split()]
        assert children                              # its zygote at least
    finally:
        if end == "kill":
            manager.signal_kernel(signal.SIGKILL)
        manager.shutdown_kernel(now=True)
        client.stop_channels()
    deadline = time.monotonic() + 30
    while any(_pid_alive(p) for p in [server, *children]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in [server, *children] if _pid_alive(p)]


def test_check_outside_ipython_says_where_it_works():
    with pytest.raises(CheckError, match="works in Jupyter or IPython"):
        check("tuning")


def test_check_lines_are_skipped_silently_when_a_notebook_is_graded(tmp_path):
    assert cell_code('import autograder\nautograder.check("tuning")\nr = autograder.check()  # all') \
        == ("pass\npass\npass  # all", [])
    assert cell_code("import autograder_tools\ncheck('x')") == ("import autograder_tools\ncheck('x')", [])
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(reference_source("tuning")),
                nbformat.v4.new_code_cell(check_cell("tuning"))]
    path = tmp_path / "hw.ipynb"
    nbformat.write(nb, str(path))
    r = grade(str(path), modules=("tuning",))
    assert r.score == r.max_score == 6 and r.notes == []


def test_the_check_goes_by_any_name_and_its_statements_are_skipped_wherever_they_are():
    """Any import of autograder (an alias, a from-import, beside other modules) and any call of
    its check through the names it gave, also in a later cell, on several lines or after a
    semicolon, become pass, line for line; the rest of the cell stays as written."""
    names = CheckNames()
    first = cell_code("import numpy as np, autograder as ag\nfrom autograder import check as verify, CheckError\n"
                      "import autograder.front.notebook_check as nc\n", names)
    assert first == ("import numpy as np\npass\npass", [])
    later = cell_code('def f(x):\n    return x\nag.check("tuning")\nr = verify()\nnc.check(\n    "x")\n'
                      'y = 1; ag.check(); z = 2\nif True:\n    result: object = ag.check("tuning")\n'
                      'print(f(1), ag.check)', names)
    assert later == ('def f(x):\n    return x\npass\npass\npass\n\ny = 1; pass; z = 2\nif True:\n    pass\n'
                     'print(f(1), ag.check)', [])
    assert cell_code("check(1)\nx.check()") == ("check(1)\nx.check()", [])   # no import of it: theirs


def test_a_check_in_the_notebooks_words(tmp_path):
    """What the check says names the kernel's cells (In [n], "the cells this kernel ran"),
    never the notebook the grading process writes them into or its temporary folder; a
    check imported under another name is skipped as the plain one is."""
    from autograder.front.check_server import check as server_check
    cells = ["import autograder as ag", "import math\ndef residual_gradient(upstream, local_grads):\n"
             "    return upstream * (math.prod(local_grads) + 1)",
             "raise ValueError('not yet')\ndef chain_gradient(local_grads):\n    return math.prod(local_grads)",
             'ag.check("gradient_flow")']
    result = server_check({"cells": cells, "modules": ["gradient_flow"], "width": 100}, str(tmp_path))
    outputs = {r["id"]: r["output"] for r in result["results"]}
    assert outputs["gradient_flow.chain_gradient[worked]"] == (
        "the cells this kernel ran define no function chain_gradient: In [3], where it is defined, stopped "
        "with an error before it was defined: ValueError: not yet (In [3], line 1, in <module>)")
    assert outputs["gradient_flow.residual_gradient[worked]"] == ""
    assert result["notes"] == ["In [3]: ValueError: not yet (In [3], line 1, in <module>)"]
    assert "kernel.ipynb" not in result["text"] and str(tmp_path) not in result["text"]
