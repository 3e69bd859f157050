"""The registry of what runs in a sandbox besides a plain call of a student's function, and the
generic probes every homework module may use.

- A *probe* (``@probe``) runs in the student's process on the student's function, for what
  cannot be one plain call: ``feedback`` (an update rule's trajectory in one round trip) and
  ``network`` (what the function returns, a ``torch.nn.Module``, as data). Nothing a probe
  returns is trusted: it is only the student's answer, as data.
- A *measurement* (``@measure``) runs in a sandbox of no submission, a process that never ran
  student code, on data (a network from ``network``): what it returns is judged.
- A *warm-up* (``warm_up=`` of either decorator) is run once by a long-lived zygote, so that
  its children do not pay the first run of the probe's lazy imports and caches.

The homework's own probes and measurements live in ``autograder/probes/`` (a module per
homework module), loaded where torch is: the zygote, before it forks any sandbox.
"""

from __future__ import annotations

PROBES = {}           # name -> fn(student function, *args, **kwargs), in the student's process
MEASURES = {}         # name -> fn(*data, **kwargs), in a process that never ran student code
IN_GRADER = set()     # probes that need nothing the grading process lacks (no torch)
WARM_UPS = []         # each registered warm-up, once


def _register(table: dict, fn, warm_up) -> None:
    if fn.__name__ in table:
        raise ValueError(f"{fn.__name__} registered twice")
    table[fn.__name__] = fn
    if warm_up is not None and warm_up not in WARM_UPS:
        WARM_UPS.append(warm_up)


def probe(fn=None, *, warm_up=None, in_grader: bool = False):
    """Registers ``fn`` as a probe under its name (``@probe`` or ``@probe(warm_up=...)``).
    ``in_grader``: it needs nothing the grading process lacks, so the rehearsal of the
    reference (``autograder/engine/rehearsal.py``) may run it there."""
    def register(fn):
        _register(PROBES, fn, warm_up)
        if in_grader:
            IN_GRADER.add(fn.__name__)
        return fn
    return register(fn) if fn is not None else register


def measure(fn=None, *, warm_up=None):
    """Registers ``fn`` as a measurement under its name (``@measure(warm_up=...)``)."""
    def register(fn):
        _register(MEASURES, fn, warm_up)
        return fn
    return register(fn) if fn is not None else register


@probe(in_grader=True)
def feedback(fn, state, steps, layout, **kwargs):
    """Runs an update rule as a trajectory in one request: step t calls ``fn`` with positional
    arguments ``layout`` (a list of ``["state", i]`` or ``["step", j]``) filled from ``state``
    and ``steps[t]``, and the values it returns (as float arrays) become the next state.

    Returns {"outputs": [what each call returned], "error": None or the exception that stopped
    the loop, "not_implemented": whether that was NotImplementedError}. Each step's values are
    read as they cross to the grader (``codec``: a tensor, requiring grad or not, as its
    array), so the next call gets the arguments the trusted side rebuilds from the outputs.
    """
    import numpy as np

    from .. import codec
    from .protocol import describe

    outputs = []
    for step in steps:
        try:
            args = [np.array(state[i], copy=True) if kind == "state" else step[i] for kind, i in layout]
            out = codec.decode(codec.encode(fn(*args, **kwargs)))
            outputs.append(out)
            state = [np.asarray(v, dtype=np.float64) for v in out]
        except BaseException as exc:  # noqa: BLE001 - the student's, SystemExit included
            return {"outputs": outputs, "error": describe(exc),
                    "not_implemented": isinstance(exc, NotImplementedError)}
    return {"outputs": outputs, "error": None, "not_implemented": False}


@probe
def network(build, *args, **kwargs):
    """What ``build(*args, **kwargs)`` returns, a ``torch.nn.Module``, as data
    (``network.describe``), or ``{"refused": why}`` when it cannot cross. torch's generator
    is seeded first, so the same code gives the same weights: equal networks, equal data."""
    import torch

    from . import network as as_data

    torch.manual_seed(0)
    net = build(*args, **kwargs)
    try:
        return as_data.describe(net)
    except as_data.Refused as why:
        return {"refused": str(why)}
