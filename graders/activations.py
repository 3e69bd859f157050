"""Grader for ``activations``: sigmoid, ReLU, tanh, softmax, their derivatives, two symbolic
derivatives and the two-class softmax as a logistic regression.

Values are compared with the reference, which tests/test_reference_activations.py holds to torch
(the softmax Jacobian to ``torch.autograd.functional.jacobian``). Overflow warnings do not cost
points: a naive ``1 / (1 + np.exp(-z))`` that warns but returns exactly 0 and 1 passes.
"""

import numpy as np

import reference.activations as ref
from autograder import checks
from autograder.checks import Mismatch
from autograder.spec import Module
from autograder.symbolic import expect_equivalent

M = Module("activations", total=20, source="Assignment 3 §3, THW2 Q1e")

SHAPES = [(1,), (7,), (1, 1), (1, 5), (4, 3), (2, 3, 4)]
EXTREMES = np.array([-1000.0, -800.0, -50.0, -1.5, 0.0, 1.5, 50.0, 800.0, 1000.0])
FUNCTIONS = ("exp", "log", "tanh", "cosh", "sinh", "sech")      # allowed in *_expr answers


def _randoms(rng, scale=3.0):
    return [rng.normal(scale=scale, size=s) for s in SHAPES]


def _elementwise(f, reference, rng, name):
    zs = _randoms(rng)
    for z, got in zip(zs, f.each((z.copy(),) for z in zs)):
        checks.expect_array(got, reference(z), name=f"{name} of a {z.shape} array")


def _finite(got, name):
    arr = np.asarray(got, dtype=np.float64)
    if not np.isfinite(arr).all():
        bad = int(np.flatnonzero(~np.isfinite(arr.ravel()))[0])
        raise Mismatch(f"{name}: {arr.ravel()[bad]} at z = {EXTREMES[bad]:g}: overflow in exp? "
                       "(compute with exp(-|z|), which never overflows)")


# ---------------------------------------------------------------- sigmoid

@M.case("sigmoid", "random", points=1)
def sigmoid_random(f, rng):
    _elementwise(f, ref.sigmoid, rng, "sigmoid")


@M.case("sigmoid", "extremes", points=1)
def sigmoid_extremes(f, rng):
    got = checks.expect_shape(f(EXTREMES.copy()), EXTREMES.shape, "sigmoid")
    _finite(got, "sigmoid")
    if not checks.all_close(got[[0, -1]], [0.0, 1.0]):
        raise Mismatch(f"sigmoid(-1000) must be 0 and sigmoid(1000) 1; got {got[0]!r} and {got[-1]!r}")
    checks.expect_array(got, ref.sigmoid(EXTREMES), name="sigmoid")


# ---------------------------------------------------------------- sigmoid_grad

@M.case("sigmoid_grad", "random", points=1)
def sigmoid_grad_random(f, rng):
    zs = _randoms(rng)
    for z, got in zip(zs, f.each((z.copy(),) for z in zs)):
        s = ref.sigmoid(z)
        checks.expect_array(got, ref.sigmoid_grad(z), name=f"sigmoid_grad of a {z.shape} array",
                            mistakes={"this is σ(z)(1 + σ(z)); the derivative is σ(z)(1 − σ(z))":
                                      s * (1 + s)})


@M.case("sigmoid_grad", "extremes", points=1)
def sigmoid_grad_extremes(f, rng):
    got = checks.expect_shape(f(EXTREMES.copy()), EXTREMES.shape, "sigmoid_grad")
    _finite(got, "sigmoid_grad")
    checks.expect_array(got, ref.sigmoid_grad(EXTREMES), name="sigmoid_grad")


# ---------------------------------------------------------------- relu, relu_grad

ZEROS = np.array([[0.0, -0.0, 2.5, -1.25], [1e-300, -1e-300, 0.0, 3.0]])


@M.case("relu", "random", points=0.5)
def relu_random(f, rng):
    _elementwise(f, ref.relu, rng, "relu")


LEAKY = "a leaky ReLU (negative inputs scaled by 0.01); ReLU is max(z, 0)"


@M.case("relu", "zeros", points=0.5)
def relu_zeros(f, rng):
    checks.expect_array(f(ZEROS.copy()), ref.relu(ZEROS), name="relu",
                        mistakes={LEAKY: np.where(ZEROS > 0, ZEROS, 0.01 * ZEROS)})


@M.case("relu_grad", "random", points=0.5)
def relu_grad_random(f, rng):
    _elementwise(f, ref.relu_grad, rng, "relu_grad")


@M.case("relu_grad", "zeros", points=0.5)
def relu_grad_zeros(f, rng):
    got = checks.expect_shape(f(ZEROS.copy()), ZEROS.shape, "relu_grad")
    leaky = {LEAKY: np.where(ZEROS > 0, 1.0, 0.01)}
    if not checks.all_close(got[ZEROS == 0], 0.0):
        checks.fail(f"relu_grad(0) must be 0 (the convention here and in torch: the gradient "
                    f"is 1 only where z > 0); got {checks.show(got)} for z = {checks.show(ZEROS)}",
                    got, leaky)
    checks.expect_array(got, ref.relu_grad(ZEROS), name="relu_grad", mistakes=leaky)


