"""Grader for conv (Homework 2 P2, Homework 1 P4, THW2 Q1d), 39 points.

Every instance is small (N <= 2, C <= 3, H, W <= 9, F <= 4), so a student's loop over every
pixel, filter and kernel entry finishes far inside the time limit of one call. Random cases draw
sizes and values from ``rng``, but each case fixes what it is about (padding, stride, bias), so
a given mistake fails the same cases whatever the seed.
"""

import numpy as np

from autograder import checks
from autograder.spec import Module
import reference.conv as ref

M = Module("conv", total=39, source="Homework 2 P2, Homework 1 P4, THW2 Q1d",
           manual=("What are the trade-offs of zero padding (output size, border information)?",))


# ------------------------------------------------------------------ sizes and parameter counts

def _expect_int_tuple(got, expected, names):
    got = checks.expect_sequence(got, len(expected))
    for name, g, e in zip(names, got, expected):
        checks.expect_int(g, e, name=name)


@M.case("conv_output_size", "worked", points=1)
def _(f, rng):
    checks.expect_int(f(32, 5), 28)
    checks.expect_int(f(36, 3), 34)
    checks.expect_int(f(36, 3, stride=2, padding=3), 20)


@M.case("conv_output_size", "random", points=2)
def _(f, rng):
    # (k, stride, padding) with strides that do not divide n + 2p - k, and the edge output size 1
    configs = [(int(rng.integers(1, 6)), s, int(rng.integers(0, 3))) for s in (1, 2, 3, 2, 3)]
    for k, s, p in configs:
        for _ in range(20):             # an n for which the stride does not divide evenly
            n = int(rng.integers(max(1, k - 2 * p), 40))
            if s == 1 or (n + 2 * p - k) % s:
                break
        checks.expect_int(f(n, k, stride=s, padding=p), ref.conv_output_size(n, k, s, p))
    checks.expect_int(f(5, 5), 1)
    checks.expect_int(f(7, 3, stride=3, padding=0), 2)    # floor: the last column is dropped


def _check_output_shape(f, h, w, c_in, k, n_filters, stride=1, padding=0):
    got = f(h, w, c_in, k, n_filters, stride=stride, padding=padding)
    expected = ref.conv_output_shape(h, w, c_in, k, n_filters, stride, padding)
    seq = checks.expect_sequence(got, 3)
    if seq[2] == c_in != n_filters:
        raise checks.Mismatch(f"n_filters: expected {n_filters}, got {c_in}: the output has one "
                              f"channel per filter, not one per input channel")
    _expect_int_tuple(seq, expected, ("h_out", "w_out", "n_filters"))


@M.case("conv_output_shape", "worked", points=1)
def _(f, rng):
    _check_output_shape(f, 32, 32, 3, 5, 16)                          # (28, 28, 16)
    _check_output_shape(f, 36, 36, 3, 3, 2, stride=2, padding=3)      # (20, 20, 2)


@M.case("conv_output_shape", "random", points=2)
def _(f, rng):
    for s in (1, 2, 3):
        k, p = int(rng.integers(1, 6)), int(rng.integers(0, 3))
        h, w = (int(v) for v in rng.integers(k, 40, 2))           # h != w most of the time
        c_in = int(rng.integers(1, 8))
        n_filters = int(rng.choice([v for v in range(1, 65) if v != c_in]))
        _check_output_shape(f, h, w, c_in, k, n_filters, stride=s, padding=p)


def _expect_param_count(f, k, c_in, n_filters, bias):
    expected = ref.conv_param_count(k, c_in, n_filters, bias)
    got = f(k, c_in, n_filters, bias=bias)
    if bias and got == expected - n_filters + 1:
        raise checks.Mismatch(f"expected {expected}, got {checks.show(got)}: each of the "
                              f"{n_filters} filters has its own bias, not one bias for the layer")
    if bias and got == expected - n_filters:
        raise checks.Mismatch(f"expected {expected}, got {checks.show(got)}: the biases "
                              f"(one per filter) are missing")
    checks.expect_int(got, expected)


@M.case("conv_param_count", "worked", points=1)
def _(f, rng):
    _expect_param_count(f, 5, 3, 16, True)         # 1216
    _expect_param_count(f, 5, 3, 16, False)        # 1200


