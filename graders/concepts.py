"""Grader for concepts (Assignment 3 §1), 6 points: one per question."""

from autograder import checks
from autograder.spec import Module

M = Module("concepts", total=6, source="Assignment 3 §1",
           manual=("Committees of networks: why does averaging several networks help?",))

KEY = {"q1": {"A"}, "q2": "B", "q3": "A", "q4": "D", "q9": "A", "q10": "A"}
MANY = {"q1"}                      # check all that apply


def _question(q):
    def check(f, rng):
        answers = checks.expect_dict(f(), [q])
        checks.expect_choice(answers[q], KEY[q], name=q, many=q in MANY)
    return check


for _q in KEY:
    M.case("mcq_answers", _q, points=1)(_question(_q))
