"""``grade.py --gradescope-bundle autograder.zip``: the zip Gradescope's autograder expects.

Gradescope unpacks it into ``/autograder/source``, runs ``setup.sh`` once (as root) when it
builds the image, and ``run_autograder`` for every submission, which grades
``/autograder/submission`` into ``/autograder/results/results.json`` in a container with
Docker's default profile: the grader finds namespaces refused and grades in container mode.

``setup.sh`` installs the grader as a package into ``/autograder/venv`` (the pinned torch from
PyTorch's CPU index first), then makes the answers readable by root only: the installed
``reference`` and ``graders`` packages and the bundle's own sources. ``run_autograder`` keeps
them so, and the results folder too, before it grades.

``AUTOGRADER_ROOT`` (default ``/autograder``), ``AUTOGRADER_PYTHON`` (the grading interpreter)
and ``AUTOGRADER_TORCH_INDEX`` (the extra index for torch; empty for none) override the
defaults, so the bundle can be tried on a stand-in of that folder tree.
"""

from __future__ import annotations

import os
import shlex
import stat
import zipfile

from .paths import ANSWER_PACKAGES, PACKAGES_HOME, checkout

PACKAGES = ("autograder", *ANSWER_PACKAGES)
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"

GRADESCOPE_SETUP = """#!/usr/bin/env bash
# Run once by Gradescope, as root, when it builds the image.
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
if ! python3 -m venv --help >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
fi
python3 -m venv "$ROOT/venv"
PIP=("$ROOT/venv/bin/python" -m pip install --quiet --disable-pip-version-check)
INDEX="${{AUTOGRADER_TORCH_INDEX-{index}}}"
"${{PIP[@]}}" ${{INDEX:+--extra-index-url "$INDEX"}} {torch}
"${{PIP[@]}}" "$ROOT/source"
"$ROOT/venv/bin/python" -I - <<'EOF'
# the answers, installed and in the bundle, readable by root only (container mode checks it)
import os, importlib.util
for name in {answers!r}:
    folder = os.path.dirname(importlib.util.find_spec(name).origin)
    for dirpath, dirnames, filenames in os.walk(folder):
        for entry in dirnames + filenames:
            os.chmod(os.path.join(dirpath, entry), 0o700 if entry in dirnames else 0o600)
    os.chmod(folder, 0o700)
EOF
chmod -R go-rwx "$ROOT/source"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Run by Gradescope for every submission, as root. grade.py writes results.json whatever
# happens: the report, or why the submission could not be graded.
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PY="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
mkdir -p "$ROOT/results"
chmod 700 "$ROOT/results"
chmod -R go-rwx "$ROOT/source"
cd "$ROOT/results"
"$PY" -I -m autograder "$ROOT/submission" --json "$ROOT/results/results.json" {options}
exit 0
"""


def _add(zf: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def _package_files():
    """``(name in the zip, path)`` of the grader's packages and what installs them."""
    for package in PACKAGES:
        for dirpath, dirnames, filenames in os.walk(os.path.join(PACKAGES_HOME, package)):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith(".py") and not name.startswith("test_"):
                    full = os.path.join(dirpath, name)
                    yield os.path.relpath(full, PACKAGES_HOME), full


def _torch_requirement() -> str:
    """The torch pin of this checkout's requirements.txt (the build tested here), or a range."""
    root = checkout()
    if root:
        with open(os.path.join(root, "requirements.txt")) as f:
            for line in f:
                if line.strip().startswith("torch"):
                    return line.strip()
    return "torch>=2.0"


def _project_files():
    """``(name in the zip, bytes)`` of what ``pip install`` needs beside the packages: the
    checkout's pyproject.toml and README.md, or for an installed grader a pyproject.toml
    made from its own metadata."""
    root = checkout()
    if root:
        for name in ("pyproject.toml", "README.md"):
            with open(os.path.join(root, name), "rb") as f:
                yield name, f.read()
        return
    from importlib import metadata
    meta = metadata.metadata("dl-autograder")
    requires = [r for r in metadata.requires("dl-autograder") or () if "extra ==" not in r]
    yield "pyproject.toml", (
        '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "{meta["Name"]}"\nversion = "{meta["Version"]}"\n'
        f"dependencies = {requires!r}\n\n"
        '[tool.setuptools.packages.find]\ninclude = ["autograder*", "graders", "reference"]\n').encode()


def write_bundle(path: str, *, seed: int, timeout: float, hidden: tuple[str, ...] = ()) -> list[str]:
    """Writes the zip; returns the names it holds."""
    options = ["--seed", str(seed), "--timeout", f"{timeout:g}"]
    for label in hidden:
        options += ["--hide", label]
    setup = GRADESCOPE_SETUP.format(index=TORCH_CPU_INDEX, torch=shlex.quote(_torch_requirement()),
                                    answers=ANSWER_PACKAGES)
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w") as zf:
        _add(zf, "setup.sh", setup.encode(), executable=True)
        _add(zf, "run_autograder", RUN_AUTOGRADER.format(options=shlex.join(options)).encode(),
             executable=True)
        for name, data in _project_files():
            _add(zf, name, data)
        for name, full in _package_files():
            with open(full, "rb") as f:
                _add(zf, name, f.read())
        names = zf.namelist()
    os.replace(tmp, path)
    return names