@M.case("conv_param_count", "random", points=1)
def _(f, rng):
    for _ in range(4):
        k, c_in, n_filters = (int(v) for v in rng.integers(1, 9, 3))
        n_filters += 1                              # at least 2: one bias per filter shows
        for bias in (True, False):
            _expect_param_count(f, k, c_in, n_filters, bias)


@M.case("mlp_param_count", "worked", points=1)
def _(f, rng):
    checks.expect_int(f([20, 10, 10, 10, 10, 10, 1]), 661)


@M.case("mlp_param_count", "random", points=1)
def _(f, rng):
    for layers in (1, 2, 4):
        sizes = [int(v) for v in rng.integers(1, 30, layers + 1)]
        checks.expect_int(f(sizes), ref.mlp_param_count(sizes))


# ------------------------------------------------------------------------------- conv2d

def _conv_instance(rng, stride, padding, bias=True, fit=True):
    """Random small x, w, b for conv2d with the given stride and padding; F != C. With
    fit=False the image may be smaller than the kernel (the padding makes room)."""
    n, c = int(rng.integers(1, 3)), int(rng.integers(1, 4))
    f = int(rng.choice([v for v in range(1, 5) if v != c]))
    while True:
        kh, kw = (int(v) for v in rng.integers(1, 5, 2))
        if (kh, kw) != (1, 1):          # a 1x1 kernel would hide a flipped kernel
            break
    low = 0 if fit else 2 * padding
    h = int(rng.integers(max(kh - low, 1), 10))
    w_ = int(rng.integers(max(kw - low, 1), 10))
    x = rng.standard_normal((n, c, h, w_))
    w = rng.standard_normal((f, c, kh, kw))
    b = rng.standard_normal(f) if bias else None
    return x, w, b


def _conv_hint(arr, x, w, b, stride, padding):
    """Names a recognised mistake for a conv2d output ``arr`` of the right shape, or ''."""
    def same(other):
        return other.shape == arr.shape and np.allclose(arr, other, rtol=checks.RTOL, atol=checks.ATOL)
    if same(ref.conv2d(x, w[:, :, ::-1, ::-1], b, stride, padding)):
        return ("it equals the true convolution (kernel flipped); conv2d is a cross-correlation, "
                "as torch.nn.functional.conv2d: slide the kernel without flipping it")
    if b is not None and same(ref.conv2d(x, w, None, stride, padding)):
        return "the bias is missing"
    if b is not None and same(ref.conv2d(x, w, None, stride, padding) + b.sum()):
        return "every filter's output got the sum of all biases; add b[f] to filter f only"
    return ""


def _expect_conv(got, x, w, b, stride, padding, rtol=checks.RTOL):
    expected = ref.conv2d(x, w, b, stride, padding)
    arr = checks.expect_shape(got, expected.shape, "output")
    try:
        checks.expect_array(arr, expected, rtol=rtol, name="output")
    except checks.Mismatch as exc:
        hint = _conv_hint(arr, x, w, b, stride, padding)
        raise checks.Mismatch(f"{exc}: {hint}" if hint else str(exc)) from None


def _expect_conv_shape(got, x, w, stride, padding):
    """A shape check that recognises a forgotten padding or stride."""
    expected = ref.conv2d(x, w, None, stride, padding).shape
    arr = got if isinstance(got, np.ndarray) else None
    if arr is not None and arr.shape != expected and arr.ndim == 4:
        if padding and arr.shape == ref.conv2d(x, w, None, stride, 0).shape:
            raise checks.Mismatch(f"output: shape {arr.shape}, expected {expected}: "
                                  f"the zero padding ({padding} on each side) was not applied")
        if stride > 1 and arr.shape == ref.conv2d(x, w, None, 1, padding).shape:
            raise checks.Mismatch(f"output: shape {arr.shape}, expected {expected}: "
                                  f"the stride ({stride}) was not applied")


def _check_conv(f, x, w, b, stride, padding, rtol=checks.RTOL):
    got = f(x.copy(), w.copy(), None if b is None else b.copy(), stride=stride, padding=padding)
    _expect_conv_shape(got, x, w, stride, padding)
    _expect_conv(got, x, w, b, stride, padding, rtol)


