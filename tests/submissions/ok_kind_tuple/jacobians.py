"""Jacobians with numpy; shapes as numpy int arrays."""

import numpy as np


def jacobian_shape(case, n, d, k):
    sizes = {"const": [1, d], "sqnorm": [1, d], "dot": [1, d], "matvec": [n, d],
             "identity": [d, d], "square": [d, d], "matmul_t": [n, k, k, d]}
    return np.array(sizes[case])


def jac_const(w):
    return np.zeros((1, w.size), dtype=np.float32)


def jac_sqnorm(w):
    return (2 * w)[None, :]


def jac_dot(w, x):
    return x.reshape(1, -1).tolist()


def jac_matvec(w, X):
    return X.copy()


def jac_identity(w):
    return np.eye(len(w), dtype=np.int64)


def jac_square(w):
    return np.diagflat(w + w)


def jac_matmul_t(W, X):
    k = W.shape[0]
    return np.einsum("il,ja->ijal", X, np.eye(k))


# ---------------------------------------------------------------- rewritten in another form (these definitions win)
import torch


def jacobian_shape(case, n, d, k):
    sizes = {"const": [1, d], "sqnorm": [1, d], "dot": [1, d], "matvec": [n, d],
             "identity": [d, d], "square": [d, d], "matmul_t": [n, k, k, d]}[case]
    return torch.zeros(sizes).shape if case != "matmul_t" else torch.tensor(sizes)
