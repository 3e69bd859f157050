"""Would run at interpreter start."""
open("/tmp/pwned-usercustomize", "w").close()
