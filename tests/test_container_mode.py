"""Container mode, where Gradescope and PrairieLearn grade, shown on this machine under a
simulation of Docker's default profile (tests/container_profile.py): namespaces refused,
CAP_SYS_ADMIN dropped, read-only cgroups, an image's file system (the operating system and
what each test keeps: none of this machine's checkouts, wherever they lie). And another
checkout's answers stopping a container grader (tests/test_install.py shows them out of reach
in the other modes)."""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import zipfile

import pytest

from tests.environments import container_profile, copy_checkout, second_clone, world_python
from tests.helpers import EXAMPLE, ROOT, SUBMISSIONS, TOTAL, corpus, expected_total

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
                      "tests/test_hostile.py", "tests/test_sandbox.py", "tests/test_hidden.py"],
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
    assert f"chmod -R go-rwx {readable}" in run.stderr or f" {readable} " in run.stderr   # the checkout too
    assert not os.path.exists(out)              # Gradescope's "the autograder failed": no score at all
    run = _contained([anyone_python, "grade.py", "examples/partly_wrong", "--json", out, "--format",
                      "prairielearn"], readable, [env_base])
    assert run.returncode == 2, run.stderr
    data = json.load(open(out))                            # PrairieLearn's: not gradable, saying why
    assert data["gradable"] is False and "tell your instructor" in data["format_errors"][0]


@pytest.fixture(scope="module")
def gradescope(env_base):
    """A stand-in of Gradescope's /autograder after its image was built: the bundle unpacked
    into source/ and its own setup.sh run (as root, with the network, as Gradescope does)."""
    root = os.path.join(env_base, "gradescope")
    zip_path = os.path.join(env_base, "autograder.zip")
    made = subprocess.run([sys.executable, os.path.join(ROOT, "grade.py"), "--gradescope-bundle", zip_path],
                          capture_output=True, text=True, cwd=ROOT)
    assert made.returncode == 0, made.stderr
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(os.path.join(root, "source"))
        assert not [n for n in zf.namelist() if n.startswith(("tests/", "student_template/"))]
    for script in ("setup.sh", "run_autograder", "install.sh"):
        os.chmod(os.path.join(root, "source", script), 0o755)
    python_dir = os.path.dirname(world_python())          # the image's python3, as Debian's
    env = {**os.environ, "AUTOGRADER_ROOT": root, "AUTOGRADER_TORCH_INDEX": "",
           "PATH": f"{python_dir}:{os.environ['PATH']}"}
    setup = subprocess.run(["bash", os.path.join(root, "source", "setup.sh")], env=env,
                           capture_output=True, text=True, timeout=1200)
    assert setup.returncode == 0, setup.stderr[-3000:]
    return root


