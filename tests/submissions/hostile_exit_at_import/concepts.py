"""Leaves at import: KeyboardInterrupt, as if someone pressed Ctrl-C."""

raise KeyboardInterrupt("interrupted")


def mcq_answers():
    return {"q1": {"A"}, "q2": "B", "q3": "A", "q4": "D", "q9": "A", "q10": "A"}
