"""Issue 26's blind spots, each closed by a case: a mutant of the reference that makes the
mistake loses that case's points, with the mistake named, and keeps the item's other cases
(so the new case is what catches it); the reference keeps every point. Graded in this process
(tests/standins.py); the corpus grades a realistic submission of each in the sandbox."""

import math

import numpy as np
import pytest

import graders.dead_units
import graders.optim
import reference.dead_units
import reference.optim
import reference.tuning
from autograder.engine.calls import StudentFunction
from autograder.engine.rehearsal import ReferenceCalls
from tests.standins import case, grade_case, item_cases

SEEDS = range(5)


def _lost(item, mutant, seed=0):
    """{case id: its output} of the cases of ``item`` that ``mutant`` loses."""
    results = (grade_case(c, {item: mutant}, seed) for c in item_cases(item))
    return {r.case.id: r.output for r in results if not r.passed}


@pytest.mark.parametrize("item", ["tuning.random_search_trials", "dead_units.relu_net_grads",
                                  "optim.quadratic_gd_closed_form", "optim.rmsprop_step"])
@pytest.mark.parametrize("seed", SEEDS)
def test_the_reference_keeps_every_point(item, seed):
    assert _lost(item, None, seed) == {}


# ------------------------------------------------ random_search_trials at an exact boundary

ROUNDED_LOGS = {
    "log": lambda p, c: math.ceil(math.log(1 - c) / math.log(1 - p)),
    "log1p": lambda p, c: math.ceil(math.log1p(-c) / math.log1p(-p)),
    "numpy": lambda p, c: int(np.ceil(np.log(1 - c) / np.log(1 - p))),
    "log base": lambda p, c: math.ceil(math.log(1 - c, 1 - p)),
    "log2": lambda p, c: math.ceil(math.log2(1 - c) / math.log2(1 - p)),
    "log10": lambda p, c: math.ceil(math.log10(1 - c) / math.log10(1 - p)),
    "floor + 1": lambda p, c: math.floor(math.log(1 - c) / math.log(1 - p)) + 1,
}


@pytest.mark.parametrize("name", ROUNDED_LOGS)
@pytest.mark.parametrize("seed", SEEDS)
def test_a_rounded_logarithm_loses_the_boundary_only(name, seed):
    lost = _lost("tuning.random_search_trials", ROUNDED_LOGS[name], seed)
    assert list(lost) == ["tuning.random_search_trials[boundary]"]
    assert "floating-point rounding at an exact boundary" in lost["tuning.random_search_trials[boundary]"]


def test_checking_n_minus_1_in_floats_is_enough():
    """The fix the feedback suggests, in floating point, earns every point."""
    def fixed(p, c):
        n = max(1, math.ceil(math.log(1 - c) / math.log(1 - p)))
        while n > 1 and 1 - (1 - p) ** (n - 1) >= c:
            n -= 1
        return n
    for seed in SEEDS:
        assert _lost("tuning.random_search_trials", fixed, seed) == {}


# ------------------------------------------------ random_search_trials with a tiny p_good

def _tiny_calls(seed):
    calls = []
    c = case("tuning.random_search_trials[tiny_p]")

    def recording(p, conf):
        calls.append((p, conf))
        return reference.tuning.random_search_trials(p, conf)
    c.check(StudentFunction(ReferenceCalls(every_probe=True, replaced={c.item: recording}).send, c.module, c.function, None), c.rng(seed))
    return calls


@pytest.mark.parametrize("seed", range(20))
def test_tiny_p_needs_more_trials_than_any_loop_counts_in_a_call(seed):
    """N >= 5e11 at every instance: hours of counting even at a step per nanosecond, against a
    call limit of seconds; 1 - p exact in floats, so a formula with log(1 - p) is not the issue."""
    calls = _tiny_calls(seed)
    assert len(calls) == 3
    for p, c in calls:
        assert reference.tuning.random_search_trials(p, c) >= 5e11
        assert (1 - p) + p == 1 and float.hex(p).startswith("0x1.") and p * 2 ** 53 == int(p * 2 ** 53)


def test_counting_up_loses_the_tiny_p_case_only():
    def counting(p, c, give_up=10 ** 6):      # the sandbox's time limit, sooner
        n = 1
        while 1 - (1 - p) ** n < c:
            n += 1
            if n > give_up:
                raise TimeoutError("still counting")
        return n
    assert list(_lost("tuning.random_search_trials", counting)) == ["tuning.random_search_trials[tiny_p]"]


def test_ln_1_minus_p_as_minus_p_is_named():
    """An approximation that only a tiny p makes plausible (it loses the other cases too)."""
    lost = _lost("tuning.random_search_trials", lambda p, c: math.ceil(-math.log1p(-c) / p))
    assert "ln(1 - p) is not -p" in lost["tuning.random_search_trials[tiny_p]"]


