"""Process hygiene shared by the forked helpers of the trusted side and the jail."""

import os


def close_all_but(keep: set) -> None:
    """Closes every inherited descriptor above 2 but ``keep``: a forked child must not hold the
    zygote's socket (its EOF is how the zygote learns the grader is gone) or a sandbox's."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
