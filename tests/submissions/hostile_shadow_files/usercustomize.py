"""Would run at interpreter start."""
open(__import__("os").environ.get("AUTOGRADER_TEST_MARKERS", "/nonexistent") + "/pwned-usercustomize", "w").close()
