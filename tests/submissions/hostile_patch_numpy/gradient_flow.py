"""Patches numpy's comparisons so that everything looks equal, then answers wrong.

The patches live in the student's own process; the grader compares in its own, so
chain_gradient, residual_gradient and residual_blocks_gradient score 0; plain_depth_gradient
is right and keeps its points."""

import math

import numpy
import numpy.testing


def _yes(*args, **kwargs):
    return True


def _none(*args, **kwargs):
    return None


numpy.allclose = numpy.isclose = numpy.array_equal = numpy.array_equiv = _yes
numpy.testing.assert_allclose = numpy.testing.assert_array_equal = _none
numpy.testing.assert_almost_equal = numpy.testing.assert_array_almost_equal = _none
for _name in ("__eq__", "__ne__"):
    try:
        setattr(numpy.ndarray, _name, _yes)          # a C type: refused, like any builtin type
    except TypeError:
        pass


class AlwaysEqual(numpy.ndarray):
    def __eq__(self, other):
        return True

    __ne__ = __lt__ = __le__ = __gt__ = __ge__ = lambda self, other: False


def chain_gradient(local_grads):
    return 42.0


def residual_gradient(upstream, local_grads):
    return numpy.float64(-1.0)


def plain_depth_gradient(n_layers, local=0.5, upstream=0.5):
    return upstream * local ** n_layers


def residual_blocks_gradient(n_layers, local=0.5, upstream=0.5):
    return numpy.zeros(1).view(AlwaysEqual).reshape(())      # 0-d, equal to everything here
