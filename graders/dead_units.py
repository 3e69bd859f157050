"""Grader for ``dead_units``: dead ReLU units on the input box [−1, 1]², the network's gradients
(against the reference, which tests/test_reference_dead_units.py holds to torch autograd, and
zero at the student's own dead parameters), and when weight decay revives a dead unit.

``dead_unit_params`` is judged on the whole box: for the linear map W1 x + b1 each entry's
maximum over the box is at a corner, so the four corners decide it exactly; random points are
checked too. Every entry must be strictly negative.
"""

import itertools

import numpy as np

import reference.dead_units as ref
from autograder import checks
from autograder.checks import Mismatch
from autograder.spec import Module
from autograder.symbolic import expect_equivalent

M = Module("dead_units", total=15, source="CSC413 Q1")

KEYS = ("dW1", "db1", "dw2", "db2")
CORNERS = [np.array(c) for c in itertools.product((-1.0, 1.0), repeat=2)]


def _dead_params(got):
    W1, b1 = checks.expect_sequence(got, 2, "(W1, b1)")
    W1 = checks.expect_shape(W1, (2, 2), "W1")
    b1 = checks.expect_shape(b1, (2,), "b1")
    if not (np.isfinite(W1).all() and np.isfinite(b1).all()):
        raise Mismatch("W1 and b1 must be finite")
    return W1, b1


def _alive_at(W1, b1, points):
    """The first point where some unit's pre-activation is >= 0, with that pre-activation."""
    for x in points:
        a = W1 @ x + b1
        if np.any(a >= 0):
            return x, a
    return None


@M.case("dead_unit_params", "box", points=5)
def dead_unit_params_box(f, rng):
    W1, b1 = _dead_params(f())
    points = CORNERS + list(rng.uniform(-1, 1, size=(200, 2)))
    alive = _alive_at(W1, b1, points)
    if alive is not None:
        x, a = alive
        unit = int(np.flatnonzero(a >= 0)[0])
        raise Mismatch(f"at x = ({x[0]:.4g}, {x[1]:.4g}) in the box, W1 x + b1 = {checks.show(a)}: "
                       f"unit {unit} is not dead there (a dead unit needs W1 x + b1 < 0, strictly, "
                       "for every x in [−1, 1]²; check the corners)")


@M.case("relu_net_grads", "vs_torch", points=2)
def relu_net_grads_vs_torch(f, rng):
    cases = [((rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=2), float(rng.normal())),
              rng.uniform(-1, 1, size=2)) for _ in range(6)]
    calls = f.each((x.copy(), *[np.array(p) if np.ndim(p) else p for p in params]) for params, x in cases)
    for (params, x), got in zip(cases, calls):
        got = checks.expect_dict(got, KEYS)
        want = ref.relu_net_grads(x, *params)
        for k in KEYS:
            checks.expect_array(got[k], want[k], name=f'["{k}"] (x = {checks.show(x)})')


def zero_preactivation_instances(rng):
    """(x, W1, b1, w2, b2) where a pre-activation W1 x + b1 is exactly 0: unit 0 at 0 and unit
    1 alive, unit 1 at 0 and unit 0 negative, both at 0. Quarters of small integers, so that
    every order of the sums gives exactly 0; x has no zero entry, so dW1 shows the gradient."""
    out = []
    for zero, other in (((0,), 1), ((1,), -1), ((0, 1), 0)):
        x = rng.integers(1, 5, 2) * rng.choice([-1.0, 1.0], 2) / 4
        W1 = rng.integers(-8, 9, (2, 2)) / 4
        b1 = -(W1 @ x)
        for unit in set(range(2)) - set(zero):
            b1[unit] += other * int(rng.integers(1, 5)) / 4
        out.append((x, W1, b1, rng.normal(size=2), float(rng.normal())))
    return out


def _grads_at(x, W1, w2, gate):
    """relu_net_grads with ReLU'(a) taken as ``gate``, an array of the two units' slopes."""
    db1 = w2 * gate
    return {"dW1": np.outer(db1, x), "db1": db1}


@M.case("relu_net_grads", "zero_preactivation", points=1)
def relu_net_grads_zero_preactivation(f, rng):
    instances = zero_preactivation_instances(rng)
    calls = f.each((x.copy(), W1.copy(), b1.copy(), w2.copy(), b2) for x, W1, b1, w2, b2 in instances)
    for (x, W1, b1, w2, b2), got in zip(instances, calls):
        got = checks.expect_dict(got, KEYS)
        want, a = ref.relu_net_grads(x, W1, b1, w2, b2), W1 @ x + b1
        wrong = {"ReLU'(0) taken as 1 (a >= 0): the derivative of ReLU at 0 is 0 here, as in torch; "
                 "the gradient flows only where W1 x + b1 > 0": _grads_at(x, W1, w2, a >= 0),
                 "ReLU'(0) taken as 1/2 (np.heaviside(a, 0.5)): the derivative of ReLU at 0 is 0 here, "
                 "as in torch": _grads_at(x, W1, w2, np.where(a == 0, 0.5, a > 0))}
        for k in KEYS:
            checks.expect_array(got[k], want[k], name=f'["{k}"] at W1 x + b1 = {checks.show(a)}',
                                mistakes={name: grads[k] for name, grads in wrong.items() if k in grads})


@M.case("relu_net_grads", "dead", points=2)
def relu_net_grads_dead(f, rng):
    W1, b1 = _dead_params(f.sibling("dead_unit_params")())
    points = [x for x in rng.uniform(-1, 1, size=(50, 2)) if np.all(W1 @ x + b1 < 0)][:4]
    if not points:
        raise Mismatch("needs dead parameters: your dead_unit_params gives units that are alive "
                       "on the box, so there is no dead point to check the gradients at")
    w2, b2 = rng.normal(size=2), float(rng.normal())
    for x, got in zip(points, f.each((x.copy(), W1.copy(), b1.copy(), w2.copy(), b2) for x in points)):
        got = checks.expect_dict(got, KEYS)
        for k, shape in (("dW1", (2, 2)), ("db1", (2,))):
            arr = checks.expect_shape(got[k], shape, f'["{k}"]')
            if not checks.all_close(arr, 0.0):
                raise Mismatch(f'["{k}"] at your dead parameters W1 = {checks.show(W1)}, '
                               f"b1 = {checks.show(b1)} and x = {checks.show(x)}: expected zeros (a "
                               f"dead unit passes no gradient), got {checks.show(arr)}")


@M.case("revival_bias_domain", "set", points=3)
def revival_bias_domain_set(f, rng):
    expect_equivalent(f(), ref.revival_bias_domain(), {}, name="the set of initial biases", rng=rng)


@M.case("decay_revives_with_bias_penalty", "answer", points=2)
def decay_revives_with_bias_penalty_answer(f, rng):
    checks.expect_bool(f(), False)
