"""One submission's sandbox as the grading loop uses it: its lifetime (one process at a time,
restarted after any death), the notebook-cell policy, which modules the live process has
imported, the time limits (``options.load_timeout`` for a notebook cell or a module's import,
``options.timeout`` for a call, the budget over all), and the words a failure is reported in.
The sandbox comes from a factory (``open_sandbox`` by default), so these policies can be driven
by a fake one (``tests/test_session.py``).
"""

from __future__ import annotations

import time
from typing import Callable

from ..options import GradingOptions
from ..sandbox.client import Replies, Reply, Sandbox
from ..sandbox.measuring import Measurer
from ..sandbox.protocol import CELL_ERROR_CHARS, StudentError, SubmissionFiles, shown
from ..submission import Submission
from ..submission.notebook import MAX_PARSED, defined_names

SandboxFactory = Callable[[SubmissionFiles, GradingOptions], Sandbox]


def open_sandbox(files: SubmissionFiles, options: GradingOptions) -> Sandbox:
    """A jailed sandbox of ``files``, under ``options``'s limits and guarded folders; its
    processes start at its first request."""
    return Sandbox(files, options.limits, unsandboxed=options.unsandboxed, guarded=options.guarded)


class Session:
    """One submission's sandbox, with what the grader has learned about it so far: which
    modules fail to import, which functions timed out, which notebook cells hang. ``send`` is
    what a case's calls go through (``calls.CaseCalls``)."""

    def __init__(self, submission: Submission, options: GradingOptions = GradingOptions(), *,
                 progress: Callable[[str], None] | None = None, sandboxes: SandboxFactory = open_sandbox):
        self.submission = submission
        self.options = options
        self.progress = progress                       # told which notebook cell runs
        self.sandboxes = sandboxes
        self.deadline = time.monotonic() + options.budget
        self.sandbox = sandboxes(submission.sandbox_spec(), options)
        self.measurer = Measurer(lambda files: sandboxes(files, options))
        self.broken_modules: dict[str, str] = {}      # module -> why it cannot be used
        self.timed_out: set[str] = set()               # "module.function"
        self.notes: list[str] = []                     # cell errors and the like, for the report
        self.bad_cells: set[int] = set()               # notebook cells that hang or kill the process
        self.cell_trouble: dict[int, str] = {}         # cell -> what became of it (left out, raised)
        self.beside_failed: dict[str, str] = {}        # a notebook's module file that failed to load
        self.cell_names: dict[int, frozenset[str]] = {}    # what a troubled cell defines (ast)
        self.parse_left = MAX_PARSED                   # characters of cells that may still be parsed
        self.cells_generation = -1                     # which sandbox process ran the cells
        self.loaded: set[str] = set()                  # modules imported by the live process
        self.loaded_generation = -1

    def successor(self) -> "Session":
        """A session of the same submission in a fresh sandbox (new processes, a new private
        tmp, a new uid), under the same options and time budget and knowing what this one
        learned: for the hidden cases, which no visible case's feedback comes after."""
        later = Session(self.submission, self.options, progress=self.progress, sandboxes=self.sandboxes)
        later.deadline = self.deadline
        later.broken_modules, later.timed_out = dict(self.broken_modules), set(self.timed_out)
        later.bad_cells, later.cell_trouble = set(self.bad_cells), dict(self.cell_trouble)
        later.beside_failed = dict(self.beside_failed)
        return later

    def close(self) -> None:
        self.sandbox.close()
        self.measurer.close()

    def restart(self) -> None:
        """The next request goes to a fresh sandbox (a new process, a new uid, a new tmp); what
        the grader learned of the student's code (broken modules, timeouts) stays."""
        self.sandbox.close()

    def _limit(self, timeout: float) -> float:
        """Seconds a request may take now: ``timeout`` (a call's or loading's), or what is left
        of the budget."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise StudentError("budget", f"not run: the submission used up its {self.options.budget:g} s "
                                         "time budget")
        return min(timeout, left)

    def _run_cells(self) -> None:
        """Runs a notebook's cells in a fresh process, each within the loading limit, leaving out
        those that hang or crash it (each is tried once); a cell that raises is reported and the
        next cells still run."""
        while not self.sandbox.alive or self.cells_generation != self.sandbox.generation:
            # a fresh process: its namespace, then each cell in turn
            self.sandbox.reply({"op": "load", "module": "notebook"}, self._limit(self.options.load_timeout))
            self.loaded, self.loaded_generation = set(), self.sandbox.generation
            for i, cell in enumerate(self.submission.cells):
                if i in self.bad_cells:
                    continue
                if self.progress:
                    self.progress(f"running {cell['label']} ({i + 1} of {len(self.submission.cells)} code cells)")
                try:
                    error = self.sandbox.reply({"op": "cell", "code": cell["code"], "label": cell["label"]},
                                               self._limit(self.options.load_timeout)).value
                except StudentError as exc:
                    if exc.kind == "budget":
                        raise
                    self.bad_cells.add(i)
                    self.cell_trouble[i] = f"was left out: {exc.message}"
                    self.notes.append(f"{cell['label']}: {exc.message}; left out of every later run")
                    break
                error = shown(str(error), CELL_ERROR_CHARS) if error else None
                if error:
                    self.cell_trouble.setdefault(i, "stopped with an error before it was defined: "
                                                 + error.removeprefix(f"{cell['label']}: "))
                if error and error not in self.notes:
                    self.notes.append(error)
            else:
                self.cells_generation = self.sandbox.generation

    def _load_beside(self, module: str) -> None:
        """A notebook's module file ``module.py``, which serves the functions its cells do not
        define, imported within the loading limit (once a process); a failure is remembered,
        not raised: the cells may define every function it would have."""
        if f"{module}.py" not in self.submission.files or module in self.beside_failed \
                or (self.loaded_generation == self.sandbox.generation and module in self.loaded):
            return
        try:
            self.sandbox.reply({"op": "load", "module": module, "beside": True},
                               self._limit(self.options.load_timeout))
            self.loaded.add(module)
        except StudentError as exc:
            if exc.kind == "budget":
                raise
            self.beside_failed[module] = self._import_failure(f"{module}.py", exc) or exc.message

    def _import_failure(self, filename: str, exc: StudentError) -> str | None:
        """Why importing ``filename`` failed, in the report's words (None: not an import's)."""
        return {"timeout": f"importing {filename} took longer than {self.options.load_timeout:g} s, "
                           "the limit for loading a module",
                "crash": f"importing {filename}: {exc.message}",
                "import": f"{filename} failed to import: {exc.message}"}.get(exc.kind)

    def _ensure_loaded(self, module: str) -> None:
        if self.submission.kind == "notebook":
            self._run_cells()
            self._load_beside(module)
            return
        if module in self.broken_modules:
            raise StudentError("import", self.broken_modules[module])
        if self.sandbox.alive and self.loaded_generation == self.sandbox.generation \
                and module in self.loaded:
            return
        if not self.submission.has_module(module):
            raise StudentError("missing_module", f"{module}.py is not in the submission")
        filename = self.submission.module_file(module)
        try:
            self.sandbox.reply({"op": "load", "module": module}, self._limit(self.options.load_timeout))
        except StudentError as exc:
            why = self._import_failure(filename, exc)
            if why is None:
                raise
            self.broken_modules[module] = why
            raise StudentError("import", why) from None
        if self.loaded_generation != self.sandbox.generation:
            self.loaded, self.loaded_generation = set(), self.sandbox.generation
        self.loaded.add(module)

    def send(self, message: dict, timeout: float | None = None) -> Reply | Replies:
        """A ``call_message`` to the student's process (``timeout``: the case's own limit, else
        the session's): its reply, or StudentError. A ``calls_message``: its Replies (a failed
        call's error among them; raised only when none of its calls could be made)."""
        module, function = message["module"], message["function"]
        key = f"{module}.{function}"
        if key in self.timed_out:
            raise StudentError("skipped", f"not run: {function} timed out in an earlier case")
        if message["op"] == "measure":
            return self._measure(message, timeout or self.options.timeout)
        self._ensure_loaded(module)
        timeout = timeout or self.options.timeout
        if message["op"] == "calls":
            replies = self.sandbox.replies(message, len(message["calls"]), lambda: self._limit(timeout))
            if replies.error is not None:
                replies.error = self._explained(replies.error, module, function)
            return replies
        try:
            return self.sandbox.reply(message, self._limit(timeout))
        except StudentError as exc:
            raise self._explained(exc, module, function) from None

    def _measure(self, message: dict, timeout: float) -> Reply:
        """A measurement's reply, from the measuring process (``sandbox/measuring.py``); its
        failure is the student's network's (too slow, too big), said so."""
        try:
            return self.measurer.reply(message, self._limit(timeout))
        except StudentError as exc:
            if exc.kind == "budget":
                raise
            exc = self._explained(exc, message["module"], message["function"])
            raise StudentError(exc.kind, f"measuring the network it returned: {exc.message}") from None

    def _explained(self, exc: StudentError, module: str, function: str) -> StudentError:
        """``exc``, a call's failure, in the report's words (a timeout is remembered)."""
        if exc.kind == "timeout":
            self.timed_out.add(f"{module}.{function}")
            if module in self.beside_failed:
                return StudentError("timeout", f"{exc.message}: {self.beside_failed[module]}")
        if exc.kind == "missing":
            return StudentError("missing", self._missing(module, function))
        if exc.kind == "not_implemented":
            return StudentError("not_implemented", f"not implemented ({function} raised "
                                                   f"NotImplementedError)")
        return exc

    def _missing(self, module: str, function: str) -> str:
        """That ``function`` is not defined, naming where it was looked for; of a notebook, the
        cell that defines it when that cell was left out or stopped with an error."""
        sub = self.submission
        if sub.kind != "notebook":
            return f"{sub.module_file(module)} defines no function {function}"
        names = sub.notebooks or ("the notebook",)
        text = f"{names[0]} defines" if len(names) == 1 else f"the notebooks {', '.join(names)} define"
        text += f" no function {function}"
        if f"{module}.py" in sub.files:
            text += f", nor does {module}.py beside {'it' if len(names) == 1 else 'them'}"
            if module in self.beside_failed:
                text += f" ({self.beside_failed[module]})"
        for i, why in sorted(self.cell_trouble.items()):
            if function in self._defines(i):
                return f"{text}: {sub.cells[i]['label']}, where it is defined, {why}"
        return text

    def _defines(self, cell: int) -> frozenset[str]:
        """The names notebook cell ``cell`` defines, parsed once, while ``parse_left`` lasts (a
        notebook of thousands of failing cells costs no more than a few of them)."""
        if cell not in self.cell_names:
            code = self.submission.cells[cell]["code"]
            parsed = len(code) <= self.parse_left
            self.cell_names[cell] = defined_names(code) if parsed else frozenset()
            self.parse_left -= len(code) if parsed else 0
        return self.cell_names[cell]
