"""Convolution with numpy (im2col by sliding windows); counts as numpy scalars and 0-d arrays,
shapes as numpy int arrays."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv_output_size(n, k, stride=1, padding=0):
    return np.int64((n + 2 * padding - k) // stride + 1)


def conv_output_shape(h, w, c_in, k, n_filters, stride=1, padding=0):
    hw = (np.array([h, w]) + 2 * padding - k) // stride + 1
    return np.append(hw, n_filters)


def conv_param_count(k, c_in, n_filters, bias=True):
    return np.array(n_filters * c_in * k * k + (n_filters if bias else 0))       # a 0-d array


def mlp_param_count(sizes):
    s = np.asarray(sizes)
    return float(np.sum(s[:-1] * s[1:] + s[1:]))                                 # 661.0


def _windows(x, kh, kw, stride):
    v = sliding_window_view(x, (kh, kw), axis=(2, 3))
    return v[:, :, ::stride, ::stride]                 # (N, C, H', W', kh, kw)


def conv2d(x, w, b=None, stride=1, padding=0):
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.einsum("ncijpq,fcpq->nfij", _windows(xp, w.shape[2], w.shape[3], stride), w)
    return out if b is None else out + b[None, :, None, None]


def conv2d_backward(dout, x, w, b=None, stride=1, padding=0):
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    kh, kw = w.shape[2:]
    dw = np.einsum("ncijpq,nfij->fcpq", _windows(xp, kh, kw, stride), dout)
    dxp = np.zeros_like(xp)
    Ho, Wo = dout.shape[2:]
    for p in range(kh):
        for q in range(kw):
            dxp[:, :, p:p + stride * Ho:stride, q:q + stride * Wo:stride] += \
                np.einsum("nfij,fc->ncij", dout, w[:, :, p, q])
    dx = dxp[:, :, padding:xp.shape[2] - padding, padding:xp.shape[3] - padding]
    return dx, dw, (None if b is None else dout.sum(axis=(0, 2, 3)))


def avg_pool2d(x, size=2, stride=2):
    return _windows(x, size, size, stride).mean(axis=(-2, -1))


def max_pool2d(x, size=2, stride=2):
    return _windows(x, size, size, stride).max(axis=(-2, -1))


def _scatter(dout, x, size, stride, weights):
    """dx from each window's share ``weights`` (N, C, H', W', size, size) of its gradient."""
    dx = np.zeros_like(x, dtype=np.float64)
    Ho, Wo = dout.shape[2:]
    for p in range(size):
        for q in range(size):
            dx[:, :, p:p + stride * Ho:stride, q:q + stride * Wo:stride] += dout * weights[..., p, q]
    return dx


def max_pool2d_backward(dout, x, size=2, stride=2):
    win = _windows(x, size, size, stride)
    return _scatter(dout, x, size, stride, win == win.max(axis=(-2, -1), keepdims=True))


def avg_pool2d_backward(dout, x, size=2, stride=2):
    share = np.full(_windows(x, size, size, stride).shape, 1.0 / size ** 2)
    return _scatter(dout, x, size, stride, share)
