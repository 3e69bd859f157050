"""Shared helpers of the project's tests: grading a folder and writing throwaway submissions."""

from __future__ import annotations

import ast
import functools
import glob
import json
import os
import shutil

from autograder import catalog, engine
from autograder.engine.results import Report
from autograder.options import GradingOptions
from autograder.paths import checkout

ROOT = checkout()                              # the checkout these tests belong to
SUBMISSIONS = os.path.join(ROOT, "tests", "submissions")
TOTAL = sum(m.total for m in catalog.load())   # the assignment's points, declared by the graders


def modules_in(folder: str) -> tuple[str, ...]:
    """The graded modules whose files the folder holds."""
    present = {n[:-3] for n in os.listdir(folder) if n.endswith(".py")}
    return tuple(m for m in catalog.available() if m in present)


def grade(path: str, progress=None, **options) -> Report:
    """``path`` graded with ``GradingOptions(**options)``; a folder's modules by default only
    those whose files it holds."""
    if "modules" not in options and os.path.isdir(path):
        options["modules"] = modules_in(path) or None
    return engine.grade(path, GradingOptions(**options), progress)


def renders_whole(report: Report) -> None:
    """Every rendering of ``report`` (the terminal's, feedback.txt's, feedback.html's, both
    platforms' results.json) is text that UTF-8 takes, as each writer writes it: a lone
    surrogate anywhere in the student's text would raise here."""
    from autograder.report import gradescope, prairielearn
    from autograder.report.html import to_html
    from autograder.report.text import to_text
    texts = [to_text(report, verbose=True), to_text(report, color=True, failed_only=True),
             to_html(report, title="Feedback"),
             json.dumps(gradescope.results(report), ensure_ascii=False),
             json.dumps(prairielearn.results(report), ensure_ascii=False)]
    for text in texts:
        text.encode("utf-8")


def write_submission(folder, files: dict[str, str]) -> str:
    """Writes ``{filename: source}`` into ``folder`` (a pytest tmp_path) and returns its path."""
    os.makedirs(folder, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(folder, name), "w") as f:
            f.write(text)
    os.chmod(folder, 0o755)
    return str(folder)


def nest(path: str, depth: int) -> None:
    """``path``, and ``depth`` folders ``a`` one inside the other in it (made without
    recursion, which Python's own makedirs would need)."""
    os.makedirs(path)
    fd = os.open(path, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("a", dir_fd=fd)
        fd, old = os.open("a", os.O_RDONLY, dir_fd=fd), fd
        os.close(old)
    os.close(fd)


def unnest(path: str) -> None:
    """Removes what ``nest`` made in ``path`` (shutil.rmtree recurses too)."""
    depth = 0
    while os.path.isdir(os.path.join(path, *["a"] * (depth + 1))):
        depth += 1
    for d in range(depth, 0, -1):
        os.rmdir(os.path.join(path, *["a"] * d))


def reference_source(module: str) -> str:
    with open(os.path.join(ROOT, "reference", f"{module}.py")) as f:
        return f.read()


def corpus() -> list[str]:
    return sorted(d for d in os.listdir(SUBMISSIONS)
                  if os.path.isfile(os.path.join(SUBMISSIONS, d, "expected.json")))


EXAMPLE = os.path.join(ROOT, "examples", "partly_wrong")     # README's first command grades it


def folder_of(name: str) -> str:
    """The folder of a corpus submission's ``name``, or ``name`` itself when it is a path
    (``EXAMPLE``, whose expected.json has the corpus's format)."""
    return name if os.path.isabs(name) else os.path.join(SUBMISSIONS, name)


def expected(name: str, mode: str | None = None) -> dict:
    """A corpus submission's expected.json, with what sandbox ``mode`` changes (its
    ``"in_mode"`` entry) merged in."""
    with open(os.path.join(folder_of(name), "expected.json")) as f:
        want = json.load(f)
    for key, value in want.get("in_mode", {}).get(mode, {}).items():
        want[key] = {**want.get(key, {}), **value}
    return want


def expected_scores(name: str, graded, mode: str | None = None) -> dict[str, float]:
    """The score every case of ``graded`` (case ids) must get: what expected.json lists (the
    cases that lose points); 0 for a case of a function the submission does not define (read
    with ``ast``, never run: ``defines``), unlisted, so that a new item costs the corpus no
    edit; every other case its full points. A listed case that was not graded raises, so a
    renamed case cannot leave an expectation behind unnoticed."""
    lost = expected(name, mode)["scores"]
    cases = {c.id: c for c in catalog.cases()}
    stale = sorted(set(lost) - set(graded))
    if stale:
        raise AssertionError(f"{name}/expected.json lists cases that were not graded: {stale}")
    defined = defines(folder_of(name))
    return {case: lost.get(case, cases[case].points if defined(cases[case]) else 0) for case in graded}


def expected_total(name: str) -> float:
    """The total ``name`` must score on every module it hands in (``modules_in``), by its
    expected.json and the rule above."""
    graded = [c.id for c in catalog.cases(modules_in(folder_of(name)) or None)]
    return sum(expected_scores(name, graded).values())


def defines(folder: str):
    """Whether the submission in ``folder`` may define a case's function, read from its
    sources with ``ast`` as the sandbox would load them: a module's file (``<module>.py``), or
    for notebooks their code cells as one namespace, the module files beside them serving what
    the cells lack. A function may be defined where its name is bound anywhere in the source
    (a ``def``, an assignment, an import) or appears as a string (``globals()["f"] = ...``);
    source that ``import *``s may define anything; a file or cell that does not parse defines
    nothing (it fails to load)."""
    from autograder.submission.notebook import read_notebooks
    notebooks = sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".ipynb"))
    cells = read_notebooks(notebooks)[0] if notebooks else None
    shared = _names([c["code"] for c in cells]) if cells is not None else set()

    @functools.cache
    def own(module: str) -> set:
        path = os.path.join(folder, f"{module}.py")
        if not os.path.isfile(path):
            return set()
        with open(path, encoding="utf-8", errors="replace") as f:
            return _names([f.read()])

    def defined(case) -> bool:
        return bool({case.function, STAR} & (own(case.module) | shared))
    return defined


