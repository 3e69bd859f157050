"""Concepts: letters in other containers."""

import numpy as np


def mcq_answers():
    return {"q1": np.array(["A"]), "q2": np.str_("B"), "q3": "A ", "q4": "D", "q9": "A", "q10": "A"}


# ---------------------------------------------------------------- rewritten in another form (these definitions win)
def mcq_answers():
    return {"q1": ("A",), "q2": np.str_("B"), "q3": "A", "q4": "D", "q9": "A", "q10": "A"}
