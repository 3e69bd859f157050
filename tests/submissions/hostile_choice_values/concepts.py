"""Choice answers built to compare equal to anything, asked in turn: a dict subclass that
claims every key and lies in __getitem__ only for some readers, str subclasses equal to every
letter, a set subclass, and a dict that changes each time it is read."""

import itertools


class Any(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class Everything(frozenset):
    def __eq__(self, other):
        return True

    __hash__ = frozenset.__hash__


class Shifty(dict):
    _reads = itertools.count()

    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return "ABCD"[next(self._reads) % 4]

    def __eq__(self, other):
        return True


_calls = itertools.count()


def mcq_answers():
    n = next(_calls)
    if n == 0:
        return Everything({"Z"})                         # not plain data: refused
    if n == 1:
        return {"q1": Everything({"A", "B", "C", "D"}), "q2": "B"}
    if n == 2:
        return Shifty(q1="B", q2="C", q3="B", q4="A", q9="C", q10="D")
    return {"q1": "ABCD", "q2": Any("Z"), "q3": Any("Z"), "q4": ["D"], "q9": "a", "q10": "AB"}
