"""Fingerprints of the graded functions of one submission, for comparing a class's code.

Read in the trusted process like the grader reads a submission (``open_submission``: module
files, one ``.py``, notebook cells through ``notebook.read_cells``) and parsed with ``ast``:
no student code ever runs here. Each graded function becomes a *unit*: its body (docstring
left out), followed by the student's own helper functions it calls, as a sequence of tokens,
one per node of the syntax tree in pre-order:

- a parameter or local variable is ``v``, a helper or global of the student's own ``h`` (a
  renamed variable or helper changes nothing); a library's name, an attribute, a keyword
  argument and the names the template declares (``np``, ``.sum``, ``axis``, ``z``) stay;
- a string is ``S`` (messages, einsum subscripts), a number its value (``1.`` and ``1.0`` alike);
- comments, docstrings, layout and parentheses are not in the tree at all.

A unit's fingerprints are the hashes of its runs of ``K`` tokens, winnowed as MOSS does
(Schleimer, Wilkerson and Aiken, SIGMOD 2003: of every ``W`` consecutive hashes the smallest,
so any run of ``K + W - 1`` tokens two units share gives both a common fingerprint), less the
fingerprints of the template's own body of that function; a body that is still the template's
stub is no unit.

Why not ``copydetect`` (MIT, on PyPI; it would pull pygments, jinja2, tqdm and matplotlib into
the grader): it compares whole files pairwise (500 students: 125,000 comparisons of every
file), where a course wants a function compared with the same function; its lexer turns every
name into ``V``, so ``np.exp(z)`` and ``np.tanh(z)`` are the same text, and the docstrings the
template hands everyone stay in as strings; a notebook's functions would first have to be cut
into files; and its hashes come from Python's ``hash`` of strings, salted per process, so two
runs (or two shards) winnow different fingerprints. The syntax tree gives the functions, the
docstrings and the scopes exactly; hashes of tuples of CRC-32s are the same in every process.

A shard of a class (``course/shards.py``) stores each student's units (``store``:
``OUT/<student>/fingerprints.json``), and the merge compares the whole class from those files
(``units`` of a :class:`Stored` path), the same units as from the submissions themselves.
"""

from __future__ import annotations

import ast
import json
import operator
import os
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

from ..report.files import write_atomic
from ..submission import MAX_BYTES, Submission, SubmissionError, open_submission
from ..submission.notebook import UnreadableNotebook

K = 10                # tokens a fingerprint covers: shorter runs in common are noise
W = 5                 # the winnowing window: any run of K + W - 1 = 14 tokens in common is seen
MAX_TOKENS = 5000     # of one unit; a longer one is fingerprinted on its first 5000 tokens
MAX_HELPERS = 10      # helper functions followed from one graded function
STUB = ("Raise", "n:NotImplementedError")
FINGERPRINTS = "fingerprints.json"     # a student's stored units, in their folder of a shard's OUT


@dataclass
class Unit:
    """One graded function of one student: ``text``, its lines as shown (docstring left out,
    the helpers it calls after it); ``hashes``, its fingerprints, each with the span of lines
    ``(first, last)`` (indices into ``text``) its tokens come from; ``keys``, each line's
    normalised tokens (lines that match whatever the names and comments)."""

    item: str
    text: list[str]
    hashes: dict[int, tuple[int, int]] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)


@dataclass
class _Namespace:
    """The top-level definitions one graded function can see: functions (the later winning,
    as in the interpreter) with the lines of the text they were parsed from, and every
    top-level name and the imported ones among them."""

    functions: dict[str, tuple[ast.FunctionDef, list[str]]] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)
    imported: set[str] = field(default_factory=set)
    _own: set[str] | None = None

    def own(self, template: "Template") -> set[str]:
        """The names the student defined at the top level: neither imported nor the template's."""
        if self._own is None:
            self._own = self.names - self.imported - template.names - template.graded
        return self._own

    def add(self, text: str) -> None:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return                         # what does not parse has no functions to compare
        lines = text.splitlines()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions[node.name] = (node, lines)
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self.imported |= {(a.asname or a.name).split(".")[0] for a in node.names}
            self.names |= _bound(node, top=True)


