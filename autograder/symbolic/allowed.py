"""What a symbolic answer may contain: the names it may use, the size limits, and how a rejected
piece of text is described."""

from __future__ import annotations

import ast
from typing import Any

import sympy

MAX_CHARS = 5000
MAX_DEPTH = 100
MAX_INT_DIGITS = 60        # of an integer literal inside an expression
MAX_NUMBER_CHARS = 4000    # of a plain number's text (an exact Rational of many digits is fine;
                           # Python reads at most 4,300 digits into an int)
MAX_EXPONENT = 256
# sympy merges sets and compares Max/Min arguments while it builds them, in time that grows
# fast with their number (seconds at 16 intervals, a minute at 48: docs/PERFORMANCE.md): an
# answer is refused past these counts before anything is built
MAX_ARGUMENTS = 32         # arguments of one call
MAX_SET_PARTS = 16         # intervals, set elements, Reals and EmptySet in the whole answer
MAX_MINMAX_ARGS = 32       # arguments of Max and Min in the whole answer
MAX_ENTRIES = 100          # entries of a matrix or list answer returned as data

FUNCTIONS: dict[str, Any] = {
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log, "sqrt": sympy.sqrt,
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "sec": sympy.sec, "csc": sympy.csc,
    "cot": sympy.cot, "asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh, "sech": sympy.sech,
    "csch": sympy.csch, "coth": sympy.coth, "asinh": sympy.asinh, "acosh": sympy.acosh,
    "atanh": sympy.atanh, "Abs": sympy.Abs, "abs": sympy.Abs, "sign": sympy.sign,
    "Heaviside": sympy.Heaviside, "Max": sympy.Max, "Min": sympy.Min, "Rational": None,
}
ALWAYS = ("sqrt", "Rational")
CONSTANTS = {"pi": sympy.pi, "E": sympy.E, "oo": sympy.oo}
SET_NAMES = {"EmptySet": sympy.S.EmptySet, "Reals": sympy.S.Reals}
SET_ANSWER = ("`Interval` (or `Interval.open`, `.Lopen`, `.Ropen`), `Union`, `Intersection`, "
              "`Complement`, `FiniteSet` or `{a, b}`, `ConditionSet(b, condition, Reals)`, `EmptySet` "
              "and `Reals`")                # what a set answer is written with (the contract, refusals)
SET_CALLS = ("Interval", "Union", "Intersection", "Complement", "FiniteSet", "ConditionSet")
MATRIX_CALLS = ("Matrix", "ImmutableMatrix", "ImmutableDenseMatrix", "MutableDenseMatrix")
CODE_CALLS = ("eval", "exec", "compile", "open", "getattr", "__import__", "globals", "locals",
              "sympify", "S", "Symbol", "symbols", "Function", "Lambda", "lambdify")


class Reject(Exception):
    """The text uses something the parser does not allow; the message says what."""


OPERATORS = {ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|",
             ast.LShift: "<<", ast.RShift: ">>", ast.Not: "not", ast.Invert: "~"}

_NODES = {
    "Attribute": "attribute access (.name)", "Subscript": "indexing ([...])",
    "Lambda": "lambda", "ListComp": "a comprehension", "SetComp": "a comprehension",
    "DictComp": "a comprehension", "GeneratorExp": "a generator expression",
    "Compare": "a comparison (<, ==, ...)", "BoolOp": "and/or", "IfExp": "if/else",
    "Dict": "a dict", "JoinedStr": "an f-string", "NamedExpr": "the := operator",
    "Await": "await", "Yield": "yield", "Starred": "*arguments", "Slice": "a slice",
}


def check_counts(tree: ast.AST, sets: bool) -> None:
    """Rejects, before anything is built, a call of more than MAX_ARGUMENTS arguments and an
    answer with more set parts (where it is a set) or Max/Min arguments than allowed, saying
    how many it holds."""
    parts = minmax = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Set):
            parts += len(node.elts)
        elif isinstance(node, ast.Name) and node.id in SET_NAMES:
            parts += 1
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else \
            func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
        if len(node.args) > MAX_ARGUMENTS:
            raise Reject(f"{name or 'a call'}(...) has {len(node.args)} arguments; at most {MAX_ARGUMENTS} are read")
        if name == "Interval":
            parts += 1
        elif name == "FiniteSet":
            parts += len(node.args)
        elif name in ("Max", "Min"):
            minmax += len(node.args)
    if sets and parts > MAX_SET_PARTS:
        raise Reject(f"the answer holds {parts} intervals and set elements; at most {MAX_SET_PARTS} "
                     "are read (write the set with as few intervals as it takes, as in Interval.open(0, oo))")
    if minmax > MAX_MINMAX_ARGS:
        raise Reject(f"Max and Min hold {minmax} arguments in all; at most {MAX_MINMAX_ARGS} are read")


def describe(node: ast.AST) -> str:
    """What a syntax node is, in a student's words ("attribute access (.system)")."""
    if isinstance(node, ast.Attribute):
        return f"attribute access (.{node.attr})"
    name = type(node).__name__
    return _NODES.get(name, name)


def kind(value) -> str:
    """What a built value is: "a list", "a matrix", "a set" or its type's name."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, sympy.MatrixBase):
        return "a matrix"
    if isinstance(value, sympy.Set):
        return "a set"
    return type(value).__name__


def short(x) -> str:
    """At most 20 characters of ``x``'s text."""
    text = str(x)
    return text if len(text) <= 20 else text[:17] + "..."
