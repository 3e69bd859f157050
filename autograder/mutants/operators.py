"""The mutation operators: small rewrites of one node of a function's syntax tree, each the
kind of slip a student makes (a sign, a comparison, an axis, a transpose, an off-by-one, a
default value, a forgotten term).

``OPERATORS`` maps an operator's name to a function ``(node, where) -> replacements``: given a
node of the tree and where it sits (``Where``), the nodes that may stand in its place. The
tables below say which swaps exist; an operator that does not apply yields nothing.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from typing import Callable, Iterator

BINARY_SWAPS = {
    ast.Add: (ast.Sub,), ast.Sub: (ast.Add,), ast.Mult: (ast.Div,), ast.Div: (ast.Mult, ast.FloorDiv),
    ast.FloorDiv: (ast.Div,), ast.Pow: (ast.Mult,), ast.MatMult: (ast.Mult,), ast.Mod: (ast.FloorDiv,),
    ast.BitOr: (ast.BitAnd,), ast.BitAnd: (ast.BitOr,),
}
COMPARE_SWAPS = {
    ast.Lt: (ast.LtE, ast.Gt), ast.LtE: (ast.Lt, ast.GtE), ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt, ast.LtE), ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,),
    ast.Is: (ast.IsNot,), ast.IsNot: (ast.Is,), ast.In: (ast.NotIn,), ast.NotIn: (ast.In,),
}
BOOL_SWAPS = {ast.And: ast.Or, ast.Or: ast.And}
# a dropped term: which operands of ``a op b`` may stand alone ("left", "right")
DROPS = {ast.Add: ("left", "right"), ast.Sub: ("left", "right"), ast.Mult: ("left", "right"),
         ast.Div: ("left",), ast.Pow: ("left",), ast.BitOr: ("left", "right"),
         ast.BitAnd: ("left", "right")}
# operands swapped where the order matters
ORDERED = (ast.Sub, ast.Div, ast.FloorDiv, ast.MatMult, ast.Pow)
# a called function for another (np.linalg.eigh -> eig, x.max -> x.min, math.ceil -> floor)
CALL_SWAPS = {
    "eigh": ("eig",), "eigvalsh": ("eigvals",), "max": ("min",), "min": ("max",),
    "maximum": ("minimum",), "minimum": ("maximum",), "argmax": ("argmin",), "argmin": ("argmax",),
    "sum": ("mean",), "mean": ("sum",), "prod": ("sum",), "log1p": ("log",),
    "expm1": ("exp",), "ceil": ("floor",), "floor": ("ceil",), "zeros": ("ones",), "ones": ("zeros",),
    "zeros_like": ("ones_like",), "ones_like": ("zeros_like",), "outer": ("dot",),
}
AXIS_KEYWORDS = ("axis", "keepdims")


@dataclass(frozen=True)
class Where:
    """Where a node sits: the parameter whose default value it is, or None (in the body)."""

    parameter: str | None = None

    @property
    def default(self) -> bool:
        return self.parameter is not None


def _with(node: ast.AST, **fields) -> ast.AST:
    new = copy.copy(node)
    for name, value in fields.items():
        setattr(new, name, value)
    return new


def _number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def binary(node, where) -> Iterator[ast.AST]:
    """``a + b`` -> ``a - b`` and the other swaps of BINARY_SWAPS."""
    if isinstance(node, ast.BinOp):
        for op in BINARY_SWAPS.get(type(node.op), ()):
            yield _with(node, op=op())


def compare(node, where) -> Iterator[ast.AST]:
    """``a > b`` -> ``a >= b`` or ``a < b``, ``==`` -> ``!=``, and so on (one operator of a chain)."""
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            for new in COMPARE_SWAPS.get(type(op), ()):
                yield _with(node, ops=[*node.ops[:i], new(), *node.ops[i + 1:]])


def boolean(node, where) -> Iterator[ast.AST]:
    """``a and b`` -> ``a or b``; also each operand alone (a dropped condition)."""
    if isinstance(node, ast.BoolOp):
        yield _with(node, op=BOOL_SWAPS[type(node.op)]())
        if len(node.values) == 2:
            yield from node.values


def drop_term(node, where) -> Iterator[ast.AST]:
    """``a + b`` -> ``a`` or ``b``; ``a / b`` -> ``a``: a forgotten term, factor or divisor."""
    if isinstance(node, ast.BinOp):
        for side in DROPS.get(type(node.op), ()):
            yield getattr(node, side)


def swap_operands(node, where) -> Iterator[ast.AST]:
    """``a - b`` -> ``b - a`` where the order matters; ``f(a, b)`` -> ``f(b, a)``."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ORDERED):
        yield _with(node, left=node.right, right=node.left)
    if isinstance(node, ast.Call) and len(node.args) >= 2 and not any(
            isinstance(a, ast.Starred) for a in node.args[:2]) \
            and ast.dump(node.args[0]) != ast.dump(node.args[1]):
        yield _with(node, args=[node.args[1], node.args[0], *node.args[2:]])


