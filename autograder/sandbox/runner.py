"""The request loop inside the sandbox: load the submission's code, call its functions, send
back plain data. Runs in the student's process, so nothing here is trusted by the grader: the
grader validates every reply.

Requests (the grader's, pickled: ``autograder.codec.request``): ``{"id", "op": "load",
"module", "beside"}`` (with ``beside``, a notebook's module file of that name is imported too),
``{"id", "op": "cell", "code", "label"}`` (run one notebook cell),
``{"id", "op": "call", "module", "function", "args", "kwargs", "probe"}`` and
``{"id", "op": "calls", "module", "function", "calls": [[args, kwargs], ...]}`` (the function
called on each in turn, a reply sent as each returns, none after the first that fails) and
``{"id", "op": "measure", "probe", "args", "kwargs"}`` (a measurement of ``probes.MEASURES`` on
data, which the grader sends only to a sandbox of no submission: no student code is loaded).
Replies (JSON, framed by ``autograder.codec``): ``{"id", "ok": true, "value"}`` or
``{"id", "ok": false, "kind", "message"}`` where kind is one of ``import``, ``missing``,
``not_implemented``, ``raised``, ``unencodable``.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
import types

from .. import codec
from . import imports
from .probes import MEASURES, PROBES
from .protocol import DETAIL_CHARS, JailRequest, describe

SOURCE_MODULE = "submission"      # the one namespace of a single-file or notebook submission


class _Loader:
    """Imports module files from the working folder, or one shared namespace for all modules."""

    def __init__(self, request: JailRequest):
        self.single = request.submission.single     # file name, or None
        self.cells = request.submission.cells       # the number of notebook cells, or None
        self.modules: dict[str, types.ModuleType] = {}

    def load(self, name: str) -> types.ModuleType:
        """The module serving ``name``: its own file, or the one shared namespace."""
        key = SOURCE_MODULE if (self.single or self.cells is not None) else name
        if key in self.modules:
            return self.modules[key]
        if self.cells is not None:
            module = types.ModuleType(SOURCE_MODULE)
            module.display = imports.display          # as every Jupyter kernel has it
            sys.modules[SOURCE_MODULE] = module
        else:
            module = self._import(key, self.single or f"{name}.py")
        self.modules[key] = module
        return module

    def beside(self, name: str) -> types.ModuleType | None:
        """A notebook submission's module file ``name.py``, if it hands one in."""
        if self.cells is None or not os.path.isfile(f"{name}.py"):
            return None
        if name not in self.modules:
            self.modules[name] = self._import(name, f"{name}.py")
        return self.modules[name]

    @staticmethod
    def _import(key: str, filename: str) -> types.ModuleType:
        spec = importlib.util.spec_from_file_location(key, os.path.abspath(filename))
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
        return module

    def run_cell(self, code: str, label: str) -> str | None:
        """Runs ``code``, the notebook cell named ``label``, in the shared namespace; its error as
        text, or None."""
        namespace = self.load(SOURCE_MODULE).__dict__
        try:
            exec(compile(code, f"<{label}>", "exec"), namespace)
        except SyntaxError as exc:
            return f"{label}: {syntax_error(exc)}"
        except BaseException as exc:  # noqa: BLE001 - the student's cell, SystemExit included
            return f"{label}: {describe(exc)}"
        return None


SOURCE_SHOWN = 70          # characters of the line a syntax error quotes, "..." included: under
                           # the report's indent, it fits an 80-column terminal, carets aligned


