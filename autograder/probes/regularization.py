"""What ``regularization.build_dropout_cnn``'s network does, measured in a process that never
ran the student's code: the network crossed as data (the ``network`` probe), is rebuilt from
the allow-list (``autograder/sandbox/network.py``) and run on fixed random 28x28 images.
Measurements only; ``graders/regularization.py`` judges them.
"""

from __future__ import annotations

import torch
from torch import nn

from ..sandbox import network
from ..sandbox.probes import PROBES, measure
from ..sandbox.protocol import DETAIL_CHARS, MESSAGE_CHARS

IMAGES = (5, 1, 28, 28)        # a batch of grey-scale images, drawn from a fixed seed


def _output(net, x, perturb=frozenset()):
    y = net(x, perturb)
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"the network returns a {type(y).__name__}, not a tensor")
    if y.is_floating_point() and not bool(torch.isfinite(y).all()):
        raise ValueError("its output holds nan or inf: logits are finite numbers")    # no comparison
    return y                                                                        # may pass them


def _shape(n: int):
    def shape(net, x):
        """The output's shape for ``n`` images, in eval mode."""
        return [int(s) for s in _output(net.eval(), x[:n]).shape]
    return shape


def _twice_equal(net, x) -> bool:
    a, b = _output(net, x), _output(net, x)
    return a.shape == b.shape and bool(torch.equal(a, b))


def _on_path(net, kinds, training: bool) -> list[int]:
    """The nodes of ``kinds`` (allow-list names) that the output of that mode depends on."""
    rows = net.graph(training)
    return [i for i in sorted(network.ancestors(rows)) if net.kind(rows[i]) in kinds]


def _input_matters(net, x) -> bool:
    """In eval mode, two different images give different outputs."""
    net.eval()
    return not torch.equal(_output(net, x[:1]), _output(net, x[1:2]))


def _conv_matters(net, x) -> bool:
    """In eval mode, noise added to the convolutions' outputs changes the network's output."""
    convs = _on_path(net, network.CONVOLUTIONS, False)
    net.eval()
    return bool(convs) and not torch.equal(_output(net, x), _output(net, x, frozenset(convs)))


def _dropout_ps(net, x) -> list[list]:
    """Each dropout layer on the train-mode path: ``[its p, whether it acts]``. It acts when
    noise added to its output changes the network's output (its masks drawn alike both times):
    a layer whose output is multiplied by 0, or otherwise discarded, is decoration."""
    rows = net.graph(True)
    net.train()
    found = []
    for i in _on_path(net, network.DROPOUTS, True):
        torch.manual_seed(1)
        plain = _output(net, x)
        torch.manual_seed(1)
        noisy = _output(net, x, frozenset([i]))
        found.append([float(net.layer(rows[i]).p), not torch.equal(plain, noisy)])
    return found


MEASUREMENTS = {
    "shape_1": _shape(1),
    "shape_5": _shape(5),
    "train_differs": lambda net, x: not _twice_equal(net.train(), x),
    "eval_equal": lambda net, x: _twice_equal(net.eval(), x),
    "input_matters": _input_matters,
    "conv_on_path": lambda net, x: bool(_on_path(net, network.CONVOLUTIONS, False)),
    "conv_matters": _conv_matters,
    "dropout_ps": _dropout_ps,
}


def _cnn(p: float):
    """A network of the layers and sizes students build for 28x28 images, for the warm-up
    (not an answer: it has 3 outputs, not 10)."""
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Dropout(p), nn.Linear(16 * 7 * 7, 3))


def _warm_up() -> None:
    """A network described as a student's process does (fx's tracer) and measured as the
    measuring process does (the rebuild, every forward pass): their first runs cost twice
    their later ones. Unreachable once the zygote's step ends (it forks only between steps)."""
    dropout_cnn(PROBES["network"](_cnn, 0.5))


@measure(warm_up=_warm_up)
def dropout_cnn(data, measured=tuple(MEASUREMENTS)):
    """Measures the network ``data`` describes on ``IMAGES``: the ``measured`` ones of
    MEASUREMENTS, in that order (each case measures what it judges: forward passes are the
    cost). Returns {"refused": None or why the data is not a network the allow-list builds,
    "errors": {measurement: why it failed}, and each measured key (None where it failed)}."""
    out = {"refused": None, "errors": {}, **{key: None for key in measured}}
    try:
        net = network.rebuild(data)
    except network.Refused as why:
        out["refused"] = str(why)[:MESSAGE_CHARS]
        return out
    torch.manual_seed(0)                  # the same data, the same measurements
    x = torch.randn(*IMAGES)
    for key in measured:
        try:
            with torch.no_grad():
                out[key] = MEASUREMENTS[key](net, x)
        except Exception as exc:  # noqa: BLE001 - the student's network failed here
            out["errors"][key] = f"{type(exc).__name__}: {exc}"[:DETAIL_CHARS]
    return out
