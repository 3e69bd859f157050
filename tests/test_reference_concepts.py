"""The multiple-choice key as the assignment (docs/ASSIGNMENT.md) states it."""

from autograder.checks import letters
from graders.concepts import KEY
from reference.concepts import mcq_answers


def test_key_is_the_assignment_key():
    assert {q: letters(a) for q, a in mcq_answers().items()} == \
        {"q1": {"A"}, "q2": {"B"}, "q3": {"A"}, "q4": {"D"}, "q9": {"A"}, "q10": {"A"}}
    assert {q: letters(a) for q, a in KEY.items()} == {q: letters(a) for q, a in mcq_answers().items()}


def test_every_graded_question_is_in_the_handout():
    """A student answers what they can read: each graded question's text and its four choices
    are in the docstring, which the template and the contract (docs/ASSIGNMENT.md) show."""
    import re
    parts = re.split(r"^ {4}(q\d+)\b", mcq_answers.__doc__, flags=re.M)
    questions = dict(zip(parts[1::2], parts[2::2]))
    assert sorted(questions) == sorted(KEY)
    for q, text in questions.items():
        assert all(re.search(rf"\b{letter}\. \S", text) for letter in "ABCD"), q
