"""Optimizers in plain Python: every array handled as a flat list of its entries, reshaped back
at the end (nested lists of the input's shape)."""

import math

import sympy

beta1, g = sympy.symbols("beta1 g", real=True)

t = sympy.Symbol("t", integer=True, positive=True)


def flat(a):
    a = a.tolist() if hasattr(a, "tolist") else a
    if isinstance(a, list):
        return [v for row in a for v in flat(row)]
    return [a]


def shaped(values, like):
    """``values`` (flat) nested as ``like``."""
    like = like.tolist() if hasattr(like, "tolist") else like
    it = iter(values)

    def build(l):
        return [build(v) for v in l] if isinstance(l, list) else next(it)
    return build(like)


def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    th, gr, mm, vv = flat(theta), flat(grad), flat(m), flat(v)
    new_t, new_m, new_v = [], [], []
    for p, g_, m_, v_ in zip(th, gr, mm, vv):
        m_ = beta1 * m_ + (1 - beta1) * g_
        v_ = beta2 * v_ + (1 - beta2) * g_ * g_
        m_hat = m_ / (1 - beta1 ** t)
        v_hat = v_ / (1 - beta2 ** t)
        new_t.append(p - lr * m_hat / (math.sqrt(v_hat) + eps))
        new_m.append(m_)
        new_v.append(v_)
    return shaped(new_t, theta), shaped(new_m, theta), shaped(new_v, theta)


def adam_bias_correction(m, v, t, beta1, beta2):
    return (shaped([x / (1 - beta1 ** t) for x in flat(m)], m),
            shaped([x / (1 - beta2 ** t) for x in flat(v)], v))


def adam_first_moment_expr():
    # m_t = (1 - beta1) g (1 + beta1 + ... + beta1**(t-1)), a geometric series
    return (1 - beta1) * g * (1 - beta1 ** t) / (1 - beta1)


def rmsprop_step(theta, grad, s, lr, beta2=0.9, eps=1e-8):
    new_t, new_s = [], []
    for p, g_, s_ in zip(flat(theta), flat(grad), flat(s)):
        s_ = beta2 * s_ + (1 - beta2) * g_ * g_
        new_t.append(p - lr * g_ / math.sqrt(s_ + eps))
        new_s.append(s_)
    return shaped(new_t, theta), shaped(new_s, theta)


def rmsprop_effect():
    return {"theta1": "slower", "theta2": "faster"}


def sgd_momentum_step(w, grad, m, lr, momentum):
    new_m = [momentum * m_ + g_ for m_, g_ in zip(flat(m), flat(grad))]
    new_w = [w_ - lr * m_ for w_, m_ in zip(flat(w), new_m)]
    return shaped(new_w, w), shaped(new_m, w)


def _matvec(H, w):
    return [sum(H[i][j] * w[j] for j in range(len(w))) for i in range(len(H))]


def quadratic_gd(H, w0, lr, steps):
    H, w = H.tolist(), w0.tolist()
    for _ in range(steps):
        Hw = _matvec(H, w)
        w = [wi - lr * 2 * hi for wi, hi in zip(w, Hw)]
    return w


def _jacobi_eigen(A, sweeps=100):
    """Eigenvalues and eigenvectors (columns of Q) of a symmetric matrix by Jacobi rotations."""
    n = len(A)
    A = [row[:] for row in A]
    Q = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    for _ in range(sweeps):
        off = sum(A[i][j] ** 2 for i in range(n) for j in range(n) if i != j)
        if off < 1e-30:
            break
        for p in range(n):
            for q in range(p + 1, n):
                if abs(A[p][q]) < 1e-300:
                    continue
                theta = (A[q][q] - A[p][p]) / (2 * A[p][q])
                tt = (1 if theta >= 0 else -1) / (abs(theta) + math.sqrt(theta * theta + 1))
                c = 1 / math.sqrt(tt * tt + 1)
                s = tt * c
                for k in range(n):
                    akp, akq = A[k][p], A[k][q]
                    A[k][p], A[k][q] = c * akp - s * akq, s * akp + c * akq
                for k in range(n):
                    apk, aqk = A[p][k], A[q][k]
                    A[p][k], A[q][k] = c * apk - s * aqk, s * apk + c * aqk
                for k in range(n):
                    qkp, qkq = Q[k][p], Q[k][q]
                    Q[k][p], Q[k][q] = c * qkp - s * qkq, s * qkp + c * qkq
    return [A[i][i] for i in range(n)], Q


def quadratic_gd_closed_form(H, w0, lr, steps):
    lam, Q = _jacobi_eigen(H.tolist())
    n, w0 = len(lam), w0.tolist()
    coords = [sum(Q[k][i] * w0[k] for k in range(n)) * (1 - 2 * lr * lam[i]) ** steps for i in range(n)]
    return [sum(Q[k][i] * coords[i] for i in range(n)) for k in range(n)]


def quadratic_gd_max_lr(H):
    lam, _ = _jacobi_eigen(H.tolist())
    return 1 / max(lam)


def _solve(A, b):
    """Gaussian elimination with partial pivoting."""
    n = len(A)
    M = [row[:] + [bi] for row, bi in zip(A, b)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(M[r][col]))
        M[col], M[piv] = M[piv], M[col]
        for r in range(col + 1, n):
            f = M[r][col] / M[col][col]
            for c in range(col, n + 1):
                M[r][c] -= f * M[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (M[r][n] - sum(M[r][c] * x[c] for c in range(r + 1, n))) / M[r][r]
    return x


def newton_step(H, w, eta):
    H, w = H.tolist(), w.tolist()
    grad = [2 * v for v in _matvec(H, w)]
    step = _solve([[2 * h for h in row] for row in H], grad)
    return [wi - eta * si for wi, si in zip(w, step)]
