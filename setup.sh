#!/usr/bin/env bash
# Creates .venv with everything the grader and its tests need. Idempotent: a second run that
# finds the same requirements installed does nothing.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
stamp=.venv/.requirements-installed
want=$(cat requirements.txt)
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
   && grep -qxF "$PWD" .venv/lib/python*/site-packages/dl_autograder_project.pth 2>/dev/null; then
  exit 0
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
# torch is pinned here, where the CPU build lies on disk; the package itself accepts a wide range.
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
printf '%s' "$want" > "$stamp"
# the project on the venv's path, so that `pytest` finds its plugin from any folder
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
printf '%s\n' "$PWD" > "$site/dl_autograder_project.pth"