def unary(node, where) -> Iterator[ast.AST]:
    """``-x`` -> ``x``, ``not c`` -> ``c``, ``~m`` -> ``m``."""
    if isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.UAdd):
        yield node.operand


def constant(node, where) -> Iterator[ast.AST]:
    """A number n -> n + 1 and n - 1 (not a parameter's default: ``default`` does those);
    ``True`` <-> ``False``."""
    if where.default or not isinstance(node, ast.Constant):
        return
    if isinstance(node.value, bool):
        yield ast.Constant(not node.value)
    elif _number(node):
        yield ast.Constant(node.value + 1)
        yield ast.Constant(node.value - 1)


def default(node, where) -> Iterator[ast.AST]:
    """A parameter's default value changed: an int by one, a float doubled or halved (0.9 -> 0.45
    or 1.8; 1e-3 -> 2e-3), a bool flipped."""
    if not (where.default and isinstance(node, ast.Constant)):
        return
    if isinstance(node.value, bool):
        yield ast.Constant(not node.value)
    elif isinstance(node.value, int):
        yield ast.Constant(node.value + 1)
        yield ast.Constant(node.value - 1)
    elif isinstance(node.value, float):
        yield ast.Constant(node.value * 2)
        yield ast.Constant(node.value / 2)


def call(node, where) -> Iterator[ast.AST]:
    """A called function for a neighbour: ``eigh`` -> ``eig``, ``max`` -> ``min``, ``sum`` ->
    ``mean``, ``ceil`` -> ``floor`` ... (CALL_SWAPS)."""
    if not isinstance(node, ast.Call):
        return
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    for other in CALL_SWAPS.get(name, ()):
        new = _with(func, attr=other) if isinstance(func, ast.Attribute) else _with(func, id=other)
        yield _with(node, func=new)


def axis(node, where) -> Iterator[ast.AST]:
    """``axis=`` dropped, or one axis of a tuple dropped; ``keepdims=`` dropped."""
    if not isinstance(node, ast.Call):
        return
    for i, kw in enumerate(node.keywords):
        if kw.arg not in AXIS_KEYWORDS:
            continue
        yield _with(node, keywords=node.keywords[:i] + node.keywords[i + 1:])
        if kw.arg == "axis" and isinstance(kw.value, ast.Tuple) and len(kw.value.elts) > 1:
            for j in range(len(kw.value.elts)):
                elts = kw.value.elts[:j] + kw.value.elts[j + 1:]
                value = _with(kw.value, elts=elts) if len(elts) > 1 else elts[0]
                yield _with(node, keywords=[*node.keywords[:i], _with(kw, value=value),
                                            *node.keywords[i + 1:]])


def transpose(node, where) -> Iterator[ast.AST]:
    """``W.T`` -> ``W``; ``x.transpose(...)`` -> ``x``."""
    if isinstance(node, ast.Attribute) and node.attr == "T":
        yield node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "transpose":
        yield node.func.value


OPERATORS: dict[str, Callable[[ast.AST, Where], Iterator[ast.AST]]] = {
    "binary": binary, "compare": compare, "boolean": boolean, "drop_term": drop_term,
    "swap_operands": swap_operands, "unary": unary, "constant": constant, "default": default,
    "call": call, "axis": axis, "transpose": transpose,
}
