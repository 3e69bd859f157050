"""Python environments the tests build, for what this checkout's .venv cannot show: a process
of another user (the .venv's interpreter may lie in root's home, which no one else may enter),
the package installed from a copy of the clone, and a container's grader."""

from __future__ import annotations

import functools
import os
import shutil
import stat
import subprocess
import sys

from tests.helpers import ROOT

NOBODY = 65534
COPY_IGNORED = shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", "build", ".tmp-*")


def usable_by_anyone(path: str) -> bool:
    """Whether any user may run ``path``: it and every folder above it let others through."""
    path = os.path.realpath(path)
    folders = [path]
    while folders[-1] != "/":
        folders.append(os.path.dirname(folders[-1]))
    return all(os.stat(p).st_mode & stat.S_IXOTH for p in folders)


@functools.lru_cache(maxsize=None)
def world_python() -> str | None:
    """An interpreter of this Python version that any user can run and that makes venvs."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (getattr(sys, "_base_executable", ""), f"/usr/bin/{version}",
                      f"/usr/local/bin/{version}", shutil.which(version) or ""):
        if candidate and os.path.exists(candidate) and usable_by_anyone(candidate) and \
                subprocess.run([candidate, "-c", "import venv, ensurepip"], capture_output=True).returncode == 0:
            return candidate
    return None


def requirements() -> list[str]:
    with open(os.path.join(ROOT, "requirements.txt")) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def make_venv(folder: str, base: str, packages: list[str]) -> str:
    """A venv at ``folder`` from interpreter ``base`` with ``packages``; its python's path."""
    subprocess.run([base, "-m", "venv", folder], check=True)
    python = os.path.join(folder, "bin", "python")
    run = subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                          *packages], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    return python


def copy_checkout(dest: str, mode: int = 0o755) -> str:
    """This checkout's files (its working tree, without .venv, .git or build leftovers) at
    ``dest``, with folders of ``mode`` and files readable as the mode says."""
    shutil.copytree(ROOT, dest, ignore=COPY_IGNORED)
    for dirpath, dirnames, filenames in os.walk(dest):
        os.chmod(dirpath, mode)
        for name in filenames:
            path = os.path.join(dirpath, name)
            os.chmod(path, (mode & 0o666) | (os.stat(path).st_mode & 0o111 & mode))
    return dest


def as_nobody(command: list[str]) -> list[str]:
    """``command`` run as an unprivileged user (no groups), when the tests run as root."""
    if os.geteuid() != 0:
        return command
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--", *command]


def container_profile(command: list[str], keep: list[str]) -> list[str]:
    """``command`` run as in a container with Docker's default profile (tests/container_profile.py):
    an image's file system, with the ``keep`` folders and the installation of the interpreter
    any user runs; nothing else of this machine (its checkouts, wherever they lie)."""
    base = world_python()
    kept = [*keep, _installation(base)] if base else keep
    return [sys.executable, "-m", "tests.container_profile",
            *[a for k in dict.fromkeys(kept) for a in ("--keep", k)], "--", *command]


@functools.lru_cache(maxsize=None)
def _installation(python: str) -> str:
    return subprocess.run([python, "-I", "-c", "import sys; print(sys.base_prefix)"],
                          capture_output=True, text=True, check=True).stdout.strip()


def second_clone(env_base: str, python: str, mode: int = 0o700) -> tuple[str, str]:
    """A second clone (folders of ``mode``), and an interpreter whose import path holds this
    clone through a .pth file, as setup.sh writes one: a venv of one clone used to grade with
    another. ``python``'s packages come along through a second .pth line."""
    import tempfile
    home = tempfile.mkdtemp(dir=env_base)
    os.chmod(home, 0o755)
    second = copy_checkout(os.path.join(home, "second"), mode=mode)
    venv = os.path.join(home, "venv")
    subprocess.run([world_python(), "-m", "venv", "--without-pip", venv], check=True)

    def purelib(interpreter):
        return subprocess.run([interpreter, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(purelib(os.path.join(venv, "bin", "python")), "other-clone.pth"), "w") as f:
        f.write(f"{purelib(python)}\n{ROOT}\n")
    return second, os.path.join(venv, "bin", "python")
