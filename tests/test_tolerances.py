"""The tolerances the contract states are the ones the graders use: every case, graded on the
reference's own functions, compares numbers only at the tolerances the contract shows for it
(its declaration, else its label's default; symbolic answers at the symbolic checker's), and a
declared tolerance is one the case really uses."""

import numpy as np
import pytest

from autograder import catalog, checks
from autograder.engine.calls import StudentFunction
from autograder.engine.rehearsal import ReferenceCalls
from autograder.make import contract
from autograder.symbolic import SYMBOLIC
from autograder.tolerance import DEFAULT, HAND, Tolerance

CASES = catalog.cases()


def _used(case, seed=0) -> set:
    calls = ReferenceCalls(every_probe=True)
    with checks.noting_tolerances() as used:
        case.check(StudentFunction(calls.send, case.module, case.function, case.timeout), case.rng(seed))
    return used


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_every_comparison_is_at_a_tolerance_the_contract_shows(case):
    used = _used(case)
    stated = set(case.tolerances) | {SYMBOLIC}
    assert used <= stated, f"{case.id} compares at {sorted(map(str, used - stated))}, " \
                           f"the contract states {sorted(map(str, case.tolerances))}"
    unused = set(case.tolerance) - used
    assert not unused, f"{case.id} declares {sorted(map(str, unused))} but never compares at it"


def test_the_contract_shows_every_declared_tolerance_and_the_defaults():
    text = contract.generate()
    assert f"`rtol={checks.RTOL:g}, atol={checks.ATOL:g}`".replace("e-0", "e-") in text
    for case in CASES:
        for tolerance in case.tolerance:
            assert str(tolerance) in text, f"{case.id}: {tolerance} is not in docs/ASSIGNMENT.md"
    assert f"`rtol={HAND.rtol:.0e}`".replace("e-03", "e-3") in text


def test_a_case_comparing_at_an_undeclared_tolerance_is_caught():
    """What the test above saw of relu[zeros] as it was: atol=0 where the contract says 1e-9
    (a float32 relu, whose relu(1e-300) is 0, lost its points)."""
    with checks.noting_tolerances() as used, pytest.raises(checks.Mismatch):
        checks.expect_array([0.0], [1e-300], atol=0.0)
    assert used == {Tolerance(checks.RTOL, 0.0)} and not used <= {DEFAULT, SYMBOLIC}
    checks.expect_array(np.float32([1e-300]), [1e-300])
