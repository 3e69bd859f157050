"""What the hostile corpus (tests/submissions/hostile_*) cannot say in expected.json: that
grading it changed nothing outside the sandbox, left no process behind, wrote the grader's
own report (which nothing rewrites afterwards), and that the trusted side never ran a line of
the student's code (no pwned-* marker appears in the run's marker folder, conftest.py)."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import textwrap
import time

import pytest

from autograder import engine
from autograder.codec import encode
from autograder.options import GradingOptions
from autograder.sandbox import client
from autograder.sandbox.client import OUTPUT_KEPT, Sandbox
from autograder.submission import open_submission
from tests.helpers import (ROOT, SUBMISSIONS, TOTAL, expected_mode, grade, markers, reference_source, stage,
                           write_submission)

# the attacks that try to change something outside the jail, or to run code in the grader
TAMPERING = ("hostile_tamper", "hostile_shadow_files", "hostile_daemon", "hostile_fork_bomb",
             "hostile_forge_results", "hostile_notebook_shell", "hostile_symbolic_code",
             "hostile_escape", "hostile_values", "hostile_output_flood", "hostile_disk_fill")
PROJECT = ("grade.py", "conftest.py", "pyproject.toml", "graders", "reference", "autograder")
HOOKS = ("sitecustomize.py", "usercustomize.py")


def _project_hashes() -> dict[str, str]:
    out = {}
    for entry in PROJECT:
        path = os.path.join(ROOT, entry)
        files = [path] if os.path.isfile(path) else [
            os.path.join(d, n) for d, dirs, names in os.walk(path)
            for n in names if "__pycache__" not in d]
        for f in files:
            with open(f, "rb") as fh:
                out[os.path.relpath(f, ROOT)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def _python_folders() -> list[str]:
    folders = set(site.getsitepackages()) | {site.getusersitepackages()}
    folders |= {sysconfig.get_paths()[k] for k in ("purelib", "platlib", "stdlib")}
    folders |= {p for p in sys.path if p and os.path.isdir(p) and not p.startswith(ROOT + os.sep + "tests")}
    return sorted(f for f in folders if os.path.isdir(f))


def _startup_hooks() -> dict[str, str]:
    """Every file Python runs at start-up from the interpreter's folders, with its hash."""
    out = {}
    for folder in _python_folders():
        for path in glob.glob(os.path.join(folder, "*.pth")) + [os.path.join(folder, h) for h in HOOKS]:
            if os.path.isfile(path):
                with open(path, "rb") as fh:
                    out[path] = hashlib.sha256(fh.read()).hexdigest()
    return out


ISSUED: list[int] = []                  # uids of the sandboxes started by this module's tests


def _recording_uids():
    """Records every uid client._next_uid hands out while the module's tests run."""
    original = client._next_uid

    def record():
        uid = original()
        ISSUED.append(uid)
        return uid
    client._next_uid = record
    return original


