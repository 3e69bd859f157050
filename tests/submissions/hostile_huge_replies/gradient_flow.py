"""Replies built to cost the grader memory and time to decode: each is cheap for the student's
process to make and over what the grader reads of a reply."""

import numpy as np


def chain_gradient(local_grads):
    # 300,000 one-element lists (2.4 MB of JSON; the 4 million of a 16 MB reply once cost the
    # grading process 830 MB and 5 s to decode)
    return [[0.0]] * 300_000


def residual_gradient(upstream, local_grads):
    return "0" * 2_000_000                       # a string of 2 million characters


def plain_depth_gradient(n_layers, local=0.5, upstream=0.5):
    return np.zeros(5_000_000, dtype=bool)       # 5 MB as bools, 40 MB as the floats it is read as


def residual_blocks_gradient(n_layers, local=0.5, upstream=0.5):
    return {i: 0.5 for i in range(200_000)}      # a dict of 200,000 entries
