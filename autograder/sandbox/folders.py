"""The zygote's two folders in the temporary directory, and the sweep of those whose zygote was
killed outright (SIGKILL: its own cleanup never ran).

``autograder-sandboxes-<suffix>`` (the scratch folder: container sandboxes' homes) and
``autograder-root-<suffix>`` (an empty mount point where a namespace jail builds its root).
The scratch folder is made under a temporary name, locked (``flock``, held by the zygote's open
descriptor, so it ends with the zygote however it dies), marked, then renamed: under its final
name it is locked while its zygote lives. A sweep removes the pair of a marked folder whose
lock it can take (with what else that zygote left: its cgroups, ``cgroups.py``); a folder
without the mark (another version's) is never touched.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from typing import Callable

SCRATCH, MOUNTPOINT = "autograder-sandboxes-", "autograder-root-"
MARK = ".locked-by-its-zygote"

_held: list[int] = []              # the lock's descriptor, open for the zygote's life


def suffix(scratch: str) -> str:
    """What names a zygote's folders and groups: the end of its scratch folder's name."""
    return os.path.basename(scratch)[len(SCRATCH):]


def make() -> tuple[str, str]:
    """This zygote's mount point (0755) and scratch folder (0711: its uid folders are reached
    by name only), the scratch folder locked for as long as this process lives."""
    tmp = tempfile.gettempdir()
    while True:
        new = tempfile.mkdtemp(prefix=".autograder-new-", dir=tmp)
        held = os.open(new, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(held, fcntl.LOCK_EX)
        open(os.path.join(new, MARK), "x").close()
        suffix = os.path.basename(new).rsplit("-", 1)[1]
        mountpoint, scratch = os.path.join(tmp, MOUNTPOINT + suffix), os.path.join(tmp, SCRATCH + suffix)
        try:
            os.mkdir(mountpoint)
        except FileExistsError:           # another's: a fresh suffix
            os.close(held)
            shutil.rmtree(new, ignore_errors=True)
            continue
        os.chmod(mountpoint, 0o755)
        os.chmod(new, 0o711)
        os.rename(new, scratch)
        _held.append(held)
        return mountpoint, scratch


def sweep(also: Callable[[str], bool] | None = None) -> None:
    """Removes the folders of this user's zygotes that died without removing them; ``also``,
    given such a zygote's suffix, removes what else it left and says whether all of it is
    gone (if not, the folders stay, and the next sweep tries again)."""
    tmp = tempfile.gettempdir()
    for name in os.listdir(tmp):
        if not name.startswith(SCRATCH):
            continue
        scratch = os.path.join(tmp, name)
        try:
            fd = os.open(scratch, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            if os.fstat(fd).st_uid != os.geteuid() or not os.path.exists(os.path.join(scratch, MARK)):
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:       # its zygote lives
                continue
            if also is not None and not also(suffix(scratch)):
                continue
            shutil.rmtree(scratch, ignore_errors=True)
            try:
                os.rmdir(os.path.join(tmp, MOUNTPOINT + name[len(SCRATCH):]))
            except OSError:
                pass
        finally:
            os.close(fd)
