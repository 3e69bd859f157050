"""The run as people read it (a table per item, then every survivor that needs a person) and
as programs read it (JSON)."""

from __future__ import annotations

import json

import numpy as np

from .. import checks, codec
from .reviewed import entry
from .run import Run, Verdict

COLUMNS = ("mutants", "caught", "reviewed", "not separated", "blind spot")


FULL = 64          # numbers in an array shown in full; larger ones are summarized (--json has them)


def show_value(value) -> str:
    """A value for the report, floats exactly (the shortest text that reads back the same)."""
    if isinstance(value, np.ndarray):
        if value.size > FULL:
            text = checks.show(value, 120)
            return text if "(shape" in text else f"{text} (shape {value.shape})"
        with np.printoptions(floatmode="unique", threshold=FULL, linewidth=10**6):
            return f"np.array({' '.join(np.array2string(value, separator=', ').split())})"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(show_value(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {show_value(v)}" for k, v in value.items()) + "}"
    return repr(value)


def show_call(call) -> str:
    parts = [show_value(a) for a in call.args] + [f"{k}={show_value(v)}" for k, v in call.kwargs.items()]
    text = f"{call.function}({', '.join(parts)})"
    return f"{call.function} through probe {call.probe}: {text}" if call.probe else text


def _item(v: Verdict) -> str:
    return f"{v.mutant.module}.{v.mutant.item}"


def table(run: Run) -> list[str]:
    items = list(dict.fromkeys(_item(v) for v in run.verdicts))
    width = max([len(i) for i in items] + [10])
    lines = [f"  {'item':<{width}}  " + "  ".join(f"{c:>13}" for c in COLUMNS)]
    for item in items:
        mine = [v for v in run.verdicts if _item(v) == item]
        counts = [len(mine)] + [sum(v.status == c for v in mine) for c in COLUMNS[1:]]
        lines.append(f"  {item:<{width}}  " + "  ".join(f"{n or '':>13}" for n in counts))
    return lines


def _mutant_lines(v: Verdict) -> list[str]:
    m = v.mutant
    return [f"  {m.module}.{m.function} (reference/{m.module}.py:{m.line}, {m.operator})",
            f"      {m.before}", f"   -> {m.after}"]


def to_text(run: Run, reviewed_path: str) -> str:
    survivors = [v for v in run.verdicts if v.status not in ("caught", "not graded")]
    caught = len(run.of("caught"))
    differ = caught + len(run.of("blind spot"))         # those shown to behave differently
    lines = [f"Mutants of reference/ (seed {run.seed}): {len(run.verdicts)} graded"
             + (f" of {run.generated}" if len(run.verdicts) != run.generated else "")
             + f" in {run.seconds:.0f} s",
             f"  caught {caught}; survived {len(survivors)}: {len(run.of('blind spot'))} blind spot(s), "
             f"{len(run.of('not separated'))} not separated, {len(run.of('reviewed'))} reviewed as equivalent",
             f"  of the mutants that behave differently from the reference, {caught} of {differ} lose points"
             + (f" ({100 * caught / differ:.1f} %)" if differ else ""), "", *table(run)]
    blind = run.of("blind spot")
    if blind:
        lines += ["", "Blind spots: a wrong answer that earns every point. Add a case with the input shown."]
        for v in blind:
            s = v.separation
            lines += _mutant_lines(v) + [f"      input: {show_call(s.call)}",
                                         f"      reference: {s.reference}", f"      mutant:    {s.mutant}",
                                         f"      the case that should catch it: {s.call.origin()}"]
    unseparated = run.of("not separated")
    if unseparated:
        lines += ["", f"Not separated by any input tried: equivalent, or a blind spot the inputs miss. "
                      f"Judge each; add the equivalent ones to {reviewed_path} with the reason:"]
        for v in unseparated:
            lines += _mutant_lines(v) + ["      " + json.dumps(entry(v.mutant, "WHY IT IS EQUIVALENT"))]
    for status, what in (("not graded", "got no grade (the batch could not grade it)"),):
        if run.of(status):
            lines += ["", f"Mutants that {what}:"] + [f"  {v.mutant.key}: {v.graded.why}" for v in run.of(status)]
    elsewhere = [v for v in run.verdicts if v.elsewhere]
    if elsewhere:
        lines += ["", "Caught only by cases its change cannot reach (a loss the machine caused, such as a "
                      "timeout under load, is a grader's fault too):"]
        for v in elsewhere:
            lines += [f"  {v.mutant.key}"] + [f"      {c}: {v.graded.feedback.get(c, '')}" for c in v.graded.lost]
    faults = [v for v in run.verdicts if v.graded.faults]
    if faults:
        lines += ["", "Grader faults (internal grader error on a mutant: the grader's bug, not a catch):"]
        lines += [f"  {v.mutant.key}: {', '.join(v.graded.faults)}" for v in faults]
    if run.stale:
        lines += ["", f"Reviewed entries no survivor matched (caught now, or the code changed): "
                      f"remove them from {reviewed_path}:"] + [f"  {k}" for k in run.stale]
    lines += ["", "OK: every survivor is on the reviewed list, and no grader failed." if not run.failures
              else f"FAILED: {len(run.failures)} mutant(s) survive outside the reviewed list or made a "
                   f"grader fail."]
    return "\n".join(lines)


def to_json(run: Run) -> dict:
    """Every mutant with its status; a blind spot's separating input as the codec's data."""
    def one(v: Verdict) -> dict:
        out = {"key": v.mutant.key, "module": v.mutant.module, "function": v.mutant.function,
               "operator": v.mutant.operator, "line": v.mutant.line, "status": v.status,
               "lost": v.graded.feedback, "faults": v.graded.faults, "elsewhere": v.elsewhere}
        if v.reason:
            out["reason"] = v.reason
        if v.separation:
            s = v.separation
            out["separation"] = {"case": s.call.case, "seed": s.call.seed, "how": s.call.how,
                                 "function": s.call.function, "probe": s.call.probe,
                                 "args": codec.encode(tuple(s.call.args)), "kwargs": codec.encode(s.call.kwargs),
                                 "reference": str(s.reference), "mutant": str(s.mutant)}
        return out
    return {"seed": run.seed, "generated": run.generated, "seconds": round(run.seconds, 1),
            "counts": {c: len(run.of(c)) for c in ("caught", *COLUMNS[2:], "not graded")},
            "stale": run.stale, "mutants": [one(v) for v in run.verdicts]}
