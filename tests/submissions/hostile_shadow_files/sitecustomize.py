"""Would run at interpreter start."""
open("/tmp/pwned-sitecustomize", "w").close()
