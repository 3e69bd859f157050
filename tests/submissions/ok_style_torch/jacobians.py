"""Jacobians by torch.autograd.functional.jacobian; shapes as torch.Size."""

import numpy as np
import torch
from torch.autograd.functional import jacobian


def T(a):
    return torch.as_tensor(np.asarray(a), dtype=torch.float64)


def jacobian_shape(case, n, d, k):
    out = {"const": (1,), "sqnorm": (1,), "dot": (1,), "matvec": (n,), "identity": (d,),
           "square": (d,), "matmul_t": (n, k)}[case]
    inp = (k, d) if case == "matmul_t" else (d,)
    return torch.Size(out + inp)


def jac_const(w):
    return jacobian(lambda v: (0 * v.sum() + 3.0).reshape(1), T(w))


def jac_sqnorm(w):
    return jacobian(lambda v: (v @ v).reshape(1), T(w))


def jac_dot(w, x):
    return jacobian(lambda v: (v @ T(x)).reshape(1), T(w))


def jac_matvec(w, X):
    return jacobian(lambda v: T(X) @ v, T(w))


def jac_identity(w):
    return jacobian(lambda v: v, T(w))


def jac_square(w):
    return jacobian(lambda v: v * v, T(w))


def jac_matmul_t(W, X):
    return jacobian(lambda V: T(X) @ V.T, T(W))
