"""reference/dead_units.py: exact box check, gradients against torch autograd, the set answer."""

import itertools

import numpy as np
import pytest
import sympy
import torch

import reference.dead_units as ref


def test_dead_params_dead_on_the_box():
    W1, b1 = ref.dead_unit_params()
    assert W1.shape == (2, 2) and b1.shape == (2,)
    corners = np.array(list(itertools.product((-1.0, 1.0), repeat=2)))
    assert (corners @ W1.T + b1 < 0).all()          # a linear map's max over a box is at a corner
    pts = np.random.default_rng(0).uniform(-1, 1, size=(200, 2))
    assert (pts @ W1.T + b1 < 0).all()


def _torch(x, params):
    ts = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
    y = ts[2] @ torch.relu(ts[0] @ torch.tensor(x) + ts[1]) + ts[3]
    y.backward()
    return dict(zip(("dW1", "db1", "dw2", "db2"), (t.grad.numpy() for t in ts)))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_grads_against_autograd(seed):
    rng = np.random.default_rng(seed)
    params = (rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=2), float(rng.normal()))
    x = rng.uniform(-1, 1, size=2)
    got = ref.relu_net_grads(x, *params)
    want = _torch(x, params)
    for k, v in want.items():
        assert np.shape(got[k]) == v.shape
        np.testing.assert_allclose(got[k], v, rtol=1e-10, atol=1e-12)


def test_grads_zero_at_dead_params():
    W1, b1 = ref.dead_unit_params()
    g = ref.relu_net_grads(np.array([0.9, -0.9]), W1, b1, np.array([1.0, -2.0]), 0.5)
    assert not g["dW1"].any() and not g["db1"].any() and g["db2"] == 1.0


def test_sets_and_bools():
    dom = ref.revival_bias_domain()
    assert isinstance(dom, sympy.Set) and dom == sympy.Interval(0, sympy.oo, left_open=True)
    assert 0 not in dom and sympy.Rational(1, 1000) in dom
    assert ref.decay_revives_with_bias_penalty() is False


@pytest.mark.parametrize("seed", range(5))
def test_grads_at_a_pre_activation_of_exactly_0_against_autograd(seed):
    """The grader's zero_preactivation instances: torch's ReLU passes no gradient at 0 either."""
    from graders.dead_units import zero_preactivation_instances
    for x, W1, b1, w2, b2 in zero_preactivation_instances(np.random.default_rng(seed)):
        params = (W1, b1, w2, b2)
        assert (torch.tensor(W1) @ torch.tensor(x) + torch.tensor(b1) == 0).any()
        got, want = ref.relu_net_grads(x, *params), _torch(x, params)
        for k, v in want.items():
            assert np.shape(got[k]) == v.shape
            np.testing.assert_allclose(got[k], v, rtol=1e-12, atol=0)
