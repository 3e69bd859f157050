"""reference/jacobians.py against torch.autograd.functional.jacobian."""

import numpy as np
import pytest
import torch
from torch.autograd.functional import jacobian

import reference.jacobians as ref

SIZES = [(1, 1, 1), (3, 4, 2), (5, 2, 3), (2, 6, 4), (4, 1, 7)]     # (n, d, k), mostly distinct


def _t(a):
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64)


def _torch_jacobians(n, d, k, rng):
    """Every case's (reference result, torch Jacobian in the output x input convention)."""
    w, x = rng.standard_normal(d), rng.standard_normal(d)
    X, W = rng.standard_normal((n, d)), rng.standard_normal((k, d))
    c = float(rng.standard_normal())
    scalar = lambda fn: jacobian(fn, _t(w)).numpy().reshape(1, d)   # noqa: E731
    return {
        "const": (ref.jac_const(w), scalar(lambda v: v.sum() * 0 + c)),
        "sqnorm": (ref.jac_sqnorm(w), scalar(lambda v: v @ v)),
        "dot": (ref.jac_dot(w, x), scalar(lambda v: v @ _t(x))),
        "matvec": (ref.jac_matvec(w, X), jacobian(lambda v: _t(X) @ v, _t(w)).numpy()),
        "identity": (ref.jac_identity(w), jacobian(lambda v: v * 1, _t(w)).numpy()),
        "square": (ref.jac_square(w), jacobian(lambda v: v * v, _t(w)).numpy()),
        "matmul_t": (ref.jac_matmul_t(W, X), jacobian(lambda M: _t(X) @ M.T, _t(W)).numpy()),
    }


@pytest.mark.parametrize("n, d, k", SIZES)
def test_jacobians_match_torch(n, d, k):
    rng = np.random.default_rng(n * 100 + d * 10 + k)
    for case, (got, want) in _torch_jacobians(n, d, k, rng).items():
        got = np.asarray(got)
        assert got.shape == want.shape, case
        assert got.shape == ref.jacobian_shape(case, n, d, k), case
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14, err_msg=case)


def test_jacobian_shape_with_distinct_sizes():
    n, d, k = 2, 3, 5
    want = {"const": (1, 3), "sqnorm": (1, 3), "dot": (1, 3), "matvec": (2, 3),
            "identity": (3, 3), "square": (3, 3), "matmul_t": (2, 5, 5, 3)}
    for case, shape in want.items():
        got = ref.jacobian_shape(case, n, d, k)
        assert got == shape and type(got) is tuple and all(type(v) is int for v in got), case
    with pytest.raises(ValueError):
        ref.jacobian_shape("cube", n, d, k)


def test_matmul_t_delta_pairs_output_column_with_weight_row():
    X = np.arange(6, dtype=np.float64).reshape(2, 3) + 1          # n=2, d=3
    J = ref.jac_matmul_t(np.zeros((4, 3)), X)                     # k=4
    assert J.shape == (2, 4, 4, 3)
    for i in range(2):
        for j in range(4):
            for a in range(4):
                expected = X[i] if j == a else np.zeros(3)
                assert np.array_equal(J[i, j, a], expected)
