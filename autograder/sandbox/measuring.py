"""The trusted side's measuring process: a sandbox of no submission, jailed like a student's
(the data it measures came from one), where no student code is ever loaded. A network a
student's function returned crosses as data (the ``network`` probe); a measurement
(``probes.MEASURES``) rebuilds it here from the allow-list and measures it, so nothing the
student's process did to itself (patched functions, a forged registry) reaches the result.

One per Session (a submission; its hidden cases get a fresh one), started at its first
measurement. A measurement is a function of its data alone (it seeds what it draws), so its
value is remembered in this process by a digest of the data: a batch measures each distinct
network once. A reply is never handed to ``autograder/engine/memo.py`` (its ``key`` is None): its
message carries the whole network, and the memo keeps messages.
"""

from __future__ import annotations

import shutil
import tempfile
from typing import Callable

from .. import codec
from .client import Reply, Sandbox
from .protocol import SubmissionFiles

MAX_REMEMBERED = 512          # measurements remembered by a grading process (each a few KB)
_remembered: dict[bytes, object] = {}


class Measurer:
    """Measurements of one submission's data, in a sandbox that never loads its code; ``start``
    makes that sandbox (a Sandbox of no files, under the submission's own limits)."""

    def __init__(self, start: Callable[[SubmissionFiles], Sandbox]):
        self.start = start
        self.sandbox: Sandbox | None = None
        self.folder: str | None = None       # its empty working folder (read only without a jail)

    def reply(self, message: dict, timeout: float) -> Reply:
        """The reply to a "measure" message (``engine/calls.py``'s ``measure_message``), or
        StudentError."""
        key = codec.digest(codec.body({k: message[k] for k in ("probe", "args", "kwargs")}))
        if key not in _remembered:
            got = self._sandbox().reply(message, timeout)
            got.value                                   # malformed: StudentError, not remembered
            if len(_remembered) >= MAX_REMEMBERED:
                return Reply(got.raw, None)
            _remembered[key] = got.raw
        return Reply(_remembered[key], None)

    def _sandbox(self) -> Sandbox:
        if self.sandbox is None:
            self.folder = tempfile.mkdtemp(prefix="autograder-measure-")
            self.sandbox = self.start(SubmissionFiles(self.folder, (), 0))
        return self.sandbox

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
