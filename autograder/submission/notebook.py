"""Notebooks as submissions, read with nbformat in the trusted process: their code cells, as
the sandbox runs them.

Code cells run in the sandbox, in order, in one namespace, as plain Python. IPython-only lines
(line magics ``%...``, shell escapes ``!...`` and ``x = !...``, ``get_ipython()`` calls) become
``pass``. A cell magic whose body IPython runs as Python in the kernel (``%%time``,
``%%capture``, ``%%prun``) loses its magic line and runs as the rest; ``%%timeit``'s body runs
once, inside a function as IPython runs it (what it defines is not kept); any other cell magic
(``%%bash``, ``%%html``, ``%%writefile``, ``%%script``, ...) skips its cell. The report says
what was skipped. The notebook check's own statements (any import of ``autograder``, and any
call of its ``check``, also through the names that import gave it: ``import autograder as ag;
ag.check(...)``, ``from autograder import check``) become ``pass`` too, silently: the sandbox
refuses ``autograder`` to a submission's code, and a check cell is no mistake.
"""
from __future__ import annotations

import ast
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

# Cell magics whose body IPython runs as Python in the kernel's namespace (what they define is
# kept); %%timeit runs its body in a function, many times (once here), so it defines nothing
PYTHON_CELL_MAGICS = ("time", "capture", "prun", "timeit")
_TIMEIT_VALUED = "nrpv"                  # %%timeit's options that take a value (-n 10, -r3, ...)
_WRITES_FILE = ("writefile", "file")
# Cells that mention the check are parsed (ast) to find its statements: ~1 s a MB, so a cell is
# parsed while it is short (a check cell is a line or two) and a notebook's cells within a total
MAX_PARSED_CELL = 20_000           # characters of one cell
MAX_PARSED = 500_000               # characters of all the cells of a submission's notebooks


class CheckNames:
    """The names the notebook check goes by in one notebook's namespace: modules (``autograder``,
    an alias of it or of a submodule) whose ``.check`` is the check, and names of ``check``
    itself (``from autograder import check``). Cells are read in order, so an import in one
    cell names the calls of the cells after it."""

    def __init__(self):
        self.modules: set[str] = {"autograder"}
        self.functions: set[str] = set()
        self.parse_left = MAX_PARSED                # characters that may still be parsed


