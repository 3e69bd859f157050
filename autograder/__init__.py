"""The grading engine: declarations of graded items, a sandbox for student code, and reports."""
