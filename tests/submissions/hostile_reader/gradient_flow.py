"""Fools the reader, not the checker: error messages and values full of terminal escapes
(clear the screen, move the cursor), carriage returns and a right-to-left override, written
to make the report look as if every case passed."""

import math

FAKE_ROW = "  ok gradient_flow.chain_gradient      worked     1/1"
CLEAR = "\x1b[2J\x1b[H"


def chain_gradient(local_grads):
    raise ValueError(CLEAR + "\r" + FAKE_ROW + "\x1b[8m hidden")


def residual_gradient(upstream, local_grads):
    raise ValueError("\r" + " " * 80 + "\r" + "\u202etsap" + "\x9b2J")


def plain_depth_gradient(n_layers, local=0.5, upstream=0.5):
    return CLEAR + "0.25"


def residual_blocks_gradient(n_layers, local=0.5, upstream=0.5):
    return upstream * (1 + local ** 2) ** (n_layers // 2)
