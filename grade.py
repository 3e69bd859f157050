"""Grade a submission: ``python grade.py SUBMISSION [--json results.json] [--seed N]``."""

import sys

from autograder.cli import main

if __name__ == "__main__":
    sys.exit(main())
