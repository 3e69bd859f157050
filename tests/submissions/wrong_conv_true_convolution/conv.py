"""Convolution and pooling layers (Homework 2 P2, Homework 1 P4, THW2 Q1d).

Images are batches in the layout of ``torch.nn.functional``: ``x`` is ``(N, C, H, W)`` (N images,
C channels, H rows, W columns) and a convolution's weights are ``(F, C, kh, kw)`` (F filters).
A "convolution" here is the cross-correlation that deep-learning libraries compute: the kernel is
slid over the image without flipping it. Every forward function has a backward partner that
takes the upstream gradient ``dout`` (the shape of the forward output) and the forward inputs.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv_output_size(n, k, stride=1, padding=0):
    """Output length of a convolution or pooling along one axis.

    n: input length, k: kernel length, stride, padding (zeros added on each side), all ints.
    Returns the int floor((n + 2*padding - k) / stride) + 1.
    Example: conv_output_size(32, 5) == 28.
    """
    return (int(n) + 2 * int(padding) - int(k)) // int(stride) + 1


def conv_output_shape(h, w, c_in, k, n_filters, stride=1, padding=0):
    """Shape of a convolution layer's output for one image, in (height, width, channels) order.

    The image is h x w with c_in channels; the layer has n_filters square k x k filters.
    Returns a tuple of ints (h_out, w_out, n_filters).
    Example: conv_output_shape(32, 32, 3, 5, 16) == (28, 28, 16).
    """
    return (conv_output_size(h, k, stride, padding), conv_output_size(w, k, stride, padding),
            int(n_filters))


def conv_param_count(k, c_in, n_filters, bias=True):
    """Number of trainable parameters of a convolution layer with n_filters k x k filters over
    c_in input channels, with one bias per filter when bias is True. Returns an int.
    Example: conv_param_count(5, 3, 16) == 1216.
    """
    weights = int(k) * int(k) * int(c_in) * int(n_filters)
    return weights + (int(n_filters) if bias else 0)


def mlp_param_count(sizes):
    """Number of trainable parameters of a fully connected network.

    sizes: list of ints [input, hidden_1, ..., output]; each consecutive pair is a dense layer
    with a weight matrix and a bias vector. Returns an int.
    Example: mlp_param_count([20, 10, 1]) == 221.
    """
    sizes = [int(s) for s in sizes]
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def _windows(x, kh, kw, stride):
    """A strided view (N, C, H', W', kh, kw) of every kh x kw window of x (N, C, H, W)."""
    return sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]


def _scatter_windows(dwin, shape, stride):
    """Adjoint of _windows: sums dwin (N, C, H', W', kh, kw) back into an array of `shape`."""
    n, c, ho, wo, kh, kw = dwin.shape
    out = np.zeros(shape, dtype=np.result_type(dwin, np.float64))
    for i in range(kh):
        for j in range(kw):
            out[:, :, i:i + stride * (ho - 1) + 1:stride,
                j:j + stride * (wo - 1) + 1:stride] += dwin[:, :, :, :, i, j]
    return out


def _im2col(x, kh, kw, stride, padding):
    """Every kh x kw window of x (N, C, H, W) after zero padding, as a matrix
    (N*H'*W', kh*kw*C) whose rows are windows and whose columns run over (p, q, c)."""
    n, c, h, wd = x.shape
    xt = np.zeros((n, h + 2 * padding, wd + 2 * padding, c))
    xt[:, padding:padding + h, padding:padding + wd] = x.transpose(0, 2, 3, 1)
    win = sliding_window_view(xt, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]
    return np.ascontiguousarray(win.transpose(0, 1, 2, 4, 5, 3)).reshape(-1, kh * kw * c)


def conv2d(x, w, b=None, stride=1, padding=0):
    """Forward pass of a 2-D convolution layer (cross-correlation, as torch.nn.functional.conv2d).

    x: (N, C, H, W) images; w: (F, C, kh, kw) filters; b: (F,) biases or None;
    stride: int step of the window; padding: int number of zero rows/columns on each side.
    Returns out (N, F, H', W') with H' = floor((H + 2*padding - kh) / stride) + 1 (W' likewise):
    out[n, f, i, j] = b[f] + sum over c, p, q of x_pad[n, c, i*stride + p, j*stride + q] * w[f, c, p, q].
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)[:, :, ::-1, ::-1]   # convolution flips the kernel
    n, _, h, wd = x.shape
    f, c, kh, kw = w.shape
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (wd + 2 * padding - kw) // stride + 1
    cols = _im2col(x, kh, kw, stride, padding)                       # (N*H'*W', kh*kw*C)
    out = cols @ w.transpose(0, 2, 3, 1).reshape(f, kh * kw * c).T   # (N*H'*W', F)
    if b is not None:
        out += np.asarray(b, dtype=np.float64)
    return np.ascontiguousarray(out.reshape(n, ho, wo, f).transpose(0, 3, 1, 2))


