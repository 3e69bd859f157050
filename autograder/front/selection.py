"""``-k EXPR``: choosing cases as pytest chooses tests, with pytest's own keyword-expression
parser. A word matches a case when it is a case-insensitive substring of the case's id,
``<module>.<function>[<label>]``; words combine with ``and``, ``or``, ``not`` and parentheses:

    -k mlp_forward                   every case of backprop.mlp_forward (and of no other item)
    -k "backprop and not [random]"   backprop's cases but those labelled random
    -k "conv.conv2d[padding]"        one case
"""

from __future__ import annotations

from typing import Callable

from _pytest.mark.expression import Expression

from ..spec import Case


class SelectionError(ValueError):
    """``-k`` was given an expression pytest's grammar does not accept."""


def keyword_filter(expression: str) -> Callable[[Case], bool]:
    """A predicate telling whether a case matches ``expression``."""
    try:
        compiled = Expression.compile(expression)
    except Exception as exc:  # noqa: BLE001 - pytest raises ParseError (<8) or SyntaxError (>=8)
        raise SelectionError(f"-k {expression!r}: {exc}") from None

    def selected(case: Case) -> bool:
        def matcher(word: str, /, **kwargs) -> bool:
            if kwargs:
                raise SelectionError(f"-k {expression!r}: keyword arguments ({word}(...)) are not supported")
            return word.lower() in case.id.lower()
        return compiled.evaluate(matcher)
    return selected
