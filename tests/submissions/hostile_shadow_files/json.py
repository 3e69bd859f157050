"""Shadows json, if anything imported it from here."""
open("/tmp/pwned-shadow-json", "w").close()
raise ImportError("shadowed json")
