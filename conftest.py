"""Folders pytest must never collect (their options live in autograder/front/pytest_plugin.py), and a
marker folder of the run's own: hostile code in the corpus would leave ``pwned-*`` files in
``$AUTOGRADER_TEST_MARKERS`` if it ever ran in the grader's process (the sandbox's environment
never carries the variable), and tests/test_hostile.py checks that none appears."""

import os
import shutil
import tempfile

collect_ignore = ["student_template", "reference", "tests/submissions", "examples"]
MARKERS_VAR = "AUTOGRADER_TEST_MARKERS"


def pytest_configure(config):
    os.environ[MARKERS_VAR] = tempfile.mkdtemp(prefix="autograder-markers-")


def pytest_unconfigure(config):
    shutil.rmtree(os.environ.pop(MARKERS_VAR, ""), ignore_errors=True)
