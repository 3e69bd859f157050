"""Functions that run inside the sandbox on a student's function, for values that cannot cross
the boundary as data (a ``torch.nn.Module``, say). Each takes the student's function and the
probe's arguments and returns plain data for the trusted side to judge.

Everything here runs in the student's process, so nothing here is trusted: it only measures.
"""

from .protocol import DETAIL_CHARS

PROBES = {}


def probe(fn):
    """Registers ``fn`` under its name."""
    PROBES[fn.__name__] = fn
    return fn


def dropout_cnn_behaviour(build, p, measured=("shape_1", "shape_5", "train_differs", "eval_equal",
                                             "dropout_ps", "has_conv")):
    """Measures ``build(p)`` (regularization.build_dropout_cnn) on fixed random images: the
    ``measured`` ones of "shape_1", "shape_5" (output shapes of 1 and 5 images, eval mode),
    "train_differs", "eval_equal" (two forward passes of 5 images in each mode), "dropout_ps",
    "has_conv".

    Returns {"type", "errors", and each measured key}; a measurement whose code raised is None
    and its error is in ``errors`` (keyed by the measurement's name), so one failure does not
    hide the others.
    """
    import torch

    out = {"type": None, "errors": {}, **{key: None for key in measured}}

    def measure(key, thunk):
        if key not in measured:
            return
        try:
            out[key] = thunk()
        except Exception as exc:                      # the student's network failed here
            out["errors"][key] = f"{type(exc).__name__}: {exc}"[:DETAIL_CHARS]

    torch.manual_seed(0)
    x5 = torch.randn(5, 1, 28, 28)
    net = build(p)
    out["type"] = f"{type(net).__module__}.{type(net).__qualname__}"
    if not isinstance(net, torch.nn.Module):
        out["errors"]["type"] = "build_dropout_cnn did not return a torch.nn.Module"
        return out
    mods = list(net.modules())
    measure("dropout_ps", lambda: [float(m.p) for m in mods
                                   if isinstance(m, torch.nn.modules.dropout._DropoutNd)])
    measure("has_conv", lambda: any(isinstance(m, torch.nn.modules.conv._ConvNd) for m in mods))

    def shape(n):
        net.eval()
        with torch.no_grad():
            return [int(s) for s in net(x5[:n].clone()).shape]

    measure("shape_1", lambda: shape(1))
    measure("shape_5", lambda: shape(5))

    def twice(train):
        net.train(train)
        with torch.no_grad():
            a, b = net(x5.clone()), net(x5.clone())
        return bool(a.shape == b.shape and torch.equal(a, b))

    measure("train_differs", lambda: not twice(True))
    measure("eval_equal", lambda: twice(False))
    return out


# each case of build_dropout_cnn measures only what it judges: forward passes are the cost
@probe
def dropout_cnn_shapes(build, p):
    return dropout_cnn_behaviour(build, p, ("shape_1", "shape_5"))


@probe
def dropout_cnn_modes(build, p):
    return dropout_cnn_behaviour(build, p, ("train_differs", "eval_equal"))


@probe
def dropout_cnn_structure(build, p):
    return dropout_cnn_behaviour(build, p, ("dropout_ps", "has_conv"))


@probe
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
    from .runner import _describe

    outputs = []
    for step in steps:
        try:
            args = [np.array(state[i], copy=True) if kind == "state" else step[i] for kind, i in layout]
            out = codec.decode(codec.encode(fn(*args, **kwargs)))
            outputs.append(out)
            state = [np.asarray(v, dtype=np.float64) for v in out]
        except BaseException as exc:  # noqa: BLE001 - the student's, SystemExit included
            return {"outputs": outputs, "error": _describe(exc),
                    "not_implemented": isinstance(exc, NotImplementedError)}
    return {"outputs": outputs, "error": None, "not_implemented": False}