def _lines(source: str) -> list[str]:
    """``source``'s lines at Python's own line ends (as ``splitlines`` does, a last newline
    ending the last line): ``splitlines`` also splits at U+2028 or ``\x0c``, inside a string."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def cell_code(source: str, names: CheckNames | None = None) -> tuple[str, list[str]]:
    """Plain Python for one code cell, and the IPython-only lines it skipped (a skipped cell
    magic's first line alone: the whole cell was skipped)."""
    names = names or CheckNames()
    text = source.lstrip()
    if text.startswith("%%"):
        first, _, body = text.partition("\n")
        magic, line = (first[2:].split(maxsplit=1) + ["", ""])[:2]
        if magic not in PYTHON_CELL_MAGICS:
            return "", [first.strip()]
        code, skipped = cell_code(body, names)
        if magic == "timeit" and code.strip():
            return _timeit_body(line, code), skipped
        return "\n" + code, skipped          # the magic's line is empty: line numbers stay
    lines, skipped = [], []
    for line in _lines(source):
        if _IPYTHON_LINE.search(line):
            indent = line[: len(line) - len(line.lstrip())]
            lines.append(f"{indent}pass")
            skipped.append(line.strip())
        else:
            lines.append(line)
    return _without_checker("\n".join(lines), names), skipped


def skipped_cell_note(first_line: str) -> str:
    """Why a cell under a cell magic that is not Python run in the kernel was skipped."""
    magic = (first_line[2:].split(maxsplit=1) + [""])[0]
    if magic in _WRITES_FILE:
        return (f"not run: {first_line[:60]} writes a file, which grading does not do (hand that file "
                "in beside the notebook and grade the folder, or put its code in a cell)")
    return f"not run: {first_line[:60]} does not run its cell as Python in the notebook's namespace"


def _timeit_body(line: str, code: str) -> str:
    """``%%timeit [options] [setup]`` and its body as IPython runs them, once: the setup and
    the body inside a function, which is called (so what they define is not kept); the body's
    lines keep their numbers when there is no setup."""
    words = line.split()
    while words and words[0].startswith("-"):
        option = words.pop(0)
        if len(option) == 2 and option[1] in _TIMEIT_VALUED and words:
            words.pop(0)
    setup = [" ".join(words)] if words else []
    inner = "\n".join("    " + row for row in setup + code.split("\n"))
    return f"def _timeit_cell_():\n{inner}\n    pass\ntry:\n    _timeit_cell_()\nfinally:\n    del _timeit_cell_"


def _is_autograder(module: str | None) -> bool:
    return module is not None and (module == "autograder" or module.startswith("autograder."))


def _is_check_call(value: ast.AST | None, names: CheckNames) -> bool:
    """Whether ``value`` calls the notebook check (``ag.check(...)``, ``check(...)``)."""
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    if isinstance(func, ast.Name):
        return func.id in names.functions
    if not (isinstance(func, ast.Attribute) and func.attr == "check"):
        return False
    root = func.value
    while isinstance(root, ast.Attribute):
        root = root.value
    return isinstance(root, ast.Name) and root.id in names.modules


def _checker_statement(node: ast.stmt, names: CheckNames) -> str | None:
    """What replaces ``node`` when it imports autograder or calls its check (``pass``, or the
    import of the other modules it names), learning the names it binds; None otherwise."""
    if isinstance(node, ast.Import):
        ours = [a for a in node.names if _is_autograder(a.name)]
        if not ours:
            return None
        names.modules.update(a.asname or a.name.partition(".")[0] for a in ours)
        rest = [a for a in node.names if not _is_autograder(a.name)]
        return ast.unparse(ast.Import(rest)) if rest else "pass"
    if isinstance(node, ast.ImportFrom) and node.level == 0 and _is_autograder(node.module):
        for alias in node.names:
            if alias.name in ("check", "*"):
                names.functions.add(alias.asname or "check")
            else:
                names.modules.add(alias.asname or alias.name)
        return "pass"
    if isinstance(node, (ast.Expr, ast.Assign, ast.AnnAssign)) and _is_check_call(node.value, names):
        return "pass"
    return None


def _statements(node: ast.AST):
    """Every statement under ``node``, in source order."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.stmt):
            yield child
        yield from _statements(child)


def _without_checker(code: str, names: CheckNames) -> str:
    """``code`` with the notebook check's statements replaced (``_checker_statement``), every
    line where it was; unchanged when it does not parse (the sandbox reports that) or is over
    what is parsed (the sandbox refuses the import)."""
    if not any(name in code for name in names.modules | names.functions) \
            or len(code) > min(MAX_PARSED_CELL, names.parse_left):
        return code
    names.parse_left -= len(code)
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return code
    edits = [(node, text) for node in _statements(tree)
             if (text := _checker_statement(node, names)) is not None]
    lines = code.split("\n")
    for node, text in reversed(edits):          # positions are UTF-8 byte offsets
        first, last = node.lineno - 1, node.end_lineno - 1
        head = lines[first].encode()[: node.col_offset].decode()
        tail = lines[last].encode()[node.end_col_offset:].decode()
        lines[first: last + 1] = [head + text + tail] + [""] * (last - first)
    return "\n".join(lines)


def defined_names(code: str) -> frozenset[str]:
    """The names a cell's code defines at module level (``def``, ``class``, assignments,
    imports; inside ``if``, ``try``, ``with`` and loops too), read with ``ast``, never run:
    to say which cell a missing function was in. Empty when the cell does not parse or is
    longer than is parsed (10 times MAX_PARSED_CELL: ~0.2 s)."""
    if len(code) > 10 * MAX_PARSED_CELL:
        return frozenset()
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset()
    names, todo = set(), list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).partition(".")[0] for a in node.names)
            continue
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                names.add(child.id)
            elif isinstance(child, (ast.stmt, ast.expr, ast.excepthandler, ast.withitem)):
                todo.append(child)
    return frozenset(names)


class UnreadableNotebook(Exception):
    """The file is not a notebook that can be read (too big, or not notebook JSON)."""


def read_cells(path: str, left: Allowance | None = None,
               names: CheckNames | None = None) -> tuple[list[dict], list[str]]:
    """The code cells of one notebook as ``{"label", "code"}`` (as many as ``left`` allows,
    which they and the file's bytes and values are taken from), and notes for the report;
    raises UnreadableNotebook with the reason (over what ``left`` allows, or not a notebook).
    ``names``: what the notebook check is called in the namespace so far."""
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
    cells, notes, names = [], [], names or CheckNames()
    for i, cell in enumerate(nb.cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        code, skipped = cell_code(str(cell.get("source", "")), names)
        label = f"{name} cell {i}"
        if skipped and skipped[0].startswith("%%") and not code:
            notes.append(f"{label}: {skipped_cell_note(skipped[0])}")
        elif skipped:
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
    cells, notes, unreadable, left, names = [], [], [], Allowance(), CheckNames()
    for path in paths:
        try:
            c, n = read_cells(path, left, names)
        except UnreadableNotebook as why:
            unreadable.append(str(why))
            continue
        cells += c
        notes += n
    return cells, notes, unreadable


def check_cell(module: str) -> str:
    """The template's check cell of ``module``."""
    return f'import autograder\nautograder.check("{module}")'
