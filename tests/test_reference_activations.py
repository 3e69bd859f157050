"""reference/activations.py against torch (float64) and sympy, never against itself."""

import numpy as np
import pytest
import sympy
import torch
import torch.nn.functional as F

import reference.activations as ref

SHAPES = [(1,), (5,), (1, 1), (1, 4), (3, 7), (2, 3, 4)]
TOL = dict(rtol=1e-10, atol=1e-12)


def _rand(shape, seed, scale=4.0):
    return np.random.default_rng(seed).normal(scale=scale, size=shape)


def _grad(fn, z):
    t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    fn(t).sum().backward()
    return t.grad.numpy()


@pytest.mark.parametrize("shape", SHAPES)
def test_elementwise_against_torch(shape):
    z = _rand(shape, hash(shape) % 1000)
    t = torch.tensor(z)
    for mine, theirs in [(ref.sigmoid, torch.sigmoid), (ref.relu, F.relu), (ref.tanh, torch.tanh)]:
        out = mine(z.copy())
        assert out.shape == z.shape
        np.testing.assert_allclose(out, theirs(t).numpy(), **TOL)
    np.testing.assert_allclose(ref.sigmoid_grad(z), _grad(torch.sigmoid, z), **TOL)
    np.testing.assert_allclose(ref.tanh_grad(z), _grad(torch.tanh, z), **TOL)
    np.testing.assert_allclose(ref.relu_grad(z), _grad(F.relu, z), **TOL)
    assert ref.sigmoid_grad(z).shape == ref.tanh_grad(z).shape == ref.relu_grad(z).shape == z.shape


def test_extremes_exact_and_silent():
    z = np.array([-1000.0, -745.0, -40.0, 0.0, 40.0, 745.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):              # no overflow, not even a warning
        s = ref.sigmoid(z)
        g = ref.sigmoid_grad(z)
    assert s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    assert np.isfinite(g).all() and g[0] == 0.0 and g[-1] == 0.0 and g[3] == 0.25
    np.testing.assert_allclose(s, torch.sigmoid(torch.tensor(z)).numpy(), rtol=1e-12, atol=1e-300)


def test_relu_grad_is_zero_at_zero():
    z = np.array([[-1.0, 0.0, 2.0], [0.0, -0.0, 1e-300]])
    assert ref.relu_grad(z).tolist() == [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]
    np.testing.assert_array_equal(ref.relu_grad(z), _grad(F.relu, z))   # torch agrees at 0


@pytest.mark.parametrize("shape", [(1,), (4,), (1, 1), (1, 5), (6, 3), (2, 3, 5)])
def test_softmax_against_torch(shape):
    z = _rand(shape, 7 + len(shape), scale=10)
    out = ref.softmax(z)
    assert out.shape == z.shape
    np.testing.assert_allclose(out, F.softmax(torch.tensor(z), dim=-1).numpy(), **TOL)


def test_softmax_stable():
    np.testing.assert_array_equal(ref.softmax(np.array([1000.0, 1000.0])), [0.5, 0.5])
    big = np.array([[1000.0, -1000.0, 999.0], [-1e4, -1e4, -1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = ref.softmax(big)
    np.testing.assert_allclose(out, F.softmax(torch.tensor(big), dim=-1).numpy(), **TOL)


@pytest.mark.parametrize("k", [1, 2, 5])
def test_softmax_jacobian_against_autograd(k):
    z = _rand((k,), k)
    want = torch.autograd.functional.jacobian(lambda t: F.softmax(t, dim=-1), torch.tensor(z))
    got = ref.softmax_jacobian(z)
    assert got.shape == (k, k)
    np.testing.assert_allclose(got, want.numpy(), **TOL)


def test_symbolic_derivatives():
    z = ref.z
    assert ref.z.is_real
    assert sympy.simplify(ref.sigmoid_grad_expr() - sympy.diff(1 / (1 + sympy.exp(-z)), z)) == 0
    assert sympy.simplify(ref.tanh_grad_expr() - sympy.diff(sympy.tanh(z), z)) == 0
    assert ref.sigmoid_grad_expr().free_symbols == {z}
    assert float(ref.sigmoid_grad_expr().subs(z, 0)) == 0.25


@pytest.mark.parametrize("d", [1, 3])
def test_softmax_as_logistic(d):
    rng = np.random.default_rng(d)
    W, b = rng.normal(size=(2, d)), rng.normal(size=2)
    w, c = ref.softmax_as_logistic(W.copy(), b.copy())
    assert np.shape(w) == (d,) and isinstance(c, float)
    X = rng.normal(size=(6, d))
    want = F.softmax(torch.tensor(X @ W.T + b), dim=-1)[:, 0].numpy()
    np.testing.assert_allclose(torch.sigmoid(torch.tensor(X @ w + c)).numpy(), want, **TOL)
