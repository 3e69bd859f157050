"""reference/conv.py against torch.nn.functional, torch autograd and exact counting."""

import zlib

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import reference.conv as ref

# (N, C, H, W, F, kh, kw, stride, padding): batch 1 and more, 1 and several channels, square and
# rectangular kernels, stride 1-3, padding 0-2, sizes the stride does not divide, F != C.
CONV_CASES = [
    (1, 1, 5, 5, 1, 3, 3, 1, 0),
    (2, 3, 7, 6, 4, 3, 3, 1, 1),
    (1, 2, 8, 9, 3, 2, 3, 2, 0),
    (3, 1, 9, 7, 2, 3, 2, 2, 1),
    (2, 3, 10, 8, 5, 3, 1, 3, 2),
    (1, 4, 6, 11, 2, 1, 4, 3, 1),
    (2, 2, 4, 4, 3, 4, 4, 1, 2),
    (1, 3, 7, 7, 6, 1, 1, 2, 0),
    (2, 1, 3, 5, 1, 3, 5, 1, 0),       # kernel as wide as the image
    (1, 2, 11, 10, 3, 5, 3, 3, 2),
]


def _torch(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


@pytest.mark.parametrize("case", CONV_CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_matches_torch(case, bias):
    n, c, h, w_, f, kh, kw, s, p = case
    rng = np.random.default_rng(zlib.crc32(repr((case, bias)).encode()))
    x = rng.standard_normal((n, c, h, w_))
    w = rng.standard_normal((f, c, kh, kw))
    b = rng.standard_normal(f) if bias else None
    x0, w0 = x.copy(), w.copy()
    got = ref.conv2d(x, w, b, stride=s, padding=p)
    want = F.conv2d(_torch(x), _torch(w), None if b is None else _torch(b), stride=s, padding=p)
    assert got.shape == tuple(want.shape)
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-10, atol=1e-12)
    assert np.array_equal(x, x0) and np.array_equal(w, w0), "inputs were modified"


@pytest.mark.parametrize("case", CONV_CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_backward_matches_autograd(case, bias):
    n, c, h, w_, f, kh, kw, s, p = case
    rng = np.random.default_rng(zlib.crc32(repr((case, bias, "bwd")).encode()))
    x = rng.standard_normal((n, c, h, w_))
    w = rng.standard_normal((f, c, kh, kw))
    b = rng.standard_normal(f) if bias else None
    tx, tw = _torch(x, True), _torch(w, True)
    tb = None if b is None else _torch(b, True)
    out = F.conv2d(tx, tw, tb, stride=s, padding=p)
    dout = rng.standard_normal(tuple(out.shape))
    out.backward(_torch(dout))
    dx, dw, db = ref.conv2d_backward(dout, x, w, b, stride=s, padding=p)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dw, tw.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert dx.shape == x.shape and dw.shape == w.shape
    if bias:
        assert db.shape == (f,)
        np.testing.assert_allclose(db, tb.grad.numpy(), rtol=1e-10, atol=1e-12)
    else:
        assert db is None


def test_conv2d_worked():
    image = np.array([[6, 0, 1], [3, 4, 1], [4, 7, 0]], dtype=np.float64)
    kernel = np.array([[1, 0], [0, -1]], dtype=np.float64)
    got = ref.conv2d(image[None, None], kernel[None, None])
    assert got.shape == (1, 1, 2, 2)
    assert np.array_equal(got[0, 0], [[2, -1], [-4, 4]])


# (N, C, H, W, size, stride): non-overlapping, overlapping, gaps between windows, odd sizes.
POOL_CASES = [
    (1, 1, 4, 4, 2, 2),
    (2, 3, 5, 7, 2, 2),
    (1, 2, 7, 6, 3, 2),
    (2, 1, 6, 6, 2, 1),
    (1, 3, 8, 9, 3, 3),
    (2, 2, 9, 5, 2, 3),
    (1, 1, 3, 3, 3, 1),
    (1, 1, 1, 1, 1, 1),
]


@pytest.mark.parametrize("case", POOL_CASES)
def test_pooling_matches_torch(case):
    n, c, h, w_, size, s = case
    rng = np.random.default_rng(zlib.crc32(repr(case).encode()))
    x = rng.standard_normal((n, c, h, w_))
    for ours, theirs in ((ref.avg_pool2d, F.avg_pool2d), (ref.max_pool2d, F.max_pool2d)):
        got = ours(x, size, s)
        want = theirs(_torch(x), size, s).numpy()
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", POOL_CASES)
def test_pooling_backward_matches_autograd(case):
    n, c, h, w_, size, s = case
    rng = np.random.default_rng(zlib.crc32(repr((case, "bwd")).encode()))
    x = rng.permutation(n * c * h * w_).reshape(n, c, h, w_) / 7.0   # distinct: no ties
    for ours, theirs in ((ref.avg_pool2d_backward, F.avg_pool2d),
                         (ref.max_pool2d_backward, F.max_pool2d)):
        tx = _torch(x, True)
        out = theirs(tx, size, s)
        dout = rng.standard_normal(tuple(out.shape))
        out.backward(_torch(dout))
        got = ours(dout, x, size, s)
        assert got.shape == x.shape
        np.testing.assert_allclose(got, tx.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_max_pool_backward_routes_to_the_maximum_only():
    x = np.array([[[[1.0, 5.0, 2.0], [3.0, 0.0, 4.0], [7.0, 6.0, 8.0]]]])
    dx = ref.max_pool2d_backward(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]), x, size=2, stride=1)
    # windows' maxima: 5 (top-left and top-right share it), 7, 8
    assert np.array_equal(dx, [[[[0, 30, 0], [0, 0, 0], [30, 0, 40]]]])


WORKED_POOL = [
    ([[1, 1, 1, 0], [1, 1, 1, 0], [1, 1, 0, 1], [0, 0, 0, 0]], [[1, .5], [.5, .25]]),
    ([[0, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1], [0, 0, 0, 0]], [[.5, 1], [.25, .5]]),
    ([[0, 0, 0, 0], [0, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1]], [[.25, .5], [.5, 1]]),
    ([[0, 0, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1], [1, 1, 0, 0]], [[.5, .25], [1, .5]]),
]


@pytest.mark.parametrize("matrix, avg", WORKED_POOL)
def test_pooling_worked(matrix, avg):
    x = np.array(matrix, dtype=np.float64)[None, None]
    assert np.array_equal(ref.avg_pool2d(x)[0, 0], avg)
    assert np.array_equal(ref.max_pool2d(x)[0, 0], np.ones((2, 2)))


def _count_positions(n, k, s, p):
    """Window start positions along one axis, counted one by one."""
    return sum(1 for start in range(0, n + 2 * p, s) if start + k <= n + 2 * p)


def test_conv_output_size_counts_positions():
    for n in range(1, 13):
        for k in range(1, 6):
            for s in range(1, 4):
                for p in range(0, 3):
                    if k > n + 2 * p:
                        continue
                    got = ref.conv_output_size(n, k, stride=s, padding=p)
                    assert type(got) is int
                    assert got == _count_positions(n, k, s, p), (n, k, s, p)


def test_conv_output_size_worked():
    assert ref.conv_output_size(32, 5) == 28
    assert ref.conv_output_size(36, 3) == 34
    assert ref.conv_output_size(36, 3, stride=2, padding=3) == 20


def test_conv_output_shape_worked_and_torch():
    assert ref.conv_output_shape(32, 32, 3, 5, 16) == (28, 28, 16)
    assert ref.conv_output_shape(36, 36, 3, 3, 2, stride=2, padding=3) == (20, 20, 2)
    for h, w_, c, k, f, s, p in [(9, 7, 3, 3, 5, 2, 1), (8, 11, 2, 4, 1, 3, 2), (5, 6, 4, 1, 7, 1, 0)]:
        out = torch.nn.Conv2d(c, f, k, stride=s, padding=p)(torch.zeros(1, c, h, w_))
        got = ref.conv_output_shape(h, w_, c, k, f, stride=s, padding=p)
        assert got == (out.shape[2], out.shape[3], out.shape[1])
        assert all(type(v) is int for v in got)


def test_param_counts_against_torch_modules():
    assert ref.conv_param_count(5, 3, 16) == 1216
    assert ref.conv_param_count(5, 3, 16, bias=False) == 1200
    for k, c, f in [(3, 1, 4), (1, 5, 2), (4, 3, 7)]:
        for bias in (True, False):
            layer = torch.nn.Conv2d(c, f, k, bias=bias)
            assert ref.conv_param_count(k, c, f, bias=bias) == sum(t.numel() for t in layer.parameters())
    assert ref.mlp_param_count([20, 10, 10, 10, 10, 10, 1]) == 661
    for sizes in ([3, 1], [4, 7, 2], [1, 1, 1, 1], [5, 9, 3, 8]):
        net = torch.nn.Sequential(*[torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
        assert ref.mlp_param_count(sizes) == sum(t.numel() for t in net.parameters())
