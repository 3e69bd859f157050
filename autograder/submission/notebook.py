"""Notebooks as submissions, read with nbformat in the trusted process: their code cells, as
the sandbox runs them.

Code cells run in the sandbox, in order, in one namespace, as plain Python. IPython-only lines
(line magics ``%...``, shell escapes ``!...`` and ``x = !...``, ``get_ipython()`` calls) become
``pass`` and cell magics (``%%...``) skip their cell; the report says what was skipped. The
notebook check's own lines (``import autograder``, ``autograder.check(...)`` and
``x = autograder.check(...)``, each on one line) become ``pass`` too, silently: the sandbox has
no ``autograder`` to import, and a check cell is no mistake.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..codec import count_values
from ..sandbox.protocol import printable

# What the trusted process reads of a submission's notebooks, in all: parsing (nbformat, with
# its validation) costs time and memory per JSON value, far more than the file's bytes
# (docs/PERFORMANCE.md); the first notebooks in name order that fit are read.
MAX_NOTEBOOK_BYTES = 16 * 2**20    # bytes (outputs and images included)
MAX_NOTEBOOK_VALUES = 200_000      # JSON values (cells, lines of source and of outputs, ...)
MAX_CELLS = 2000                   # code cells run


@dataclass
class Allowance:
    """What is left of a submission's allowance for notebooks (the limits above)."""

    bytes: int = MAX_NOTEBOOK_BYTES
    values: int = MAX_NOTEBOOK_VALUES
    cells: int = MAX_CELLS


_IPYTHON_LINE = re.compile(r"^\s*([%!]|[\w.]+\s*=\s*[%!])|get_ipython\(\)")
_CHECK_LINE = re.compile(r"^\s*(import\s+autograder\s*(#.*)?|(\w+\s*=\s*)?autograder\.check\(.*)$")


def cell_code(source: str) -> tuple[str, list[str]]:
    """Plain Python for one code cell, and the IPython-only lines it skipped."""
    if source.lstrip().startswith("%%"):
        return "", [source.lstrip().splitlines()[0]]
    lines, skipped = [], []
    for line in source.splitlines():
        checker = _CHECK_LINE.match(line)
        if checker or _IPYTHON_LINE.search(line):
            indent = line[: len(line) - len(line.lstrip())]
            lines.append(f"{indent}pass")
            if not checker:
                skipped.append(line.strip())
        else:
            lines.append(line)
    return "\n".join(lines), skipped


class UnreadableNotebook(Exception):
    """The file is not a notebook that can be read (too big, or not notebook JSON)."""


def read_cells(path: str, left: Allowance | None = None) -> tuple[list[dict], list[str]]:
    """The code cells of one notebook as ``{"label", "code"}`` (as many as ``left`` allows,
    which they and the file's bytes and values are taken from), and notes for the report;
    raises UnreadableNotebook with the reason (over what ``left`` allows, or not a notebook)."""
    import nbformat                      # only when a notebook is graded: it is slow to import
    left = left or Allowance()
    name = printable(os.path.basename(path)[:100])     # the student's: shown, never obeyed
    others = "" if left == Allowance() else " with the notebooks before it"
    data = None
    if os.path.getsize(path) <= left.bytes:
        with open(path, "rb") as f:
            data = f.read(left.bytes + 1)
    if data is None or len(data) > left.bytes:
        raise UnreadableNotebook(f"{name} is over {MAX_NOTEBOOK_BYTES >> 20} MB{others} and was not read "
                                 "(clear its outputs before handing it in)")
    values = count_values(data)
    if values > left.values:
        raise UnreadableNotebook(f"{name} holds over {MAX_NOTEBOOK_VALUES:,} JSON values (cells, lines, "
                                 f"outputs){others} and was not read (clear its outputs before handing it in)")
    left.bytes, left.values = left.bytes - len(data), left.values - values
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the student's
        raise UnreadableNotebook(f"{name} could not be read as a notebook: {type(exc).__name__}: "
                                 f"{str(exc)[:200]}") from None
    cells, notes = [], []
    for i, cell in enumerate(nb.cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        code, skipped = cell_code(str(cell.get("source", "")))
        label = f"{name} cell {i}"
        if skipped:
            notes.append(f"{label}: skipped IPython-only {'lines' if len(skipped) > 1 else 'line'} "
                         + "; ".join(s[:60] for s in skipped[:3]))
        if code.strip():
            if not left.cells:
                notes.append(f"{name}: only its first {len(cells)} code cells were run (at most "
                             f"{MAX_CELLS} in all)")
                break
            left.cells -= 1
            cells.append({"label": label, "code": code})
    return cells, notes


def read_notebooks(paths: list[str]) -> tuple[list[dict], list[str], list[str]]:
    """The code cells of the notebooks at ``paths``, in that order, as far as one
    :class:`Allowance` goes; the notes for the report; and why each notebook that could not be
    read was not."""
    cells, notes, unreadable, left = [], [], [], Allowance()
    for path in paths:
        try:
            c, n = read_cells(path, left)
        except UnreadableNotebook as why:
            unreadable.append(str(why))
            continue
        cells += c
        notes += n
    return cells, notes, unreadable


def check_cell(module: str) -> str:
    """The template's check cell of ``module``."""
    return f'import autograder\nautograder.check("{module}")'
