"""A network as data (autograder/sandbox/network.py) and its measurement
(autograder/probes/regularization.py): what a student's process describes is rebuilt from the
allow-list alone into a network that computes what the student's did; what is not on the
allow-list, or does not fit the bounds, is refused with its name; the measurements tell a
network that uses its input and its convolution from one that does not; the zygote's warm-up
still runs that whole path."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import reference.regularization as ref
from autograder import codec
from autograder.probes import regularization as cnn_probes
from autograder.sandbox import network
from autograder.sandbox.network import Refused, describe, rebuild
from tests.helpers import ROOT


def _wire(data):
    """``data`` as the trusted side receives it from the student's process and passes it on."""
    return codec.decode(codec.loads(codec.body(codec.encode(data))))


class _Custom(nn.Module):
    """A network written as students write classes: a residual add, a parameter used directly,
    functional pooling, a shape read in forward, batch norm, and dropout that reads self.training."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.scale = nn.Parameter(torch.full((1, 4, 1, 1), 1.5))
        self.head = nn.Sequential(nn.Linear(4 * 14 * 14, 16), nn.ReLU())
        self.out = nn.Linear(16, 10)

    def forward(self, x):
        h = F.relu(self.bn(self.conv(x)))
        h = (h + self.conv(x)) * self.scale
        h = F.max_pool2d(h, 2)
        h = self.head(h.view(x.size(0), -1))
        h = F.dropout(h, 0.25, training=self.training)
        return self.out(torch.flatten(h, 1)) - x.shape[0]


def _same_outputs(original, rebuilt, x):
    """Equal outputs, bit for bit, in eval mode and (from one seed) in train mode."""
    for mode in (False, True):
        original.train(mode)
        rebuilt.train(mode)
        with torch.no_grad():
            torch.manual_seed(7)
            want = original(x)
            torch.manual_seed(7)
            got = rebuilt(x)
        assert torch.equal(want, got), f"train={mode}: {(want - got).abs().max()}"


@pytest.mark.parametrize("build", [lambda: ref.build_dropout_cnn(0.3), _Custom], ids=["reference", "custom"])
def test_a_network_rebuilt_from_its_data_computes_what_it_did(build):
    torch.manual_seed(0)
    net = build()
    x = torch.randn(3, 1, 28, 28)
    if isinstance(net, _Custom):              # running statistics that are not the initial ones
        with torch.no_grad():
            net.train()(torch.randn(8, 1, 28, 28))
    rebuilt = rebuild(_wire(describe(net)))
    _same_outputs(net, rebuilt, x)


def test_a_forward_that_reads_self_training_crosses_as_two_graphs():
    data = describe(_Custom())
    assert data["eval_graph"] is not None and data["eval_graph"] != data["graph"]
    assert describe(ref.build_dropout_cnn(0.3))["eval_graph"] is None


@pytest.mark.parametrize("net, named", [
    (nn.Sequential(nn.Conv2d(1, 2, 3), nn.Upsample(scale_factor=2)), "torch.nn.modules.upsampling.Upsample"),
    (nn.Sequential(nn.Flatten(), nn.LSTM(4, 4)), "torch.nn.modules.rnn.LSTM"),
])
def test_a_layer_outside_the_allow_list_is_refused_by_name(net, named):
    with pytest.raises(Refused) as why:
        describe(net)
    assert named in str(why.value) and "allowed layers: torch.nn.{Conv1d, Conv2d" in str(why.value)


def test_a_function_or_method_outside_the_allow_list_is_refused_by_name():
    class Sine(nn.Module):
        def forward(self, x):
            return torch.sin(x)

    class Numpy(nn.Module):
        def forward(self, x):
            return x.cumsum(0)

    with pytest.raises(Refused, match=r"calls torch\.sin, .*allowed functions: torch\.\{flatten"):
        describe(Sine())
    with pytest.raises(Refused, match=r"\.cumsum\(\).*allowed methods: view"):
        describe(Numpy())


def test_what_fx_cannot_trace_or_is_no_network_is_refused_saying_why():
    class Branches(nn.Module):
        def forward(self, x):
            return x if x.sum() > 0 else -x

    with pytest.raises(Refused, match="torch.fx cannot trace its forward"):
        describe(Branches())
    with pytest.raises(Refused, match="returned builtins.NoneType, not a torch.nn.Module"):
        describe(None)


def test_a_network_over_the_bounds_is_refused():
    with pytest.raises(Refused, match="bytes"):
        describe(nn.Linear(2000, 1100))                 # 2.2 million parameters
    with pytest.raises(Refused, match="operations"):
        describe(nn.Sequential(*[nn.ReLU() for _ in range(network.MAX_NODES)]))


def _small():
    torch.manual_seed(0)
    return describe(nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(2 * 26 * 26, 10)))


@pytest.mark.parametrize("forge, says", [
    (lambda d: d["layers"].update({"1": ["Upsample", {}]}), "which the grader cannot rebuild"),
    (lambda d: d["graph"].insert(2, ["call_function", "os.system", ("ls",), {}]), "os.system"),
    (lambda d: d["graph"][1].__setitem__(2, ({"node": 2},)), "not data a graph may hold"),
    (lambda d: d["graph"].insert(1, ["get_attr", "nothing", (), {}]), "names nothing"),
    (lambda d: d["tensors"].update({"0.weight": np.zeros((2, 1, 5, 5), np.float32)}), "needs weight of shape"),
    (lambda d: d.update(layers={"0": ["Linear", {"in_features": 10**6, "out_features": 10**6}]}),
     "needs weight of shape (1000000, 1000000)"),        # built on the meta device: nothing allocated
    (lambda d: d["layers"]["0"][1].update(padding_mode=["zeros"] * 50), "constructor arguments"),
    (lambda d: d.update(tensors={"0.weight": np.zeros(3 * 2**20, np.float32)}), "bytes"),
    (lambda d: d.pop("eval_graph"), "not a network description"),
])
def test_data_the_allow_list_does_not_build_is_refused_where_it_is_rebuilt(forge, says):
    """What a student's process could send instead of describe's output: rebuild refuses it."""
    data = _small()
    rebuild(_wire(data))
    forge(data)
    with pytest.raises(Refused) as why:
        rebuild(_wire(data))
    assert says in str(why.value)


class _Measured(nn.Module):
    """The reference's layers, wired as ``forward`` says."""

    def __init__(self, forward):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.drop = nn.Dropout(0.3)
        self.fc = nn.Linear(4 * 28 * 28, 10)
        self.register_buffer("blank", torch.ones(1, 1, 28, 28))
        self._forward = forward

    def forward(self, x):
        return self._forward(self, x)


