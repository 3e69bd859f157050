"""Grade a submission: ``python grade.py SUBMISSION [--json results.json] [--seed N]``."""

import os
import sys

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")          # one thread per process: the workers fill the cores

from autograder.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
