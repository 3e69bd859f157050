"""``python -m autograder SUBMISSION [options]`` and the ``dl-autograder`` command: the same
as ``python grade.py`` in a checkout, for an installed grader."""

import gc
import sys

from .threads import limit_threads


def run() -> int:
    limit_threads()             # before numpy: one thread per process, the workers fill the cores
    from .cli import main
    code = main()
    gc.freeze()                 # the interpreter's teardown then skips collecting all it loaded
    return code


if __name__ == "__main__":
    sys.exit(run())
