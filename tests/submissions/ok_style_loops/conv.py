"""Convolution and pooling with explicit loops over every index, in plain Python."""


def conv_output_size(n, k, stride=1, padding=0):
    return (n + 2 * padding - k) // stride + 1


def conv_output_shape(h, w, c_in, k, n_filters, stride=1, padding=0):
    return [conv_output_size(h, k, stride, padding), conv_output_size(w, k, stride, padding), n_filters]


def conv_param_count(k, c_in, n_filters, bias=True):
    return n_filters * (k * k * c_in + (1 if bias else 0))


def mlp_param_count(sizes):
    total = 0
    for a, b in zip(sizes, sizes[1:]):
        total += a * b + b
    return total


def _zeros(*shape):
    if len(shape) == 1:
        return [0.0] * shape[0]
    return [_zeros(*shape[1:]) for _ in range(shape[0])]


def _pad(x, p):
    N, C, H, W = len(x), len(x[0]), len(x[0][0]), len(x[0][0][0])
    out = _zeros(N, C, H + 2 * p, W + 2 * p)
    for n in range(N):
        for c in range(C):
            for i in range(H):
                for j in range(W):
                    out[n][c][i + p][j + p] = x[n][c][i][j]
    return out


def conv2d(x, w, b=None, stride=1, padding=0):
    x, w = _pad(x.tolist(), padding), w.tolist()
    N, C, H, W = len(x), len(x[0]), len(x[0][0]), len(x[0][0][0])
    F, kh, kw = len(w), len(w[0][0]), len(w[0][0][0])
    Ho, Wo = (H - kh) // stride + 1, (W - kw) // stride + 1
    out = _zeros(N, F, Ho, Wo)
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    s = 0.0 if b is None else float(b[f])
                    for c in range(C):
                        for p in range(kh):
                            for q in range(kw):
                                s += x[n][c][i * stride + p][j * stride + q] * w[f][c][p][q]
                    out[n][f][i][j] = s
    return out


def conv2d_backward(dout, x, w, b=None, stride=1, padding=0):
    xp, w, dout = _pad(x.tolist(), padding), w.tolist(), dout.tolist()
    N, C, H, W = len(xp), len(xp[0]), len(xp[0][0]), len(xp[0][0][0])
    F, kh, kw = len(w), len(w[0][0]), len(w[0][0][0])
    Ho, Wo = len(dout[0][0]), len(dout[0][0][0])
    dxp, dw = _zeros(N, C, H, W), _zeros(F, C, kh, kw)
    db = [0.0] * F
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    g = dout[n][f][i][j]
                    db[f] += g
                    for c in range(C):
                        for p in range(kh):
                            for q in range(kw):
                                dxp[n][c][i * stride + p][j * stride + q] += g * w[f][c][p][q]
                                dw[f][c][p][q] += g * xp[n][c][i * stride + p][j * stride + q]
    dx = [[[row[padding:W - padding] for row in ch[padding:H - padding]] for ch in img] for img in dxp]
    return dx, dw, (None if b is None else db)


def _windows(H, W, size, stride):
    for i in range((H - size) // stride + 1):
        for j in range((W - size) // stride + 1):
            yield i, j, [(i * stride + p, j * stride + q) for p in range(size) for q in range(size)]


def _pool(x, size, stride, reduce):
    x = x.tolist()
    return [[_pool_channel(ch, size, stride, reduce) for ch in img] for img in x]


def _pool_channel(ch, size, stride, reduce):
    H, W = len(ch), len(ch[0])
    out = _zeros((H - size) // stride + 1, (W - size) // stride + 1)
    for i, j, cells in _windows(H, W, size, stride):
        out[i][j] = reduce([ch[r][c] for r, c in cells])
    return out


def avg_pool2d(x, size=2, stride=2):
    return _pool(x, size, stride, lambda v: sum(v) / len(v))


def max_pool2d(x, size=2, stride=2):
    return _pool(x, size, stride, max)


def _pool_backward(dout, x, size, stride, share):
    x, dout = x.tolist(), dout.tolist()
    dx = [[_zeros(len(ch), len(ch[0])) for ch in img] for img in x]
    for n, img in enumerate(x):
        for c, ch in enumerate(img):
            for i, j, cells in _windows(len(ch), len(ch[0]), size, stride):
                for (r, q), part in share([ch[r][q] for r, q in cells], cells):
                    dx[n][c][r][q] += dout[n][c][i][j] * part
    return dx


def max_pool2d_backward(dout, x, size=2, stride=2):
    def share(values, cells):
        best = values.index(max(values))
        return [(cells[best], 1.0)]
    return _pool_backward(dout, x, size, stride, share)


def avg_pool2d_backward(dout, x, size=2, stride=2):
    return _pool_backward(dout, x, size, stride, lambda values, cells: [(cell, 1.0 / len(cells)) for cell in cells])
