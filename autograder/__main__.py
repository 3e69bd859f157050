"""``python -m autograder SUBMISSION [options]`` and the ``dl-autograder`` command: the same
as ``python grade.py`` in a checkout, for an installed grader."""

import atexit
import os
import sys
from typing import NoReturn

from .sandbox.process import limit_threads


def run() -> NoReturn:
    """Grades as the command line asks, then ends the process (``leave``); a failure of the
    command line (an exception, argparse's exit) propagates as usual."""
    limit_threads()             # before numpy: one thread per process, the workers fill the cores
    from .front.cli import main
    leave(main())


def leave(code: int) -> NoReturn:
    """Ends the process with ``code`` once its output is flushed and its exit handlers have run
    (the zygote's among them: it is waited for), without the interpreter's teardown of numpy,
    sympy and the graders, which costs time and frees nothing the exit needs, as the zygote
    ends without tearing torch down."""
    atexit._run_exitfuncs()     # noqa: SLF001 - what a normal exit runs first
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):      # a closed pipe: what it would have read is lost anyway
            pass
    os._exit(code)


if __name__ == "__main__":
    sys.exit(run())
