"""If pytest ever loaded this in the grader's process, every test would pass."""

import pytest

open(__import__("os").environ.get("AUTOGRADER_TEST_MARKERS", "/nonexistent") + "/pwned-conftest", "w").close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None
