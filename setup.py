"""Which packages pip installs (the rest of the build is pyproject.toml's): ``autograder`` and
its subpackages, and the course's answers, ``graders/`` and ``reference/``, inside it as
``autograder.answers.graders`` and ``autograder.answers.reference``, so that nothing with
those generic names lands at the top of site-packages (``autograder/paths.py`` finds them)."""

from setuptools import find_packages, setup

ANSWERS = {f"autograder.answers.{name}": name for name in ("graders", "reference")}

setup(packages=find_packages(include=["autograder", "autograder.*"]) + sorted(ANSWERS), package_dir=ANSWERS)
