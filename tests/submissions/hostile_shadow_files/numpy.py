"""Shadows numpy, if anything imported it from here."""
open("/tmp/pwned-shadow-numpy", "w").close()
raise ImportError("shadowed numpy")