def conv2d_backward(dout, x, w, b=None, stride=1, padding=0):
    """Backward pass of conv2d(x, w, b, stride, padding).

    dout: (N, F, H', W') gradient of the loss with respect to conv2d's output;
    x, w, b, stride, padding: conv2d's inputs.
    Returns (dx, dw, db): dx (N, C, H, W), dw (F, C, kh, kw), db (F,), or db None when b is None.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)[:, :, ::-1, ::-1]   # convolution flips the kernel
    dout = np.asarray(dout, dtype=np.float64)
    n, _, h, wd = x.shape
    f, c, kh, kw = w.shape
    ho, wo = dout.shape[2], dout.shape[3]
    cols = _im2col(x, kh, kw, stride, padding)                       # (N*H'*W', kh*kw*C)
    d2 = np.ascontiguousarray(dout.transpose(0, 2, 3, 1)).reshape(n * ho * wo, f)
    dw = (d2.T @ cols).reshape(f, kh, kw, c).transpose(0, 3, 1, 2)[:, :, ::-1, ::-1]
    db = dout.sum(axis=(0, 2, 3)) if b is not None else None
    # col2im: each kernel offset (p, q) adds one strided slice of the padded input's gradient.
    dcols = (d2 @ w.transpose(0, 2, 3, 1).reshape(f, kh * kw * c)).reshape(n, ho, wo, kh, kw, c)
    dxt = np.zeros((n, h + 2 * padding, wd + 2 * padding, c))
    for p in range(kh):
        for q in range(kw):
            dxt[:, p:p + stride * (ho - 1) + 1:stride,
                q:q + stride * (wo - 1) + 1:stride] += dcols[:, :, :, p, q]
    dx = dxt[:, padding:padding + h, padding:padding + wd].transpose(0, 3, 1, 2)
    return np.ascontiguousarray(dx), np.ascontiguousarray(dw), db


def avg_pool2d(x, size=2, stride=2):
    """Average pooling over size x size windows moved by stride (no padding).

    x: (N, C, H, W). Returns (N, C, H', W') with H' = floor((H - size) / stride) + 1; windows
    that do not fit inside the image are dropped, as in torch.nn.functional.avg_pool2d.
    """
    x = np.asarray(x, dtype=np.float64)
    return _windows(x, size, size, stride).mean(axis=(4, 5))


def max_pool2d(x, size=2, stride=2):
    """Max pooling over size x size windows moved by stride (no padding).

    x: (N, C, H, W). Returns (N, C, H', W') with H' = floor((H - size) / stride) + 1; windows
    that do not fit inside the image are dropped, as in torch.nn.functional.max_pool2d.
    """
    x = np.asarray(x, dtype=np.float64)
    return _windows(x, size, size, stride).max(axis=(4, 5))


def max_pool2d_backward(dout, x, size=2, stride=2):
    """Backward pass of max_pool2d(x, size, stride).

    dout: (N, C, H', W') gradient with respect to max_pool2d's output; x: (N, C, H, W) its input.
    Returns dx (N, C, H, W): each window's upstream gradient goes to that window's maximum
    (the inputs have no ties); where windows overlap, the contributions add up.
    """
    x = np.asarray(x, dtype=np.float64)
    dout = np.asarray(dout, dtype=np.float64)
    win = _windows(x, size, size, stride)                           # (N, C, H', W', s, s)
    flat = win.reshape(win.shape[:4] + (size * size,))
    first_max = np.argmax(flat, axis=-1)[..., None] == np.arange(size * size)
    dwin = (first_max * dout[..., None]).reshape(win.shape)
    return _scatter_windows(dwin, x.shape, stride)


def avg_pool2d_backward(dout, x, size=2, stride=2):
    """Backward pass of avg_pool2d(x, size, stride).

    dout: (N, C, H', W') gradient with respect to avg_pool2d's output; x: (N, C, H, W) its input.
    Returns dx (N, C, H, W): each window spreads its upstream gradient evenly, dout / size**2, over
    its entries; entries outside every window get 0.
    """
    x = np.asarray(x, dtype=np.float64)
    dout = np.asarray(dout, dtype=np.float64)
    dwin = np.broadcast_to((dout / (size * size))[..., None, None], dout.shape + (size, size))
    return _scatter_windows(dwin, x.shape, stride)
