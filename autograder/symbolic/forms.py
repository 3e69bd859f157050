"""Answers that are right in a form sympy gives back as it is: ``Piecewise``
(``sympy.summation`` of a geometric series holds its closed form in one, beside the case
β = 1) and an unevaluated ``Sum``, judged by value, as every expression is: a ``Piecewise``
takes, at each test point, the first piece whose condition holds there; a ``Sum`` adds its
terms (at most :data:`MAX_TERMS` per evaluation). A ``Poly`` is read as its expression, and a
``ConditionSet`` over the reals as the intervals where its condition holds.

The parser builds them through :func:`piecewise`, :func:`summation`, :func:`polynomial` and
:func:`condition_set` (allow-listed as the rest: comparisons, ``Eq``/``Ne``/...,
``And``/``Or``/``Not``, ``&``, ``|``, ``~`` only in a condition, a summation index only inside
its ``Sum``, a set's variable only inside its ``ConditionSet``); the evaluator reads the first
two through :func:`piecewise_value` and :func:`sum_value`.
"""

from __future__ import annotations

import ast

import sympy

from .allowed import MAX_DEPTH, Reject

MAX_PIECES = 16
MAX_TERMS = 1_000          # terms of Sums added in one evaluation, all of them together

_RELATIONS = {"Eq": sympy.Eq, "Ne": sympy.Ne, "Lt": sympy.Lt, "Le": sympy.Le, "Gt": sympy.Gt,
              "Ge": sympy.Ge}
_COMPARE = {ast.Eq: sympy.Eq, ast.NotEq: sympy.Ne, ast.Lt: sympy.Lt, ast.LtE: sympy.Le,
            ast.Gt: sympy.Gt, ast.GtE: sympy.Ge}
_LOGIC = {"And": sympy.And, "Or": sympy.Or}
NAMES = ("Piecewise", "Sum", *_RELATIONS, *_LOGIC, "Not")
POLYNOMIALS = ("Poly", "PurePoly")
CONDITION = ("a condition of Piecewise is a comparison (<, <=, ==, Eq(a, b), Ne(a, b), ...), "
             "And/Or/Not (or &, |, ~) of comparisons, or True")


def piecewise(builder, node: ast.Call, depth: int) -> sympy.Expr:
    """``Piecewise((expr, cond), ...)`` from its call node."""
    if not node.args or len(node.args) > MAX_PIECES:
        raise Reject(f"Piecewise takes 1 to {MAX_PIECES} pairs (expression, condition)")
    pieces = []
    for arg in node.args:
        if not (isinstance(arg, ast.Tuple) and len(arg.elts) == 2):
            raise Reject("each argument of Piecewise is a pair (expression, condition)")
        value, cond = arg.elts
        pieces.append((builder._scalar(value, depth, "a piece of Piecewise"),
                       condition(builder, cond, depth + 1)))
    return sympy.Piecewise(*pieces)


def condition(builder, node: ast.AST, depth: int):
    """A condition of Piecewise, built from the allow-listed forms only."""
    if depth > MAX_DEPTH:
        raise Reject("a condition nested too deeply")
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return sympy.true if node.value else sympy.false
    if isinstance(node, ast.Compare):
        if any(type(op) not in _COMPARE for op in node.ops):
            raise Reject(CONDITION)                 # `in`, `is`
        sides = [builder._scalar(x, depth, "a side of a comparison") for x in [node.left, *node.comparators]]
        return sympy.And(*[_COMPARE[type(op)](a, b) for op, a, b in zip(node.ops, sides, sides[1:])])
    if isinstance(node, ast.BoolOp):
        parts = [condition(builder, v, depth + 1) for v in node.values]
        return (sympy.And if isinstance(node.op, ast.And) else sympy.Or)(*parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitAnd, ast.BitOr)):
        parts = [condition(builder, v, depth + 1) for v in (node.left, node.right)]
        return (sympy.And if isinstance(node.op, ast.BitAnd) else sympy.Or)(*parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Invert, ast.Not)):
        return sympy.Not(condition(builder, node.operand, depth + 1))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        n = node.func.id
        if n in _RELATIONS and len(node.args) == 2:
            a, b = (builder._scalar(x, depth, "a side of a comparison") for x in node.args)
            return _RELATIONS[n](a, b)
        if n in _LOGIC or (n == "Not" and len(node.args) == 1):
            parts = [condition(builder, v, depth + 1) for v in node.args]
            return sympy.Not(*parts) if n == "Not" else _LOGIC[n](*parts)
    raise Reject(CONDITION)


def summation(builder, node: ast.Call, depth: int) -> sympy.Expr:
    """``Sum(expr, (k, lo, hi), ...)``: ``k`` a new name, an integer inside this Sum only."""
    if len(node.args) < 2 or len(node.args) > 4:
        raise Reject("Sum takes an expression and one to three limits (k, lower, upper)")
    limits, inner = [], builder
    for arg in node.args[1:]:
        if not (isinstance(arg, ast.Tuple) and len(arg.elts) == 3 and isinstance(arg.elts[0], ast.Name)):
            raise Reject("a limit of Sum is (index, lower, upper), as in (k, 1, t)")
        name = arg.elts[0].id
        if name.startswith("_") or name in builder.symbols or name in NAMES:
            raise Reject(f"the summation index {name!r} must be a new name, such as k")
        lo, hi = (builder._scalar(x, depth, "a limit of Sum") for x in arg.elts[1:])
        index = sympy.Symbol(name, integer=True)
        inner = inner.with_symbol(name, index)
        limits.append((index, lo, hi))
    return sympy.Sum(inner._scalar(node.args[0], depth, "the summand"), *limits)


