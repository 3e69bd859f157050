"""Environments shared by the tests that need more than this checkout's .venv: built once per
run, in a folder any user may enter, removed at the end."""

import os
import shutil
import tempfile

import pytest

from tests.environments import make_venv, requirements, world_python


@pytest.fixture(scope="session")
def env_base():
    folder = tempfile.mkdtemp(prefix="autograder-test-envs-")
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def anyone_python(env_base):
    """A venv any user can run, with the grader's requirements and not the grader itself."""
    base = world_python()
    if base is None:
        pytest.fail("no interpreter that any user may run (a system python3 with venv, such as "
                    "Debian's python3-venv): needed to grade as an ordinary user and in a container")
    return make_venv(os.path.join(env_base, "anyone"), base, requirements())
