"""Leaves from inside calls: sys.exit with a fake score, os._exit(1), KeyboardInterrupt,
GeneratorExit; the one function that answers after all that still earns its points."""

import math
import os
import sys


def chain_gradient(local_grads):
    sys.exit("10/10 tests passed")


def residual_gradient(upstream, local_grads):
    os._exit(1)


def plain_depth_gradient(n_layers, local=0.5, upstream=0.5):
    raise KeyboardInterrupt


def residual_blocks_gradient(n_layers, local=0.5, upstream=0.5):
    try:
        raise GeneratorExit
    finally:
        return upstream * (1 + local ** 2) ** (n_layers // 2)
