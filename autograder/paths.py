"""Where the grader's parts lie, computed in one place: the folder holding its packages (a
checkout, or site-packages after ``pip install``), each package's folder, and the checkout
when the grader runs from one."""

from __future__ import annotations

import importlib.util
import os
import sys

PACKAGES_HOME = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # holds autograder/
ANSWER_PACKAGES = ("reference", "graders")     # what a student must never read


def within(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or lies below it (both absolute)."""
    return os.path.commonpath([path, folder]) == folder


def package_dir(name: str) -> str | None:
    """The folder of top-level package ``name`` as this interpreter would import it (without
    importing it), or None."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or ()) if spec else []
    return os.path.realpath(locations[0]) if locations else None


def checkout() -> str | None:
    """The project's checkout (where grade.py, setup.sh and tests/ lie), or None for an
    installed package."""
    here = PACKAGES_HOME
    return here if os.path.isfile(os.path.join(here, "grade.py")) and \
        os.path.isfile(os.path.join(here, "pyproject.toml")) else None


def answer_dirs() -> tuple[str, ...]:
    """The folders of the answer packages this grader uses, and of any others on its import
    path (another checkout that a .pth file or an editable install put there)."""
    found = [d for d in map(package_dir, ANSWER_PACKAGES) if d]
    for entry in sys.path:
        for name in ANSWER_PACKAGES:
            folder = os.path.join(entry or os.getcwd(), name)
            if os.path.isfile(os.path.join(folder, "__init__.py")):
                found.append(os.path.realpath(folder))
    return tuple(dict.fromkeys(found))


def secret_dirs() -> tuple[str, ...]:
    """What no student may read: the answer folders, and the whole checkout when the grader
    runs from one (its history and its test corpus hold answers too)."""
    return answer_dirs() + ((checkout(),) if checkout() else ())