@pytest.mark.timeout(1500)
def test_the_gradescope_bundle_grades_in_container_mode(gradescope, env_base):
    root = gradescope
    site = subprocess.run([os.path.join(root, "venv", "bin", "python"), "-I", "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True).stdout.strip()
    for name in ("reference", "graders"):                  # the answers: root's only, in autograder/
        assert not os.path.exists(os.path.join(site, name))
        assert os.stat(os.path.join(site, "autograder", "answers", name)).st_mode & 0o077 == 0
    assert os.stat(os.path.join(root, "source")).st_mode & 0o077 == 0
    shutil.copytree(os.path.join(ROOT, "examples", "partly_wrong"), os.path.join(root, "submission"))
    metadata = os.path.join(root, "submission_metadata.json")       # earlier results: hidden too
    with open(metadata, "w") as f:
        json.dump({"previous_submissions": [{"results": {"tests": []}}]}, f)
    os.chmod(metadata, 0o644)
    run = _contained(["bash", os.path.join(root, "source", "run_autograder")], env_base, [env_base],
                     AUTOGRADER_ROOT=root)
    assert os.stat(metadata).st_mode & 0o077 == 0
    assert run.returncode == 0, run.stderr[-3000:]
    data = json.load(open(os.path.join(root, "results", "results.json")))
    assert data["extra_data"]["sandbox"] == "container", data["output"]
    assert data["score"] == expected_total(EXAMPLE) and data["max_score"] == TOTAL


def _prairielearn_grade(gradescope, env_base, student: str, *options) -> dict:
    """The PrairieLearn bundle's run.sh on a stand-in /grade tree, in container mode, with the
    grader its install.sh put in the image (the same install as Gradescope's)."""
    bundle = tempfile.mkdtemp(dir=env_base)
    made = subprocess.run([sys.executable, os.path.join(ROOT, "grade.py"), "--prairielearn-bundle", bundle,
                           *options], capture_output=True, text=True, cwd=ROOT)
    assert made.returncode == 0, made.stderr
    assert sorted(os.listdir(os.path.join(bundle, "tests"))) == ["run.sh"]      # no answers there
    with open(os.path.join(bundle, "image", "Dockerfile")) as f:
        assert "install.sh" in f.read()
    grade = os.path.join(bundle, "grade")
    shutil.copytree(os.path.join(bundle, "tests"), os.path.join(grade, "tests"))
    shutil.copytree(student, os.path.join(grade, "student"))
    run = _contained(["bash", os.path.join(grade, "tests", "run.sh")], env_base, [env_base],
                     AUTOGRADER_GRADE_ROOT=grade,
                     AUTOGRADER_PYTHON=os.path.join(gradescope, "venv", "bin", "python"))
    assert run.returncode == 0, run.stderr[-3000:]
    path = os.path.join(grade, "results", "results.json")
    assert os.path.getsize(path) < 1_000_000                # PrairieLearn's limit
    with open(path) as f:
        return json.load(f)


def _valid_prairielearn(data: dict) -> None:
    """The fields PrairieLearn's external-grading documentation lists, with their types."""
    assert isinstance(data["gradable"], bool) and isinstance(data["message"], str)
    assert isinstance(data["output"], str) and isinstance(data["tests"], list)
    if data["gradable"]:
        assert 0.0 <= data["score"] <= 1.0
    for test in data["tests"]:
        assert set(test) == {"name", "description", "points", "max_points", "message", "output"}
        assert all(isinstance(test[k], str) for k in ("name", "description", "message", "output"))
        assert 0 <= test["points"] <= test["max_points"]


@pytest.mark.timeout(1500)
def test_the_prairielearn_bundle_grades_in_container_mode(gradescope, env_base):
    data = _prairielearn_grade(gradescope, env_base, os.path.join(ROOT, "examples", "partly_wrong"))
    _valid_prairielearn(data)
    assert data["gradable"] and abs(data["score"] - expected_total(EXAMPLE) / TOTAL) < 1e-12
    assert sum(t["points"] for t in data["tests"]) == expected_total(EXAMPLE) and "sandbox (container)" in data["output"]
    unreadable = os.path.join(tempfile.mkdtemp(dir=env_base), "student")
    os.makedirs(unreadable)
    with open(os.path.join(unreadable, "homework.ipynb"), "w") as f:
        f.write("{not a notebook")
    data = _prairielearn_grade(gradescope, env_base, unreadable)
    _valid_prairielearn(data)
    assert data["gradable"] is False and "could not be read" in data["format_errors"][0]


def test_prairielearn_hides_hidden_instances(gradescope, env_base, monkeypatch):
    from tests.test_hidden import LEAK, hidden_instances, leaks
    data = _prairielearn_grade(gradescope, env_base, LEAK, "--hide", "random",
                               "--module", "tuning", "--module", "gradient_flow")
    _valid_prairielearn(data)
    seen = [data["message"], data["output"]] + [t[k] for t in data["tests"] for k in ("message", "output")]
    assert leaks(seen, hidden_instances(LEAK, monkeypatch)) == []
    assert [t["name"] for t in data["tests"] if t["name"].startswith("hidden")] == ["hidden cases (6)"]


def test_another_clones_answers_stop_a_container_grader(env_base, anyone_python, tmp_path):
    second, python = second_clone(env_base, anyone_python)
    os.chmod(tmp_path, 0o755)
    run = _contained([python, os.path.join(second, "grade.py"), os.path.join(SUBMISSIONS, "wrong_yhat_9")],
                     str(tmp_path), [env_base, ROOT])
    assert run.returncode == 2 and os.path.join(ROOT, "reference") in run.stderr, run.stderr[-3000:]


def test_the_permission_check_sees_every_readable_file(env_base):
    """Container mode's check, run as a fresh uid: a name that is not UTF-8 does not make it
    look away, and a folder the uid cannot enter hides what it holds."""
    from autograder.sandbox.container import readable_by
    uid = 3_000_000 + os.getpid()
    tmp_path = pathlib.Path(tempfile.mkdtemp(dir=env_base))
    open_folder = tmp_path / "open"
    open_folder.mkdir()
    (open_folder / os.fsdecode(b"\xff.py")).write_text("answers")
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    (closed / "tuning.py").write_text("answers")
    os.chmod(tmp_path, 0o755)
    os.chmod(open_folder, 0o755)
    os.chmod(open_folder / os.fsdecode(b"\xff.py"), 0o644)
    assert readable_by(uid, (str(closed),)) == []
    assert str(open_folder / os.fsdecode(b"\xff.py")) in readable_by(uid, (str(open_folder), str(closed)))


def test_what_a_sandbox_wrote_is_removed_with_its_own_rights(env_base):
    """The cleanup runs as the sandbox's uid: a link it planted is removed, not followed, and
    what the uid could not remove itself (root's file in a root folder below its own) stays."""
    from autograder.sandbox.container import remove_written
    uid = 3_100_000 + os.getpid()
    tmp_path = pathlib.Path(tempfile.mkdtemp(dir=env_base))
    os.chmod(tmp_path, 0o755)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o1777)
    os.chmod(shared, 0o1777)
    target = tmp_path / "target"
    target.mkdir(mode=0o700)
    (target / "victim").write_text("root's")
    mine = shared / "mine"
    mine.mkdir()
    os.symlink(target, mine / "link")
    shelter = mine / "roots"
    shelter.mkdir()
    (shelter / "kept").write_text("root's")
    for path in (mine, mine / "link"):
        os.lchown(path, uid, uid)
    os.chmod(mine, 0o777)
    remove_written(uid, (str(shared),))
    assert (target / "victim").exists() and (shelter / "kept").exists()
    assert not os.path.lexists(mine / "link")
