"""Every declared case as a pytest test against ``--submission`` (reference/ by default): a
failing test is a case the submission loses, with the grader's feedback as its message."""

import pytest

from autograder import catalog
from autograder.engine.grading import run_case
from autograder.engine.session import Session
from autograder.options import GradingOptions
from autograder.submission import open_submission

CASES = catalog.cases()


@pytest.fixture(scope="session")
def session(request):
    submission = open_submission(request.config.getoption("--submission"))
    s = Session(submission, GradingOptions(budget=10 * GradingOptions().budget))
    yield s
    s.close()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case, session, request):
    result = run_case(case, session, request.config.getoption("--seed"))
    assert result.passed, result.output
