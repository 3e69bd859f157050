"""Hangs inside C code, where no Python signal handler or exception can reach: a regular
expression with catastrophic backtracking (the re engine holds the GIL and never checks for
signals). The other functions are right."""

import math
import re


def chain_gradient(local_grads):
    re.fullmatch(r"(a|aa)+b", "a" * 200)
    return math.prod(local_grads)


def residual_gradient(upstream, local_grads):
    return upstream * (math.prod(local_grads) + 1)


def plain_depth_gradient(n_layers, local=0.5, upstream=0.5):
    return upstream * local ** n_layers


def residual_blocks_gradient(n_layers, local=0.5, upstream=0.5):
    return upstream * (1 + local ** 2) ** (n_layers // 2)
