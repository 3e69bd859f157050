"""Inputs beyond those the cases send: each recorded call changed in the ways random instances
miss. Exact values (every float rounded to an integer, a quarter or a 64th: ties, a
pre-activation of exactly 0, a probability on an exact boundary), one argument zeroed (or all),
an array with every entry equal, a symmetric matrix with a repeated eigenvalue, a scalar made
100 times smaller, and a parameter left at its default (dropped from the call).

Only floats change (Python floats and float arrays, also inside lists and dicts); integers
(sizes, counts, steps), strings and booleans stay as the case sent them, so a changed call
still has the shapes and the kinds of value the item is about. And a changed argument stays in
the domain the cases show for it (``Domains``): positive if every value the cases send there
is positive, strictly between 0 and 1 if every one is (a probability, a confidence), so that a
difference found is one the contract cares about (not a confidence of 0, or a log of 0).
"""

from __future__ import annotations

import inspect
from typing import Callable

import numpy as np

from .record import Call

ROUNDINGS = (("every float rounded to an integer", 1.0), ("every float rounded to a quarter", 0.25),
             ("every float rounded to a 64th", 1 / 64))
TINY = 0.01


def _floats(value, fn: Callable[[np.ndarray], np.ndarray]):
    """``value`` with ``fn`` applied to every float array and float in it."""
    if isinstance(value, np.ndarray):
        return fn(value) if value.dtype.kind == "f" else value
    if type(value) is float:
        return float(fn(np.float64(value)))
    if isinstance(value, (list, tuple)):
        return type(value)(_floats(v, fn) for v in value)
    if isinstance(value, dict):
        return {k: _floats(v, fn) for k, v in value.items()}
    return value


def _has_floats(value) -> bool:
    found = []
    _floats(value, lambda a: found.append(a) or a)
    return bool(found)


def floats_in(value) -> np.ndarray:
    """Every float in ``value``, flat."""
    found: list[np.ndarray] = []
    _floats(value, lambda a: found.append(np.ravel(a)) or a)
    return np.concatenate(found) if found else np.zeros(0)


def _slots(call: Call):
    """``(slot, value)`` of every argument: its index, or its keyword."""
    return [*enumerate(call.args), *call.kwargs.items()]


class Domains:
    """The range of the floats the cases send in each argument of each function: a changed
    call is kept only where it stays positive where they are all positive, and inside (0, 1)
    where they all are."""

    def __init__(self, calls: list[Call]):
        self.ranges: dict[tuple, tuple[float, float]] = {}
        for call in calls:
            for slot, value in _slots(call):
                v = floats_in(value)
                if v.size:
                    key = (call.function, call.probe, slot)
                    lo, hi = self.ranges.get(key, (np.inf, -np.inf))
                    self.ranges[key] = (min(lo, float(v.min())), max(hi, float(v.max())))

    def admits(self, call: Call) -> bool:
        for slot, value in _slots(call):
            lo, hi = self.ranges.get((call.function, call.probe, slot), (-np.inf, np.inf))
            v = floats_in(value)
            if not v.size:
                continue
            if (lo > 0 and v.min() <= 0) or (lo > 0 and hi < 1 and v.max() >= 1):
                return False
        return True


def _everywhere(call: Call, how: str, fn) -> Call:
    return call.changed(how, _floats(call.args, fn), _floats(call.kwargs, fn))


def _at(call: Call, slot, value) -> tuple[tuple, dict]:
    """The call's arguments with argument ``slot`` (an index or a keyword) set to ``value``."""
    args, kwargs = list(call.args), dict(call.kwargs)
    if isinstance(slot, int):
        args[slot] = value
    else:
        kwargs[slot] = value
    return tuple(args), kwargs


def _repeated_eigenvalue(a: np.ndarray) -> np.ndarray | None:
    """A symmetric ``a`` (n >= 3) with every eigenvalue but the largest set to the smallest:
    the same eigenvectors, one eigenvalue repeated."""
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 3 or not np.allclose(a, a.T):
        return None
    lam, q = np.linalg.eigh(a)
    lam[:-1] = lam[0]
    b = q @ np.diag(lam) @ q.T
    return (b + b.T) / 2


def _names(call: Call, signature: inspect.Signature | None) -> list[tuple[object, str]]:
    """``(slot, name)`` of every argument of the call: parameter names where the signature
    says them."""
    params = list(signature.parameters) if signature and call.probe is None else []
    slots = [(i, params[i] if i < len(params) else f"argument {i + 1}") for i in range(len(call.args))]
    return slots + [(k, k) for k in call.kwargs]


def _without(call: Call, signature: inspect.Signature, names: set[str]) -> tuple[tuple, dict] | None:
    """The call's arguments without the parameters ``names`` (left at their defaults): the
    ones before the first dropped stay positional, the rest go by keyword."""
    try:
        bound = signature.bind(*call.args, **call.kwargs)
    except TypeError:
        return None
    args, kwargs, by_keyword = [], {}, False
    for i, (name, value) in enumerate(bound.arguments.items()):
        if name in names:
            by_keyword = True
        elif by_keyword or name in call.kwargs or i >= len(call.args):
            kwargs[name] = value
        else:
            args.append(value)
    return tuple(args), kwargs


def _defaults(call: Call, signature: inspect.Signature | None) -> list[Call]:
    """The call with each parameter that has a default dropped (and all of them at once)."""
    if signature is None:
        return []
    given = [n for n, p in signature.parameters.items() if p.default is not inspect.Parameter.empty]
    if call.probe is None:
        given = [n for n in given if n in signature.bind_partial(*call.args, **call.kwargs).arguments]
        drop = lambda names: _without(call, signature, names)               # noqa: E731
    else:                # a probe passes its keywords on to the function (a trajectory's lr=...)
        given = [n for n in given if n in call.kwargs]
        drop = lambda names: (call.args, {k: v for k, v in call.kwargs.items() if k not in names})  # noqa: E731
    out = []
    for names in [{n} for n in given] + ([set(given)] if len(given) > 1 else []):
        changed = drop(names)
        if changed is not None:
            out.append(call.changed(f"{', '.join(sorted(names))} left at the default", *changed))
    return out


def variants(call: Call, signature: inspect.Signature | None) -> list[Call]:
    """The changed copies of ``call``; ``signature``: the reference function's."""
    out = [_everywhere(call, how, lambda a, s=step: np.round(a / s) * s) for how, step in ROUNDINGS]
    slots = [(slot, name) for slot, name in _names(call, signature)
             if _has_floats(call.args[slot] if isinstance(slot, int) else call.kwargs[slot])]
    for slot, name in slots:
        value = call.args[slot] if isinstance(slot, int) else call.kwargs[slot]
        out.append(call.changed(f"{name} zeroed", *_at(call, slot, _floats(value, np.zeros_like))))
        if isinstance(value, np.ndarray) and value.size > 1:
            out.append(call.changed(f"every entry of {name} equal",
                                    *_at(call, slot, np.full_like(value, value.flat[0]))))
            repeated = _repeated_eigenvalue(value)
            if repeated is not None:
                out.append(call.changed(f"{name} with a repeated eigenvalue", *_at(call, slot, repeated)))
        if type(value) is float:
            out.append(call.changed(f"{name} times {TINY:g}", *_at(call, slot, value * TINY)))
    if len(slots) > 1:
        out.append(_everywhere(call, "every float zeroed", np.zeros_like))
    return out + _defaults(call, signature)
