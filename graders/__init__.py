"""One grader module per assignment module; each defines ``M = autograder.spec.Module(...)``."""
