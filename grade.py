"""Grade a submission: ``python grade.py SUBMISSION [--json results.json] [--seed N]``."""

import sys

from autograder.threads import limit_threads

limit_threads()                 # before numpy: one thread per process, the workers fill the cores

from autograder.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
