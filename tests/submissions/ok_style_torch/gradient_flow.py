"""Gradient flow measured with autograd through real chains of scalar layers."""

import torch


def _grad(build, upstream):
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    (upstream * build(x)).backward()
    return x.grad


def chain_gradient(local_grads):
    def chain(x):
        for g in local_grads:
            x = g * x
        return x
    return _grad(chain, 1.0)


def residual_gradient(upstream, local_grads):
    return _grad(lambda x: x + chain_gradient(local_grads) * x, upstream)


def plain_depth_gradient(n_layers, local=0.5, upstream=0.5):
    return _grad(lambda x: local ** n_layers * x, upstream)


def residual_blocks_gradient(n_layers, local=0.5, upstream=0.5):
    def blocks(x):
        for _ in range(n_layers // 2):
            x = x + local * (local * x)
        return x
    return _grad(blocks, upstream)
