"""Convolution and pooling through torch.nn.functional and autograd; counts as 0-d tensors,
shapes from a real layer."""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def T(a, grad=False):
    return torch.as_tensor(np.asarray(a), dtype=torch.float64).clone().requires_grad_(grad)


def conv_output_size(n, k, stride=1, padding=0):
    return torch.tensor((n + 2 * padding - k) // stride + 1)


def conv_output_shape(h, w, c_in, k, n_filters, stride=1, padding=0):
    out = F.conv2d(torch.zeros(1, c_in, h, w), torch.zeros(n_filters, c_in, k, k), stride=stride,
                   padding=padding)
    return (out.shape[2], out.shape[3], out.shape[1])


def conv_param_count(k, c_in, n_filters, bias=True):
    layer = nn.Conv2d(c_in, n_filters, k, bias=bias)
    return torch.tensor(sum(p.numel() for p in layer.parameters()))


def mlp_param_count(sizes):
    net = nn.Sequential(*[nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
    return torch.tensor(sum(p.numel() for p in net.parameters()))


def conv2d(x, w, b=None, stride=1, padding=0):
    return F.conv2d(T(x), T(w), None if b is None else T(b), stride=stride, padding=padding)


def conv2d_backward(dout, x, w, b=None, stride=1, padding=0):
    x, w = T(x, True), T(w, True)
    bt = None if b is None else T(b, True)
    F.conv2d(x, w, bt, stride=stride, padding=padding).backward(T(dout))
    return x.grad, w.grad, None if bt is None else bt.grad


def avg_pool2d(x, size=2, stride=2):
    return F.avg_pool2d(T(x), size, stride)


def max_pool2d(x, size=2, stride=2):
    return F.max_pool2d(T(x), size, stride)


def max_pool2d_backward(dout, x, size=2, stride=2):
    x = T(x, True)
    F.max_pool2d(x, size, stride).backward(T(dout))
    return x.grad


def avg_pool2d_backward(dout, x, size=2, stride=2):
    x = T(x, True)
    F.avg_pool2d(x, size, stride).backward(T(dout))
    return x.grad
