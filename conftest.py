"""Options of the project's pytest run: which submission the graders grade, and the seed."""

import os

collect_ignore = ["student_template", "reference", "tests/submissions", "examples"]


def pytest_addoption(parser):
    group = parser.getgroup("autograder")
    group.addoption("--submission", default=os.path.join(os.path.dirname(__file__), "reference"),
                    help="the submission that graders/ grade (default: reference/)")
    group.addoption("--seed", type=int, default=0, help="seed of the random instances")
