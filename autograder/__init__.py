"""The grading engine: declarations of graded items, a sandbox for student code, and reports.

``autograder.check("module")`` in a notebook grades the cells the kernel has run (see
``autograder/front/notebook_check.py``); it loads nothing of the grader into the kernel.
"""


def check(module: str | None = None, *, unsandboxed: bool = False):
    """Grades ``module`` (every module when None) on the cells this Jupyter kernel has run so
    far, in the same sandbox as ``grade.py``; returns the result, shown as a table."""
    from .front.notebook_check import check as run_check
    return run_check(module, unsandboxed=unsandboxed)