STAR = ("import", "*")            # what ``_names`` finds for a star import: no string can be it


def _names(sources: list[str]) -> set:
    """Every name the ``sources`` bind, and every string constant in them (``STAR`` for a star
    import), each parsed on its own (a notebook's cells: one that does not parse is skipped,
    as the sandbox reports it and runs the next)."""
    found: set[str] = set()
    for part in sources:
        try:
            tree = ast.parse(part)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                found.add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                found.update(STAR if a.name == "*" else (a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


TARGETS_MODULE = "corpus_targets"       # what a staged submission imports to know its targets


def targets(outside: str) -> dict[str, str]:
    """What no submission may read or change, derived from the running project (wherever this
    clone lies, or wherever the packages were installed) and from ``outside``, a folder the test
    created beside the submission; every path exists on this machine (asserted here, so a probe
    never passes by looking at nothing)."""
    import graders
    import reference
    os.makedirs(outside, exist_ok=True)
    secret = os.path.join(outside, "secret.txt")
    with open(secret, "w") as f:
        f.write("an instructor's file outside the project\n")
    found = {"project": ROOT, "grade_py": os.path.join(ROOT, "grade.py"),
             "reference": os.path.dirname(reference.__file__),
             "reference_file": os.path.join(os.path.dirname(reference.__file__), "tuning.py"),
             "graders": os.path.dirname(graders.__file__),
             "grader_file": os.path.join(os.path.dirname(graders.__file__), "tuning.py"),
             "outside": outside, "outside_file": secret}
    missing = [p for p in found.values() if not os.path.exists(p)]
    assert not missing, f"a probe would look at nothing: {missing}"
    return found


def stage(name: str, folder) -> str:
    """A copy of corpus submission ``name`` in ``folder`` (a pytest tmp_path); when its
    expected.json says ``"targets": true``, with ``corpus_targets.py`` beside its modules,
    naming this machine's paths that the submission's probes must find out of reach."""
    dest = os.path.join(str(folder), name)
    shutil.copytree(os.path.join(SUBMISSIONS, name), dest)
    for path in [dest] + glob.glob(os.path.join(dest, "**"), recursive=True):
        os.chmod(path, 0o755 if os.path.isdir(path) else 0o644)
    if expected(name).get("targets"):
        with open(os.path.join(dest, TARGETS_MODULE + ".py"), "w") as f:
            f.write(f"TARGETS = {targets(os.path.join(str(folder), 'outside'))!r}\n")
    return dest


def markers() -> list[str]:
    """The pwned-* files hostile code leaves if it ever runs in the grader (see conftest.py)."""
    return sorted(glob.glob(os.path.join(os.environ["AUTOGRADER_TEST_MARKERS"], "pwned*")))


def expected_mode() -> str:
    """The sandbox mode this run must get: what the test that started it says
    ($AUTOGRADER_EXPECT_MODE, e.g. "container" under tests/container_profile.py), else root's
    namespaces, or user namespaces for anyone else."""
    return os.environ.get("AUTOGRADER_EXPECT_MODE") or ("root" if os.geteuid() == 0 else "userns")
