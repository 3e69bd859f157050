"""Grader for ``regularization``: dropout, Gaussian dropout on a linear model, a CNN with dropout.

``build_dropout_cnn`` returns a ``torch.nn.Module``, which cannot leave the sandbox: the probe
``dropout_cnn_behaviour`` measures it there (output shapes, train/eval behaviour, its dropout
modules' p, whether it has a convolution) and the checks below judge those measurements.
"""

import numpy as np
import sympy

import reference.regularization as ref
from autograder import checks
from autograder.checks import Mismatch
from autograder.spec import Module
from autograder.symbolic import expect_equivalent

M = Module("regularization", total=18, source="THW2 Q6, CSC413 Q3, Homework 2 P2D",
           manual=("Why is dropout turned off at evaluation time?",))

SYMBOLS = {name: getattr(ref, name) for name in ("yd", "alpha", "w1", "w2", "w3", "x1", "x2", "x3")}
CNN_P = 0.3               # not the default 0.5, so a hard-coded nn.Dropout(0.5) is caught


def _instances(rng):
    for shape, p in (((1,), 0.5), ((3, 4), 0.2), ((2, 3, 5), 0.8)):
        x = rng.normal(size=shape)
        mask = (rng.uniform(size=shape) >= p).astype(float)
        mask.flat[0] = 0.0                              # at least one dropped and one kept unit
        mask.flat[-1] = 1.0 if mask.size > 1 else 0.0
        yield x, float(p), mask


def _hinted(got, want, variants, name):
    for why, value in variants:
        try:
            if np.shape(got) == np.shape(value) and np.allclose(np.asarray(got, dtype=float), value):
                if not np.allclose(value, want):
                    try:
                        checks.expect_array(got, want, name=name)
                    except Mismatch as exc:
                        raise Mismatch(f"This is what {why} gives.\n{exc}") from None
        except (TypeError, ValueError):
            break
    checks.expect_array(got, want, name=name)


@M.case("dropout_forward", "train", points=2)
def _(f, rng):
    for x, p, mask in _instances(rng):
        got = f(x.copy(), p, mask.copy())
        _hinted(got, x * mask / (1 - p), [("x * mask without the 1 / (1 - p) scaling", x * mask),
                                           ("dividing by p instead of 1 - p", x * mask / p),
                                           ("multiplying by 1 - p (non-inverted dropout scales at test time)",
                                            x * mask * (1 - p))],
                name=f"training output (p={p})")


@M.case("dropout_forward", "eval", points=1)
def _(f, rng):
    for x, p, mask in _instances(rng):
        got = f(x.copy(), p, mask.copy(), train=False)
        _hinted(got, x, [("scaling by 1 - p at evaluation (inverted dropout already scaled in "
                          "training; evaluation returns x unchanged)", x * (1 - p)),
                         ("dividing by 1 - p at evaluation", x / (1 - p)),
                         ("applying the mask at evaluation (train=False ignored)", x * mask / (1 - p))],
                name=f"evaluation output (p={p}, train=False)")


@M.case("dropout_test_scale", "value", points=1)
def _(f, rng):
    for p in (0.5, 0.2, float(np.round(rng.uniform(0.05, 0.95), 3))):
        got = f(p)
        hint = ""
        if isinstance(got, (int, float)) and not isinstance(got, bool) and p != 0.5:
            if np.isclose(got, p):
                hint = ": p is the drop probability; a unit is kept with probability 1 - p"
            elif np.isclose(got, 1 / (1 - p)):
                hint = ": 1 / (1 - p) is inverted dropout's training-time factor"
        try:
            checks.expect_close(got, 1 - p, name=f"the test-time factor for p={p}")
        except Mismatch as exc:
            raise Mismatch(f"{exc}{hint}") from None


@M.case("gaussian_dropout_expected_loss_expr", "symbolic", points=5)
def _(f, rng):
    got = f()
    w, x = (ref.w1, ref.w2, ref.w3), (ref.x1, ref.x2, ref.x3)
    no_noise = (ref.yd - sum(a * b for a, b in zip(w, x))) ** 2 / 2
    try:
        expect_equivalent(got, no_noise, SYMBOLS, name="E[J1]")
    except Mismatch:
        pass
    else:
        raise Mismatch("E[J1]: this is the loss without noise; the noise adds "
                       "(alpha/2) * sum_k w_k**2 x_k**2")
    expect_equivalent(got, ref.gaussian_dropout_expected_loss_expr(), SYMBOLS, name="E[J1]")


@M.case("gaussian_dropout_expected_grad_expr", "symbolic", points=4)
def _(f, rng):
    got = f()
    w, x = (ref.w1, ref.w2, ref.w3), (ref.x1, ref.x2, ref.x3)
    r = ref.yd - sum(a * b for a, b in zip(w, x))
    no_noise = sympy.Matrix([-r * xk for xk in x])
    try:
        expect_equivalent(got, no_noise, SYMBOLS, shape="vector", name="E[dJ1/dw]")
    except Mismatch:
        pass
    else:
        raise Mismatch("E[dJ1/dw]: this is the gradient without noise; the noise adds "
                       "alpha * w_k * x_k**2 to entry k")
    expect_equivalent(got, ref.gaussian_dropout_expected_grad_expr(), SYMBOLS, shape="vector",
                      name="E[dJ1/dw]")


def _measure(f):
    got = checks.expect_dict(f.probe("dropout_cnn_behaviour", CNN_P), ("errors",))
    if "type" in got["errors"]:
        raise Mismatch(f"build_dropout_cnn({CNN_P}) returned {got.get('type')}, not a torch.nn.Module")
    return got


def _need(got, key, what):
    if got.get(key) is None:
        raise Mismatch(f"{what} failed: {got['errors'].get(key, 'no measurement')}")
    return got[key]


@M.case("build_dropout_cnn", "shape", points=2)
def _(f, rng):
    got = _measure(f)
    for n in (1, 5):
        shape = tuple(_need(got, f"shape_{n}", f"the forward pass of a ({n}, 1, 28, 28) batch"))
        if shape != (n, 10):
            raise Mismatch(f"a ({n}, 1, 28, 28) input gave output shape {shape}, expected ({n}, 10)"
                           f"{checks.shape_hint(shape, (n, 10))}")


@M.case("build_dropout_cnn", "train_eval", points=2)
def _(f, rng):
    got = _measure(f)
    if not _need(got, "train_differs", "the train-mode forward pass"):
        raise Mismatch("in train mode two forward passes of the same batch gave identical outputs: "
                       "dropout is not active in training")
    if not _need(got, "eval_equal", "the eval-mode forward pass"):
        raise Mismatch("in eval mode two forward passes of the same batch differ: the network must "
                       "be deterministic at evaluation (use nn.Dropout, which model.eval() switches off)")


@M.case("build_dropout_cnn", "structure", points=1)
def _(f, rng):
    got = _measure(f)
    if not _need(got, "has_conv", "looking for a convolution"):
        raise Mismatch("the network has no convolutional layer (nn.Conv2d)")
    ps = _need(got, "dropout_ps", "looking for dropout modules")
    if not ps:
        raise Mismatch("the network has no dropout module (nn.Dropout or nn.Dropout2d); "
                       "functional dropout cannot be checked")
    if not any(abs(q - CNN_P) < 1e-9 for q in ps):
        raise Mismatch(f"build_dropout_cnn({CNN_P}): its dropout modules have p = {ps}, none is {CNN_P} "
                       "(pass p through to nn.Dropout)")
