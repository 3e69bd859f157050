"""Single-point mutants of a reference module: every operator of ``operators`` applied to every
node of every function (public items and private helpers alike), one change per mutant.

A mutant is keyed stably, so that a reviewed verdict survives unrelated edits of the reference:
the module, the function (``outer.inner`` for a nested one), the operator, and the statement
it changes before and after, each as ``ast.unparse`` writes it (comments, spacing and line
numbers do not count; of a compound statement, its header line only; of a default value, the
parameter alone, ``beta2=0.9``), plus which occurrence it is when the same change is possible at
several identical statements of one function.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import os
from dataclasses import dataclass
from typing import Iterator

from ..paths import answer_dir
from .operators import OPERATORS, Where

REFERENCE = answer_dir("reference")


@dataclass(frozen=True)
class Mutant:
    module: str
    function: str          # where the change is: "relu_net_grads", "random_search_trials.enough"
    operator: str
    line: int              # in the reference file, for people
    before: str            # the changed statement, normalized
    after: str
    occurrence: int        # 0 for the first mutant with this (function, operator, before, after)
    source: str            # the whole mutated module

    @property
    def item(self) -> str:
        """The module-level function the change lies in (an item, or a private helper)."""
        return self.function.split(".")[0]

    @property
    def key(self) -> str:
        """The stable identity of this mutant, as the reviewed list records it."""
        where = f"{self.module}.{self.function}"
        more = f" #{self.occurrence + 1}" if self.occurrence else ""
        return f"{where} | {self.operator} | {self.before} -> {self.after}{more}"

    @property
    def name(self) -> str:
        """A short file-system-safe name: module, function and a digest of the key."""
        digest = hashlib.sha1(self.key.encode()).hexdigest()[:8]
        return f"{self.module}.{self.function}.{digest}"


def reference_source(module: str) -> str:
    with open(os.path.join(REFERENCE, f"{module}.py")) as f:
        return f.read()


def header(statement: ast.stmt) -> str:
    """The statement as one normalized line: a compound statement's header only."""
    if hasattr(statement, "body"):
        statement = copy.copy(statement)
        statement.body = [ast.Pass()]
        for name in ("orelse", "finalbody", "handlers", "decorator_list"):
            if hasattr(statement, name):
                setattr(statement, name, [])
    return " ".join(ast.unparse(statement).splitlines()[0].split())


def _line(statement: ast.stmt, where: Where, node: ast.AST) -> str:
    """What a mutant's key shows of the change: the statement, or for a default value the
    parameter alone (``beta2=0.9``), so that the other parameters may change."""
    return f"{where.parameter}={ast.unparse(node)}" if where.default else header(statement)


def _children(node: ast.AST) -> Iterator[tuple[str, int | None, ast.AST]]:
    for field, value in ast.iter_fields(node):
        if isinstance(value, list):
            for i, child in enumerate(value):
                if isinstance(child, ast.AST):
                    yield field, i, child
        elif isinstance(value, ast.AST):
            yield field, None, value


def _sites(func: ast.FunctionDef, qual: str):
    """``(function, parent, field, index, node, where, statement)`` for every node of ``func``
    that a mutant may change: its parameters' defaults, then its body (nested functions with
    their own names)."""
    a = func.args
    positional = (a.posonlyargs + a.args)[len(a.posonlyargs + a.args) - len(a.defaults):]
    for field, params in (("defaults", positional), ("kw_defaults", a.kwonlyargs)):
        for i, (param, value) in enumerate(zip(params, getattr(a, field))):
            if value is not None:
                yield qual, a, field, i, value, Where(param.arg), func

    def visit(parent, statement):
        for field, i, child in _children(parent):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from _sites(child, f"{qual}.{child.name}")
                continue
            here = child if isinstance(child, ast.stmt) else statement
            yield qual, parent, field, i, child, Where(), here
            yield from visit(child, here)

    docstring = func.body[:1] if isinstance(func.body[0], ast.Expr) and \
        isinstance(func.body[0].value, ast.Constant) else []
    body = ast.Module(body=[s for s in func.body if s not in docstring], type_ignores=[])
    yield from visit(body, None)


def _swap(parent, field, index, new):
    """Puts ``new`` in place of the child; returns the old one."""
    if index is None:
        old = getattr(parent, field)
        setattr(parent, field, new)
    else:
        old = getattr(parent, field)[index]
        getattr(parent, field)[index] = new
    return old


def mutants(module: str, source: str | None = None) -> list[Mutant]:
    """Every single-point mutant of ``reference/<module>.py`` (or of ``source``), in source
    order; mutants whose code equals the reference's or an earlier mutant's are left out."""
    source = reference_source(module) if source is None else source
    tree = ast.parse(source)
    seen = {ast.unparse(tree)}
    found: list[Mutant] = []
    counts: dict[tuple, int] = {}
    functions = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for func in functions:
        for qual, parent, field, index, node, where, statement in list(_sites(func, func.name)):
            before = _line(statement, where, node)
            for op_name, operator in OPERATORS.items():
                for new in list(operator(node, where)):
                    old = _swap(parent, field, index, new)
                    try:
                        text, after = ast.unparse(tree), _line(statement, where, new)
                    finally:
                        _swap(parent, field, index, old)
                    if text in seen or not _compiles(text):
                        continue
                    seen.add(text)
                    slot = (qual, op_name, before, after)
                    counts[slot] = counts.get(slot, -1) + 1
                    found.append(Mutant(module, qual, op_name, getattr(node, "lineno", func.lineno),
                                        before, after, counts[slot], text + "\n"))
    return found


def _compiles(text: str) -> bool:
    try:
        compile(text, "<mutant>", "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def sample(found: list[Mutant], size: int | None, seed: int) -> list[Mutant]:
    """``size`` of ``found`` (all when None), in their order: those whose keys, hashed with
    ``seed``, come first. A mutant's place in the draw depends on its own key only, so edits to
    other functions change a sample by the mutants they add or remove, not all of it."""
    if size is None or size >= len(found):
        return list(found)
    rank = sorted(found, key=lambda m: hashlib.sha1(f"{seed}\n{m.key}".encode()).digest())
    chosen = {id(m) for m in rank[:size]}
    return [m for m in found if id(m) in chosen]
