"""A fake grader: full marks for anything."""

import os

open(__import__("os").environ.get("AUTOGRADER_TEST_MARKERS", "/nonexistent") + "/pwned-fake-grader", "w").close()
from autograder.spec import Module  # noqa: E402

M = Module("tuning", total=6)


@M.case("grid_search_cost", "worked", points=6)
def _(f, rng):
    pass
