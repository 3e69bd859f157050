"""What a submission is: a folder of module files, one ``.py`` file, or notebooks. Decided in
the trusted process from the file system (links are never followed), before any student code
runs; the sandbox gets the list of files to copy in, or the notebook's code cells as text
(read by ``notebook.py``).
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field

from ..sandbox.protocol import SubmissionFiles, printable, whole_text

MAX_FILES = 200
MAX_BYTES = 8 * 2**20
MAX_NAME_BYTES = 32 * 2**10     # of all the files' relative paths as the jail's request carries them
                                # (JSON: up to 6 bytes a byte of a name), so that it stays small
MAX_DEPTH = 16                  # levels of folders read below the submission's own; deeper: refused
MAX_ENTRIES = 20_000            # files and folders listed in all (a folder of 10**6 files, a tree
                                # a thousand deep once cost the grader its stack); more: refused


class SubmissionError(Exception):
    """The path cannot be graded at all (it does not exist, holds nothing gradable, or more than
    is read); its message names the path, made whole (``codec.whole_text``: it is the
    student's file name, which every writer of the refusal takes)."""

    def __init__(self, message: str):
        super().__init__(whole_text(message))


@dataclass
class Submission:
    """The trusted description of what a student handed in."""

    path: str
    kind: str                               # "folder", "file" or "notebook"
    files: list[str] = field(default_factory=list)        # relative paths copied into the jail
    modules: frozenset[str] | None = None   # module files present; None: one namespace serves all
    cells: list[dict] | None = None         # notebook code cells {"label", "code"}
    notes: list[str] = field(default_factory=list)        # what the report should say about it
    notebooks: tuple[str, ...] = ()         # the notebooks' file names, as the report names them

    def has_module(self, name: str) -> bool:
        return self.modules is None or name in self.modules

    def module_file(self, name: str) -> str:
        return f"{name}.py" if self.kind == "folder" else os.path.basename(self.path)

    def sandbox_spec(self) -> SubmissionFiles:
        """What the jail needs: where to copy from, what, and how to load it."""
        root = self.path if os.path.isdir(self.path) else os.path.dirname(self.path)
        # of a notebook, the number of cells only: each cell's code and label go with its own
        # request, never through the zygote (whose freed memory every later sandbox inherits;
        # and a packet's size is bounded: protocol.MAX_REQUEST_BYTES)
        return SubmissionFiles(root, tuple(self.files), MAX_BYTES,
                               os.path.basename(self.path) if self.kind == "file" else None,
                               None if self.cells is None else len(self.cells))


def _python_files(folder: str) -> list[str]:
    """Regular ``.py`` files under ``folder`` (relative paths; each folder's files in name
    order, then its folders'), never through a link, as many as the limits above allow; raises
    SubmissionError for a folder nested deeper than MAX_DEPTH or holding more than MAX_ENTRIES
    files and folders in all (hidden folders and ``__pycache__`` are not read): read without
    recursion, and never past those counts."""
    found, total, names, listed = [], 0, 0, 0
    stack = [""]                                    # folders still to read, relative to ``folder``
    while stack:
        here = stack.pop()
        try:
            with os.scandir(os.path.join(folder, here)) as listing:
                entries = []
                for entry in listing:
                    listed += 1
                    if listed > MAX_ENTRIES:
                        raise SubmissionError(f"{folder} holds over {MAX_ENTRIES:,} files and folders: "
                                              "not read (hand in the module files without the rest)")
                    entries.append(entry)
        except OSError:
            continue                                # a folder it cannot list: as if empty
        folders = []
        for entry in sorted(entries, key=lambda e: e.name):
            rel = os.path.join(here, entry.name)
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith(".") and entry.name != "__pycache__":
                    folders.append(rel)
                continue
            if not entry.name.endswith(".py") or not entry.is_file(follow_symlinks=False):
                continue
            total += entry.stat(follow_symlinks=False).st_size
            names += len(json.dumps(rel)) + 2
            if len(found) >= MAX_FILES or total > MAX_BYTES or names > MAX_NAME_BYTES:
                return found
            found.append(rel)
        if folders and (here.count(os.sep) + 1 if here else 0) + 1 > MAX_DEPTH:
            raise SubmissionError(f"{folder} holds folders nested more than {MAX_DEPTH} deep "
                                  f"({os.path.join(here, '')[:200]}...): not read (hand in the module "
                                  "files without them)")
        stack.extend(reversed(folders))
    return found


def open_submission(path: str) -> Submission:
    """Classifies ``path``; raises SubmissionError when there is nothing to grade."""
    path = os.path.abspath(path)
    if not os.path.lexists(path):
        raise SubmissionError(f"{path} does not exist")
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        raise SubmissionError(f"{path} is a link; give the folder or file itself")
    if stat.S_ISDIR(st.st_mode):
        files = _python_files(path)
        notebooks = sorted(n for n in os.listdir(path) if n.endswith(".ipynb")
                           and stat.S_ISREG(os.lstat(os.path.join(path, n)).st_mode))
        if notebooks:
            return notebook_submission(path, [os.path.join(path, n) for n in notebooks], files)
        top = frozenset(f[:-3] for f in files if "/" not in f)
        return Submission(path, "folder", files, top)
    if path.endswith(".ipynb") and stat.S_ISREG(st.st_mode):
        return notebook_submission(os.path.dirname(path), [path], [])
    if path.endswith(".py") and stat.S_ISREG(st.st_mode):
        return Submission(path, "file", [os.path.basename(path)])
    raise SubmissionError(f"{path} is neither a folder, a .py file nor a .ipynb notebook")


def notebook_submission(folder: str, notebooks: list[str], py_files: list[str]) -> Submission:
    """One namespace from every notebook's cells (in file-name order); module files beside
    them are copied in too and serve the functions the notebooks do not define."""
    from .notebook import read_notebooks    # nbformat (and numpy) only when a notebook is graded
    cells, notes, unreadable = read_notebooks(notebooks)
    if len(unreadable) == len(notebooks) and not py_files:
        raise SubmissionError("; ".join(unreadable))       # nothing at all can be read
    return Submission(folder if os.path.isdir(folder) else os.path.dirname(folder), "notebook",
                      list(py_files), None, cells, unreadable + notes,
                      tuple(printable(os.path.basename(n)[:100]) for n in notebooks))
