"""Crashes its own process four ways: a null-pointer read through ctypes, abort(), SIGKILL to
itself, and a recursion through C calls that overflows the C stack."""

import ctypes
import os
import signal
import sys


def chain_gradient(local_grads):
    return ctypes.c_long.from_address(8).value     # reads the null page: SIGSEGV


def residual_gradient(upstream, local_grads):
    os.abort()                                     # SIGABRT


def plain_depth_gradient(n_layers, local=0.5, upstream=0.5):
    os.kill(os.getpid(), signal.SIGKILL)


def _deeper(n):
    return list(map(_deeper, [n + 1]))             # every level goes through C (map, list)


def residual_blocks_gradient(n_layers, local=0.5, upstream=0.5):
    sys.setrecursionlimit(10**8)
    return _deeper(0)                              # overflows the C stack: SIGSEGV
