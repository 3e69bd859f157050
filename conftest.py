"""Folders pytest must never collect (their options live in autograder/pytest_plugin.py)."""

collect_ignore = ["student_template", "reference", "tests/submissions", "examples"]
