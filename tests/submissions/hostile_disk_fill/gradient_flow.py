"""Fills the disk: chain_gradient writes one 1 GB file (past the file-size limit); 
residual_gradient fills its /tmp with 8 MB files until the disk is full, writes to /dev/full,
then cleans up and answers right."""

import glob
import math
import os


def chain_gradient(local_grads):
    block = b"\0" * 2**20
    with open("/tmp/big", "wb") as f:
        for _ in range(1024):
            f.write(block)
    return math.prod(local_grads)


def residual_gradient(upstream, local_grads):
    block = b"\0" * (8 * 2**20)
    errors = set()
    for i in range(10_000):
        try:
            with open(f"/tmp/fill-{i}", "wb") as f:
                f.write(block)
        except OSError as exc:
            errors.add(exc.strerror)
            break
    for dev in ("/dev/full",):
        try:
            with open(dev, "wb") as f:
                f.write(block)
        except OSError as exc:
            errors.add(exc.strerror)
    for path in glob.glob("/tmp/fill-*"):
        os.remove(path)
    if errors != {"No space left on device"}:
        raise OSError(f"expected only ENOSPC, got {sorted(errors)}")
    return upstream * (math.prod(local_grads) + 1)


def plain_depth_gradient(n_layers, local=0.5, upstream=0.5):
    return upstream * local ** n_layers


def residual_blocks_gradient(n_layers, local=0.5, upstream=0.5):
    return upstream * (1 + local ** 2) ** (n_layers // 2)
