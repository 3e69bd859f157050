"""Where the grader's parts lie, computed in one place: the folder holding its packages (a
checkout, or site-packages after ``pip install``), each package's folder, and the checkout
when the grader runs from one.

The course's answers, ``graders`` and ``reference``, are top-level folders of a checkout; pip
installs them inside the grader's own package, as ``autograder/answers/graders`` and
``autograder/answers/reference`` (``setup.py``), so that nothing with those generic names lands
at the top of site-packages. Their import names stay ``graders`` and ``reference`` in the
grading process: ``answers_importable`` puts the folder holding them first on its path (the
catalog does, before it loads a grader). The zygote, the jail and the notebook kernel never
import them, and never get that folder on their path."""

from __future__ import annotations

import importlib.util
import os
import sys

PACKAGES_HOME = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # holds autograder/
ANSWER_PACKAGES = ("reference", "graders")     # what a student must never read
INSTALLED_ANSWERS = os.path.join("autograder", "answers")   # where pip puts them, below PACKAGES_HOME


def answers_home() -> str:
    """The folder holding ``graders/`` and ``reference/``: ``autograder/answers`` of an
    installed grader, else the checkout."""
    installed = os.path.join(PACKAGES_HOME, INSTALLED_ANSWERS)
    return installed if os.path.isdir(installed) else PACKAGES_HOME


def answer_dir(name: str) -> str:
    """The folder of answer package ``name`` (``"reference"`` or ``"graders"``) this grader uses."""
    return os.path.join(answers_home(), name)


def answers_importable() -> None:
    """``import graders`` and ``import reference`` find this grader's own, first: an installed
    grader's ``autograder/answers`` goes to the front of the path (a checkout's answers lie
    beside ``autograder/``, on the path already)."""
    home = answers_home()
    if home != PACKAGES_HOME and (not sys.path or sys.path[0] != home):
        sys.path.insert(0, home)


def answer_folders(entry: str, packages_only: bool = True) -> list[str]:
    """The answer packages a folder of the import path holds, in either layout (a checkout's
    ``entry/reference``, an installed grader's ``entry/autograder/answers/reference``); with
    ``packages_only`` False, any folder of those names."""
    return [folder for name in ANSWER_PACKAGES
            for folder in (os.path.join(entry, name), os.path.join(entry, INSTALLED_ANSWERS, name))
            if os.path.isfile(os.path.join(folder, "__init__.py"))
            or (not packages_only and os.path.isdir(folder))]


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
    found = [os.path.realpath(answer_dir(n)) for n in ANSWER_PACKAGES if os.path.isdir(answer_dir(n))]
    found += [d for d in map(package_dir, ANSWER_PACKAGES) if d]
    for entry in sys.path:
        found += [os.path.realpath(folder) for folder in answer_folders(entry or os.getcwd())]
    return tuple(dict.fromkeys(found))


def secret_dirs() -> tuple[str, ...]:
    """What no student may read: the answer folders, and the whole checkout when the grader
    runs from one (its history and its test corpus hold answers too)."""
    return answer_dirs() + ((checkout(),) if checkout() else ())


def grader_files():
    """``(name, path)`` of the grader's packages, tests left out, in a checkout's layout
    (``graders/``, ``reference/`` beside ``autograder/``) wherever this grader lies: what a
    bundle ships, and what a shard's code digest covers."""
    homes = [("autograder", os.path.join(PACKAGES_HOME, "autograder"))] + \
        [(name, answer_dir(name)) for name in ANSWER_PACKAGES]
    for package, home in homes:
        for dirpath, dirnames, filenames in os.walk(home):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__"
                                 and os.path.join(dirpath, d) != os.path.join(PACKAGES_HOME, INSTALLED_ANSWERS))
            for name in sorted(filenames):
                if name.endswith(".py") and not name.startswith("test_"):
                    full = os.path.join(dirpath, name)
                    yield os.path.join(package, os.path.relpath(full, home)), full
