"""Shared helpers of the project's tests: grading a folder and writing throwaway submissions."""

from __future__ import annotations

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


def write_submission(folder, files: dict[str, str]) -> str:
    """Writes ``{filename: source}`` into ``folder`` (a pytest tmp_path) and returns its path."""
    os.makedirs(folder, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(folder, name), "w") as f:
            f.write(text)
    os.chmod(folder, 0o755)
    return str(folder)


def reference_source(module: str) -> str:
    with open(os.path.join(ROOT, "reference", f"{module}.py")) as f:
        return f.read()


def corpus() -> list[str]:
    return sorted(d for d in os.listdir(SUBMISSIONS)
                  if os.path.isfile(os.path.join(SUBMISSIONS, d, "expected.json")))


def expected(name: str, mode: str | None = None) -> dict:
    """A corpus submission's expected.json, with what sandbox ``mode`` changes (its
    ``"in_mode"`` entry) merged in."""
    with open(os.path.join(SUBMISSIONS, name, "expected.json")) as f:
        want = json.load(f)
    for key, value in want.get("in_mode", {}).get(mode, {}).items():
        want[key] = {**want.get(key, {}), **value}
    return want


def expected_scores(name: str, graded, mode: str | None = None) -> dict[str, float]:
    """The score every case of ``graded`` (case ids) must get: what expected.json lists (the
    cases that lose points), every other case its full points. A listed case that was not
    graded raises, so a renamed case cannot leave an expectation behind unnoticed."""
    lost = expected(name, mode)["scores"]
    points = {c.id: c.points for c in catalog.cases()}
    stale = sorted(set(lost) - set(graded))
    if stale:
        raise AssertionError(f"{name}/expected.json lists cases that were not graded: {stale}")
    return {case: lost.get(case, points[case]) for case in graded}


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
