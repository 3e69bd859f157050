"""The grading process behind ``autograder.check()`` (``notebook_check.py``, the kernel's side).

Started by the kernel on its first check, it keeps the graders loaded and the zygote warm for
the kernel's lifetime, and ends with the kernel: when its standard input closes (the kernel
exited or was killed) and, should the kernel die without closing it, by ``PR_SET_PDEATHSIG``.

Protocol: one JSON object a line on stdin, ``{"id", "cells": [source, ...], "modules": [name]
or null, "width", "unsandboxed"}``; one JSON object a line back on the original stdout,
``{"id", "ok": true, "result": {...}}`` or ``{"id", "ok": false, "error"}``. The cells are
written as a notebook and graded exactly as ``grade.py notebook.ipynb`` grades (the same reader,
the same sandbox); the student's code never runs here, only in the jail.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import tempfile
import traceback

from .. import catalog, engine
from ..engine.grading import selected
from ..options import GradingOptions
from ..report.html import to_html
from ..report.text import to_text
from ..report.views import module_views, not_graded_line
from ..sandbox.process import die_with_parent
from ..sandbox.protocol import SandboxUnavailable, whole_text
from ..sandbox.zygote_handle import zygote


class NotGraded(Exception):
    """The cells could not be graded (a fault of the grader or the machine, retried once)."""


NOTEBOOK = "kernel.ipynb"          # the cells are written there; notes name them "In [n]"


def write_notebook(cells: list[str], folder: str) -> str:
    """The cells as a notebook, cell n holding In [n], their text whole (``whole_text``: a
    lone surrogate cannot be written as UTF-8)."""
    import nbformat
    from nbformat import v4
    nb = v4.new_notebook()
    nb.cells = [v4.new_code_cell(whole_text(source)) for source in cells]
    path = os.path.join(folder, NOTEBOOK)
    nbformat.write(nb, path)
    return path


_CELL = re.compile(rf"<?{re.escape(NOTEBOOK)} cell (\d+)>?")      # as label and as file name


def in_kernel_words(text: str) -> str:
    """A note or a case's feedback as the kernel's user knows the code: cell n of the notebook
    written here is "In [n]", and the notebook itself "the cells this kernel ran"."""
    text = _CELL.sub(r"In [\1]", text)
    return text.replace(f"{NOTEBOOK} defines no", "the cells this kernel ran define no")


def _title(modules: list[str] | None, n_cells: int) -> str:
    what = ", ".join(modules) if modules else "every module"
    return f"Check of {what}: the {n_cells} cells this kernel has run" if n_cells != 1 else \
        f"Check of {what}: the one cell this kernel has run"


def check(request: dict, folder: str) -> dict:
    """Grades the request's cells; the result as data and as text and HTML."""
    cells = [str(c) for c in request["cells"]]
    modules = request.get("modules")
    unknown = set(modules or ()) - set(catalog.available())
    if unknown:
        raise ValueError(f"unknown module(s) {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(catalog.available())}")
    path = write_notebook(cells, folder)
    options = GradingOptions(modules=tuple(modules) if modules else None,
                             unsandboxed=bool(request.get("unsandboxed")))
    engine.rehearse(selected(options), options.seed)     # once a process: the memo keeps it
    result = engine.grade(path, options)
    if not result.graded:                  # a fault of the grader or the machine, not a score
        raise NotGraded(not_graded_line(result) + " Run the check again.")
    result.notes = [in_kernel_words(note) for note in result.notes]
    for r in result.results:
        r.output = in_kernel_words(r.output)
    title = _title(modules, len(cells))
    width = min(max(int(request.get("width") or 100), 40), 200)
    return {
        "score": result.score, "max_score": result.max_score, "seconds": result.seconds,
        "results": [{"id": r.case.id, "module": r.case.module, "item": r.case.item,
                     "label": r.case.label, "score": r.score, "max_score": r.case.points,
                     "output": r.output} for v in module_views(result) for r in v.rows],   # hidden: held back
        "notes": result.notes,
        "text": to_text(result, width=width, title=title, rerun=lambda m: f'autograder.check("{m}")'),
        "html": to_html(result, title=title, verbose=False, page=False),
    }


def serve(requests, replies) -> None:
    """Answers every request line until ``requests`` ends."""
    with tempfile.TemporaryDirectory(prefix="autograder-check-") as folder:
        for line in requests:
            request = None
            try:
                request = json.loads(line)
                reply = {"ok": True, "result": check(request, folder)}
            except (ValueError, SandboxUnavailable, NotGraded) as exc:     # said as it is
                reply = {"ok": False, "error": str(exc)}
            except Exception:  # noqa: BLE001 - a grader bug: said, and the next check still runs
                reply = {"ok": False, "error": "internal grader error, tell your instructor:\n"
                                               + traceback.format_exc(limit=-3)}
            reply["id"] = request.get("id") if isinstance(request, dict) else None
            replies.write(json.dumps(reply) + "\n")
            replies.flush()


def main(parent: int) -> None:
    die_with_parent(parent, signal.SIGTERM)    # ends with the kernel, even one killed outright
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))     # unwinds: sandboxes and zygote close
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)                       # whatever else prints here cannot corrupt the replies
    zygote(warm_up=True)                # torch and sympy import there while the graders load here
    catalog.load()
    serve(sys.stdin.buffer, replies)
