"""The gradient-flow reference against torch autograd through real chains of scalar layers."""

import math

import numpy as np
import torch

from reference import gradient_flow as ref


def _chain(x, slopes):
    for s in slopes:
        x = s * x                         # a layer whose local gradient is s
    return x


def test_chain_gradient_is_what_autograd_backpropagates():
    rng = np.random.default_rng(1)
    for n in (1, 3, 6):
        slopes = [float(s) for s in rng.uniform(-2, 2, n)]
        x = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
        _chain(x, slopes).backward()
        assert math.isclose(ref.chain_gradient(slopes), x.grad.item(), rel_tol=1e-12)
    assert math.isclose(ref.chain_gradient([0.01, 0.005, 0.1]), 5e-6, rel_tol=1e-12)


def test_residual_gradient_through_a_skip():
    rng = np.random.default_rng(2)
    for n in (1, 2, 4):
        slopes, up = [float(s) for s in rng.uniform(-1, 1, n)], float(rng.normal())
        x = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
        (_chain(x, slopes) + x).backward(torch.tensor(up, dtype=torch.float64))
        assert math.isclose(ref.residual_gradient(up, slopes), x.grad.item(), rel_tol=1e-12)
    assert math.isclose(ref.residual_gradient(0.01, [0.005, 0.1]), 0.010005, rel_tol=1e-12)


def test_depth_gradients_plain_and_residual():
    for n in range(1, 13):
        x = torch.tensor(1.1, dtype=torch.float64, requires_grad=True)
        _chain(x, [0.5] * n).backward(torch.tensor(0.5, dtype=torch.float64))
        assert math.isclose(ref.plain_depth_gradient(n), x.grad.item(), rel_tol=1e-12)
    for n in (2, 4, 6, 10):
        x = torch.tensor(1.1, dtype=torch.float64, requires_grad=True)
        h = x
        for _ in range(n // 2):
            h = _chain(h, [0.5, 0.5]) + h   # two layers and an identity skip
        h.backward(torch.tensor(0.5, dtype=torch.float64))
        assert math.isclose(ref.residual_blocks_gradient(n), x.grad.item(), rel_tol=1e-12)
    assert [ref.residual_blocks_gradient(n) for n in (2, 4, 6)] == [0.625, 0.78125, 0.9765625]
    assert ref.plain_depth_gradient(6) == 0.0078125