# ------------------------------------------------ relu_net_grads at a pre-activation of exactly 0

def _relu_net_grads_with(gate):
    def grads(x, W1, b1, w2, b2):
        x = np.asarray(x, dtype=np.float64)
        a = W1 @ x + b1
        db1 = w2 * gate(a)
        return {"dW1": np.outer(db1, x), "db1": db1, "dw2": np.maximum(a, 0.0), "db2": 1.0}
    return grads


@pytest.mark.parametrize("gate,named", [(lambda a: a >= 0, "ReLU'(0) taken as 1 (a >= 0)"),
                                        (lambda a: np.heaviside(a, 0.5), "ReLU'(0) taken as 1/2")])
@pytest.mark.parametrize("seed", SEEDS)
def test_relu_prime_at_zero_loses_the_zero_case_only(gate, named, seed):
    lost = _lost("dead_units.relu_net_grads", _relu_net_grads_with(gate), seed)
    assert list(lost) == ["dead_units.relu_net_grads[zero_preactivation]"]
    assert named in lost["dead_units.relu_net_grads[zero_preactivation]"]


@pytest.mark.parametrize("seed", range(20))
def test_the_zero_pre_activations_are_zero_in_every_order_of_the_sums(seed):
    instances = graders.dead_units.zero_preactivation_instances(np.random.default_rng(seed))
    zeros = []
    for x, W1, b1, _, _ in instances:
        orders = [W1 @ x + b1, b1 + W1 @ x, W1[:, 0] * x[0] + (W1[:, 1] * x[1] + b1),
                  np.einsum("ij,j->i", W1, x) + b1, (b1 + W1[:, 1] * x[1]) + W1[:, 0] * x[0]]
        assert all(np.array_equal(a == 0, orders[0] == 0) for a in orders)
        assert (x != 0).all()
        zeros.append(tuple(np.flatnonzero(orders[0] == 0)))
    assert zeros == [(0,), (1,), (0, 1)]


# ------------------------------------------------ the closed form with eig for eigh

def _closed_form_eig(solve):
    def closed_form(H, w0, lr, steps):
        lam, Q = np.linalg.eig(np.asarray(H, dtype=float))
        w0 = np.asarray(w0, dtype=float)
        return Q @ ((1 - 2 * lr * lam) ** int(steps) * (np.linalg.solve(Q, w0) if solve else Q.T @ w0))
    return closed_form


@pytest.mark.parametrize("seed", range(10))
def test_eig_loses_the_repeated_eigenvalue_case_only(seed):
    lost = _lost("optim.quadratic_gd_closed_form", _closed_form_eig(solve=False), seed)
    assert list(lost) == ["optim.quadratic_gd_closed_form[repeated_eigenvalue]"]
    assert "use np.linalg.eigh" in lost["optim.quadratic_gd_closed_form[repeated_eigenvalue]"]


@pytest.mark.parametrize("seed", SEEDS)
def test_eig_with_the_inverse_of_q_is_right(seed):
    assert _lost("optim.quadratic_gd_closed_form", _closed_form_eig(solve=True), seed) == {}


@pytest.mark.parametrize("seed", range(20))
def test_every_repeated_eigenvalue_instance_defeats_eig(seed):
    """Each instance on its own (not only the first), and its eigenvalue repeats: exactly in
    the first (the eigenvalues of the exact matrix, from its construction), to rounding after."""
    for i, (H, w0, lr, steps) in enumerate(graders.optim.repeated_eigenvalue_instances(np.random.default_rng(seed))):
        lam = np.linalg.eigvalsh(H)
        assert np.isclose(lam[:, None], lam[None, :], rtol=1e-12).sum() > len(lam)
        want = reference.optim.quadratic_gd(H, w0, lr, steps)
        got = _closed_form_eig(solve=False)(H, w0, lr, steps)
        assert not np.allclose(got, want, rtol=1e-6, atol=1e-9 * np.linalg.norm(w0)), (seed, i)


# ------------------------------------------------ rmsprop_step's default beta2

@pytest.mark.parametrize("beta2,named", [(0.99, "not 0.99 (torch.optim.RMSprop's alpha)"),
                                         (0.999, "not 0.999 (Adam's beta2)")])
def test_another_default_beta2_is_named(beta2, named):
    def rmsprop_step(theta, grad, s, lr, beta2=beta2, eps=1e-8):
        return reference.optim.rmsprop_step(theta, grad, s, lr, beta2, eps)
    lost = _lost("optim.rmsprop_step", rmsprop_step)
    assert list(lost) == ["optim.rmsprop_step[trajectory]"]
    assert named in lost["optim.rmsprop_step[trajectory]"]