@M.case("conv2d", "worked", points=2)
def _(f, rng):
    image = np.array([[6, 0, 1], [3, 4, 1], [4, 7, 0]], dtype=np.float64)[None, None]
    kernel = np.array([[1, 0], [0, -1]], dtype=np.float64)[None, None]
    got = f(image, kernel)                     # shapes (1, 1, 3, 3) and (1, 1, 2, 2)
    _expect_conv_shape(got, image, kernel, 1, 0)
    _expect_conv(got, image, kernel, None, 1, 0, rtol=checks.HAND_RTOL)   # [[2, -1], [-4, 4]]


@M.case("conv2d", "random", points=2)
def _(f, rng):
    for bias in (True, True, False):
        _check_conv(f, *_conv_instance(rng, 1, 0, bias), stride=1, padding=0)


@M.case("conv2d", "padding", points=2)
def _(f, rng):
    for p, fit in ((1, True), (2, True), (2, False)):
        _check_conv(f, *_conv_instance(rng, 1, p, fit=fit), stride=1, padding=p)


@M.case("conv2d", "stride", points=2)
def _(f, rng):
    # strides 2 and 3 with and without padding, on sizes the stride does not always divide
    for s, p, fit in ((2, 0, True), (3, 1, True), (2, 2, False), (3, 0, True)):
        _check_conv(f, *_conv_instance(rng, s, p, fit=fit), stride=s, padding=p)


def _check_conv_backward(f, rng, stride, padding, bias=True, fit=True):
    x, w, b = _conv_instance(rng, stride, padding, bias, fit)
    dout = rng.standard_normal(ref.conv2d(x, w, b, stride, padding).shape)
    got = f(dout.copy(), x.copy(), w.copy(), None if b is None else b.copy(),
            stride=stride, padding=padding)
    dx, dw, db = checks.expect_sequence(got, 3)
    edx, edw, edb = ref.conv2d_backward(dout, x, w, b, stride, padding)
    flipped = ref.conv2d_backward(dout, x, w[:, :, ::-1, ::-1], b, stride, padding)
    for name, g, e, fl in (("dx", dx, edx, flipped[0]), ("dw", dw, edw, flipped[1][:, :, ::-1, ::-1])):
        arr = checks.expect_shape(g, e.shape, name)
        try:
            checks.expect_array(arr, e, name=name)
        except checks.Mismatch as exc:
            if np.allclose(arr, fl, rtol=checks.RTOL, atol=checks.ATOL):
                raise checks.Mismatch(f"{exc}: it is the gradient of the true convolution (kernel "
                                      f"flipped); conv2d is a cross-correlation") from None
            raise
    if b is None:
        if db is not None:
            raise checks.Mismatch(f"db: expected None (conv2d was called without a bias), "
                                  f"got {checks.show(db)}")
    else:
        checks.expect_array(db, edb, name="db")


@M.case("conv2d_backward", "random", points=3)
def _(f, rng):
    for _ in range(3):
        _check_conv_backward(f, rng, 1, 0)


@M.case("conv2d_backward", "stride_padding", points=3)
def _(f, rng):
    for s, p, fit in ((1, 1, True), (2, 1, True), (3, 2, False), (2, 0, True)):
        _check_conv_backward(f, rng, s, p, fit=fit)


@M.case("conv2d_backward", "no_bias", points=2)
def _(f, rng):
    for s in (1, 2):
        _check_conv_backward(f, rng, s, 0, bias=False)


# ------------------------------------------------------------------------------- pooling

WORKED_POOL = (
    ([[1, 1, 1, 0], [1, 1, 1, 0], [1, 1, 0, 1], [0, 0, 0, 0]], [[1, .5], [.5, .25]]),
    ([[0, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1], [0, 0, 0, 0]], [[.5, 1], [.25, .5]]),
    ([[0, 0, 0, 0], [0, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1]], [[.25, .5], [.5, 1]]),
    ([[0, 0, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1], [1, 1, 0, 0]], [[.5, .25], [1, .5]]),
)

# (size, stride): the default, overlapping windows, gaps between windows, and size 1.
POOL_CONFIGS = ((2, 2), (3, 2), (2, 1), (3, 3), (2, 3), (1, 1))


