"""What works on a whole class: the gradebooks for the instructor and for an LMS
(``gradebook.py``), the item analysis (``analysis.py``) and the summary that shows it
(``summary.py``), the similarity report (``similarity.py``), and a class graded in shards on
many machines and merged (``shards.py``, ``merge.py``).

A class is a list of rows, one a student, as ``rows.py`` builds them from each student's
Report (or, for a student graded before a batch was interrupted, from their results.json):
``student``, ``status``, ``total`` (None without a score),
``max_score``, ``items`` ({item: [earned, possible]}), ``cases`` ({case id: [score, points]}),
``mistakes`` ({case id: the named mistake}) and ``seconds``; with a roster, ``roster`` (the
:class:`~autograder.course.gradebook.Student`, or None for a submission the roster lacks).
"""

from __future__ import annotations

GRADED = "graded"
NOT_GRADED = "not graded"                  # a fault of the grader or the machine: grade again
UNREADABLE = "unreadable submission"       # nothing gradable: the student's to fix, a 0
NO_SUBMISSION = "no submission"            # a student of the roster with nothing in the class folder
STATUSES = (GRADED, NOT_GRADED, UNREADABLE, NO_SUBMISSION)
DEFAULT_ASSIGNMENT = "dl-autograder"       # the grade column's name in the LMS files (--assignment)


def kind(row: dict) -> str:
    """The row's status without its reason: one of STATUSES."""
    return next(s for s in STATUSES if row["status"].startswith(s))


def graded(rows: list[dict]) -> list[dict]:
    """The rows of the students who have a score: statistics are over these only."""
    return [r for r in rows if r["status"] == GRADED]
