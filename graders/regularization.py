"""Grader for ``regularization``: dropout, Gaussian dropout on a linear model, a CNN with dropout.

``build_dropout_cnn`` returns a ``torch.nn.Module``, which cannot leave the sandbox as it is:
the student's process sends it as data (``f.network``: its graph, layers and tensors), a
process that never ran the student's code rebuilds it from an allow-list and measures it
(``f.measure``, ``autograder/probes/regularization.py``), each case what it judges, and the
checks below judge those measurements.
"""

import inspect

import numpy as np
import sympy

import reference.regularization as ref
from autograder import checks
from autograder.checks import Mismatch
from autograder.sandbox.protocol import shown
from autograder.spec import Args, Module
from autograder.symbolic import expect_equivalent

M = Module("regularization", total=18, source="THW2 Q6, CSC413 Q3, Homework 2 P2D",
           manual=("Why is dropout turned off at evaluation time?",))

SYMBOLS = {name: getattr(ref, name) for name in ("yd", "alpha", "w1", "w2", "w3", "x1", "x2", "x3")}
W, X = (ref.w1, ref.w2, ref.w3), (ref.x1, ref.x2, ref.x3)
CNN_P = 0.3               # not the default 0.5, so a hard-coded nn.Dropout(0.5) is caught
DEFAULT_P = inspect.signature(ref.build_dropout_cnn).parameters["p"].default


def _instances(rng) -> list:
    """(x, p, mask) for three shapes and drop probabilities."""
    out = []
    for shape, p in (((1,), 0.5), ((3, 4), 0.2), ((2, 3, 5), 0.8)):
        x = rng.normal(size=shape)
        mask = (rng.uniform(size=shape) >= p).astype(float)
        mask.flat[0] = 0.0                              # at least one dropped and one kept unit
        mask.flat[-1] = 1.0 if mask.size > 1 else 0.0
        out.append((x, float(p), mask))
    return out


@M.case("dropout_forward", "train", points=2)
def dropout_forward_train(f, rng):
    instances = _instances(rng)
    for (x, p, mask), got in zip(instances, f.each((x.copy(), p, mask.copy()) for x, p, mask in instances)):
        checks.expect_array(got, x * mask / (1 - p), name=f"training output (p={p})",
                            mistakes={"x * mask without the 1 / (1 - p) scaling": x * mask,
                                      "dividing by p instead of 1 - p": x * mask / p,
                                      "multiplying by 1 - p (non-inverted dropout scales at test time)":
                                          x * mask * (1 - p)})


@M.case("dropout_forward", "eval", points=1)
def dropout_forward_eval(f, rng):
    instances = _instances(rng)
    for (x, p, mask), got in zip(instances, f.each(Args(x.copy(), p, mask.copy(), train=False)
                                                   for x, p, mask in instances)):
        checks.expect_array(got, x,
                            name=f"evaluation output (p={p}, train=False)", mistakes={
            "scaling by 1 - p at evaluation (inverted dropout already scaled in training; evaluation "
            "returns x unchanged)": x * (1 - p),
            "dividing by 1 - p at evaluation": x / (1 - p),
            "applying the mask at evaluation (train=False ignored)": x * mask / (1 - p)})


@M.case("dropout_test_scale", "value", points=1)
def dropout_test_scale_value(f, rng):
    rates = (0.5, 0.2, float(np.round(rng.uniform(0.05, 0.95), 3)))
    for p, got in zip(rates, f.each((p,) for p in rates)):
        checks.expect_close(got, 1 - p, name=f"the test-time factor for p={p}", mistakes={
            "p is the drop probability; a unit is kept with probability 1 - p": p,
            "1 / (1 - p) is inverted dropout's training-time factor": 1 / (1 - p)})


@M.case("gaussian_dropout_expected_loss_expr", "symbolic", points=5)
def gaussian_dropout_expected_loss_expr_symbolic(f, rng):
    no_noise = (ref.yd - sum(a * b for a, b in zip(W, X))) ** 2 / 2
    expect_equivalent(f(), ref.gaussian_dropout_expected_loss_expr(), SYMBOLS, name="E[J1]", rng=rng,
                      mistakes={"this is the loss without noise; the noise adds (alpha/2) * sum_k w_k**2 x_k**2":
                                no_noise})


@M.case("gaussian_dropout_expected_grad_expr", "symbolic", points=4)
def gaussian_dropout_expected_grad_expr_symbolic(f, rng):
    r = ref.yd - sum(a * b for a, b in zip(W, X))
    expect_equivalent(f(), ref.gaussian_dropout_expected_grad_expr(), SYMBOLS, shape="vector",
                      name="E[dJ1/dw]", rng=rng, mistakes={
        "this is the gradient without noise; the noise adds alpha * w_k * x_k**2 to entry k":
            sympy.Matrix([-r * xk for xk in X])})


