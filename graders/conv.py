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

@M.case("conv_output_size", "worked", points=1)
def conv_output_size_worked(f, rng):
    checks.expect_int(f(32, 5), 28)
    checks.expect_int(f(36, 3), 34)
    checks.expect_int(f(36, 3, stride=2, padding=3), 20)


@M.case("conv_output_size", "random", points=2)
def conv_output_size_random(f, rng):
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
    h_out, w_out, channels = checks.expect_sequence(got, 3)
    checks.expect_int(channels, n_filters, name="n_filters", mistakes={
        "the output has one channel per filter, not one per input channel": c_in})
    checks.expect_int(h_out, expected[0], name="h_out")
    checks.expect_int(w_out, expected[1], name="w_out")


@M.case("conv_output_shape", "worked", points=1)
def conv_output_shape_worked(f, rng):
    _check_output_shape(f, 32, 32, 3, 5, 16)                          # (28, 28, 16)
    _check_output_shape(f, 36, 36, 3, 3, 2, stride=2, padding=3)      # (20, 20, 2)


@M.case("conv_output_shape", "random", points=2)
def conv_output_shape_random(f, rng):
    for s in (1, 2, 3):
        k, p = int(rng.integers(1, 6)), int(rng.integers(0, 3))
        h, w = (int(v) for v in rng.integers(k, 40, 2))           # h != w most of the time
        c_in = int(rng.integers(1, 8))
        n_filters = int(rng.choice([v for v in range(1, 65) if v != c_in]))
        _check_output_shape(f, h, w, c_in, k, n_filters, stride=s, padding=p)


def _expect_param_count(f, k, c_in, n_filters, bias):
    expected = ref.conv_param_count(k, c_in, n_filters, bias)
    weights = ref.conv_param_count(k, c_in, n_filters, False)
    mistakes = {f"each of the {n_filters} filters has its own bias, not one bias for the layer": weights + 1,
                "the biases (one per filter) are missing": weights} if bias else {}
    checks.expect_int(f(k, c_in, n_filters, bias=bias), expected, mistakes=mistakes)


@M.case("conv_param_count", "worked", points=1)
def conv_param_count_worked(f, rng):
    _expect_param_count(f, 5, 3, 16, True)         # 1216
    _expect_param_count(f, 5, 3, 16, False)        # 1200


@M.case("conv_param_count", "random", points=1)
def conv_param_count_random(f, rng):
    for _ in range(4):
        k, c_in, n_filters = (int(v) for v in rng.integers(1, 9, 3))
        n_filters += 1                              # at least 2: one bias per filter shows
        for bias in (True, False):
            _expect_param_count(f, k, c_in, n_filters, bias)


@M.case("mlp_param_count", "worked", points=1)
def mlp_param_count_worked(f, rng):
    checks.expect_int(f([20, 10, 10, 10, 10, 10, 1]), 661)


@M.case("mlp_param_count", "random", points=1)
def mlp_param_count_random(f, rng):
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


def _expect_conv(got, x, w, b, stride, padding, rtol=checks.RTOL):
    """conv2d's output, with the usual mistakes: a flipped kernel, the bias, padding and stride."""
    mistakes = {}
    if padding and x.shape[2] >= w.shape[2] and x.shape[3] >= w.shape[3]:
        mistakes[f"the zero padding ({padding} on each side) was not applied"] = ref.conv2d(x, w, b, stride, 0)
    if stride > 1:
        mistakes[f"the stride ({stride}) was not applied"] = ref.conv2d(x, w, b, 1, padding)
    mistakes["it equals the true convolution (kernel flipped); conv2d is a cross-correlation, as "
             "torch.nn.functional.conv2d: slide the kernel without flipping it"] = \
        ref.conv2d(x, w[:, :, ::-1, ::-1], b, stride, padding)
    if b is not None:
        no_bias = ref.conv2d(x, w, None, stride, padding)
        mistakes |= {"the bias is missing": no_bias,
                     "every filter's output got the sum of all biases; add b[f] to filter f only":
                         no_bias + b.sum()}
    checks.expect_array(got, ref.conv2d(x, w, b, stride, padding), rtol=rtol, name="output",
                        mistakes=mistakes)


def _check_conv(f, x, w, b, stride, padding, rtol=checks.RTOL):
    got = f(x.copy(), w.copy(), None if b is None else b.copy(), stride=stride, padding=padding)
    _expect_conv(got, x, w, b, stride, padding, rtol)


