"""A fake codec."""
open(__import__("os").environ.get("AUTOGRADER_TEST_MARKERS", "/nonexistent") + "/pwned-fake-codec", "w").close()

def encode(obj, depth=0):
    return obj