# ---------------------------------------------------------------- tanh, tanh_grad

@M.case("tanh", "random", points=1)
def tanh_random(f, rng):
    _elementwise(f, ref.tanh, rng, "tanh")


@M.case("tanh_grad", "random", points=1)
def tanh_grad_random(f, rng):
    _elementwise(f, ref.tanh_grad, rng, "tanh_grad")


# ---------------------------------------------------------------- softmax

@M.case("softmax", "random", points=1)
def softmax_random(f, rng):
    zs = [rng.normal(scale=3.0, size=shape) for shape in [(1,), (5,), (1, 1), (1, 4), (3, 6), (2, 3, 4)]]
    for z, got in zip(zs, f.each((z.copy(),) for z in zs)):
        shape = z.shape
        got = checks.expect_shape(got, shape, f"softmax of a {shape} array")
        sums = got.sum(axis=-1)
        if not checks.all_close(sums, 1.0):
            e = np.exp(z - z.max(axis=0))
            checks.fail(f"softmax of a {shape} array: the entries along the last axis sum to "
                        f"{checks.show(sums)}, not 1", got,
                        {"it was normalized over the first axis; softmax is over the last axis":
                         e / e.sum(axis=0)})
        checks.expect_array(got, ref.softmax(z), name=f"softmax of a {shape} array")


@M.case("softmax", "shift", points=1)
def softmax_shift(f, rng):
    instances = []
    for shape in [(4,), (3, 5)]:
        z = rng.normal(size=shape)
        instances.append((z, rng.uniform(-20, 20, size=shape[:-1] + (1,))))
    replies = f.each(call for z, c in instances for call in [(z.copy(),), (z + c,)])
    for z, c in instances:
        shape = z.shape
        base, shifted = next(replies), next(replies)
        checks.expect_array(shifted, ref.softmax(z), name=f"softmax(z + c) for a {shape} array")
        checks.expect_array(shifted, checks.as_array(base, f"softmax of a {shape} array"),
                            name="softmax(z + c) against your softmax(z)")


@M.case("softmax", "extremes", points=1)
def softmax_extremes(f, rng):
    zs = (np.array([1000.0, 1000.0]), np.array([[1000.0, 999.0, -1000.0], [-1000.0, -1000.0, -999.0]]))
    for z, got in zip(zs, f.each((z.copy(),) for z in zs)):
        got = checks.expect_shape(got, z.shape, "softmax")
        if not np.isfinite(got).all():
            raise Mismatch(f"softmax({checks.show(z)}) gave {checks.show(got)}: exp overflowed; "
                           "subtract the maximum of each row first (softmax is shift-invariant)")
        checks.expect_array(got, ref.softmax(z), name=f"softmax({checks.show(z)})")


# ---------------------------------------------------------------- softmax_jacobian

@M.case("softmax_jacobian", "vs_torch", points=3)
def softmax_jacobian_vs_torch(f, rng):
    zs = [rng.normal(scale=2.0, size=k) for k in (1, 2, 3, 6)]
    for z, got in zip(zs, f.each((z.copy(),) for z in zs)):
        checks.expect_array(got, ref.softmax_jacobian(z), name=f"softmax_jacobian of a ({len(z)},) vector")


# ---------------------------------------------------------------- symbolic

@M.case("sigmoid_grad_expr", "equivalence", points=2)
def sigmoid_grad_expr_equivalence(f, rng):
    expect_equivalent(f(), ref.sigmoid_grad_expr(), {"z": ref.z}, functions=FUNCTIONS,
                      name="dσ/dz", rng=rng)


@M.case("tanh_grad_expr", "equivalence", points=2)
def tanh_grad_expr_equivalence(f, rng):
    expect_equivalent(f(), ref.tanh_grad_expr(), {"z": ref.z}, functions=FUNCTIONS,
                      name="d tanh/dz", rng=rng)


# ---------------------------------------------------------------- softmax_as_logistic

@M.case("softmax_as_logistic", "random", points=2)
def softmax_as_logistic_random(f, rng):
    instances = [(rng.normal(size=(2, d)), rng.normal(size=2), rng.normal(size=(6, d))) for d in (1, 2, 5)]
    for (W, b, X), got in zip(instances, f.each((W.copy(), b.copy()) for W, b, _ in instances)):
        d = W.shape[1]
        w, c = checks.expect_sequence(got, 2, "(w, c)")
        w = checks.expect_shape(w, (d,), "w")
        c = checks.expect_shape(c, (), "c (a float)")
        want = ref.softmax(X @ W.T + b)[:, 0]
        with np.errstate(all="ignore"):              # huge weights overflow: inf, which fails
            logistic = ref.sigmoid(X @ w + c)
        checks.expect_array(logistic, want,
                            name=f"σ(w·x + c) against softmax(Wx + b)[0] at 6 random x (D = {d})",
                            mistakes={"it equals softmax(Wx + b)[1], not [0]: the sign of w and c is flipped "
                                      "(w = W[0] − W[1], c = b[0] − b[1])": 1 - want})