@M.case("conv2d", "worked", points=2)
def conv2d_worked(f, rng):
    image = np.array([[6, 0, 1], [3, 4, 1], [4, 7, 0]], dtype=np.float64)[None, None]
    kernel = np.array([[1, 0], [0, -1]], dtype=np.float64)[None, None]
    got = f(image, kernel)                     # shapes (1, 1, 3, 3) and (1, 1, 2, 2)
    _expect_conv(got, image, kernel, None, 1, 0, rtol=checks.HAND_RTOL)   # [[2, -1], [-4, 4]]


@M.case("conv2d", "random", points=2)
def conv2d_random(f, rng):
    for bias in (True, True, False):
        _check_conv(f, *_conv_instance(rng, 1, 0, bias), stride=1, padding=0)


@M.case("conv2d", "padding", points=2)
def conv2d_padding(f, rng):
    for p, fit in ((1, True), (2, True), (2, False)):
        _check_conv(f, *_conv_instance(rng, 1, p, fit=fit), stride=1, padding=p)


@M.case("conv2d", "stride", points=2)
def conv2d_stride(f, rng):
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
        checks.expect_array(g, e, name=name, mistakes={
            "it is the gradient of the true convolution (kernel flipped); conv2d is a cross-correlation": fl})
    if b is None:
        if db is not None:
            raise checks.Mismatch(f"db: expected None (conv2d was called without a bias), "
                                  f"got {checks.show(db)}")
    else:
        checks.expect_array(db, edb, name="db")


@M.case("conv2d_backward", "random", points=3)
def conv2d_backward_random(f, rng):
    for _ in range(3):
        _check_conv_backward(f, rng, 1, 0)


@M.case("conv2d_backward", "stride_padding", points=3)
def conv2d_backward_stride_padding(f, rng):
    for s, p, fit in ((1, 1, True), (2, 1, True), (3, 2, False), (2, 0, True)):
        _check_conv_backward(f, rng, s, p, fit=fit)


@M.case("conv2d_backward", "no_bias", points=2)
def conv2d_backward_no_bias(f, rng):
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
def avg_pool2d_worked(f, rng):
    _pool_worked(f, lambda avg: avg)


@M.case("avg_pool2d", "random", points=2)
def avg_pool2d_random(f, rng):
    _pool_random(f, rng, ref.avg_pool2d)


@M.case("max_pool2d", "worked", points=1)
def max_pool2d_worked(f, rng):
    _pool_worked(f, lambda avg: np.ones((2, 2)))


@M.case("max_pool2d", "random", points=2)
def max_pool2d_random(f, rng):
    _pool_random(f, rng, ref.max_pool2d)


def _check_pool_backward(f, rng, size, stride, reference, forward):
    x = _pool_input(rng, size, distinct=True)
    dout = rng.standard_normal(forward(x, size, stride).shape)
    got = f(dout.copy(), x.copy(), size=size, stride=stride)
    expected = reference(dout, x, size, stride)
    if reference is ref.max_pool2d_backward:
        spread = ref.avg_pool2d_backward(dout, x, size, stride)
        mistakes = {"the gradient was spread evenly over each window (that is average pooling's); "
                    "max pooling sends it all to the window's maximum": spread,
                    "every entry of a window got the window's gradient; only the window's maximum "
                    "should": spread * size * size}
    else:
        mistakes = {f"the gradient was not divided by the window's {size * size} entries":
                    expected * size * size}
    overlap = "; windows overlap: an entry in several windows sums their gradients" if stride < size else ""
    checks.expect_array(got, expected, name=f"dx (size={size}, stride={stride}{overlap})", mistakes=mistakes)


@M.case("max_pool2d_backward", "random", points=2)
def max_pool2d_backward_random(f, rng):
    for size, stride in ((2, 2), (2, 2), (3, 3), (2, 3)):
        _check_pool_backward(f, rng, size, stride, ref.max_pool2d_backward, ref.max_pool2d)


@M.case("max_pool2d_backward", "overlap", points=2)
def max_pool2d_backward_overlap(f, rng):
    for size, stride in ((3, 2), (2, 1), (3, 1)):
        _check_pool_backward(f, rng, size, stride, ref.max_pool2d_backward, ref.max_pool2d)


@M.case("avg_pool2d_backward", "random", points=2)
def avg_pool2d_backward_random(f, rng):
    for size, stride in ((2, 2), (2, 2), (3, 3), (2, 3), (1, 1)):
        _check_pool_backward(f, rng, size, stride, ref.avg_pool2d_backward, ref.avg_pool2d)


@M.case("avg_pool2d_backward", "overlap", points=1)
def avg_pool2d_backward_overlap(f, rng):
    for size, stride in ((3, 2), (2, 1)):
        _check_pool_backward(f, rng, size, stride, ref.avg_pool2d_backward, ref.avg_pool2d)