def _processes_of(uids) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status") as f:
                uid = next(int(line.split()[1]) for line in f if line.startswith("Uid:"))
        except (OSError, StopIteration, ValueError):
            continue
        if uid in set(uids):
            found.append(pid)
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grades the tampering part of the corpus once, with snapshots taken before and after."""
    original = _recording_uids()
    before = {"project": _project_hashes(), "hooks": _startup_hooks()}
    reports = {}
    for name in TAMPERING:
        want = json.load(open(os.path.join(SUBMISSIONS, name, "expected.json")))
        kwargs = {"modules": tuple(want["modules"])} if "modules" in want else {}
        reports[name] = grade(stage(name, tmp_path_factory.mktemp(name)), **kwargs)
    after = {"project": _project_hashes(), "hooks": _startup_hooks()}
    yield before, after, reports
    client._next_uid = original


def test_the_project_is_unchanged(graded):
    before, after, _ = graded
    changed = {f for f in set(before["project"]) | set(after["project"])
               if before["project"].get(f) != after["project"].get(f)}
    assert before["project"] and not changed, changed


def test_no_startup_hook_appeared_in_the_interpreter(graded):
    before, after, _ = graded
    assert after["hooks"] == before["hooks"]
    for path in after["hooks"]:              # nor earlier in this run (test_corpus's)
        with open(path, errors="replace") as f:
            assert "pwned" not in f.read(), path


def test_no_student_code_ran_in_the_grader(graded):
    assert markers() == []                 # nor in any earlier test of this run (test_corpus's)


def test_the_attacks_were_graded(graded):
    *_, reports = graded
    assert {r.sandbox_mode for r in reports.values()} == {expected_mode()}
    assert "tampered: []" in reports["hostile_tamper"].results[-1].output


def test_no_process_outlives_grading(graded):
    graded_uids = list(ISSUED)
    box = Sandbox(open_submission(os.path.join(SUBMISSIONS, "hostile_fork_bomb")).sandbox_spec())
    try:                                   # the check does see a sandbox's processes while it lives
        box.reply({"op": "call", "module": "tuning", "function": "grid_search_cost",
                   "args": encode(([10, 6, 5], 10, 2)), "kwargs": encode({}), "probe": None}, 30).value
        assert len(_processes_of(ISSUED[len(graded_uids):])) >= 10
    finally:
        box.close()
    assert len(graded_uids) >= len(TAMPERING)
    deadline = time.monotonic() + 5
    while _processes_of(ISSUED) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_of(ISSUED) == []


def test_output_flood_is_capped(graded):
    *_, reports = graded
    printed = reports["hostile_output_flood"].printed
    assert 0 < len(printed) <= OUTPUT_KEPT and "243 passed" in printed


def test_notebook_lines_are_skipped_and_reported(graded):
    *_, reports = graded
    notes = "\n".join(reports["hostile_notebook_shell"].notes)
    assert "skipped IPython-only lines !rm -rf /" in notes
    assert "cell 3: not run: %%bash does not run its cell as Python in the notebook's namespace" in notes
    assert "NameError: name 'get_ipython' is not defined" in notes   # the spaced call ran, harmlessly
    assert "skipped IPython-only line !printf '\\x1b[2J\\x1b[H" in notes and "\x1b" not in notes


def test_notebook_cell_errors_are_escaped():
    report = grade(os.path.join(SUBMISSIONS, "hostile_notebook_hang"), modules=("tuning",), load_timeout=6)
    notes = "\n".join(report.notes)
    assert "SystemExit: \\x1b[2Jall tests passed" in notes and "\x1b" not in notes


def test_a_canary_beside_the_submission_survives(tmp_path):
    sub = tmp_path / "submission"
    shutil.copytree(os.path.join(SUBMISSIONS, "hostile_tamper"), sub)
    os.chmod(sub, 0o755)
    canaries = [tmp_path / "canary.txt", sub / "canary.txt"]
    for c in canaries:
        c.write_text("still here")
    stamps = {str(p): (p.read_bytes(), p.stat().st_mtime_ns)
              for p in [*canaries, sub / "tuning.py", sub / "expected.json"]}
    report = grade(str(sub), modules=("tuning",))
    assert report.by_case()["tuning.grid_search_cost[worked]"] == 2
    assert "tampered: []" in report.results[-1].output
    assert {str(p): (p.read_bytes(), p.stat().st_mtime_ns) for p in map(type(sub), stamps)} == stamps
    assert sorted(os.listdir(sub)) == ["canary.txt", "expected.json", "tuning.py"]
    assert sorted(os.listdir(tmp_path)) == ["canary.txt", "submission"]


def _grade_py(tmp_path, submission, out, *extra, env=None):
    return subprocess.run([sys.executable, os.path.join(ROOT, "grade.py"), submission,
                           "--json", str(out), *extra], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env=env)


def test_results_json_is_the_graders_own(tmp_path):
    out = tmp_path / "results.json"
    env = {**os.environ, "GRADER_SECRET_TOKEN": "s3cr3t-t0ken-4711"}
    run = _grade_py(tmp_path, os.path.join(SUBMISSIONS, "hostile_forge_results"), out, env=env)
    assert run.returncode == 0, run.stderr
    written = json.loads(out.read_text())
    assert written["score"] == 0 and written["max_score"] == TOTAL
    assert "All tests passed" not in json.dumps(written)          # the forged file's text
    tuning = {t["name"]: t["score"] for t in written["tests"] if t["extra_data"]["item"].startswith("tuning.")}
    assert tuning and set(tuning.values()) == {0}
    assert "243 passed" not in run.stdout                          # its printed fake summary
    assert sorted(os.listdir(tmp_path)) == ["results.json"]       # nothing else written here
    # and the grader's environment does not reach the student's process
    run = _grade_py(tmp_path, os.path.join(SUBMISSIONS, "hostile_steals_everywhere"), out,
                    "--module", "tuning", env=env)
    assert run.returncode == 0, run.stderr
    report = out.read_text()
    assert "grader variables: []" in report and "s3cr3t" not in report and "GRADER_SECRET" not in report


def test_a_daemon_cannot_rewrite_the_report(tmp_path):
    out = tmp_path / "results.json"
    run = _grade_py(tmp_path, os.path.join(SUBMISSIONS, "hostile_daemon"), out, "--module", "gradient_flow")
    assert run.returncode == 0, run.stderr
    first = (out.read_bytes(), out.stat().st_mtime_ns)
    assert json.loads(first[0])["score"] == 10
    time.sleep(2)
    assert (out.read_bytes(), out.stat().st_mtime_ns) == first
    assert sorted(os.listdir(tmp_path)) == ["results.json"]


def test_pytest_does_not_load_the_submissions_conftest(tmp_path):
    run = subprocess.run([sys.executable, "-m", "pytest", "graders/test_graders.py", "-q", "-k", "tuning",
                          "--submission", os.path.join(SUBMISSIONS, "hostile_shadow_files")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert markers() == []                 # its conftest.py and numpy.py never ran here
    assert run.returncode == 1 and "6 failed" in run.stdout, run.stdout[-2000:]


def test_pytest_with_submission_equals_path_grades_in_the_sandbox(tmp_path):
    run = subprocess.run([sys.executable, "-m", "pytest", "graders/test_graders.py", "-q", "-k", "tuning",
                          "--submission=" + os.path.join(SUBMISSIONS, "hostile_shadow_files")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1 and "6 failed" in run.stdout, run.stdout[-2000:]
    assert markers() == []


def test_the_student_process_goes_first_when_memory_runs_out(tmp_path):
    folder = write_submission(tmp_path / "s", {"tuning.py": textwrap.dedent('''
        def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
            return open("/proc/self/oom_score_adj").read().strip()

        def random_search_trials(p_good, confidence):
            return 0
    ''')})
    report = grade(folder, modules=("tuning",))
    assert "got str '1000'" in report.results[0].output


def test_the_time_budget_ends_a_slow_submission(tmp_path):
    folder = write_submission(tmp_path / "slow", {"gradient_flow.py": textwrap.dedent('''
        import time

        def chain_gradient(local_grads):
            time.sleep(0.8)

        residual_gradient = plain_depth_gradient = residual_blocks_gradient = chain_gradient
    ''')})
    report = engine.grade(folder, GradingOptions(modules=("gradient_flow",), budget=2.0))
    assert report.score == 0
    assert "used up its 2 s time budget" in report.results[-1].output


SLOW_TO_SIMPLIFY = ('"w1**2*w2**2/2 + (w1/4+w2/4+x/4)**30*(w1/4-w2/4+x/4)**30'
                    ' - ((w1/4+x/4)**2-w2**2/16)**30"')


def test_symbolic_checks_leave_no_work_behind(tmp_path):
    source = reference_source("deep_linear")
    start = source.index("def population_loss_expr(")
    doc_end = source.index('"""', source.index('"""', start) + 3) + 3
    end = source.index("\ndef ", start)
    source = source[:doc_end] + f"\n    return {SLOW_TO_SIMPLIFY}\n\n" + source[end:]
    folder = write_submission(tmp_path / "slow", {"deep_linear.py": source})
    script = textwrap.dedent(f'''
        import glob, os, sys, time
        sys.path.insert(0, {ROOT!r})
        from autograder import engine
        from autograder.options import GradingOptions

        def cpu():
            """CPU seconds of this process and of its children (the helper, the zygote)."""
            kids = [k for f in glob.glob("/proc/self/task/*/children") for k in open(f).read().split()]
            ticks = 0
            for pid in kids:
                try:
                    ticks += sum(int(v) for v in open(f"/proc/{{pid}}/stat").read().rsplit(")", 1)[1].split()[11:13])
                except OSError:
                    pass
            return time.process_time() + ticks / os.sysconf("SC_CLK_TCK")

        report = engine.grade({folder!r}, GradingOptions(modules=("deep_linear",)))
        time.sleep(0.5)
        before = cpu()
        time.sleep(2)
        print(report.by_case()["deep_linear.population_loss_expr[symbolic]"], cpu() - before)
    ''')
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    score, idle_cpu = run.stdout.split()
    assert score == "4"                    # the answer is right (and equivalent): full marks
    assert float(idle_cpu) < 0.2           # and nothing keeps expanding it after grading


MEMORY_SCAN = textwrap.dedent('''
    import ctypes

    def grid_search_cost(value_counts, epochs_per_run, minutes_per_epoch):
        needle = "EEFF0Cx0-YEK-REWSNA-TERCES"[::-1].encode()
        hits = 0
        with open("/proc/self/maps") as f:
            regions = [line.split() for line in f]
        for r in regions:                      # anonymous memory and the heap, inherited from the zygote
            if not r[1].startswith("r") or (len(r) > 5 and r[5] != "[heap]"):
                continue
            lo, hi = (int(x, 16) for x in r[0].split("-"))
            if hi - lo <= 512 * 2**20:
                hits += ctypes.string_at(lo, hi - lo).count(needle)
        return hits

    def random_search_trials(p_good, confidence):
        return 0
''')


def test_a_later_sandbox_cannot_read_an_earlier_notebook(tmp_path):
    """Notebook cells once went to the sandbox through the zygote, whose freed memory every
    later sandbox of the same grading process inherits: a batch's next student could read them."""
    import nbformat
    from nbformat import v4
    nb = v4.new_notebook()
    nb.cells.append(v4.new_code_cell("# SECRET-ANSWER-KEY-0xC0FFEE, another student's work\n"
                                     "def grid_search_cost(a, b, c):\n" + "    x = 1\n" * 2000
                                     + "    return 300, 3000, 6000\n"))
    os.makedirs(tmp_path / "a")
    nbformat.write(nb, str(tmp_path / "a" / "homework.ipynb"))
    scanner = write_submission(tmp_path / "b", {"tuning.py": MEMORY_SCAN})
    script = textwrap.dedent(f'''
        import sys
        sys.path.insert(0, {ROOT!r})
        from autograder import engine
        from autograder.options import GradingOptions
        def hits():
            return engine.grade({scanner!r}, GradingOptions(modules=("tuning",))).results[0].output.split()[-1]
        before = hits()                        # the scanner's own copies of the needle
        score = engine.grade({str(tmp_path / "a")!r}, GradingOptions(modules=("tuning",))).score
        print(before, score, hits())
    ''')                                       # a fresh grading process: a fresh zygote
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    before, score, after = run.stdout.split()
    assert float(score) == 2 and after == before, run.stdout


def test_the_syscall_probes_see_calls_go_through_without_the_filter():
    """hostile_syscalls earns its points only because the filter refused its calls: the same
    probes, run here (no filter), find calls and sockets that go through."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "syscall_probes", os.path.join(SUBMISSIONS, "hostile_syscalls", "tuning.py"))
    probes = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(probes)
    assert probes.not_refused_calls() and probes.not_refused_sockets()
