"""Grader for conv (Homework 2 P2, Homework 1 P4, THW2 Q1d), 39 points.

Every instance is small (N <= 2, C <= 3, H, W <= 9, F <= 4), so a student's loop over every
pixel, filter and kernel entry finishes far inside the time limit of one call. Random cases draw
sizes and values from ``rng``, but each case fixes what it is about (padding, stride, bias), so
a given mistake fails the same cases whatever the seed.
"""

import numpy as np

from autograder import checks
from autograder.spec import Args, Module
import reference.conv as ref

M = Module("conv", total=39, source="Homework 2 P2, Homework 1 P4, THW2 Q1d",
           manual=("What are the trade-offs of zero padding (output size, border information)?",))


# ------------------------------------------------------------------ sizes and parameter counts

@M.case("conv_output_size", "worked", points=1)
def conv_output_size_worked(f, rng):
    calls = [((32, 5), 28), ((36, 3), 34), (Args(36, 3, stride=2, padding=3), 20)]
    for (_, expected), got in zip(calls, f.each(call for call, _ in calls)):
        checks.expect_int(got, expected)


@M.case("conv_output_size", "random", points=2)
def conv_output_size_random(f, rng):
    # (k, stride, padding) with strides that do not divide n + 2p - k, and the edge output size 1
    configs = [(int(rng.integers(1, 6)), s, int(rng.integers(0, 3))) for s in (1, 2, 3, 2, 3)]
    calls = []
    for k, s, p in configs:
        for _ in range(20):             # an n for which the stride does not divide evenly
            n = int(rng.integers(max(1, k - 2 * p), 40))
            if s == 1 or (n + 2 * p - k) % s:
                break
        calls.append((Args(n, k, stride=s, padding=p), ref.conv_output_size(n, k, s, p)))
    calls += [(Args(5, 5), 1),
              (Args(7, 3, stride=3, padding=0), 2)]    # floor: the last column is dropped
    for (_, expected), got in zip(calls, f.each(call for call, _ in calls)):
        checks.expect_int(got, expected)


def _check_output_shapes(f, shapes):
    """conv_output_shape on each ``(h, w, c_in, k, n_filters, stride, padding)`` of ``shapes``;
    stride and padding None: called without both (the defaults, 1 and 0)."""
    calls = f.each(Args(h, w, c_in, k, n_filters) if stride is None else
                   Args(h, w, c_in, k, n_filters, stride=stride, padding=padding)
                   for h, w, c_in, k, n_filters, stride, padding in shapes)
    for shape, got in zip(shapes, calls):
        _expect_output_shape(got, *shape)


