"""The options of the project's pytest run, loaded early (``-p autograder.front.pytest_plugin`` in
pyproject.toml) so that pytest knows ``--submission`` takes a value before it looks for test
paths: declared in a conftest.py, ``--submission DIR`` would make pytest treat DIR as a test
path and load DIR/conftest.py, the student's code, in the grader's process."""

from ..options import GradingOptions
from ..paths import answer_dir


def pytest_addoption(parser):
    group = parser.getgroup("autograder")
    group.addoption("--submission", default=answer_dir("reference"),
                    help="the submission that graders/ grade (default: reference/)")
    group.addoption("--seed", type=int, default=GradingOptions().seed, help="seed of the random instances")
