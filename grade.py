"""Grade a submission: ``python grade.py SUBMISSION [--json results.json] [--seed N]``."""

import gc
import sys

from autograder.threads import limit_threads

limit_threads()                 # before numpy: one thread per process, the workers fill the cores

from autograder.cli import main  # noqa: E402

if __name__ == "__main__":
    code = main()
    gc.freeze()                 # the interpreter's teardown then skips collecting all it loaded
    sys.exit(code)
