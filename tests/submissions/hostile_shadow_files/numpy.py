"""Shadows numpy, if anything imported it from here."""
open(__import__("os").environ.get("AUTOGRADER_TEST_MARKERS", "/nonexistent") + "/pwned-shadow-numpy", "w").close()
raise ImportError("shadowed numpy")
