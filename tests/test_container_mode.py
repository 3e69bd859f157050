"""Container mode, where Gradescope and PrairieLearn grade, shown on this machine under a
simulation of Docker's default profile (tests/container_profile.py): namespaces refused,
CAP_SYS_ADMIN dropped, read-only cgroups, this machine's checkouts out of view. And another
checkout's answers out of reach in every mode."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

import pytest

from tests.environments import container_profile, copy_checkout, world_python
from tests.helpers import ROOT, SUBMISSIONS, corpus, expected_mode, stage

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="container mode is a root grader's; "
                                "as another user the suite already grades in userns mode")


@pytest.fixture(scope="module")
def root_only_clone(env_base):
    """The project as the bundle leaves it: readable by root only."""
    return copy_checkout(os.path.join(env_base, "root-only-clone"), mode=0o700)


def _contained(command, cwd, keep, **env):
    return subprocess.run(container_profile(["env", *[f"{k}={v}" for k, v in env.items()], *command], keep),
                          cwd=cwd, capture_output=True, text=True, timeout=1200)


@pytest.mark.timeout(1500)
def test_the_hostile_corpus_and_its_tests_hold_in_container_mode(root_only_clone, anyone_python, env_base):
    hostile = [f"tests/test_corpus.py::test_exact_score[{n}]" for n in corpus()
               if n.startswith(("hostile_", "engine_"))]
    run = _contained([anyone_python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *hostile,
                      "tests/test_hostile.py", "tests/test_sandbox.py"],
                     root_only_clone, [env_base], AUTOGRADER_EXPECT_MODE="container")
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-2000:]
    assert run.returncode == 0 and " passed" in summary and "failed" not in summary, run.stdout[-6000:]


def test_grading_refuses_where_the_sandbox_could_read_the_answers(anyone_python, env_base):
    readable = copy_checkout(tempfile.mkdtemp(dir=env_base) + "/project")
    os.chmod(os.path.dirname(readable), 0o755)
    out = os.path.join(env_base, "refused.json")
    run = _contained([anyone_python, "grade.py", "examples/partly_wrong", "--json", out],
                     readable, [env_base])
    assert run.returncode == 2, run.stderr
    assert "a sandbox's user could read" in run.stderr and os.path.join(readable, "reference") in run.stderr
    data = json.load(open(out))                            # still a results.json, saying why
    assert data["score"] == 0 and "tell your instructor" in data["output"]


@pytest.mark.timeout(1500)
def test_the_gradescope_bundle_grades_in_container_mode(env_base):
    root = os.path.join(env_base, "gradescope")
    zip_path = os.path.join(env_base, "autograder.zip")
    made = subprocess.run([sys.executable, os.path.join(ROOT, "grade.py"), "--gradescope-bundle", zip_path],
                          capture_output=True, text=True, cwd=ROOT)
    assert made.returncode == 0, made.stderr
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(os.path.join(root, "source"))
    for script in ("setup.sh", "run_autograder"):
        os.chmod(os.path.join(root, "source", script), 0o755)
    python_dir = os.path.dirname(world_python())          # the image's python3, as Debian's
    env = {**os.environ, "AUTOGRADER_ROOT": root, "AUTOGRADER_TORCH_INDEX": "",
           "PATH": f"{python_dir}:{os.environ['PATH']}"}
    setup = subprocess.run(["bash", os.path.join(root, "source", "setup.sh")], env=env,
                           capture_output=True, text=True, timeout=1200)
    assert setup.returncode == 0, setup.stderr[-3000:]
    site = subprocess.run([os.path.join(root, "venv", "bin", "python"), "-I", "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True).stdout.strip()
    for name in ("reference", "graders"):                  # the answers: root's only
        assert os.stat(os.path.join(site, name)).st_mode & 0o077 == 0
    assert os.stat(os.path.join(root, "source")).st_mode & 0o077 == 0
    shutil.copytree(os.path.join(ROOT, "examples", "partly_wrong"), os.path.join(root, "submission"))
    run = _contained(["bash", os.path.join(root, "source", "run_autograder")], env_base, [env_base],
                     AUTOGRADER_ROOT=root)
    assert run.returncode == 0, run.stderr[-3000:]
    data = json.load(open(os.path.join(root, "results", "results.json")))
    assert data["extra_data"]["sandbox"] == "container", data["output"]
    assert data["score"] == 155.5 and data["max_score"] == 243


def _second_clone_with_first_on_path(env_base, python) -> tuple[str, str]:
    """A second clone, and an interpreter whose path holds this clone (a .pth file, as setup.sh
    writes one): a venv from one clone used to grade with another."""
    second = copy_checkout(tempfile.mkdtemp(dir=env_base) + "/second", mode=0o700)
    venv = os.path.join(os.path.dirname(second), "venv")
    subprocess.run([world_python(), "-m", "venv", "--without-pip", venv], check=True)
    site = subprocess.run([os.path.join(venv, "bin", "python"), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True).stdout.strip()
    deps = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True).stdout.strip()
    with open(os.path.join(site, "other-clone.pth"), "w") as f:
        f.write(f"{deps}\n{ROOT}\n")
    return second, os.path.join(venv, "bin", "python")


def test_another_clones_answers_stay_out_of_reach(env_base, anyone_python, tmp_path):
    second, python = _second_clone_with_first_on_path(env_base, anyone_python)
    steal = stage("engine_steals_reference", tmp_path)      # its targets: this clone's answers
    out = tmp_path / "results.json"
    run = subprocess.run([python, os.path.join(second, "grade.py"), steal, "--json", str(out)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    data = json.loads(out.read_text())
    assert data["extra_data"]["sandbox"] == expected_mode()
    stolen = {t["name"]: t for t in data["tests"] if t["extra_data"]["item"].startswith("tuning.")}
    assert stolen and all(t["score"] == 0 for t in stolen.values()), stolen
    assert "got 0" in stolen["tuning.grid_search_cost [worked]"]["output"]


def test_another_clones_answers_stop_a_container_grader(env_base, anyone_python, tmp_path):
    second, python = _second_clone_with_first_on_path(env_base, anyone_python)
    os.chmod(tmp_path, 0o755)
    run = _contained([python, os.path.join(second, "grade.py"), os.path.join(SUBMISSIONS, "wrong_yhat_9")],
                     str(tmp_path), [env_base, ROOT])
    assert run.returncode == 2 and os.path.join(ROOT, "reference") in run.stderr, run.stderr[-3000:]
