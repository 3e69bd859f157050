"""The grader as users elsewhere get it: installed with pip from the clone and run from any
folder, and run by an ordinary user (how students grade themselves), in user-namespace mode."""

import json
import os
import subprocess
import tempfile

import pytest

from autograder import catalog
from autograder.make import bundle
from tests.environments import as_nobody, copy_checkout, second_clone
from tests.helpers import ROOT, TOTAL, expected_mode, expected_scores, modules_in, stage
from tests.test_hidden import hidden_instances, leaks, visible_texts


@pytest.fixture(scope="module")
def installed(env_base, anyone_python):
    """``pip install`` of a copy of this clone into a fresh target folder (the dependencies
    come from the anyone venv); the environment that runs it."""
    source = copy_checkout(os.path.join(env_base, "pip-source"))
    target = os.path.join(env_base, "pip-target")
    run = subprocess.run([anyone_python, "-m", "pip", "install", "--quiet", "--no-deps",
                          "--disable-pip-version-check", "--target", target, source],
                         capture_output=True, text=True, cwd=env_base)
    assert run.returncode == 0, run.stderr[-3000:]
    return {**os.environ, "PYTHONPATH": target}


def test_pip_install_grades_the_reference_from_another_folder(installed, anyone_python, tmp_path):
    """Nothing named ``graders`` or ``reference`` at the top of site-packages: they are the
    grader's own, in ``autograder/answers``, found by the grader (first, before a folder of that
    name where it runs) and by no one else."""
    target = installed["PYTHONPATH"]
    assert not {"graders", "reference"} & set(os.listdir(target))
    assert sorted(os.listdir(os.path.join(target, "autograder", "answers"))) == ["graders", "reference"]
    alone = subprocess.run([anyone_python, "-c", "import reference"], capture_output=True, text=True,
                           cwd=tmp_path, env=installed)
    assert alone.returncode != 0 and "No module named 'reference'" in alone.stderr
    for name in ("graders", "reference"):             # another package of those names, where it runs
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("raise ImportError('not the grader's')\n")
    where = subprocess.run([anyone_python, "-c", "from autograder import catalog; import graders, reference; "
                            "print(len(catalog.available()), graders.__file__, reference.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, env=installed)
    count, *files = where.stdout.split()
    assert int(count) == len(catalog.available()), where.stderr
    assert all(p.startswith(os.path.join(target, "autograder", "answers") + os.sep) for p in files), where
    out = tmp_path / "results.json"
    run = subprocess.run([anyone_python, "-m", "autograder", os.path.join(ROOT, "reference"),
                          "--json", str(out)], capture_output=True, text=True, cwd=tmp_path,
                         env=installed, timeout=300)
    assert run.returncode == 0, run.stderr
    data = json.loads(out.read_text())
    assert data["score"] == data["max_score"] == TOTAL
    assert data["extra_data"]["sandbox"] in ("root", "userns")


def test_a_bundle_made_by_an_installed_grader_installs_as_the_checkout_does():
    """setup.py (which puts the answers inside autograder/) is what an installed grader's
    bundles build from too: its copy in bundle.py is the checkout's file."""
    with open(os.path.join(ROOT, "setup.py")) as f:
        assert f.read() == bundle.SETUP_PY


def test_the_console_script_and_the_template_come_with_it(installed, anyone_python, tmp_path):
    script = os.path.join(installed["PYTHONPATH"], "bin", "dl-autograder")
    out = tmp_path / "results.json"
    run = subprocess.run([script, os.path.join(ROOT, "student_template"), "--module", "tuning",
                          "--json", str(out)], capture_output=True, text=True, cwd=tmp_path,
                         env=installed, timeout=300)
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text())["score"] == 0 and "Total: 0 / 6" in run.stdout
    assert " ".join(run.stdout.split()[-5:]) == f"{script} {os.path.join(ROOT, 'student_template')} --module " \
        "tuning --failed"                       # the next command, as it was run: no grade.py for pip users
    (tmp_path / "empty").mkdir()
    for args, stream, said in (([str(tmp_path / "empty")], "stderr", "dl-autograder: nothing was handed in"),
                               (["--bogus"], "stderr", "usage: dl-autograder"),
                               (["--version"], "stdout", "dl-autograder 0.1.0 (default seed 0)")):
        other = subprocess.run([script, *args], capture_output=True, text=True, cwd=tmp_path, env=installed)
        assert said in getattr(other, stream) and "grade.py" not in other.stdout + other.stderr, other
    run = subprocess.run([anyone_python, "-m", "autograder.make.template", "--out", str(tmp_path / "t")],
                         capture_output=True, text=True, cwd=tmp_path, env=installed)
    assert run.returncode == 0, run.stderr
    for name in os.listdir(os.path.join(ROOT, "student_template")):
        with open(os.path.join(ROOT, "student_template", name)) as f:
            assert (tmp_path / "t" / name).read_text() == f.read(), name


ORDINARY = ("ok_activations_alternatives", "wrong_transposed_dW", "hostile_escape")


def test_students_grade_as_ordinary_users(env_base, anyone_python, monkeypatch):
    """As an unprivileged user (root's tests switch to nobody): a copy of the project anyone may
    read, the reference, the template and corpus submissions with their exact scores."""
    home = tempfile.mkdtemp(dir=env_base)
    os.chmod(home, 0o755)
    project = copy_checkout(os.path.join(home, "project"))
    subs = {"reference": os.path.join(project, "reference"),
            "student_template": os.path.join(project, "student_template")}
    os.makedirs(os.path.join(home, "corpus"), mode=0o755)
    for name in ORDINARY:
        subs[name] = stage(name, os.path.join(home, "corpus"))
    results = os.path.join(home, "results")
    os.makedirs(results, mode=0o777)
    os.chmod(results, 0o777)
    for name, path in subs.items():
        out = os.path.join(results, f"{name}.json")
        run = subprocess.run(as_nobody([anyone_python, os.path.join(project, "grade.py"), path,
                                        "--json", out]),
                             capture_output=True, text=True, cwd=results, timeout=300,
                             env={"PATH": os.environ["PATH"], "HOME": results, "TMPDIR": "/tmp"})
        assert run.returncode == 0, (name, run.stderr[-3000:])
        data = json.load(open(out))
        assert data["extra_data"]["sandbox"] == "userns", name
        got = {f"{t['extra_data']['item']}[{t['extra_data']['case']}]": t["score"] for t in data["tests"]}
        if name == "reference":
            assert data["score"] == TOTAL
        elif name == "student_template":
            assert data["score"] == 0 and data["max_score"] == TOTAL
        else:
            handed_in = {c: s for c, s in got.items() if c.split(".")[0] in modules_in(path)}
            assert handed_in == expected_scores(name, handed_in, "userns"), name
    # and hidden cases stay hidden in userns mode too
    leak, out = stage("hostile_leak_hidden", os.path.join(home, "corpus")), os.path.join(results, "leak.json")
    run = subprocess.run(as_nobody([anyone_python, os.path.join(project, "grade.py"), leak, "--hide", "random",
                                    "--module", "tuning", "--module", "gradient_flow", "--json", out]),
                         capture_output=True, text=True, cwd=results, timeout=300,
                         env={"PATH": os.environ["PATH"], "HOME": results, "TMPDIR": "/tmp"})
    assert run.returncode == 0, run.stderr[-3000:]
    data = json.load(open(out))
    instances = hidden_instances(leak, monkeypatch)
    assert data["extra_data"]["sandbox"] == "userns" and leaks(visible_texts(data), instances) == []
    assert leaks([t["output"] for t in data["tests"] if t["visibility"] == "hidden"], instances)


def _steal_from_a_second_clone(env_base, anyone_python, folder, nobody: bool) -> dict:
    """engine_steals_reference graded by a second clone's grade.py with a venv whose path holds
    this clone: its probes aim at this clone's answers, on the grader's import path."""
    second, python = second_clone(env_base, anyone_python, mode=0o755)
    os.chmod(folder, 0o777)                                # its report goes here
    steal = stage("engine_steals_reference", folder)       # its targets: this clone's answers
    out = os.path.join(folder, "results.json")
    command = [python, os.path.join(second, "grade.py"), steal, "--module", "tuning", "--json", out]
    run = subprocess.run(as_nobody(command) if nobody else command, capture_output=True, text=True,
                         cwd=folder, timeout=300, env={"PATH": os.environ["PATH"], "TMPDIR": "/tmp"})
    assert run.returncode == 0, run.stderr[-3000:]
    return json.load(open(out))


@pytest.mark.parametrize("nobody", [False, True], ids=["this-user", "ordinary-user"])
def test_another_clones_answers_stay_out_of_reach(env_base, anyone_python, nobody):
    if nobody and os.geteuid() != 0:
        pytest.skip("this run is an ordinary user's already")
    folder = tempfile.mkdtemp(dir=env_base)
    data = _steal_from_a_second_clone(env_base, anyone_python, folder, nobody)
    assert data["extra_data"]["sandbox"] == ("userns" if nobody else expected_mode())
    assert data["score"] == 0 and "got 0" in data["tests"][0]["output"], data["tests"][0]


def test_installed_answers_are_masked_in_every_jail(tmp_path, monkeypatch):
    """The jail shows the interpreter's site-packages; the answers pip put inside
    ``autograder/answers`` there are among the folders it masks (and container mode checks)."""
    from autograder.sandbox import zygote
    site = tmp_path / "venv" / "lib" / "site-packages"
    for name in ("graders", "reference"):
        (site / "autograder" / "answers" / name).mkdir(parents=True)
        (site / "autograder" / "answers" / name / "__init__.py").write_text("")
    monkeypatch.setattr("sys.prefix", str(tmp_path / "venv"))
    monkeypatch.setattr("sys.path", [str(site)])
    order, hidden = zygote.python_paths()
    assert order == [str(site)]
    assert sorted(hidden) == [str(site / "autograder" / "answers" / n) for n in ("graders", "reference")]
