"""Writing a report to disk: never half-written (a temporary name, then a rename), and the
report of one submission into disk space taken before grading starts.
"""

from __future__ import annotations

import os
import tempfile


RESERVED_BYTES = 2 * 2**20      # a full report is a few hundred KB


class ReservedFile:
    """Where a report will go, its disk space taken before grading starts: in a container the
    student and the grader share a disk, and a student who fills it must not keep the grader's
    own report from being written. ``write`` fills the reserved space, trims it to size and
    renames it into place; a report larger than the reservation is written as usual."""

    def __init__(self, path: str, size: int = RESERVED_BYTES):
        self.path = os.path.abspath(path)
        folder = os.path.dirname(self.path)
        os.makedirs(folder, exist_ok=True)
        self.fd, self.tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
        try:
            os.posix_fallocate(self.fd, 0, size)
        except OSError:
            pass                         # full already, or no fallocate here: written as usual

    def write(self, text: str) -> None:
        data = memoryview(text.encode())
        try:
            os.lseek(self.fd, 0, os.SEEK_SET)
            while data:
                data = data[os.write(self.fd, data):]
            os.ftruncate(self.fd, len(text.encode()))
            os.close(self.fd)
            self.fd = -1
            os.replace(self.tmp, self.path)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if os.path.exists(self.tmp):
            os.unlink(self.tmp)


def write_atomic(path: str, text: str | bytes) -> None:
    """``text`` (or bytes) in ``path``, whole or not at all: written beside it, then renamed."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, "wb" if isinstance(text, bytes) else "w") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
