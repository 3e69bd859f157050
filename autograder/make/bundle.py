"""What a hosted grader needs to run this one: Gradescope's autograder zip and PrairieLearn's
image and entrypoint. Both platforms run one container per submission, as root, with Docker's
default profile: the grader finds namespaces refused and grades in container mode.

Both install the grader the same way (``install.sh``, in the image, once): a venv, the pinned
torch from PyTorch's CPU index (``AUTOGRADER_TORCH_INDEX`` overrides it; empty for none), the
grader as a package, and then the answers readable by root only: the installed ``reference``
and ``graders`` packages (in ``autograder/answers``) and the sources the image was built from.

    python grade.py --gradescope-bundle autograder.zip      # upload it as the autograder
    python grade.py --prairielearn-bundle DIR               # an image to build, a tests/ folder

``AUTOGRADER_ROOT`` (Gradescope's ``/autograder``), ``AUTOGRADER_GRADE_ROOT`` (PrairieLearn's
``/grade``) and ``AUTOGRADER_PYTHON`` (the grading interpreter) override the paths, so each can
be tried on a stand-in of its folder tree.
"""

from __future__ import annotations

import math
import os
import shlex
import stat
import zipfile

from ..options import GradingOptions
from ..paths import checkout, grader_files

# the checkout's setup.py (tests/test_install.py holds them equal), for a bundle made by an
# installed grader, whose source has none
SETUP_PY = '''"""Which packages pip installs (the rest of the build is pyproject.toml's): ``autograder`` and
its subpackages, and the course's answers, ``graders/`` and ``reference/``, inside it as
``autograder.answers.graders`` and ``autograder.answers.reference``, so that nothing with
those generic names lands at the top of site-packages (``autograder/paths.py`` finds them)."""

from setuptools import find_packages, setup

ANSWERS = {f"autograder.answers.{name}": name for name in ("graders", "reference")}

setup(packages=find_packages(include=["autograder", "autograder.*"]) + sorted(ANSWERS), package_dir=ANSWERS)
'''
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
PRAIRIELEARN_HOME = "/opt/dl-autograder"

INSTALL = """#!/usr/bin/env bash
# Installs the grader from SOURCE into the venv VENV, as root, once per image; then only root
# may read the answers. Usage: install.sh SOURCE VENV
set -euo pipefail
SOURCE="$1"; VENV="$2"
if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c "import ensurepip" 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
fi
python3 -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
INDEX="${{AUTOGRADER_TORCH_INDEX-{index}}}"
"${{PIP[@]}}" ${{INDEX:+--extra-index-url "$INDEX"}} {torch}
"${{PIP[@]}}" "$SOURCE"
"$VENV/bin/python" -I - <<'EOF'
# the installed answers (autograder/answers/...), root's only: container mode checks it before it grades
import os
from autograder.paths import answer_dirs
for folder in answer_dirs():
    for dirpath, dirnames, filenames in os.walk(folder):
        for entry in dirnames:
            os.chmod(os.path.join(dirpath, entry), 0o700)
        for entry in filenames:
            os.chmod(os.path.join(dirpath, entry), 0o600)
    os.chmod(folder, 0o700)
EOF
chmod -R go-rwx "$SOURCE"
"""

GRADESCOPE_SETUP = """#!/usr/bin/env bash
# Run once by Gradescope, as root, when it builds the image.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
bash "$ROOT/source/install.sh" "$ROOT/source" "$ROOT/venv"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Run by Gradescope for every submission, as root. The grader writes results.json whatever
# happens: the report, or why the submission could not be graded.
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PY="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
mkdir -p "$ROOT/results"
chmod 700 "$ROOT/results"
chmod -R go-rwx "$ROOT/source"
GUARD=()
if [ -e "$ROOT/submission_metadata.json" ]; then   # earlier results, hidden cases' included
  chmod 600 "$ROOT/submission_metadata.json"
  GUARD=(--guard "$ROOT/submission_metadata.json")
fi
cd "$ROOT/results"
"$PY" -I -m autograder "$ROOT/submission" --json "$ROOT/results/results.json" "${{GUARD[@]}}" {options}
exit 0
"""

DOCKERFILE = """# The grading image of PrairieLearn's external grader: build it, push it where PrairieLearn
# pulls from, and name it in the question's info.json ("image").
FROM debian:bookworm-slim
COPY . {home}/source
RUN bash {home}/source/install.sh {home}/source {home}/venv && rm -rf /root/.cache
"""

PRAIRIELEARN_RUN = """#!/usr/bin/env bash
# PrairieLearn's entrypoint, in the question's tests/ folder (/grade/tests/run.sh): grades
# /grade/student into /grade/results/results.json, whatever happens.
GRADE="${{AUTOGRADER_GRADE_ROOT:-/grade}}"
PY="${{AUTOGRADER_PYTHON:-{home}/venv/bin/python}}"
mkdir -p "$GRADE/results"
chmod 700 "$GRADE/results"
for folder in tests data serverFilesCourse; do      # the question's files: root's only
  [ -e "$GRADE/$folder" ] && chmod -R go-rwx "$GRADE/$folder"
done
cd "$GRADE/results"
"$PY" -I -m autograder "$GRADE/student" --format prairielearn --json "$GRADE/results/results.json" {options}
exit 0
"""

