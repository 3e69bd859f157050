"""Reference solutions: every graded function of the assignment, answered correctly."""
