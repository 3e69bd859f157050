"""Shadows json, if anything imported it from here."""
open(__import__("os").environ.get("AUTOGRADER_TEST_MARKERS", "/nonexistent") + "/pwned-shadow-json", "w").close()
raise ImportError("shadowed json")