@pytest.mark.parametrize("forward, want", [
    (lambda s, x: s.fc(s.drop(torch.relu(s.conv(x)).flatten(1))),
     {"input_matters": True, "conv_on_path": True, "conv_matters": True}),
    (lambda s, x: s.fc(s.drop(torch.relu(s.conv(s.blank.expand_as(x))).flatten(1))),
     {"input_matters": False, "conv_on_path": True, "conv_matters": True}),
    (lambda s, x: s.fc(s.drop(torch.cat([x, s.conv(x)[:, 1:]], 1).flatten(1) * 0 + torch.cat([x, x, x, x], 1).flatten(1))),
     {"input_matters": True, "conv_on_path": True, "conv_matters": False}),   # on the path, times 0
    (lambda s, x: (s.conv(x), s.fc(s.drop(torch.cat([x, x, x, x], 1).flatten(1))))[1],
     {"input_matters": True, "conv_on_path": False, "conv_matters": False}),  # computed, unused
])
def test_the_measurements_tell_a_used_input_and_convolution_apart(forward, want):
    got = cnn_probes.dropout_cnn(_wire(describe(_Measured(forward))), list(want) + ["dropout_ps"])
    assert got["refused"] is None and not got["errors"]
    assert {k: got[k] for k in want} == want and got["dropout_ps"] == [[0.3, True]]


def test_the_reference_measures_as_the_grader_requires():
    got = cnn_probes.dropout_cnn(_wire(describe(ref.build_dropout_cnn(0.3))))
    assert got == {"refused": None, "errors": {}, "shape_1": [1, 10], "shape_5": [5, 10],
                   "train_differs": True, "eval_equal": True, "input_matters": True,
                   "conv_on_path": True, "conv_matters": True, "dropout_ps": [[0.3, True]]}
    assert cnn_probes.dropout_cnn(_wire(describe(ref.build_dropout_cnn(0.3)))) == got   # seeded: the same


def test_the_zygote_warm_up_runs_the_network_path():
    """The zygote's warm-up (sandbox/zygote.py, as a long-lived grader runs it) describes a
    network with fx, rebuilds it and measures it: the first runs of each are paid there, not
    by every student's process. Run in a process of its own (the warm-up freezes its memory)."""
    code = """
import sys
from autograder.sandbox import zygote, probes
zygote._import()
from autograder.sandbox import network
from autograder.probes import regularization
import torch.fx
wanted = {f.__code__: f.__qualname__ for f in (network.describe, network.rebuild, network.Rebuilt.__call__,
          regularization.dropout_cnn, regularization._conv_matters, torch.fx.Tracer.trace)}
ran = set()
def spy(frame, event, arg):
    if event == "call" and frame.f_code in wanted:
        ran.add(wanted[frame.f_code])
sys.setprofile(spy)
for _ in zygote._warm_up():
    pass
sys.setprofile(None)
print(sorted(set(wanted.values()) - ran))
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]", f"not run by the warm-up: {run.stdout}"


def test_the_contract_lists_the_allow_list_without_importing_torch():
    code = ("import sys; from autograder.make import contract; text = contract.generate(); "
            "print('torch' in sys.modules, 'torch.nn.{Conv1d, Conv2d' in text, 'F.dropout' not in text)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert run.stdout.split() == ["False", "True", "True"]


def test_a_measurement_runs_in_a_sandbox_of_no_submission_once_per_network(monkeypatch):
    """The CNN's cases measure in a sandbox of their own, which holds no file of the
    submission; a network measured before in this process (another student's, the same data)
    is not measured again, and no measurement reaches the memo (its message holds the network)."""
    from autograder import catalog
    from autograder.engine import memo
    from autograder.engine.grading import run_case
    from autograder.engine.session import Session
    from autograder.sandbox import measuring
    from autograder.submission import open_submission

    monkeypatch.setattr(measuring, "_remembered", {})
    monkeypatch.setattr(memo, "_trees", {})
    cases = [c for c in catalog.cases(("regularization",)) if c.function == "build_dropout_cnn"]
    sessions = []
    for _ in range(2):
        session = Session(open_submission(f"{ROOT}/reference"))
        try:
            assert all(run_case(c, session, 0).passed for c in cases)
            sessions.append((session.measurer.sandbox, session.sandbox.files))
        finally:
            session.close()
    (first, student_files), (second, _) = sessions
    assert student_files.files and first.files.files == () and first.generation == 1
    assert second is None                       # every measurement was known
    assert len(measuring._remembered) == len(cases)        # one network and measurement each
    assert not any(k[0] in cases for k in memo._trees)
