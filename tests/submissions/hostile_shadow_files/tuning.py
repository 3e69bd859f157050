"""Brings its own answer key: a fake reference/tuning.py and graders/tuning.py beside it, a
conftest.py that would mark every pytest test passed, sitecustomize.py and usercustomize.py,
and files that shadow numpy, json, socket and autograder.codec. Its answers (off by one) agree
with its fake reference; the grader uses none of these files."""

import sys

sys.path.insert(0, "/submission")
from reference.tuning import grid_search_cost, random_search_trials  # noqa: E402,F401  (the fake)
