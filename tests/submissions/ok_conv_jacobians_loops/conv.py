"""Convolution and pooling, written with explicit loops over every output entry (a correct,
slow-but-honest solution)."""

import numpy as np


def conv_output_size(n, k, stride=1, padding=0):
    return (n + 2 * padding - k) // stride + 1


def conv_output_shape(h, w, c_in, k, n_filters, stride=1, padding=0):
    return (conv_output_size(h, k, stride, padding), conv_output_size(w, k, stride, padding), n_filters)


def conv_param_count(k, c_in, n_filters, bias=True):
    count = k * k * c_in * n_filters
    if bias:
        count += n_filters
    return count


def mlp_param_count(sizes):
    total = 0
    for i in range(len(sizes) - 1):
        total += sizes[i] * sizes[i + 1] + sizes[i + 1]
    return total


def conv2d(x, w, b=None, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    H_out = (H + 2 * padding - HH) // stride + 1
    W_out = (W + 2 * padding - WW) // stride + 1
    out = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    total = 0.0
                    for c in range(C):
                        for p in range(HH):
                            for q in range(WW):
                                total += xp[n, c, i * stride + p, j * stride + q] * w[f, c, p, q]
                    if b is not None:
                        total += b[f]
                    out[n, f, i, j] = total
    return out


def conv2d_backward(dout, x, w, b=None, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    g = dout[n, f, i, j]
                    for c in range(C):
                        for p in range(HH):
                            for q in range(WW):
                                dw[f, c, p, q] += g * xp[n, c, i * stride + p, j * stride + q]
                                dxp[n, c, i * stride + p, j * stride + q] += g * w[f, c, p, q]
    dx = dxp[:, :, padding:padding + H, padding:padding + W]
    db = None
    if b is not None:
        db = np.zeros(F)
        for f in range(F):
            db[f] = dout[:, f].sum()
    return dx, dw, db


def _pool(x, size, stride, reduce):
    N, C, H, W = x.shape
    H_out = (H - size) // stride + 1
    W_out = (W - size) // stride + 1
    out = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    out[n, c, i, j] = reduce(x[n, c, i * stride:i * stride + size, j * stride:j * stride + size])
    return out


def avg_pool2d(x, size=2, stride=2):
    return _pool(x, size, stride, np.mean)


def max_pool2d(x, size=2, stride=2):
    return _pool(x, size, stride, np.max)


def max_pool2d_backward(dout, x, size=2, stride=2):
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    window = x[n, c, i * stride:i * stride + size, j * stride:j * stride + size]
                    p, q = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + p, j * stride + q] += dout[n, c, i, j]
    return dx


def avg_pool2d_backward(dout, x, size=2, stride=2):
    N, C, H, W = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    dx[n, c, i * stride:i * stride + size, j * stride:j * stride + size] += \
                        dout[n, c, i, j] / (size * size)
    return dx
