"""Leaves at import: raise SystemExit, as sys.exit(3) does."""

import sys

sys.exit(3)


def chain_gradient(local_grads):
    return 5e-6
