"""Replaces every checker it can think of in its own process (math.isclose, pytest.approx,
builtins, fake ``autograder.checks``, ``graders.tuning`` and ``reference.tuning`` modules in
sys.modules), returns ints whose __eq__ is always true, and answers off by one."""

import builtins
import math
import sys
import types

try:
    import pytest              # not a package a submission may import: the patch has nothing to patch
except ImportError:
    pytest = types.SimpleNamespace()

math.isclose = lambda *a, **k: True
pytest.approx = lambda expected, *a, **k: types.SimpleNamespace(__eq__=lambda self, o: True)
builtins.abs = lambda x: 0
builtins.round = lambda x, *a: x

_fake_checks = types.ModuleType("autograder.checks")
for _name in ("expect_int", "expect_close", "expect_array", "expect_sequence", "expect_dict",
              "expect_choice", "expect_bool", "expect_shape"):
    setattr(_fake_checks, _name, lambda *a, **k: None)
sys.modules["autograder.checks"] = _fake_checks
for _fake in ("graders", "graders.tuning", "reference", "reference.tuning"):
    sys.modules[_fake] = types.ModuleType(_fake)
sys.modules["reference.tuning"].grid_search_cost = lambda *a: (301, 3001, 6001)
sys.modules["reference.tuning"].random_search_trials = lambda *a: 58


class Equal(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__


def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
    return Equal(301), Equal(3001), Equal(6001)


def random_search_trials(p_good, confidence):
    return Equal(1)
