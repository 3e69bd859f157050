"""The Gradescope bundle in a real Docker engine (tools/docker_gradescope.py): an image built as
Gradescope builds it, then every submission in a fresh container with Docker's defaults and no
network. It runs where a Docker engine answers and says why it skipped where none does."""

import os
import shutil
import subprocess
import sys

import pytest

from tests.helpers import ROOT


def _engine() -> str | None:
    """Why no Docker engine can be used here, or None."""
    if os.geteuid() != 0:
        return "the Docker engine is root's"
    if shutil.which("docker") is None:
        return "no docker command (Debian's docker.io)"
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        return "no Docker engine answers (dockerd is not running)"
    if shutil.which("debootstrap") is None:
        return "no debootstrap to make the base image"
    return None


WHY_NOT = _engine()


@pytest.mark.timeout(3600)
@pytest.mark.skipif(WHY_NOT is not None, reason=f"skipped: {WHY_NOT}")
def test_the_bundle_grades_in_real_docker_containers():
    run = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "docker_gradescope.py")],
                         capture_output=True, text=True, timeout=3500)
    assert run.returncode == 0 and "all scores as expected" in run.stdout, run.stdout + run.stderr[-3000:]