def polynomial(builder, node: ast.Call, depth: int) -> sympy.Expr:
    """``Poly(expr, x, y, domain='QQ')``, as sympy writes a polynomial: its expression (the first
    argument), over generators that are the answer's symbols; ``domain`` only says how its
    coefficients are held (a ``modulus`` would change its value, and is refused)."""
    n = node.func.id
    if not node.args:
        raise Reject(f"{n} takes an expression and its variables, as in {n}(x**2 + 1, x)")
    for gen in node.args[1:]:
        if not (isinstance(gen, ast.Name) and gen.id in builder.symbols):
            raise Reject(f"the variables of {n} are the answer's symbols ({', '.join(sorted(builder.symbols))})")
    for keyword in node.keywords:
        if keyword.arg != "domain" or not isinstance(keyword.value, ast.Constant) \
                or not isinstance(keyword.value.value, str):
            raise Reject(f"{n}(..., {keyword.arg or '**'}=...) is not read: only its expression and domain are")
    return builder._scalar(node.args[0], depth, f"the expression of {n}")


def condition_set(builder, node: ast.Call, depth: int) -> sympy.Set:
    """``ConditionSet(x, condition[, base])``: ``x`` a new name, a real number inside this set
    only; the condition as Piecewise's; read as the points of ``base`` (the reals by default)
    where the condition holds, as sympy's ``as_set`` gives them: intervals."""
    usage = "ConditionSet takes a variable, a condition in it and a set, as in ConditionSet(b, b > 0, Reals)"
    if not 2 <= len(node.args) <= 3 or not isinstance(node.args[0], ast.Name) or node.keywords:
        raise Reject(usage)
    name = node.args[0].id
    if name.startswith("_") or name in NAMES:
        raise Reject(f"the variable of ConditionSet must be a plain name, such as b, not {name!r}")
    variable = sympy.Dummy(name, real=True)
    held = condition(builder.with_symbol(name, variable), node.args[1], depth + 1)
    base = builder.build(node.args[2], depth) if len(node.args) == 3 else sympy.S.Reals
    if not isinstance(base, sympy.Set):
        raise Reject(usage)
    if held.free_symbols - {variable}:
        raise Reject("the condition of ConditionSet may use its own variable only")
    try:
        where = held.as_set() if held.free_symbols else (sympy.S.Reals if held else sympy.S.EmptySet)
    except (NotImplementedError, ValueError, TypeError, AttributeError):
        raise Reject("the condition of ConditionSet could not be read as intervals; write the set with "
                     "Interval and Union") from None
    return sympy.Intersection(where, base)


def truth(cond, values, ev, ctx) -> bool:
    """Whether a condition holds at ``values`` (ValueError where it cannot be told)."""
    if cond in (sympy.true, sympy.false):
        return bool(cond)
    if isinstance(cond, (sympy.And, sympy.Or)):
        parts = (truth(c, values, ev, ctx) for c in cond.args)
        return all(parts) if isinstance(cond, sympy.And) else any(parts)
    if isinstance(cond, sympy.Not):
        return not truth(cond.args[0], values, ev, ctx)
    if isinstance(cond, sympy.Rel):
        a, b = ev(cond.lhs, values), ev(cond.rhs, values)
        if isinstance(cond, (sympy.Eq, sympy.Ne)):
            return (a == b) == isinstance(cond, sympy.Eq)
        if ctx.im(a) != 0 or ctx.im(b) != 0:
            raise ValueError("a comparison of complex values")
        return {sympy.Lt: a < b, sympy.Le: a <= b, sympy.Gt: a > b, sympy.Ge: a >= b}[type(cond)]
    raise ValueError(f"cannot evaluate the condition {type(cond).__name__}")


def piecewise_value(e: sympy.Piecewise, values, ev, ctx):
    """The value of the first piece whose condition holds at ``values``."""
    for expr, cond in e.args:
        if truth(cond, values, ev, ctx):
            return ev(expr, values)
    raise ValueError("no piece of the Piecewise holds at this point")


def sum_value(e: sympy.Sum, values, ev, ctx, budget: list):
    """The terms of a Sum added (Karr's convention for an upper limit below the lower one);
    ``budget``: [terms still allowed] in this evaluation."""
    *inner, (index, lo, hi) = e.limits              # the last limit is the outermost
    body = sympy.Sum(e.function, *inner) if inner else e.function
    a, b = ev(lo, values), ev(hi, values)
    if ctx.im(a) != 0 or ctx.im(b) != 0 or a != int(a) or b != int(b):
        raise ValueError("the limits of a Sum must be integers at every point")
    a, b, sign = int(a), int(b), 1
    if b < a:
        a, b, sign = b + 1, a - 1, -1
    budget[0] -= max(b - a + 1, 0)
    if budget[0] < 0:
        raise ValueError(f"a Sum of more than {MAX_TERMS} terms")
    return sign * ctx.fsum(ev(body, {**values, index: ctx.mpf(k)}) for k in range(a, b + 1))
