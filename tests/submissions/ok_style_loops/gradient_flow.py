"""Gradient flow with plain loops."""


def chain_gradient(local_grads):
    out = 1.0
    for g in local_grads:
        out *= g
    return out


def residual_gradient(upstream, local_grads):
    return upstream * (chain_gradient(local_grads) + 1)


def plain_depth_gradient(n_layers, local=0.5, upstream=0.5):
    out = upstream
    for _ in range(n_layers):
        out *= local
    return out


def residual_blocks_gradient(n_layers, local=0.5, upstream=0.5):
    out = upstream
    for _ in range(n_layers // 2):
        out *= 1 + local * local
    return out