INFO_JSON = """{{
  "externalGradingOptions": {{
    "enabled": true,
    "image": "YOUR_REGISTRY/dl-autograder:latest",
    "entrypoint": "/grade/tests/run.sh",
    "timeout": {timeout}
  }}
}}
"""
REPORT_MARGIN = 90     # seconds PrairieLearn waits past the budget: the README's 20 s to a report
                       # past it, and the container's start and the grader's imports


def pl_timeout(options: GradingOptions) -> int:
    """PrairieLearn's ``timeout`` for a bundle of ``options``: never before the report is written."""
    return max(180, math.ceil(options.budget) + REPORT_MARGIN)

PRAIRIELEARN_README = """# dl-autograder for PrairieLearn

1. Build the grading image from `image/` and push it where PrairieLearn pulls images from:
   `docker build -t YOUR_REGISTRY/dl-autograder:latest image && docker push YOUR_REGISTRY/dl-autograder:latest`.
   Its build installs torch (CPU) and the grader, and leaves the answers readable by root only.
2. Copy `tests/` into each externally graded question's folder, and merge `info.json` into
   the question's `info.json` (set `image`). The students' files reach `/grade/student`: a
   file-upload or file-editor element with the module files (`backprop.py`, ...) or a notebook.
3. PrairieLearn runs `/grade/tests/run.sh` as root in a container with Docker's default profile:
   the grader runs the student's code in container mode and writes `/grade/results/results.json`
   (score as a fraction, one test per visible case, hidden cases as one test whose feedback is
   held back; `gradable: false` for a submission that cannot be read at all, which costs no
   attempt).

Options baked into run.sh: `{options}`.
"""


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
    """``(name, bytes)`` of what ``pip install`` needs beside the packages: the checkout's
    pyproject.toml, setup.py and README.md, or for an installed grader a pyproject.toml made
    from its own metadata and the checkout's setup.py (``SETUP_PY``)."""
    root = checkout()
    if root:
        for name in ("pyproject.toml", "setup.py", "README.md"):
            with open(os.path.join(root, name), "rb") as f:
                yield name, f.read()
        return
    from importlib import metadata
    meta = metadata.metadata("dl-autograder")
    requires = [r for r in metadata.requires("dl-autograder") or () if "extra ==" not in r]
    yield "pyproject.toml", (
        '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "{meta["Name"]}"\nversion = "{meta["Version"]}"\n'
        f"dependencies = {requires!r}\n").encode()
    yield "setup.py", SETUP_PY.encode()


def _source():
    """``(name, bytes, executable)`` of what an image is built from: the grader and install.sh."""
    install = INSTALL.format(index=TORCH_CPU_INDEX, torch=shlex.quote(_torch_requirement()))
    yield "install.sh", install.encode(), True
    for name, data in _project_files():
        yield name, data, False
    for name, path in grader_files():
        with open(path, "rb") as f:
            yield name, f.read(), False


def _options(options: GradingOptions) -> str:
    """The command line that grades as ``options`` say: the seed and the time limit always,
    the loading limit and the budget when they are not the default, the hidden labels and the
    modules. (A bundle grades whole submissions, in a container: no -k, no --guard, never
    --unsandboxed.)"""
    flags = ["--seed", str(options.seed), "--timeout", f"{options.timeout:g}"]
    if options.load_timeout != GradingOptions().load_timeout:
        flags += ["--load-timeout", f"{options.load_timeout:g}"]
    if options.budget != GradingOptions().budget:
        flags += ["--budget", f"{options.budget:g}"]
    for label in options.hidden_labels:
        flags += ["--hide", label]
    for module in options.modules or ():
        flags += ["--module", module]
    return shlex.join(flags)


def _zip_add(zf: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def write_gradescope_bundle(path: str, options: GradingOptions = GradingOptions()) -> list[str]:
    """Writes Gradescope's zip; returns the names it holds."""
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w") as zf:
        _zip_add(zf, "setup.sh", GRADESCOPE_SETUP.encode(), executable=True)
        _zip_add(zf, "run_autograder",
                 RUN_AUTOGRADER.format(options=_options(options)).encode(),
                 executable=True)
        for name, data, executable in _source():
            _zip_add(zf, name, data, executable)
        names = zf.namelist()
    os.replace(tmp, path)
    return names


def _write(path: str, data: bytes, executable: bool = False) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o755 if executable else 0o644)


def write_prairielearn_bundle(folder: str, options: GradingOptions = GradingOptions()) -> list[str]:
    """Writes ``folder/image`` (a Dockerfile and what it builds from), ``folder/tests/run.sh``
    (the entrypoint), ``folder/info.json`` (the question's external-grading options) and a
    README; returns the files written, relative to ``folder``."""
    flags = _options(options)
    files = [("image/Dockerfile", DOCKERFILE.format(home=PRAIRIELEARN_HOME).encode(), False),
             *((f"image/{name}", data, executable) for name, data, executable in _source()),
             ("tests/run.sh", PRAIRIELEARN_RUN.format(home=PRAIRIELEARN_HOME, options=flags).encode(), True),
             ("info.json", INFO_JSON.format(timeout=pl_timeout(options)).encode(), False),
             ("README.md", PRAIRIELEARN_README.format(options=flags).encode(), False)]
    for name, data, executable in files:
        _write(os.path.join(folder, name), data, executable)
    return [name for name, _, _ in files]
