"""autograder/checks.py: the comparisons' messages, and the one place a named mistake goes."""

import numpy as np
import pytest

from autograder import checks
from autograder.checks import Mismatch


def _message(check, *args, **kwargs) -> str:
    with pytest.raises(Mismatch) as info:
        check(*args, **kwargs)
    return str(info.value)


def test_a_named_mistake_closes_the_difference_before_the_values():
    x = np.array([1.0, 2.0, 3.0])
    msg = _message(checks.expect_array, 2 * x + 1, x, name="y",
                   mistakes={"doubled": 2 * x, "doubled, plus one": 2 * x + 1})
    assert msg.startswith("y at index [0]: expected 1.0, got 3.0, relative error 2 (3 of 3 entries "
                          "differ): doubled, plus one; expected [1., 2., 3.] (shape (3,)), got [")


def test_the_first_matching_mistake_replaces_the_checks_own_guess():
    x = np.array([1.0, -2.0])
    assert ": the sign is flipped; expected" in _message(checks.expect_array, -x, x)
    msg = _message(checks.expect_array, -x, x, mistakes={"descent went uphill": -x, "second": -x})
    assert ": descent went uphill; expected" in msg and "flipped" not in msg and "second" not in msg
    assert "uphill" not in _message(checks.expect_array, x + 1, x, mistakes={"descent went uphill": -x})


def test_mistakes_are_recognised_at_the_checks_tolerance():
    assert _message(checks.expect_close, 1.0004, 2.0, rtol=1e-3, mistakes={"half": 1.0}) == \
        "result: expected 2.0, got 1.0004, relative error 0.5: half"
    assert "half" not in _message(checks.expect_close, 1.0004, 2.0, mistakes={"half": 1.0})


def test_shape_count_and_length_mistakes():
    assert _message(checks.expect_shape, np.zeros(3), (3, 1), name="db") == \
        "db: shape (3,), expected (3, 1): an extra or missing axis of size 1 (a (n,) answer is not (n, 1))"
    assert _message(checks.expect_array, np.zeros(3), np.ones((3, 1)), name="db",
                    mistakes={"summed over the rows": np.zeros(3)}) == \
        "db: shape (3,), expected (3, 1): summed over the rows"
    assert _message(checks.expect_int, 5, 4, name="n") == "n: expected 4, got 5: off by one"
    assert _message(checks.expect_int, 5, 4, name="n", mistakes={"the bias counted": 5}) == \
        "n: expected 4, got 5: the bias counted"
    assert _message(checks.expect_sequence, (1, 2), 3, name="(a, b, c)",
                    mistakes={"c is missing": (1.0, 2.0)}) == \
        "(a, b, c): expected 3 values, got 2: c is missing; you returned (1, 2)"


def test_fail_ends_a_graders_own_comparison_the_same_way():
    with pytest.raises(Mismatch, match="^sums to 2, not 1: normalized twice$"):
        checks.fail("sums to 2, not 1", [2.0], {"normalized once": [1.0], "normalized twice": [2.0]})
    with pytest.raises(Mismatch, match=r"^x: shape \(2,\): did you transpose\?; you returned \[1, 2\]$"):
        checks.fail("x: shape (2,)", hint="did you transpose?", values="you returned [1, 2]")


def test_matches_reads_tuples_entry_by_entry_and_refuses_what_it_cannot_read():
    assert checks.matches((np.ones(2), np.zeros((2, 2))), [[1.0, 1.0], np.zeros((2, 2))])
    assert not checks.matches((np.ones(2),), (np.ones(2), np.ones(2)))
    assert not checks.matches({"a": 1.0}, 1.0)
    assert not checks.matches([1.0, 2.0], np.array([1.0, 2.1]))