def _expect_output_shape(got, h, w, c_in, k, n_filters, stride, padding):
    defaults = stride is None
    stride, padding = (1, 0) if defaults else (stride, padding)
    expected = ref.conv_output_shape(h, w, c_in, k, n_filters, stride, padding)
    h_out, w_out, channels = checks.expect_sequence(got, 3)
    checks.expect_int(channels, n_filters, name="n_filters", mistakes={
        "the output has one channel per filter, not one per input channel": c_in})
    by_default = " (stride=1, padding=0 by default)" if defaults else ""
    for name, n, got_n, want in (("h_out", h, h_out, expected[0]), ("w_out", w, w_out, expected[1])):
        mistakes = {"padding defaults to 0 (no padding), not k // 2": ref.conv_output_size(n, k, 1, k // 2),
                    "stride defaults to 1": ref.conv_output_size(n, k, 2, 0)} if defaults else {}
        checks.expect_int(got_n, want, name=name + by_default, mistakes=mistakes)


@M.case("conv_output_shape", "worked", points=1)
def conv_output_shape_worked(f, rng):
    _check_output_shapes(f, [(32, 32, 3, 5, 16, None, None),           # (28, 28, 16), the defaults
                             (36, 36, 3, 3, 2, 2, 3)])                 # (20, 20, 2)


@M.case("conv_output_shape", "random", points=2)
def conv_output_shape_random(f, rng):
    shapes = []
    for s in (1, 2, 3):
        k, p = int(rng.integers(1, 6)), int(rng.integers(0, 3))
        h, w = (int(v) for v in rng.integers(k, 40, 2))           # h != w most of the time
        c_in = int(rng.integers(1, 8))
        n_filters = int(rng.choice([v for v in range(1, 65) if v != c_in]))
        shapes.append((h, w, c_in, k, n_filters, s, p))
    _check_output_shapes(f, shapes)


def _check_param_counts(f, layers):
    """conv_param_count on each ``(k, c_in, n_filters, bias)`` of ``layers``; bias None: called
    without it (the default, True)."""
    calls = f.each(Args(k, c_in, n_filters) if bias is None else Args(k, c_in, n_filters, bias=bias)
                   for k, c_in, n_filters, bias in layers)
    for (k, c_in, n_filters, bias), got in zip(layers, calls):
        expected = ref.conv_param_count(k, c_in, n_filters, bias is not False)
        weights = ref.conv_param_count(k, c_in, n_filters, False)
        missing = (f"bias defaults to True: called without it, the layer has its {n_filters} biases"
                   if bias is None else "the biases (one per filter) are missing")
        mistakes = {f"each of the {n_filters} filters has its own bias, not one bias for the layer": weights + 1,
                    missing: weights} if bias is not False else {}
        checks.expect_int(got, expected, name="result" + (" (bias=True by default)" if bias is None else ""),
                          mistakes=mistakes)


@M.case("conv_param_count", "worked", points=1)
def conv_param_count_worked(f, rng):
    _check_param_counts(f, [(5, 3, 16, None),      # 1216, the default bias=True
                            (5, 3, 16, False)])    # 1200


@M.case("conv_param_count", "random", points=1)
def conv_param_count_random(f, rng):
    layers = []
    for _ in range(4):
        k, c_in, n_filters = (int(v) for v in rng.integers(1, 9, 3))
        n_filters += 1                              # at least 2: one bias per filter shows
        layers += [(k, c_in, n_filters, bias) for bias in (True, False)]
    _check_param_counts(f, layers)


@M.case("mlp_param_count", "worked", points=1)
def mlp_param_count_worked(f, rng):
    checks.expect_int(f([20, 10, 10, 10, 10, 10, 1]), 661)


@M.case("mlp_param_count", "random", points=1)
def mlp_param_count_random(f, rng):
    nets = [[int(v) for v in rng.integers(1, 30, layers + 1)] for layers in (1, 2, 4)]
    for sizes, got in zip(nets, f.each((sizes,) for sizes in nets)):
        checks.expect_int(got, ref.mlp_param_count(sizes))


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


def _check_convs(f, instances):
    """conv2d on each ``(x, w, b, stride, padding)`` of ``instances``."""
    calls = f.each(Args(x.copy(), w.copy(), None if b is None else b.copy(), stride=stride, padding=padding)
                   for x, w, b, stride, padding in instances)
    for instance, got in zip(instances, calls):
        _expect_conv(got, *instance)


@M.case("conv2d", "worked", points=2)
def conv2d_worked(f, rng):
    image = np.array([[6, 0, 1], [3, 4, 1], [4, 7, 0]], dtype=np.float64)[None, None]
    kernel = np.array([[1, 0], [0, -1]], dtype=np.float64)[None, None]
    got = f(image, kernel)                     # shapes (1, 1, 3, 3) and (1, 1, 2, 2)
    _expect_conv(got, image, kernel, None, 1, 0, rtol=checks.HAND_RTOL)   # [[2, -1], [-4, 4]]


@M.case("conv2d", "random", points=2)
def conv2d_random(f, rng):
    _check_convs(f, [(*_conv_instance(rng, 1, 0, bias), 1, 0) for bias in (True, True, False)])


@M.case("conv2d", "padding", points=2)
def conv2d_padding(f, rng):
    _check_convs(f, [(*_conv_instance(rng, 1, p, fit=fit), 1, p) for p, fit in ((1, True), (2, True), (2, False))])


@M.case("conv2d", "stride", points=2)
def conv2d_stride(f, rng):
    # strides 2 and 3 with and without padding, on sizes the stride does not always divide
    _check_convs(f, [(*_conv_instance(rng, s, p, fit=fit), s, p)
                     for s, p, fit in ((2, 0, True), (3, 1, True), (2, 2, False), (3, 0, True))])


def _check_conv_backwards(f, rng, configs):
    """conv2d_backward on an instance drawn for each ``(stride, padding, bias, fit)`` of
    ``configs``; bias None: no bias, and b, stride and padding left to their defaults (None, 1
    and 0: conv2d_backward(dout, x, w))."""
    instances = []
    for stride, padding, bias, fit in configs:
        x, w, b = _conv_instance(rng, stride, padding, bool(bias), fit)
        dout = rng.standard_normal(ref.conv2d(x, w, b, stride, padding).shape)
        instances.append((dout, x, w, b, stride, padding, bias is None))
    calls = f.each(Args(dout.copy(), x.copy(), w.copy()) if defaults else
                   Args(dout.copy(), x.copy(), w.copy(), None if b is None else b.copy(), stride=stride,
                        padding=padding) for dout, x, w, b, stride, padding, defaults in instances)
    for instance, got in zip(instances, calls):
        _expect_conv_backward(got, *instance)


def _expect_conv_backward(got, dout, x, w, b, stride, padding, defaults=False):
    by_default = " (b=None, stride=1, padding=0 by default)" if defaults else ""
    dx, dw, db = checks.expect_sequence(got, 3)
    edx, edw, edb = ref.conv2d_backward(dout, x, w, b, stride, padding)
    flipped = ref.conv2d_backward(dout, x, w[:, :, ::-1, ::-1], b, stride, padding)
    for name, g, e, fl in (("dx", dx, edx, flipped[0]), ("dw", dw, edw, flipped[1][:, :, ::-1, ::-1])):
        checks.expect_array(g, e, name=name + by_default, mistakes={
            "it is the gradient of the true convolution (kernel flipped); conv2d is a cross-correlation": fl})
    if b is None:
        if db is not None:
            raise checks.Mismatch(f"db: expected None (conv2d was called without a bias{by_default}), "
                                  f"got {checks.show(db)}")
    else:
        checks.expect_array(db, edb, name="db")


@M.case("conv2d_backward", "random", points=3)
def conv2d_backward_random(f, rng):
    _check_conv_backwards(f, rng, [(1, 0, True, True)] * 3)


@M.case("conv2d_backward", "stride_padding", points=3)
def conv2d_backward_stride_padding(f, rng):
    _check_conv_backwards(f, rng, [(s, p, True, fit) for s, p, fit in ((1, 1, True), (2, 1, True), (3, 2, False),
                                                                      (2, 0, True))])


@M.case("conv2d_backward", "no_bias", points=2)
def conv2d_backward_no_bias(f, rng):
    # conv2d_backward(dout, x, w), the defaults, then b=None given with stride 2
    _check_conv_backwards(f, rng, [(1, 0, None, True), (2, 0, False, True)])


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
    images = [np.array(m, dtype=np.float64)[None, None] for m, _ in WORKED_POOL]     # (1, 1, 4, 4)
    for i, ((_, avg), got) in enumerate(zip(WORKED_POOL, f.each((x,) for x in images)), start=1):
        checks.expect_array(got, np.array(expected_of(avg), dtype=np.float64)[None, None],
                            rtol=checks.HAND_RTOL, name=f"M{i} pooled")


def _pool_random(f, rng, reference):
    inputs = [_pool_input(rng, size) for size, _ in POOL_CONFIGS]
    calls = f.each(Args(x.copy(), size=size, stride=stride) for x, (size, stride) in zip(inputs, POOL_CONFIGS))
    for x, (size, stride), got in zip(inputs, POOL_CONFIGS, calls):
        expected = reference(x, size, stride)
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


POOL_DEFAULTS = None       # a config of _check_pool_backwards: size and stride left to their defaults (2, 2)


def _check_pool_backwards(f, rng, configs, reference, forward):
    """The pooling's backward on an input drawn for each ``(size, stride)`` of ``configs``, or
    called without them for POOL_DEFAULTS."""
    instances = []
    for config in configs:
        size, stride = config or (2, 2)
        x = _pool_input(rng, size, distinct=True)
        dout = rng.standard_normal(forward(x, size, stride).shape)
        instances.append((dout, x, size, stride, config is POOL_DEFAULTS))
    calls = f.each(Args(dout.copy(), x.copy()) if defaults else
                   Args(dout.copy(), x.copy(), size=size, stride=stride)
                   for dout, x, size, stride, defaults in instances)
    for (dout, x, size, stride, defaults), got in zip(instances, calls):
        _expect_pool_backward(got, dout, x, size, stride, reference, defaults)


def _expect_pool_backward(got, dout, x, size, stride, reference, defaults=False):
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
    given = "size=2, stride=2 by default" if defaults else f"size={size}, stride={stride}"
    checks.expect_array(got, expected, name=f"dx ({given}{overlap})", mistakes=mistakes)


@M.case("max_pool2d_backward", "random", points=2)
def max_pool2d_backward_random(f, rng):
    _check_pool_backwards(f, rng, (POOL_DEFAULTS, (2, 2), (3, 3), (2, 3)), ref.max_pool2d_backward,
                          ref.max_pool2d)


@M.case("max_pool2d_backward", "overlap", points=2)
def max_pool2d_backward_overlap(f, rng):
    _check_pool_backwards(f, rng, ((3, 2), (2, 1), (3, 1)), ref.max_pool2d_backward, ref.max_pool2d)


@M.case("avg_pool2d_backward", "random", points=2)
def avg_pool2d_backward_random(f, rng):
    _check_pool_backwards(f, rng, (POOL_DEFAULTS, (2, 2), (3, 3), (2, 3), (1, 1)), ref.avg_pool2d_backward,
                          ref.avg_pool2d)


@M.case("avg_pool2d_backward", "overlap", points=1)
def avg_pool2d_backward_overlap(f, rng):
    _check_pool_backwards(f, rng, ((3, 2), (2, 1)), ref.avg_pool2d_backward, ref.avg_pool2d)
