"""Generates ``student_template/`` from ``reference/``: the same module docstrings, imports,
symbols and constants, and the same public signatures and docstrings, with every body replaced
by ``raise NotImplementedError``. Private helpers (``_name``) are left out.

    python -m autograder.make.template            # write student_template/ (modules and homework.ipynb)
    python -m autograder.make.template --check    # exit 1 if student_template/ is out of date
    python -m autograder.make.template --out DIR  # write it elsewhere (an installed grader)

The notebook ``student_template/homework.ipynb`` holds the same module templates, one code cell
each, so a student may work in either form.
"""

from __future__ import annotations

import ast
import os
import sys

from ..paths import answer_dir, checkout
from ..spec import in_assignment_order
from ..submission.notebook import check_cell

HEADER = ("# Homework template: fill in every function that raises NotImplementedError.\n"
          "# Keep the names, arguments and return shapes: the grader calls them as they are.\n")


def declaration(node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> str:
    """A function's decorators, ``def`` line(s) and docstring as the source writes them."""
    first = node.body[0]
    has_doc = isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
        and isinstance(first.value.value, str)
    if not has_doc:
        raise ValueError(f"{node.name} has no docstring: the template needs one")
    start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
    return "\n".join(lines[start - 1: first.end_lineno])


def public_declarations(source: str) -> dict[str, str]:
    """``{name: declaration}`` of a reference module's public functions, in source order: what
    the template keeps of each (its body is left out)."""
    lines = source.splitlines()
    return {node.name: declaration(node, lines) for node in ast.parse(source).body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_")}


def stub_module(source: str) -> str:
    """The template text of one reference module's source."""
    tree = ast.parse(source)
    lines = source.splitlines()
    out: list[str] = [HEADER]
    previous = None
    for node in tree.body:
        start = (node.decorator_list[0].lineno if getattr(node, "decorator_list", None)
                 else node.lineno)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name.startswith("_"):
                continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            indent = " " * node.body[0].col_offset
            out.append(f"\n\n{declaration(node, lines)}\n{indent}raise NotImplementedError\n")
        else:
            text = "\n".join(lines[start - 1: node.end_lineno])
            imports = (ast.Import, ast.ImportFrom)
            gap = "" if isinstance(node, imports) and isinstance(previous, imports) else "\n"
            out.append(("" if node is tree.body[0] else gap) + text + "\n")
        previous = node
    return "".join(out).replace("\n\n\n\n", "\n\n\n")


def generate(ref: str | None = None) -> dict[str, str]:
    """``{filename: text}`` for every module of the reference folder ``ref`` (by default the
    ``reference`` package this grader uses)."""
    ref = ref or answer_dir("reference")
    out = {}
    for name in sorted(os.listdir(ref)):
        if name.endswith(".py") and not name.startswith("_"):
            with open(os.path.join(ref, name)) as f:
                out[name] = stub_module(f.read())
    return out


NOTEBOOK = "homework.ipynb"


def template_notebook(modules: dict[str, str]) -> "nbformat.NotebookNode":
    """A notebook with, per template module, a markdown cell, a code cell and a check cell."""
    import nbformat
    from nbformat import v4
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(v4.new_markdown_cell(
        "# Deep-learning homework\n\nFill in every function that raises `NotImplementedError`. "
        "Keep the names, arguments and return shapes. The cell after each module checks it "
        "(`autograder.check(\"name\")` grades the cells this kernel has run, in the sandbox); "
        "`python grade.py homework.ipynb` grades the whole file."))
    for name, text in modules.items():
        nb.cells.append(v4.new_markdown_cell(f"## `{name}`"))
        nb.cells.append(v4.new_code_cell(text.strip()))
        nb.cells.append(v4.new_code_cell(check_cell(name)))
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"           # stable ids: the generated file must not change run to run
    nbformat.validate(nb)
    return nb


def notebook_text(modules: dict[str, str]) -> str:
    """``homework.ipynb``'s text: the template modules in the assignment's order."""
    import nbformat
    ordered = {name: modules[f"{name}.py"] for name in in_assignment_order(n[:-3] for n in modules)}
    return nbformat.writes(template_notebook(ordered)) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``--out DIR`` writes the template there (an installed grader has no checkout to write
    it in); ``--check`` compares the checkout's student_template/ without writing."""
    argv = sys.argv[1:] if argv is None else argv
    if "--out" in argv:
        target = argv[argv.index("--out") + 1]
    elif checkout():
        target = os.path.join(checkout(), "student_template")
    else:
        print("not in a checkout: give --out DIR", file=sys.stderr)
        return 2
    stale = []
    files = generate()
    files[NOTEBOOK] = notebook_text(files)
    for name, text in files.items():
        path = os.path.join(target, name)
        current = open(path).read() if os.path.exists(path) else None
        if current != text:
            stale.append(name)
            if "--check" not in argv:
                os.makedirs(target, exist_ok=True)
                with open(path, "w") as f:
                    f.write(text)
    if "--check" in argv and stale:
        print("student_template/ is out of date for: " + ", ".join(stale)
              + "\nrun: python -m autograder.make.template", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
