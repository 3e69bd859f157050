# Homework template: fill in every function that raises NotImplementedError.
# Keep the names, arguments and return shapes: the grader calls them as they are.
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
    raise NotImplementedError


def conv_output_shape(h, w, c_in, k, n_filters, stride=1, padding=0):
    """Shape of a convolution layer's output for one image, in (height, width, channels) order.

    The image is h x w with c_in channels; the layer has n_filters square k x k filters.
    Returns a tuple of ints (h_out, w_out, n_filters).
    Example: conv_output_shape(32, 32, 3, 5, 16) == (28, 28, 16).
    """
    raise NotImplementedError


def conv_param_count(k, c_in, n_filters, bias=True):
    """Number of trainable parameters of a convolution layer with n_filters k x k filters over
    c_in input channels, with one bias per filter when bias is True. Returns an int.
    Example: conv_param_count(5, 3, 16) == 1216.
    """
    raise NotImplementedError


def mlp_param_count(sizes):
    """Number of trainable parameters of a fully connected network.

    sizes: list of ints [input, hidden_1, ..., output]; each consecutive pair is a dense layer
    with a weight matrix and a bias vector. Returns an int.
    Example: mlp_param_count([20, 10, 1]) == 221.
    """
    raise NotImplementedError


def conv2d(x, w, b=None, stride=1, padding=0):
    """Forward pass of a 2-D convolution layer (cross-correlation, as torch.nn.functional.conv2d).

    x: (N, C, H, W) images; w: (F, C, kh, kw) filters; b: (F,) biases or None;
    stride: int step of the window; padding: int number of zero rows/columns on each side.
    Returns out (N, F, H', W') with H' = floor((H + 2*padding - kh) / stride) + 1 (W' likewise):
    out[n, f, i, j] = b[f] + sum over c, p, q of x_pad[n, c, i*stride + p, j*stride + q] * w[f, c, p, q].
    """
    raise NotImplementedError


def conv2d_backward(dout, x, w, b=None, stride=1, padding=0):
    """Backward pass of conv2d(x, w, b, stride, padding).

    dout: (N, F, H', W') gradient of the loss with respect to conv2d's output;
    x, w, b, stride, padding: conv2d's inputs.
    Returns (dx, dw, db): dx (N, C, H, W), dw (F, C, kh, kw), db (F,), or db None when b is None.
    """
    raise NotImplementedError


def avg_pool2d(x, size=2, stride=2):
    """Average pooling over size x size windows moved by stride (no padding).

    x: (N, C, H, W). Returns (N, C, H', W') with H' = floor((H - size) / stride) + 1; windows
    that do not fit inside the image are dropped, as in torch.nn.functional.avg_pool2d.
    """
    raise NotImplementedError


def max_pool2d(x, size=2, stride=2):
    """Max pooling over size x size windows moved by stride (no padding).

    x: (N, C, H, W). Returns (N, C, H', W') with H' = floor((H - size) / stride) + 1; windows
    that do not fit inside the image are dropped, as in torch.nn.functional.max_pool2d.
    """
    raise NotImplementedError


def max_pool2d_backward(dout, x, size=2, stride=2):
    """Backward pass of max_pool2d(x, size, stride).

    dout: (N, C, H', W') gradient with respect to max_pool2d's output; x: (N, C, H, W) its input.
    Returns dx (N, C, H, W): each window's upstream gradient goes to that window's maximum
    (the inputs have no ties); where windows overlap, the contributions add up.
    """
    raise NotImplementedError


def avg_pool2d_backward(dout, x, size=2, stride=2):
    """Backward pass of avg_pool2d(x, size, stride).

    dout: (N, C, H', W') gradient with respect to avg_pool2d's output; x: (N, C, H, W) its input.
    Returns dx (N, C, H, W): each window spreads its upstream gradient evenly, dout / size**2, over
    its entries; entries outside every window get 0.
    """
    raise NotImplementedError