def syntax_error(exc: SyntaxError) -> str:
    """``SyntaxError: msg (file, line N)`` and, under it, the line (indented; a longer one cut
    to SOURCE_SHOWN characters around the error) with carets under the error, as Python shows it."""
    where = f" ({os.path.basename(exc.filename or '')}, line {exc.lineno})"
    text = f"{type(exc).__name__}: {exc.msg}{where}"
    line = (exc.text or "").split("\n")[0].replace("\t", " ").rstrip()
    if not line.strip() or not exc.offset:
        return text
    indent = len(line) - len(line.lstrip())
    line = line.lstrip()
    start = max(0, min(exc.offset - 1 - indent, len(line)))
    same_line = exc.end_lineno == exc.lineno and exc.end_offset and exc.end_offset > exc.offset
    carets = exc.end_offset - exc.offset if same_line else 1
    room, cut = SOURCE_SHOWN - 6, 0
    if len(line) > SOURCE_SHOWN:
        cut = max(0, min(start - room // 2, len(line) - room))
        line = ("..." if cut else "") + line[cut:cut + room] + ("..." if cut + room < len(line) else "")
        start += 3 - cut if cut else 0
    carets = max(1, min(carets, len(line) + 1 - start))
    return f"{text}\n    {line}\n    {' ' * start}{'^' * carets}"


def _import_error(exc: BaseException) -> dict:
    """The reply to a module file that failed to import."""
    message = syntax_error(exc) if isinstance(exc, SyntaxError) else describe(exc)
    return {"ok": False, "kind": "import", "message": message}


def _function(loader: _Loader, req: dict):
    """The student's function that ``req`` names, or the error reply saying why there is none."""
    module_name = req["module"]
    try:
        module = loader.load(module_name)
        if req["op"] == "load" and req.get("beside"):
            loader.beside(module_name)
    except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt included
        return None, _import_error(exc)
    if req["op"] == "load":
        return None, {"ok": True, "value": None}
    fn = module.__dict__.get(req["function"])
    if not callable(fn):
        try:
            other = loader.beside(module_name)
        except BaseException as exc:  # noqa: BLE001
            return None, {"ok": False, "kind": "raised",
                          "message": f"importing {module_name}.py: {describe(exc)}"}
        fn = other.__dict__.get(req["function"]) if other else None
    if not callable(fn):
        return None, {"ok": False, "kind": "missing", "message": req["function"]}
    return fn, None


def _invoke(fn, probe: str | None, args, kwargs) -> dict:
    """The reply to one call of ``fn`` (through ``probe``) with ``args``, ``kwargs``."""
    try:
        value = PROBES[probe](fn, *args, **kwargs) if probe else fn(*args, **kwargs)
    except NotImplementedError as exc:
        return {"ok": False, "kind": "not_implemented", "message": describe(exc)}
    except BaseException as exc:  # noqa: BLE001
        return {"ok": False, "kind": "raised", "message": describe(exc)}
    try:
        return {"ok": True, "value": codec.encode(value)}
    except BaseException as exc:  # noqa: BLE001 - a hostile __float__ or __str__
        return {"ok": False, "kind": "unencodable", "message": describe(exc)}


def _replies(loader: _Loader, req: dict):
    """The replies to ``req``, in order: one, or for "calls" one a call up to the first failed."""
    if req["op"] == "cell":
        yield {"ok": True, "value": loader.run_cell(req["code"], req["label"])}
        return
    if req["op"] == "measure":
        measure = MEASURES.get(req["probe"])
        yield _invoke(measure, None, req["args"], req["kwargs"]) if measure else \
            {"ok": False, "kind": "raised", "message": f"no measurement {req['probe']!r}"}
        return
    fn, error = _function(loader, req)
    if fn is None:
        yield error
    elif req["op"] == "call":
        yield _invoke(fn, req.get("probe"), req["args"], req["kwargs"])
    else:
        for args, kwargs in req["calls"]:
            reply = _invoke(fn, None, args, kwargs)
            yield reply
            if not reply["ok"]:
                return


def serve(fd: int, request: JailRequest) -> None:
    """Answers requests on the socket ``fd`` until the grader closes it."""
    sys.dont_write_bytecode = True
    imports.install(SOURCE_MODULE)
    sock = socket.socket(fileno=fd)
    loader = _Loader(request)
    while True:
        try:
            req = codec.read_request(codec.recv_frame(sock))
        except EOFError:
            return
        for reply in _replies(loader, req):
            try:
                body = codec.dumps(reply, req["id"])
            except (ValueError, TypeError) as exc:
                reply = {"ok": False, "kind": "unencodable", "message": str(exc)[:DETAIL_CHARS]}
                body = codec.dumps(reply, req["id"])
            sock.sendall(body)
            if not reply["ok"]:
                break                     # the grader reads no reply after a failed one
