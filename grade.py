"""Grade a submission: ``python grade.py SUBMISSION [--json results.json] [--seed N]``."""

import sys

from autograder.__main__ import run

if __name__ == "__main__":
    sys.exit(run())
