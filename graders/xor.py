"""Grader for ``xor``: whether one ReLU layer can compute XOR, a two-layer solution (any exact
solution passes: it is judged by its outputs at the four inputs), and the network's gradients
(against the reference, which tests/test_reference_xor.py holds to torch autograd, and two
properties: at all-zero parameters only db2 is nonzero, and a constant initialization gives
equal rows of dW1).
"""

import itertools

import numpy as np

import reference.xor as ref
from autograder import checks
from autograder.checks import Mismatch
from autograder.spec import Module
from autograder.tolerance import Tolerance

M = Module("xor", total=15, source="Assignment 3 §4")

KEYS = ("dW1", "db1", "dW2", "db2")
SHAPES = {"W1": (2, 2), "b1": (2,), "W2": (1, 2), "b2": (1,)}
INPUTS = [np.array(p, dtype=np.float64) for p in itertools.product((0.0, 1.0), repeat=2)]


def _check_grads(got, want, where):
    got = checks.expect_dict(got, KEYS)
    for k in KEYS:
        checks.expect_array(got[k], want[k], name=f'["{k}"]{where}')


def _calls(f, cases):
    """xor_net_grads on each ``(x, y, params)`` of ``cases``, in one round trip."""
    return f.each((x.copy(), float(y), *[np.array(p, dtype=np.float64) for p in params]) for x, y, params in cases)


@M.case("xor_single_layer_possible", "answer", points=1)
def xor_single_layer_possible_answer(f, rng):
    checks.expect_bool(f(), False)


OUTPUT = Tolerance(0.0, 1e-9, "the network's output ŷ at each of the four inputs")


@M.case("xor_params", "behaviour", points=5, tolerance=OUTPUT)
def xor_params_behaviour(f, rng):
    got = checks.expect_sequence(f(), 4, "(W1, b1, W2, b2)")
    W1, b1, W2, b2 = (checks.expect_shape(g, shape, name)
                      for g, (name, shape) in zip(got, SHAPES.items()))
    if not all(np.isfinite(p).all() for p in (W1, b1, W2, b2)):
        raise Mismatch("the parameters must be finite numbers")
    for x in INPUTS:
        with np.errstate(all="ignore"):           # huge weights: inf - inf is nan, which fails
            yhat = W2 @ np.maximum(W1 @ x + b1, 0.0) + b2
        want = float(int(x[0]) ^ int(x[1]))
        if not checks.all_close(yhat[0], want, rtol=OUTPUT.rtol, atol=OUTPUT.atol, of=OUTPUT.of):
            raise Mismatch(f"at x = ({x[0]:g}, {x[1]:g}) the network outputs ŷ = {float(yhat[0])!r}, "
                           f"expected XOR = {want:g} (within 1e-9)"
                           + ("" if np.isfinite(yhat[0]) else ": the weights are so large that the "
                              "forward pass overflows"))


@M.case("xor_net_grads", "vs_torch", points=4)
def xor_net_grads_vs_torch(f, rng):
    random = []
    for _ in range(4):
        params = (rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=(1, 2)), rng.normal(size=1))
        random.append((rng.normal(size=2), float(rng.normal()), params))
    # the XOR inputs at an exact solution: some pre-activations are exactly 0 (ReLU'(0) = 0). A
    # second round trip, sent only once the random ones passed: its arguments carry an answer
    # to xor_params, which a student who has not got this far does not see (as before f.each)
    exact = [(x, float(rng.normal()), ref.xor_params()) for x in INPUTS]
    for cases in (random, exact):
        for (x, y, params), got in zip(cases, _calls(f, cases)):
            _check_grads(got, ref.xor_net_grads(x, y, *params), f" (x = {checks.show(x)}, y = {y:.4g})")


@M.case("xor_net_grads", "zero_params", points=3)
def xor_net_grads_zero_params(f, rng):
    zeros = [np.zeros(s) for s in SHAPES.values()]
    cases = [(rng.normal(size=2), y, zeros) for y in (1.0, float(rng.uniform(-3, -0.5)))]
    for (x, y, _), got in zip(cases, _calls(f, cases)):
        got = checks.expect_dict(got, KEYS)
        want = ref.xor_net_grads(x, y, *zeros)
        for k in ("dW1", "db1", "dW2"):
            arr = checks.expect_shape(got[k], want[k].shape, f'["{k}"]')
            if not checks.all_close(arr, 0.0):
                raise Mismatch(f'["{k}"] at all-zero parameters and y = {y:.4g}: expected zeros '
                               f"(no signal reaches it: W2 = 0 and h = ReLU(0) = 0), got {checks.show(arr)}")
        checks.expect_array(got["db2"], want["db2"], name=f'["db2"] (= ŷ − y = −y, y = {y:.4g})')


@M.case("xor_net_grads", "constant_init", points=2)
def xor_net_grads_constant_init(f, rng):
    cases = []
    for _ in range(3):
        c = rng.uniform(0.1, 1.0, size=4) * rng.choice((-1, 1), size=4)
        params = (np.full((2, 2), c[0]), np.full(2, abs(c[1])), np.full((1, 2), c[2]), np.full(1, c[3]))
        x = rng.uniform(0.1, 2.0, size=2)
        cases.append((x, float(rng.normal()), params))
    for (x, y, params), got in zip(cases, _calls(f, cases)):
        got = checks.expect_dict(got, KEYS)
        dW1 = checks.expect_shape(got["dW1"], (2, 2), '["dW1"]')
        if not checks.all_close(dW1[0], dW1[1]):
            raise Mismatch(f'["dW1"] with every weight of a layer equal: the two hidden units are '
                           f"identical, so the rows of dW1 must be equal; got {checks.show(dW1)}")
        checks.expect_array(dW1, ref.xor_net_grads(x, y, *params)["dW1"], name='["dW1"] at a constant init')
