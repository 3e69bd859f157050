"""How the user ran the grader, so that what it prints can be pasted back: the program's name
for its messages (``grade.py``, ``dl-autograder``, ``python -m autograder``) and the command that
runs it again from the same folder (``.venv/bin/python grade.py``, ``dl-autograder``,
``python3 -m autograder``), read from ``sys.argv[0]`` and ``sys.executable``."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from dataclasses import dataclass
from typing import Callable

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))     # autograder/


@dataclass(frozen=True)
class Invocation:
    name: str          # what its messages and usage start with
    command: str       # a shell command that runs it again, from the folder it ran in


DEFAULT = Invocation("grade.py", "grade.py")        # a caller of cli.main that is no command line


def interpreter(executable: str, which: Callable[[str], str | None] = shutil.which) -> str:
    """The interpreter as a user would type it: ``python3`` or ``python`` when that name on the
    PATH is this very file (an activated venv), else its path (relative to the folder it ran in
    when it lies below it, as ``.venv/bin/python``)."""
    for name in ("python3", "python"):
        found = which(name)
        if found and os.path.abspath(found) == os.path.abspath(executable):
            return name
    return _path(executable)


def invocation(argv0: str, executable: str, which: Callable[[str], str | None] = shutil.which) -> Invocation:
    """How the program that ``argv0`` (``sys.argv[0]``) names was run: a script through the
    interpreter (``grade.py``), ``-m autograder`` (argv0 is the package's ``__main__.py``), or
    a console script (``dl-autograder``: its name alone when the PATH finds this very file)."""
    if os.path.basename(argv0) == "__main__.py" and os.path.dirname(os.path.abspath(argv0)) == PACKAGE:
        return Invocation("python -m autograder", f"{interpreter(executable, which)} -m autograder")
    name = os.path.basename(argv0)
    if name.endswith(".py"):
        return Invocation(name, f"{interpreter(executable, which)} {shlex.quote(argv0)}")
    found = which(name)
    if found and os.path.abspath(found) == os.path.abspath(argv0):
        return Invocation(name, shlex.quote(name))
    return Invocation(name, _path(argv0))


def _path(path: str) -> str:
    """``path`` to type in the folder this runs in: relative when it lies below it (``./``
    first where the shell would otherwise search the PATH), else absolute; quoted."""
    relative = os.path.relpath(path)
    if relative.startswith(".."):
        return shlex.quote(os.path.abspath(path))
    return shlex.quote(relative if os.sep in relative else f".{os.sep}{relative}")


def this_process() -> Invocation:
    return invocation(sys.argv[0], sys.executable)