def _bound(node: ast.AST, top: bool = False) -> set[str]:
    """The names ``node`` binds (of a top-level statement, ``top``: only at module level)."""
    if top and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    found = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
            found.add(n.id)
        elif isinstance(n, ast.arg):
            found.add(n.arg)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n is not node:
            found.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            found |= {(a.asname or a.name).split(".")[0] for a in n.names}
        elif isinstance(n, ast.ExceptHandler) and n.name:
            found.add(n.name)
        elif isinstance(n, (ast.MatchAs, ast.MatchStar)) and n.name:
            found.add(n.name)
    return found


def _read(path: str, limit: int = MAX_BYTES) -> str:
    """A student's file as text, never through a link, at most ``limit`` bytes."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        return f.read(limit).decode("utf-8", errors="replace")


def _namespaces(sub: Submission, modules: dict[str, list[str]]) -> dict[str, _Namespace]:
    """The namespace each module's functions come from, as the grader would call them: a
    folder's module files each; one ``.py`` for every module; a notebook's cells (in order),
    with a module file beside it serving the functions the cells do not define."""
    if sub.kind == "file":
        one = _Namespace()
        one.add(_read(sub.path))
        return dict.fromkeys(modules, one)
    files = {}
    for name in modules:
        if f"{name}.py" in sub.files:
            files[name] = _Namespace()
            files[name].add(_read(os.path.join(sub.path, f"{name}.py")))
    if sub.kind == "folder":
        return files
    cells = _Namespace()
    for cell in sub.cells or ():
        cells.add(cell["code"])
    spaces = {}
    for name, functions in modules.items():
        beside = files.get(name)
        if beside is None or all(f in cells.functions for f in functions):
            spaces[name] = cells
        else:                                   # a function the cells lack comes from the file
            mixed = _Namespace(dict(beside.functions), cells.names | beside.names,
                               cells.imported | beside.imported)
            mixed.functions.update(cells.functions)
            spaces[name] = mixed
    return spaces


class _Tokens:
    """The token sequence of a unit, and the line (an index into the unit's text) of each."""

    def __init__(self):
        self.tokens: list[str] = []
        self.lines: list[int] = []
        self.text: list[str] = []
        self.names: list[str] = []               # the names the functions so far refer to
        self.heads: dict[int, str] = {}          # the line of each function's def -> its name

    def function(self, node: ast.FunctionDef, lines: list[str], own: set[str]) -> None:
        """Appends ``node``: its lines as shown (its docstring left out) and its body's tokens."""
        body, doc = node.body, None
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            doc, body = body[0], body[1:]
        start = (node.decorator_list[0] if node.decorator_list else node).lineno
        shown = {}                               # line number in the source -> index in text
        if self.text:
            self.text.append("")
        self.heads[len(self.text) + node.lineno - start] = node.name
        for number in range(start, (node.end_lineno or start) + 1):
            if doc is not None and doc.lineno < number <= (doc.end_lineno or doc.lineno):
                continue
            line = lines[number - 1] if number <= len(lines) else ""
            if doc is not None and number == doc.lineno:
                line = line[:doc.col_offset] + '"""…"""'
            shown[number] = len(self.text)
            self.text.append(line)
        a = node.args
        local = {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if x}
        first = len(self.tokens)
        for statement in body:
            self._walk(statement, local, shown)
        names = self.tokens[first:]              # a name's token is known once every local is
        self.tokens[first:] = [t if t.__class__ is str else "n:v" if t[0] in local else
                               "n:h" if t[0] in own else f"n:{t[0]}" for t in names]
        self.names += [t[0] for t in names if t.__class__ is not str]

    def _walk(self, root: ast.AST, local: set[str], shown: dict[int, int]) -> None:
        """Pre-order, with a stack of its own (a deep expression cannot exhaust Python's); a
        name's token is left as ``(name,)`` and the names the function binds go to ``local``."""
        stack = [(root, shown.get(getattr(root, "lineno", 0), 0))]
        tokens, lines = self.tokens, self.lines
        while stack and len(tokens) < MAX_TOKENS:
            node, line = stack.pop()
            line = shown.get(getattr(node, "lineno", None), line)
            kind = node.__class__
            lines.append(line)
            if kind is ast.Name:
                tokens.append((node.id,))
                if node.ctx.__class__ is not ast.Load:
                    local.add(node.id)
                continue
            if kind is ast.Constant:
                value = node.value
                tokens.append("S" if isinstance(value, (str, bytes)) else f"c:{value!r}")
                continue
            if kind is ast.JoinedStr:
                tokens.append("S")                       # an f-string is one string
                continue
            if kind is ast.Attribute:
                tokens.append(f".{node.attr}")
            elif kind is ast.keyword:
                tokens.append(f"k:{node.arg}")
            elif kind is ast.Expr and node.value.__class__ in (ast.Constant, ast.JoinedStr):
                lines.pop()
                continue                                 # a bare string: a comment in all but name
            else:
                tokens.append("a" if kind is ast.arg else kind.__name__)
                bound = _BINDS.get(kind)
                if bound is not None:
                    local.update(bound(node))
            children = []
            for value in _children(kind)(node):
                if value.__class__ is list:
                    children += [v for v in value if isinstance(v, ast.AST)]
                elif isinstance(value, ast.AST):
                    children.append(value)
            stack.extend((child, line) for child in reversed(children))


_BINDS = {                                      # the names a node binds, but for assigned ones
    ast.arg: lambda n: (n.arg,),
    ast.FunctionDef: lambda n: (n.name,), ast.AsyncFunctionDef: lambda n: (n.name,),
    ast.ClassDef: lambda n: (n.name,), ast.ExceptHandler: lambda n: (n.name,) if n.name else (),
    ast.Import: lambda n: [(a.asname or a.name).split(".")[0] for a in n.names],
    ast.ImportFrom: lambda n: [(a.asname or a.name).split(".")[0] for a in n.names],
    ast.MatchAs: lambda n: (n.name,) if n.name else (), ast.MatchStar: lambda n: (n.name,) if n.name else (),
}


_SCALARS = {"ctx", "id", "attr", "arg", "name", "module", "level", "kind", "type_comment",
            "conversion", "is_async", "simple", "tag"}


@lru_cache(maxsize=None)
def _children(kind: type):
    """The fields of an AST class that may hold nodes, as one getter returning a tuple."""
    fields = [f for f in kind._fields if f not in _SCALARS] or ["__class__"]
    get = operator.attrgetter(*fields)
    return get if len(fields) > 1 else (lambda node: (get(node),))


def fingerprints(tokens: list[str], lines: list[int]) -> dict[int, tuple[int, int]]:
    """The winnowed hashes of ``tokens``' runs of K, each with the span of lines it covers."""
    codes = [_code(t) for t in tokens]
    grams = [hash(tuple(codes[i:i + K])) for i in range(len(codes) - K + 1)]
    chosen, last = {}, -1
    for start in range(max(1, len(grams) - W + 1) if grams else 0):
        window = grams[start:start + W]
        low = min(window)
        at = start + len(window) - 1 - window[::-1].index(low)     # the rightmost smallest
        if at != last:
            if low not in chosen:
                span = lines[at:at + K]
                chosen[low] = (min(span), max(span))
            last = at
    return chosen


@lru_cache(maxsize=65536)
def _code(token: str) -> int:
    """A token as a number that is the same in every process (Python's own string hash is
    salted per process; tuples of numbers are not)."""
    return zlib.crc32(token.encode())


def _unit(item: str, name: str, space: _Namespace, template: "Template", keys: bool) -> Unit | None:
    """The unit of graded function ``name`` in ``space``, or None (absent, or the stub);
    ``keys``: with its lines' keys."""
    found = space.functions.get(name)
    if found is None:
        return None
    own = space.own(template)
    tokens = _Tokens()
    tokens.function(*found, own)
    if tuple(tokens.tokens) == STUB or tokens.tokens == template.bodies.get(item):
        return None
    followed, at = {name}, 0
    while at < len(tokens.names) and len(followed) <= MAX_HELPERS:   # the helpers it calls, once each
        callee = tokens.names[at]
        at += 1
        if callee in own and callee in space.functions and callee not in followed:
            followed.add(callee)
            tokens.tokens.append("|")
            tokens.lines.append(len(tokens.text))
            tokens.function(*space.functions[callee], own)
    hashes = fingerprints(tokens.tokens, tokens.lines)
    for h in template.hashes.get(item, ()):
        hashes.pop(h, None)
    unit = Unit(item, tokens.text, hashes)
    if keys:
        lines = [[] for _ in tokens.text]
        for token, line in zip(tokens.tokens, tokens.lines):
            lines[line].append(token)
        for line, function in tokens.heads.items():
            lines[line].insert(0, f"def {function}")
        unit.keys = [" ".join(k) for k in lines]
    return unit


@dataclass
class Template:
    """What every student was handed: per item the template body's tokens and fingerprints
    (ignored in every submission), the template's top-level names (``z``, ``np``: everyone's,
    never a student's own) and the graded function names."""

    bodies: dict[str, list[str]]
    hashes: dict[str, dict[int, tuple[int, int]]]
    names: set[str]
    graded: set[str]


def template_of(modules: dict[str, list[str]], texts: dict[str, str]) -> Template:
    """The Template of ``texts`` (``{"<module>.py": text}``, as ``autograder.make.template.generate``)."""
    bodies, hashes, names = {}, {}, set()
    graded = {f for functions in modules.values() for f in functions}
    for module, functions in modules.items():
        space = _Namespace()
        space.add(texts.get(f"{module}.py", ""))
        names |= space.names
        for f in functions:
            if f in space.functions:
                tokens = _Tokens()
                tokens.function(*space.functions[f], set())
                bodies[f"{module}.{f}"] = tokens.tokens
                hashes[f"{module}.{f}"] = fingerprints(tokens.tokens, tokens.lines)
    return Template(bodies, hashes, names - graded, graded)


@lru_cache(maxsize=4)
def course_template(modules: tuple[tuple[str, tuple[str, ...]], ...]) -> Template:
    """The Template of this grader's own student template (generated from its reference)."""
    from ..make.template import generate
    return template_of({m: list(f) for m, f in modules}, generate())


def units(path: str, modules: dict[str, list[str]], template: Template, keys: bool = False) -> dict[str, Unit]:
    """``{"<module>.<function>": Unit}`` of the submission at ``path`` for the graded functions
    ``modules`` names (``{module: [function, ...]}``); empty when nothing can be read.
    ``keys``: with each line's normalised tokens (to align two units' lines). ``path`` may be
    a :class:`Stored` file instead of a submission."""
    if isinstance(path, Stored):
        return _stored(path, modules, keys)
    try:
        sub = open_submission(path)
        spaces = _namespaces(sub, modules)
    except (SubmissionError, UnreadableNotebook, OSError):
        return {}
    found = {}
    for module, functions in modules.items():
        space = spaces.get(module)
        for f in functions if space else ():
            unit = _unit(f"{module}.{f}", f, space, template, keys)
            if unit is not None and unit.hashes:
                found[unit.item] = unit
    return found



class Stored(str):
    """The path of a student's units as ``store`` wrote them, read by ``units`` in place of
    their submission (a str, so that it crosses to a pool's workers as a path does)."""


def store(path: str, destination: str, modules: dict[str, list[str]], template: Template) -> None:
    """Writes the units of the submission at ``path`` (their lines' keys too) to
    ``destination``: compact JSON, ``{item: {"text", "keys", "hashes": [[hash, first, last]]}}``."""
    found = units(path, modules, template, keys=True)
    data = {item: {"text": u.text, "keys": u.keys, "hashes": [[h, *span] for h, span in u.hashes.items()]}
            for item, u in found.items()}
    write_atomic(destination, json.dumps(data, separators=(",", ":")))


def _stored(path: Stored, modules: dict[str, list[str]], keys: bool) -> dict[str, Unit]:
    """The units ``store`` wrote to ``path``, of the functions ``modules`` names."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    wanted = {f"{m}.{f}" for m, functions in modules.items() for f in functions}
    return {item: Unit(item, u["text"], {h: (first, last) for h, first, last in u["hashes"]},
                       u["keys"] if keys else [])
            for item, u in data.items() if item in wanted}
