"""What a submission's code may import, and what a notebook's code gets from its kernel. Runs
in the student's process (``runner.serve`` installs it before any student code runs).

- :data:`ALLOWED`: the third-party packages a submission may import, besides the standard
  library and its own files; the contract states them, and the grader installs them wherever
  it grades (its package dependencies). An import of anything else, installed or not, fails
  with one line that names it and the allowed ones, so a submission is graded the same on a
  laptop full of packages and on Gradescope. Only the student's own code is held to it (a
  frame of a file in the working folder, or of the notebook's namespace): numpy, torch or
  matplotlib import what they need. A policy, not a wall: the jail is the wall.
- :data:`REFUSED`: the grader's own package, which the student's process has loaded (its
  runner), so an import of it would find it in ``sys.modules`` without asking any finder: the
  student's ``import`` statements (and ``importlib.import_module``) are checked for it first.
- A stand-in for ``IPython.display`` (``display``, ``HTML``, ``Markdown``, ``clear_output``,
  ...) that runs nothing of IPython's: ``display(x)`` prints ``repr(x)``, as a kernel shows a
  value as text, and the rest do nothing. It is made only when something imports IPython
  (``import IPython`` finds an IPython without a shell: ``get_ipython()`` is None), so
  libraries that look for IPython in ``sys.modules`` (matplotlib) see plain Python until then.
  A notebook's namespace gets ``display`` as every Jupyter kernel gives it (``runner``).
"""

from __future__ import annotations

import builtins
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types

ALLOWED = ("numpy", "scipy", "torch", "sympy", "matplotlib", "mpmath")   # import names, as pip's
REFUSED = ("autograder",)        # loaded in the student's process, yet never the student's to import
_IMPORTLIB = os.path.dirname(importlib.__file__) + os.sep


def refusal(name: str, installed: bool = True) -> str:
    """The one line an import of ``name`` fails with; of a module found nowhere (``installed``
    False), it says where a module of the student's own must be."""
    top = name.partition(".")[0]
    allowed = ", ".join(ALLOWED)
    if top == "IPython":
        return (f"{name} is not available: notebook code runs as plain Python here; of IPython "
                f"only IPython.display (display, HTML, Markdown, ...) is provided")
    if top in REFUSED:
        return (f"{name} is the grader: a submission's code may not import it (a notebook's "
                "`import autograder` and `autograder.check(...)` are skipped when it is graded)")
    mine = "" if installed else ("; a module of your own is there only when handed in with the submission "
                                 "(a notebook graded alone brings no file beside it: grade its folder)")
    return (f"{top} is not one of the packages a submission may import: the standard library "
            f"and {allowed}{mine}")


def _students(frame, folder: str, student_module: str) -> bool:
    """Whether ``frame`` runs the student's code: a file of its ``folder``, or a cell run in
    the notebook's namespace."""
    name = frame.f_code.co_filename
    return name.startswith(folder + os.sep) or frame.f_globals.get("__name__") == student_module


class ImportPolicy:
    """A ``sys.meta_path`` finder that refuses the student's imports of packages outside
    :data:`ALLOWED` (its own files are its own), and finds IPython's display as the stand-in."""

    def __init__(self, student_module: str):
        self.student_module = student_module
        self.folder = os.getcwd()                   # the submission's, whatever it chdirs to

    def find_spec(self, fullname, path=None, target=None):
        if fullname in STAND_INS:
            return importlib.util.spec_from_loader(fullname, _StandIn(),
                                                   is_package=fullname in ("IPython", "IPython.core"))
        top = fullname.partition(".")[0]
        if top in ALLOWED or top in sys.stdlib_module_names:
            return None
        own = os.path.join(self.folder, top)
        if os.path.exists(own + ".py") or os.path.isdir(own):       # the submission's own module
            return None
        frame = _caller()
        if frame is None or not _students(frame, self.folder, self.student_module):
            return None                    # a library importing what it needs
        installed = importlib.machinery.PathFinder.find_spec(top) is not None
        raise ModuleNotFoundError(refusal(fullname, installed), name=fullname)


class _DisplayObject:
    """``HTML(...)``, ``Markdown(...)``, ``Image(...)`` and the like: they hold their
    arguments; shown, their text is their data."""

    def __init__(self, data=None, *args, **kwargs):
        self.data = data

    def __repr__(self):
        return repr(self.data) if isinstance(self.data, str) else f"<{type(self).__name__}>"


class _DisplayHandle:
    def display(self, *objs, **kwargs):
        display(*objs)

    update = display


def display(*objs, **kwargs):
    """What a kernel's ``display`` does, in text: each object's ``repr`` printed."""
    for obj in objs:
        try:
            print(repr(obj))
        except Exception:  # noqa: BLE001 - a kernel shows a failing repr, and goes on
            pass
    return _DisplayHandle() if kwargs.get("display_id") else None


def _nothing(*args, **kwargs):
    return None


def _display_attribute(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    if name[:1].isupper():
        return type(name, (_DisplayObject,), {})
    return display if name.startswith("display") else _nothing


class _StandIn(importlib.abc.Loader):
    """Builds ``IPython`` (no shell running: ``get_ipython()`` is None) and its display modules
    when something imports them, never the real package: a library that looks for IPython
    in ``sys.modules`` (matplotlib does) finds nothing until the student's code imports it."""

    def create_module(self, spec):
        module = types.ModuleType(spec.name, "A stand-in of the grader's for IPython: display only.")
        if spec.name in ("IPython", "IPython.core"):
            module.__path__ = []
        if spec.name == "IPython":
            module.get_ipython, module.version_info, module.__version__ = _nothing, (9, 0, 0, ""), "9.0.0"
        else:
            module.display, module.DisplayHandle, module.DisplayObject = display, _DisplayHandle, _DisplayObject
            module.__getattr__ = _display_attribute
        return module

    def exec_module(self, module):
        if module.__name__ == "IPython":
            module.display = importlib.import_module("IPython.display")


STAND_INS = ("IPython", "IPython.display", "IPython.core", "IPython.core.display",
             "IPython.core.display_functions")


def _caller():
    """The nearest calling frame that is neither importlib's machinery nor this policy's (its
    finder, its guarded ``__import__``): whose import it is."""
    frame = sys._getframe(1)
    while frame is not None and (frame.f_code.co_filename.startswith(("<frozen", _IMPORTLIB))
                                 or frame.f_code.co_filename == __file__):
        frame = frame.f_back
    return frame


def _guarded(policy: ImportPolicy, name: str, level: int) -> None:
    """Raises the refusal when the student's code imports :data:`REFUSED`."""
    if level == 0 and isinstance(name, str) and name.partition(".")[0] in REFUSED:
        frame = _caller()
        if frame is not None and _students(frame, policy.folder, policy.student_module):
            raise ModuleNotFoundError(refusal(name), name=name)


def install(student_module: str) -> None:
    """The policy (with the IPython stand-in) in this, the student's, process."""
    policy = ImportPolicy(student_module)
    sys.meta_path.insert(0, policy)
    plain_import, import_module = builtins.__import__, importlib.import_module

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        _guarded(policy, name, level)
        return plain_import(name, globals, locals, fromlist, level)

    def guarded_import_module(name, package=None):
        _guarded(policy, name, 0 if not str(name).startswith(".") else 1)
        return import_module(name, package)
    builtins.__import__, importlib.import_module = guarded_import, guarded_import_module
