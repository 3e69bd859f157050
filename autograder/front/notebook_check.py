"""``autograder.check("module")`` (or ``check()`` for every module) in a Jupyter kernel.

It grades the code of the cells this kernel has run so far, in order (IPython's raw input
history, the calling cell included), exactly as ``grade.py`` grades a notebook: the code runs
in the sandbox, never here. The kernel only collects that code and sends it, as JSON, to a
grading process (``check_server.py``) started on the first check and kept for the
kernel's lifetime, so later checks find the graders loaded and the zygote warm. What comes back
is JSON too, never a pickle. This module imports no grader, no reference and no engine: the
answers never enter the student's kernel.

In the grader's notebook reader, the lines ``import autograder`` and ``autograder.check(...)``
(also ``x = autograder.check(...)``) are the checker's and are skipped silently, so a check
cell costs nothing when the notebook is handed in. Keep such a call on one line.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass

from ..paths import PACKAGES_HOME

_BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); "
         "from autograder.front.check_server import main; main(int(sys.argv[2]))")
REPLY_WAIT = 600.0        # seconds: the engine bounds a submission's calls (its budget) well below


@dataclass(frozen=True)
class CaseCheck:
    """One case's result, as plain data."""

    id: str
    module: str
    item: str
    label: str
    score: float
    max_score: float
    output: str

    @property
    def passed(self) -> bool:
        return self.score == self.max_score


class CheckResult:
    """What a check found: ``score``, ``max_score``, ``results`` (a :class:`CaseCheck` per case)
    and ``notes``; shown as an HTML table in Jupyter and as text elsewhere."""

    def __init__(self, data: dict):
        self.score = float(data["score"])
        self.max_score = float(data["max_score"])
        self.results = [CaseCheck(**{k: r[k] for k in CaseCheck.__dataclass_fields__}) for r in data["results"]]
        self.notes = list(data["notes"])
        self.text = str(data["text"])
        self._html = str(data["html"])

    def _repr_html_(self) -> str:
        return self._html

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


class CheckError(RuntimeError):
    """The check could not be made (unknown module, no sandbox here, the grader stopped)."""


class GradingProcess:
    """The kernel's grading subprocess and its JSON-lines pipe."""

    def __init__(self):
        # its own session: an interrupt of the kernel (SIGINT to its process group) leaves it be
        self.proc = subprocess.Popen([sys.executable, "-I", "-c", _BOOT, PACKAGES_HOME, str(os.getpid())],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd="/",
                                     start_new_session=True)
        self.next_id = 0

    def alive(self) -> bool:
        return self.proc.poll() is None

    def ask(self, request: dict) -> dict:
        self.next_id += 1
        self.proc.stdin.write((json.dumps({**request, "id": self.next_id}) + "\n").encode())
        self.proc.stdin.flush()
        deadline = time.monotonic() + REPLY_WAIT
        while not select.select([self.proc.stdout], [], [], max(0.0, deadline - time.monotonic()))[0]:
            if time.monotonic() >= deadline:
                raise CheckError(f"the grading process did not answer within {REPLY_WAIT:g} s")
        line = self.proc.stdout.readline()
        if not line:
            raise CheckError("the grading process stopped; the next check starts a new one")
        reply = json.loads(line)
        if reply.get("id") != self.next_id:
            raise CheckError("the grading process answered out of turn")
        return reply

    def stop(self) -> None:
        """Ends it now, mid-check too (SIGTERM lets it close its sandbox and zygote)."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


_process: GradingProcess | None = None


def _grading_process() -> GradingProcess:
    global _process
    if _process is None or not _process.alive():
        _process = GradingProcess()
    return _process


def executed_cells() -> list[str]:
    """The raw code of every cell this kernel has run, in order, the running one included."""
    try:
        from IPython import get_ipython
    except ImportError:
        get_ipython = lambda: None  # noqa: E731
    shell = get_ipython()
    if shell is None:
        raise CheckError("autograder.check() works in Jupyter or IPython, on the cells they ran; "
                         "elsewhere grade the file: python grade.py homework.ipynb")
    return [str(cell) for cell in shell.history_manager.input_hist_raw[1:]]


def check(module: str | None = None, *, unsandboxed: bool = False) -> CheckResult:
    """Grades ``module`` (every module when None) on the cells this kernel has run so far."""
    global _process
    request = {"cells": executed_cells(), "modules": [module] if module else None,
               "width": shutil.get_terminal_size((100, 24)).columns, "unsandboxed": unsandboxed}
    process = _grading_process()
    try:
        reply = process.ask(request)
    except BaseException:                 # an interrupt or a broken pipe: the next check restarts it
        process.stop()
        _process = None
        raise
    if not reply.get("ok"):
        raise CheckError(reply.get("error") or "the check failed")
    return CheckResult(reply["result"])
