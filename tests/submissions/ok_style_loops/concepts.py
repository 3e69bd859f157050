"""Concepts."""


def mcq_answers():
    return {"q1": "A", "q2": "B", "q3": "A", "q4": "D", "q9": "A", "q10": "A"}
