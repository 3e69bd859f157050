"""reference/xor.py: the XOR solution by exact evaluation, the gradients against torch autograd."""

import numpy as np
import pytest
import torch

import reference.xor as ref


def test_single_layer_answer():
    assert ref.xor_single_layer_possible() is False


def test_xor_params_compute_xor():
    W1, b1, W2, b2 = ref.xor_params()
    assert W1.shape == (2, 2) and b1.shape == (2,) and W2.shape == (1, 2) and b2.shape == (1,)
    for x1 in (0, 1):
        for x2 in (0, 1):
            x = torch.tensor([x1, x2], dtype=torch.float64)
            out = torch.nn.functional.linear(torch.relu(torch.nn.functional.linear(
                x, torch.tensor(W1), torch.tensor(b1))), torch.tensor(W2), torch.tensor(b2))
            assert out.shape == (1,) and out.item() == (x1 ^ x2)


def _torch_grads(x, y, params):
    ts = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]
    xt = torch.tensor(x, dtype=torch.float64)
    yhat = ts[2] @ torch.relu(ts[0] @ xt + ts[1]) + ts[3]
    (0.5 * ((yhat - y) ** 2).sum()).backward()
    return dict(zip(("dW1", "db1", "dW2", "db2"), (t.grad.numpy() for t in ts)))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_grads_against_autograd(seed):
    rng = np.random.default_rng(seed)
    params = (rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=(1, 2)), rng.normal(size=1))
    x, y = rng.normal(size=2), float(rng.normal())
    got = ref.xor_net_grads(x, y, *params)
    want = _torch_grads(x, y, params)
    for k, v in want.items():
        assert got[k].shape == v.shape
        np.testing.assert_allclose(got[k], v, rtol=1e-10, atol=1e-12)


def test_grads_at_xor_solution_with_exact_zero_preactivation():
    params = ref.xor_params()
    for x in ([0.0, 0.0], [1.0, 0.0], [1.0, 1.0]):
        got = ref.xor_net_grads(np.array(x), 0.7, *params)
        want = _torch_grads(np.array(x), 0.7, params)
        for k in want:
            np.testing.assert_array_equal(got[k], want[k])


def test_zero_params_only_db2():
    z = (np.zeros((2, 2)), np.zeros(2), np.zeros((1, 2)), np.zeros(1))
    g = ref.xor_net_grads(np.array([0.3, -0.4]), 1.5, *z)
    assert g["db2"].tolist() == [-1.5]
    assert not g["dW1"].any() and not g["db1"].any() and not g["dW2"].any()


def test_constant_init_rows_equal():
    g = ref.xor_net_grads(np.array([0.5, 2.0]), 0.0, np.full((2, 2), 0.3), np.full(2, 0.1),
                          np.full((1, 2), -0.2), np.array([0.0]))
    assert g["dW1"][0].tolist() == g["dW1"][1].tolist() and g["dW1"].any()
