"""No case passes a nan, an inf or a -inf where a number is expected, nor a number so large
that the grader's own arithmetic on it overflows (issue 26: a network of 1e308 weights
computed nan and earned xor_params' 5 points).

Every case is graded on a stand-in for the student: the reference's own functions, called in
this process as the wire carries them (``autograder/engine/rehearsal.py``), with one value of one
reply replaced by nan, inf, -inf, 1e308 or -1e308. The case must then fail, whichever reply and whichever part
of it was planted. A part that already holds a non-finite value is never planted (a loss that
diverges is inf, as the item expects: it passes unplanted, which the first test checks).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograder import catalog, checks, codec
from autograder.codec import SympyText
from autograder.engine.calls import StudentFunction
from autograder.engine.rehearsal import ReferenceCalls
from autograder.sandbox.client import Reply
from autograder.sandbox.probes import PROBES
from autograder.sandbox.protocol import StudentError

CASES = catalog.cases()
PLANTED = (math.nan, math.inf, -math.inf, 1e308, -1e308)    # and values whose arithmetic overflows
PER_REPLY = 4               # parts planted per reply, spread over it (first and last included)
RIGHT_WHEN_HUGE = {          # items where a value of 1e308 can be a right answer
    "dead_units.dead_unit_params": "a bias of -1e308 leaves a unit dead on the whole box",
}


def leaves(value, probe: str | None, path=()):
    """Paths to the parts of a reply that an answer is made of: numbers, the first finite entry
    of an array, bools and strings (a choice, a symbolic answer); of a probe's measurements, its
    numbers only, and of a trajectory, what each step returned."""
    if probe == "feedback" and not path:
        yield from leaves(value["outputs"], None, ("outputs",))
        return
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iuf":
            flat = value.astype(np.float64).ravel()
            finite = np.flatnonzero(np.isfinite(flat))
            if finite.size:                     # the first entry, and the one nearest 0
                for i in dict.fromkeys((finite[0], finite[np.argmin(np.abs(flat[finite]))])):
                    yield path + (int(i),)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from leaves(v, probe, path + (i,))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, probe, path + (k,))
    elif isinstance(value, (bool, str)):
        if probe is None:
            yield path
    elif isinstance(value, (int, float)) and math.isfinite(value):
        yield path


def plant(value, path, x):
    """``value`` with the part at ``path`` replaced by ``x`` (an array keeps its shape)."""
    if not path:
        return x
    head, rest = path[0], path[1:]
    if isinstance(value, np.ndarray):
        out = value.astype(np.float64)
        out.flat[head] = x
        return out
    if isinstance(value, dict):
        return {**value, head: plant(value[head], rest, x)}
    items = list(value)
    items[head] = plant(items[head], rest, x)
    return tuple(items) if isinstance(value, tuple) else items


def spread(paths: list, n: int = PER_REPLY) -> list:
    """At most ``n`` of ``paths``, evenly spaced, the first and the last among them."""
    if len(paths) <= n:
        return paths
    return [paths[round(i * (len(paths) - 1) / (n - 1))] for i in range(n)]


class Planting(ReferenceCalls):
    """The reference answering ``case``'s calls, one part of reply number ``target[0]``
    replaced: ``target`` = (reply, path, value), or None to plant nothing and only list each
    reply's parts (none of a reply of another item, ``f.sibling``'s: its own cases plant it)."""

    def __init__(self, case, target=None):
        super().__init__(every_probe=True)
        self.case, self.target, self.replies, self.parts = case, target, 0, []

    def _call(self, fn, probe, args, kwargs) -> Reply:
        value = PROBES[probe](fn, *args, **kwargs) if probe else fn(*args, **kwargs)
        value = codec.decode(codec.encode(value))            # as it crosses
        if self.target is None:
            own = fn.__name__ == self.case.function
            self.parts.append(spread(list(leaves(value, probe))) if own else [])
        elif self.target[0] == self.replies:
            value = plant(value, *self.target[1:])
        self.replies += 1
        return Reply.of(value)


def verdict(case, calls, seed=0) -> str | None:
    """None when the case passes on ``calls``' replies, else why it failed."""
    try:
        case.check(StudentFunction(calls.send, case.module, case.function, case.timeout), case.rng(seed))
    except (checks.Mismatch, StudentError) as exc:
        return str(exc)
    return None


def _planted(case) -> tuple[list, set]:
    """What passes and what fails of ``case`` with a part planted: ([(keys, x, where)], {(keys,
    x)}), ``keys`` the dict keys on the part's path (which part of the answer it is)."""
    calls = Planting(case)
    assert verdict(case, calls) is None, f"{case.id}: the reference itself fails"
    passes, fails = [], set()
    values = [x for x in PLANTED if math.isnan(x) or math.isinf(x) or case.item not in RIGHT_WHEN_HUGE]
    for reply, paths in enumerate(calls.parts):
        for path in paths:
            keys = tuple(p for p in path if isinstance(p, str))
            for x in values:
                if verdict(case, Planting(case, (reply, path, x))) is None:
                    passes.append((keys, x, f"{x} in reply {reply} at {list(path)}"))
                else:
                    fails.add((keys, x))
    return passes, fails


ITEMS = sorted({c.item for c in CASES})


@pytest.mark.parametrize("item", ITEMS)
def test_a_planted_nan_or_inf_fails_the_item(item):
    """Each case fails with any part of any reply planted, but a part that a case does not judge
    (a case per question of a dict of answers; the gradients that a property case leaves to the
    item's comparison with the reference), which another case of the item must then fail on."""
    results = {c.id: _planted(c) for c in CASES if c.item == item}
    assert any(passes or fails for passes, fails in results.values()), f"{item}: no part to plant"
    unjudged = [f"{case}: {where}" for case, (passes, _) in results.items() for keys, x, where in passes
                if not keys or not any((keys, x) in fails for other, (_, fails) in results.items()
                                       if other != case)]
    assert not unjudged, f"{item} passes with " + "; ".join(unjudged[:6])


def test_an_expected_inf_passes_and_a_nan_where_inf_is_expected_does_not():
    """The rule itself: a non-finite value is close only to the very same one."""
    assert checks.all_close([np.inf, 1.0], [np.inf, 1.0]) and checks.all_close(np.nan, np.nan)
    for got, want in ((np.nan, np.inf), (-np.inf, np.inf), (np.inf, 1e308), (np.nan, 0.0), (1e308, np.inf)):
        assert not checks.all_close(got, want, rtol=1.0, atol=1e300), (got, want)
    with pytest.raises(checks.Mismatch, match="nan where a number was expected"):
        checks.expect_close(np.nan, 0.5)
    with pytest.raises(checks.Mismatch, match="not a finite number"):
        checks.expect_int(math.inf, 3)
    assert isinstance(SympyText("nan"), str)