def _pool_input(rng, size, distinct=False):
    n, c = int(rng.integers(1, 3)), int(rng.integers(1, 4))
    h, w = (int(v) for v in rng.integers(size, 10, 2))
    if distinct:      # no ties: a permutation of distinct values, scaled
        return rng.permutation(n * c * h * w).reshape(n, c, h, w) / 4.0 - 3.0
    return rng.standard_normal((n, c, h, w))


def _pool_worked(f, expected_of):
    for i, (m, avg) in enumerate(WORKED_POOL, start=1):
        x = np.array(m, dtype=np.float64)[None, None]                # (1, 1, 4, 4)
        checks.expect_array(f(x), np.array(expected_of(avg), dtype=np.float64)[None, None],
                            rtol=checks.HAND_RTOL, name=f"M{i} pooled")


def _pool_random(f, rng, reference):
    for size, stride in POOL_CONFIGS:
        x = _pool_input(rng, size)
        expected = reference(x, size, stride)
        got = f(x.copy(), size=size, stride=stride)
        arr = checks.expect_shape(got, expected.shape, f"output (size={size}, stride={stride})")
        checks.expect_array(arr, expected, name=f"output (size={size}, stride={stride})")


@M.case("avg_pool2d", "worked", points=1)
def _(f, rng):
    _pool_worked(f, lambda avg: avg)


@M.case("avg_pool2d", "random", points=2)
def _(f, rng):
    _pool_random(f, rng, ref.avg_pool2d)


@M.case("max_pool2d", "worked", points=1)
def _(f, rng):
    _pool_worked(f, lambda avg: np.ones((2, 2)))


@M.case("max_pool2d", "random", points=2)
def _(f, rng):
    _pool_random(f, rng, ref.max_pool2d)


def _check_pool_backward(f, rng, size, stride, reference, forward):
    x = _pool_input(rng, size, distinct=True)
    dout = rng.standard_normal(forward(x, size, stride).shape)
    got = f(dout.copy(), x.copy(), size=size, stride=stride)
    name = f"dx (size={size}, stride={stride})"
    arr = checks.expect_shape(got, x.shape, name)
    expected = reference(dout, x, size, stride)
    try:
        checks.expect_array(arr, expected, name=name)
    except checks.Mismatch as exc:
        hint = ""
        if reference is ref.max_pool2d_backward:
            if np.allclose(arr, ref.avg_pool2d_backward(dout, x, size, stride)):
                hint = ("the gradient was spread evenly over each window (that is average "
                        "pooling's); max pooling sends it all to the window's maximum")
            elif np.allclose(arr, ref.avg_pool2d_backward(dout, x, size, stride) * size * size):
                hint = ("every entry of a window got the window's gradient; only the window's "
                        "maximum should")
        elif np.allclose(arr, expected * size * size):
            hint = f"the gradient was not divided by the window's {size * size} entries"
        if stride < size and not hint:
            hint = "windows overlap here: an entry in several windows sums their gradients"
        raise checks.Mismatch(f"{exc}: {hint}" if hint else str(exc)) from None


@M.case("max_pool2d_backward", "random", points=2)
def _(f, rng):
    for size, stride in ((2, 2), (2, 2), (3, 3), (2, 3)):
        _check_pool_backward(f, rng, size, stride, ref.max_pool2d_backward, ref.max_pool2d)


@M.case("max_pool2d_backward", "overlap", points=2)
def _(f, rng):
    for size, stride in ((3, 2), (2, 1), (3, 1)):
        _check_pool_backward(f, rng, size, stride, ref.max_pool2d_backward, ref.max_pool2d)


@M.case("avg_pool2d_backward", "random", points=2)
def _(f, rng):
    for size, stride in ((2, 2), (2, 2), (3, 3), (2, 3), (1, 1)):
        _check_pool_backward(f, rng, size, stride, ref.avg_pool2d_backward, ref.avg_pool2d)


@M.case("avg_pool2d_backward", "overlap", points=1)
def _(f, rng):
    for size, stride in ((3, 2), (2, 1)):
        _check_pool_backward(f, rng, size, stride, ref.avg_pool2d_backward, ref.avg_pool2d)
