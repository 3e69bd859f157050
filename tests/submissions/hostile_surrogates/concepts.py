"""Concepts (Assignment 3 §1): the multiple-choice questions."""


def mcq_answers():
    """Answers to Assignment 3 §1, questions q1, q2, q3, q4, q9 and q10.

    Returns a dict {"q1": ..., "q2": ..., "q3": ..., "q4": ..., "q9": ..., "q10": ...}.
    q1 is "check all that apply": give a letter, a string of letters, a list or a set.
    The others take one uppercase letter, such as "B".
    """
    return {"q1": {"A"}, "q2": "\ud800", "q3": "A", "q4": "D", "q9": "A", "q10": "A", "\udfff": "A"}
