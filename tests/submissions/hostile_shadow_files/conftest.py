"""If pytest ever loaded this in the grader's process, every test would pass."""

import pytest

open("/tmp/pwned-conftest", "w").close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None
