"""``python grade.py --gradescope-bundle autograder.zip``: the zip Gradescope's autograder
expects. Gradescope unpacks it into ``/autograder/source``, runs ``setup.sh`` once when it builds
its image, and ``run_autograder`` for every submission, which grades
``/autograder/submission`` into ``/autograder/results/results.json``.

``AUTOGRADER_ROOT`` (default ``/autograder``) and ``AUTOGRADER_PYTHON`` override the paths, so
the bundle can be tried on a stand-in of that folder tree.
"""

from __future__ import annotations

import os
import shlex
import stat
import zipfile

from .paths import PACKAGES_HOME as PROJECT_ROOT

INCLUDED = ("autograder", "graders", "reference", "grade.py", "conftest.py", "pyproject.toml",
            "requirements.txt")

GRADESCOPE_SETUP = """#!/usr/bin/env bash
# Run once by Gradescope when it builds the image: Python with venv, then the project's setup.
set -euo pipefail
if ! python3 -m venv --help >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq python3 python3-venv python3-pip
fi
cd /autograder/source
bash setup_project.sh
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Run by Gradescope for every submission. Always leaves a results.json behind.
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PY="${{AUTOGRADER_PYTHON:-$ROOT/source/.venv/bin/python}}"
mkdir -p "$ROOT/results"
cd "$ROOT/source"
"$PY" grade.py "$ROOT/submission" --json "$ROOT/results/results.json" {options}
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
  printf '{{"score": 0, "output": "The autograder could not run (exit %s); tell your instructor."}}\\n' \\
    "$status" > "$ROOT/results/results.json"
fi
exit 0
"""


def _add(zf: zipfile.ZipFile, name: str, text: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, text)


def _project_files():
    for entry in INCLUDED:
        path = os.path.join(PROJECT_ROOT, entry)
        if os.path.isfile(path):
            yield entry, path
            continue
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith(".pyc") or name.startswith("test_"):
                    continue
                full = os.path.join(dirpath, name)
                yield os.path.relpath(full, PROJECT_ROOT), full


def write_bundle(path: str, *, seed: int, timeout: float, hidden: tuple[str, ...] = ()) -> list[str]:
    """Writes the zip; returns the names it holds."""
    options = ["--seed", str(seed), "--timeout", f"{timeout:g}"]
    for label in hidden:
        options += ["--hide", label]
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w") as zf:
        _add(zf, "setup.sh", GRADESCOPE_SETUP, executable=True)
        _add(zf, "run_autograder", RUN_AUTOGRADER.format(options=shlex.join(options)), executable=True)
        with open(os.path.join(PROJECT_ROOT, "setup.sh")) as f:
            _add(zf, "setup_project.sh", f.read(), executable=True)
        for name, full in _project_files():
            with open(full, "rb") as f:
                _add(zf, name, f.read().decode())
        names = zf.namelist()
    os.replace(tmp, path)
    return names
