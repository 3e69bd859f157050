"""Values built to fool a comparison or the code that reads them."""

import os


class Liar(float):
    """A float equal to everything, that prints as the right answer."""

    def __eq__(self, other):
        return True

    __le__ = __ge__ = __eq__

    def __ne__(self, other):
        return False

    __lt__ = __gt__ = __ne__
    __hash__ = float.__hash__

    def __repr__(self):
        return "5e-06"

    __str__ = __repr__


class Trap:
    """Every way of reading it runs code or raises."""

    def __reduce__(self):
        return (os.system, ("touch ${AUTOGRADER_TEST_MARKERS:-/nonexistent}/pwned-reduce",))

    def __array__(self, *args, **kwargs):
        raise RuntimeError("__array__ trap")

    def __float__(self):
        raise RuntimeError("__float__ trap")

    def __index__(self):
        raise RuntimeError("__index__ trap")

    def __len__(self):
        raise RuntimeError("__len__ trap")

    def __iter__(self):
        raise RuntimeError("__iter__ trap")


def chain_gradient(local_grads):
    if len(local_grads) == 3:
        return Liar(42.0)
    return 10**5000                                  # an int of 5001 digits


def residual_gradient(upstream, local_grads):
    return Trap()


def plain_depth_gradient(n_layers, local=0.5, upstream=0.5):
    return float("nan") if n_layers <= 6 and local == 0.5 else float("inf")


def residual_blocks_gradient(n_layers, local=0.5, upstream=0.5):
    deep = []
    for _ in range(100_000):
        deep = [deep]
    return deep