def _measure(f, measured: tuple[str, ...], *args):
    """The ``measured`` measurements of the network ``build_dropout_cnn(*args)`` returns: the
    network comes from the student's process as data, and is rebuilt and measured where no
    student code runs."""
    called = f"build_dropout_cnn({', '.join(map(repr, args))})"
    net = f.network(*args)
    if isinstance(net, dict) and isinstance(net.get("refused"), str):
        raise Mismatch(f"{called} {shown(net['refused'])}")
    got = checks.expect_dict(f.measure("dropout_cnn", net, list(measured)), ("refused", "errors"))
    if got["refused"] is not None:
        raise Mismatch(f"the network {called} returned cannot be rebuilt: {shown(str(got['refused']))}")
    return got


def _need(got, key, what):
    if got.get(key) is None:
        raise Mismatch(f"{what} failed: {shown(str(got['errors'].get(key, 'no measurement')))}")
    return got[key]


def _dropout_p(got, called: str, p: float) -> None:
    found = _need(got, "dropout_ps", "looking for dropout layers")
    if not (isinstance(found, list) and all(isinstance(d, list) and len(d) == 2 and type(d[0]) is float
                                            and type(d[1]) is bool for d in found)):
        raise Mismatch(f"the measurement of its dropout layers came back malformed: {shown(str(found))}")
    if not found:
        raise Mismatch("the network has no dropout module on its forward path (nn.Dropout or "
                       "nn.Dropout2d), which model.eval() switches off; functional dropout does not count")
    acting = [q for q, acts in found if acts]
    if any(abs(q - p) < 1e-9 for q in acting):
        return
    inert = [q for q, acts in found if not acts]
    if any(abs(q - p) < 1e-9 for q in inert):
        raise Mismatch(f"{called}: its nn.Dropout({p:g}) is on the forward path but does not act: the "
                       "output does not change with what that layer outputs (multiplied by 0, or discarded)")
    raise Mismatch(f"{called}: its dropout modules have p = {[q for q, _ in found]}, none is {p}")


@M.case("build_dropout_cnn", "shape", points=1)
def build_dropout_cnn_shape(f, rng):
    got = _measure(f, ("shape_1", "shape_5"), CNN_P)
    for n in (1, 5):
        shape = tuple(_need(got, f"shape_{n}", f"the forward pass of a ({n}, 1, 28, 28) batch"))
        if shape != (n, 10):
            checks.fail(f"a ({n}, 1, 28, 28) input gave output shape {shape}, expected ({n}, 10)",
                        hint=checks.shape_hint(shape, (n, 10)))


@M.case("build_dropout_cnn", "train_eval", points=1)
def build_dropout_cnn_train_eval(f, rng):
    got = _measure(f, ("train_differs", "eval_equal"), CNN_P)
    if not _need(got, "train_differs", "the train-mode forward pass"):
        raise Mismatch("in train mode two forward passes of the same batch gave identical outputs: "
                       "dropout is not active in training")
    if not _need(got, "eval_equal", "the eval-mode forward pass"):
        raise Mismatch("in eval mode two forward passes of the same batch differ: the network must "
                       "be deterministic at evaluation (use nn.Dropout, which model.eval() switches off)")


@M.case("build_dropout_cnn", "input", points=1)
def build_dropout_cnn_input(f, rng):
    got = _measure(f, ("input_matters",), CNN_P)
    if not _need(got, "input_matters", "the eval-mode forward pass of two images"):
        raise Mismatch("in eval mode two different images gave the same output: the network's output "
                       "does not depend on its input (does forward use x?)")


@M.case("build_dropout_cnn", "conv_path", points=1)
def build_dropout_cnn_conv_path(f, rng):
    got = _measure(f, ("conv_on_path", "conv_matters"), CNN_P)
    if not _need(got, "conv_on_path", "looking for a convolution on the forward path"):
        raise Mismatch("no convolution (nn.Conv2d) is on the forward path: the output does not depend "
                       "on any convolution's result (is a conv computed and then not used, or missing?)")
    if not _need(got, "conv_matters", "changing the convolutions' outputs"):
        raise Mismatch("the output stays the same when the convolutions' outputs change: they do not "
                       "reach the logits")


@M.case("build_dropout_cnn", "structure", points=0.5)
def build_dropout_cnn_structure(f, rng):
    _dropout_p(_measure(f, ("dropout_ps",), CNN_P), f"build_dropout_cnn({CNN_P})", CNN_P)


@M.case("build_dropout_cnn", "default_p", points=0.5)
def build_dropout_cnn_default_p(f, rng):
    _dropout_p(_measure(f, ("dropout_ps",)), f"build_dropout_cnn() (p left at its default, {DEFAULT_P})",
               DEFAULT_P)
