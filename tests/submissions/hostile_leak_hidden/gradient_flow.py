"""Raises every argument it has seen (leak.py), in every call."""

from leak import leak


def chain_gradient(local_grads):
    leak("chain_gradient", local_grads)


def residual_gradient(upstream, local_grads):
    leak("residual_gradient", upstream, local_grads)


def plain_depth_gradient(n_layers, local=0.5, upstream=0.5):
    leak("plain_depth_gradient", n_layers, local, upstream)


def residual_blocks_gradient(n_layers, local=0.5, upstream=0.5):
    leak("residual_blocks_gradient", n_layers, local, upstream)
