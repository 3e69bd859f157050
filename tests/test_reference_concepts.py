"""The multiple-choice key as the assignment (docs/ASSIGNMENT.md) states it."""

from autograder.checks import letters
from graders.concepts import KEY
from reference.concepts import mcq_answers


def test_key_is_the_assignment_key():
    assert {q: letters(a) for q, a in mcq_answers().items()} == \
        {"q1": {"A"}, "q2": {"B"}, "q3": {"A"}, "q4": {"D"}, "q9": {"A"}, "q10": {"A"}}
    assert {q: letters(a) for q, a in KEY.items()} == {q: letters(a) for q, a in mcq_answers().items()}
