"""Shadows socket, if anything imported it from here."""
open("/tmp/pwned-shadow-socket", "w").close()
raise ImportError("shadowed socket")
