"""Shared helpers of the project's tests: grading a folder and writing throwaway submissions."""

from __future__ import annotations

import json
import os

from autograder import catalog, engine

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUBMISSIONS = os.path.join(ROOT, "tests", "submissions")


def modules_in(folder: str) -> tuple[str, ...]:
    """The graded modules whose files the folder holds."""
    present = {n[:-3] for n in os.listdir(folder) if n.endswith(".py")}
    return tuple(m for m in catalog.available() if m in present)


def grade(path: str, **kwargs) -> engine.Report:
    if "modules" not in kwargs and os.path.isdir(path):
        kwargs["modules"] = modules_in(path) or None
    return engine.grade(path, **kwargs)


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


def expected(name: str) -> dict:
    with open(os.path.join(SUBMISSIONS, name, "expected.json")) as f:
        return json.load(f)
