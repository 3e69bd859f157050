"""A class graded in shards (``--batch --shard K/N``) and merged (``--merge``): the split, the
merged output against one batch of the whole class, the merges that must refuse, and the
Kubernetes and SLURM files of docs/cluster/, run with a stand-in for the grader."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
import yaml
from nbformat import v4

from autograder import engine
from autograder.course.batch import entries, grade_class
from autograder.course.gradebook import Roster, Student
from autograder.course.merge import MergeError, merge
from autograder.course.shards import MANIFEST, Shard, ShardError, begin, shard_of
from autograder.front import cli
from autograder.options import GradingOptions
from tests.helpers import ROOT, SUBMISSIONS, reference_source

MODULES = ("activations", "tuning")
OPTIONS = GradingOptions(modules=MODULES)
ROSTER = Roster((Student("alice", "1", "Alice", "L1"), Student("bob", "2", "Bob", "L1"),
                 Student("carol", "3", "Carol", "L2"), Student("dave.ipynb", "4", "Dave", "L2"),
                 Student("erin", "5", "Erin", "L1"), Student("frank", "6", "Frank", "L1"),
                 Student("zed", "7", "Zed", "L2")), assignment="HW 1")     # no gina; zed: no submission
CLASS_FILES = ("gradebook.csv", "gradebook-canvas.csv", "gradebook-moodle.csv", "similarity.csv",
               "similarity.html", "summary.png")
CLUSTER = os.path.join(ROOT, "docs", "cluster")


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """alice: a leaky ReLU (the corpus's), the reference's tuning; bob: the reference; carol:
    alice's copy (code and wrong answers alike); dave: the reference in a notebook; erin: the
    blank template; frank: a notebook that is not one (unreadable); gina: one .py, the
    corpus's σ'(z) = σ(z)(1 + σ(z)). Shards of 2: {bob, carol, frank, gina}, {alice, dave,
    erin}; of 3: {dave, erin}, {gina}, {alice, bob, carol, frank}."""
    folder = tmp_path_factory.mktemp("class")
    (folder / "alice").mkdir()
    shutil.copy(os.path.join(SUBMISSIONS, "wrong_leaky_relu", "activations.py"), folder / "alice")
    (folder / "alice" / "tuning.py").write_text(reference_source("tuning"))
    (folder / "bob").mkdir()
    for m in MODULES:
        (folder / "bob" / f"{m}.py").write_text(reference_source(m))
    shutil.copytree(folder / "alice", folder / "carol")
    nb = v4.new_notebook()
    nb.cells = [v4.new_markdown_cell("# Homework 1"), *(v4.new_code_cell(reference_source(m)) for m in MODULES)]
    nbformat.write(nb, str(folder / "dave.ipynb"))
    (folder / "erin").mkdir()
    for m in MODULES:
        shutil.copy(os.path.join(ROOT, "student_template", f"{m}.py"), folder / "erin")
    (folder / "frank.ipynb").write_text("not a notebook")
    shutil.copy(os.path.join(SUBMISSIONS, "wrong_sigma_prime_plus", "activations.py"), folder / "gina.py")
    return folder


@pytest.fixture(scope="module")
def one(klass, tmp_path_factory):
    """The whole class in one batch, with similarity and the roster."""
    out = tmp_path_factory.mktemp("one")
    grade_class(str(klass), str(out), OPTIONS, progress=False, similarity=True, roster=ROSTER)
    return out


@pytest.fixture(scope="module")
def three(klass, tmp_path_factory):
    """The class in 3 shards, graded here; carol's results deleted from shard 3 and that shard
    run again (it resumes: carol alone is graded again)."""
    base = tmp_path_factory.mktemp("three")
    outs = [base / f"s{k}" for k in (1, 2, 3)]
    for k, out in enumerate(outs, start=1):
        grade_class(str(klass), str(out), OPTIONS, progress=False, similarity=True, roster=ROSTER,
                    shard=Shard(k, 3))
    before = {s: os.stat(outs[2] / s / "results.json").st_mtime_ns for s in ("alice", "bob", "frank")}
    for name in ("results.json", "fingerprints.json"):
        os.unlink(outs[2] / "carol" / name)
    grade_class(str(klass), str(outs[2]), OPTIONS, progress=False, similarity=True, roster=ROSTER,
                shard=Shard(3, 3))
    assert {s: os.stat(outs[2] / s / "results.json").st_mtime_ns for s in before} == before
    assert (outs[2] / "carol" / "results.json").exists() and (outs[2] / "carol" / "fingerprints.json").exists()
    return outs


def _without_clock(text: str) -> str:
    """``text`` less what depends on the clock: the summary's date and time-per-student line
    (summary.txt, summary.html), a report's seconds (feedback.txt, feedback.html)."""
    text = re.sub(r"(seed \d+), [^\n<]*", r"\1, DATE", text)
    text = re.sub(r"time per student: [^\n<]*", "time per student: ...", text)
    return re.sub(r"\b\d+\.\d s\b", "N s", text)


def assert_same_as_one_batch(one, merged):
    """Byte for byte: the gradebooks, similarity.csv and .html, summary.png; each student's
    results.json but for execution_time; summary.txt/.html and feedback.txt/.html but for the
    clock's lines and numbers (the date, the time per student, each report's seconds: two runs
    never take the same time). The merged students' folders hold what a batch writes, no more."""
    for name in CLASS_FILES:
        assert (merged / name).read_bytes() == (one / name).read_bytes(), name
    for name in ("summary.txt", "summary.html"):
        assert _without_clock((merged / name).read_text()) == _without_clock((one / name).read_text()), name
    students = sorted(p.name for p in one.iterdir() if p.is_dir())
    assert students == sorted(p.name for p in merged.iterdir() if p.is_dir())
    for s in students:
        assert sorted(os.listdir(merged / s)) == sorted(os.listdir(one / s)), s
        a, b = (json.loads((o / s / "results.json").read_text()) for o in (one, merged))
        a.pop("execution_time", None), b.pop("execution_time", None)
        assert a == b, s
        for name in ("feedback.txt", "feedback.html"):
            assert _without_clock((merged / s / name).read_text()) == _without_clock((one / s / name).read_text())


def test_the_class_is_what_the_comparison_needs(one):
    """The batch the shards are compared with has something in each of its files: a pair, an
    unreadable student, a stray and a roster student without a submission, a named mistake."""
    similar = (one / "similarity.csv").read_text()
    assert "alice,carol," in similar
    book = (one / "gradebook.csv").read_text()
    assert "frank,6,Frank,L1,unreadable submission" in book and "zed,7,Zed,L2,no submission" in book
    assert "gina,,,,graded" in book
    assert "a leaky ReLU" in (one / "summary.txt").read_text()
    assert (one / "gradebook-canvas.csv").read_text().count("\n") == 2 + 7


def test_the_split_is_a_partition_whatever_the_order_and_the_hash_seed(tmp_path):
    names = [f"student{i:03d}" for i in range(300)] + ["bob.ipynb", "dave smith.py", "zoë", "x" * 200]
    for n in (1, 2, 3, 7):
        parts = [[e for e in names if Shard(k, n).holds(e)] for k in range(1, n + 1)]
        assert sorted(e for part in parts for e in part) == sorted(names)      # each in exactly one
        assert all(abs(len(p) - len(names) / n) < 0.25 * len(names) / n for p in parts)
    assert [shard_of(e, 3) for e in ("alice", "bob")] == \
        [int.from_bytes(hashlib.sha256(e.encode()).digest()[:8], "big") % 3 + 1 for e in ("alice", "bob")]
    script = f"from autograder.course.shards import shard_of; print([shard_of(e, 7) for e in {names!r}])"
    seen = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                           env={**os.environ, "PYTHONHASHSEED": seed}, check=True).stdout
            for seed in ("1", "2")}
    assert seen == {f"{[shard_of(e, 7) for e in names]}\n"}
    # a shard's students from a listing in another order: the same
    folder = tmp_path / "class"
    for e in names[:40]:
        (folder / e).mkdir(parents=True)
    listing = entries(str(folder), str(tmp_path / "o"))
    mine = begin(Shard(2, 3), str(folder), str(tmp_path / "a"), listing, OPTIONS, False, None)
    again = begin(Shard(2, 3), str(folder), str(tmp_path / "b"), listing[::-1], OPTIONS, False, None)
    assert sorted(mine) == sorted(again) and 0 < len(mine) < 40


def test_three_shards_merged_equal_one_batch(one, three, tmp_path):
    merged = tmp_path / "merged"
    result = merge([str(o) for o in three], str(merged))        # the roster: the shards' own
    assert result.similarity and result.roster == ROSTER
    assert_same_as_one_batch(one, merged)
    assert not [p for p in merged.rglob("*") if ".tmp" in p.name]


def test_two_shards_by_the_command_line_merged_equal_one_batch(klass, one, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("submission,id,name,section\n" + "".join(
        f"{s.submission},{s.id},{s.name},{s.section}\n" for s in ROSTER.students))
    common = ["--module", "activations", "--module", "tuning", "--similarity"]
    for k in (1, 2):
        run = _cli(str(klass), "--batch", "--shard", f"{k}/2", "--out", str(tmp_path / f"s{k}"), *common)
        assert run.returncode == 0, run.stderr
        assert f"shard {k}/2: " in run.stdout and "of the class's 7 students" in run.stdout
    assert json.loads((tmp_path / "s1" / MANIFEST).read_text())["students"] == ["bob", "carol", "frank", "gina"]
    run = _cli("--merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--out", str(tmp_path / "merged"),
               "--roster", str(roster), "--assignment", "HW 1")        # a roster given to the merge
    assert run.returncode == 0, run.stderr
    assert "wrote 7 reports, gradebook.csv, gradebook-canvas.csv" in run.stdout
    assert "left out of the LMS files: gina" in run.stderr
    assert_same_as_one_batch(one, tmp_path / "merged")


def _cli(*args):
    return subprocess.run([sys.executable, os.path.join(ROOT, "grade.py"), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)


def _edited(out, tmp_path, name, **changes):
    """A copy of the shard output ``out`` whose shard.json has ``changes`` (keys a.b nest)."""
    copy = tmp_path / name
    shutil.copytree(out, copy)
    manifest = json.loads((copy / MANIFEST).read_text())
    for key, v in changes.items():
        *path, last = key.split("__")
        node = manifest
        for p in path:
            node = node[p]
        node[last] = v
    (copy / MANIFEST).write_text(json.dumps(manifest))
    return str(copy)


def test_merges_that_must_refuse(klass, three, tmp_path):
    s1, s2, s3 = map(str, three)
    refusals = {
        "shard 2/3 is missing: of the 7 entries of the class folder the shards listed, it holds 1 (gina)":
            [s1, s3],
        f"students in two shards: dave, erin in shard 1/3 ({s1}) and in shard 1/3 ({tmp_path / 'again'})":
            [s1, shutil.copytree(s1, tmp_path / "again"), s2, s3],
        "the shards differ in grader version: ": [s1, _edited(s2, tmp_path, "v", grader__version="0.0.1"), s3],
        "the shards differ in grader code": [s1, _edited(s2, tmp_path, "c", grader__code="0" * 64), s3],
        "the shards differ in --timeout: 5.0 in shard 1/3": [s1, _edited(s2, tmp_path, "t", grading__timeout=9.0), s3],
        "the shards differ in --load-timeout: 30.0 in shard 1/3":
            [s1, _edited(s2, tmp_path, "lt", grading__load_timeout=60.0), s3],
        "the shards differ in number of shards": [s1, _edited(s2, tmp_path, "n", shard="2/4"), s3],
        "did not finish: run it again": [s1, s2, _edited(s3, tmp_path, "f", finished=False)],
        "the shards listed different class folders": [s1, s2, _edited(s3, tmp_path, "l", **{"class": []})],
        "is not the output of a shard: it has no shard.json": [s1, s2, str(tmp_path)],
    }
    for message, outs in refusals.items():
        with pytest.raises(MergeError) as refused:
            merge(outs, str(tmp_path / "merged"))
        assert message in str(refused.value), str(refused.value)
    assert not (tmp_path / "merged").exists()                  # a refused merge writes nothing
    with pytest.raises(MergeError, match="is one of the shards' outputs"):
        merge([s1, s2, s3], s3)


def test_shards_of_different_seeds_refuse_to_merge(klass, three, tmp_path):
    """Shard 2/3 (gina alone) graded again with seed 1: the merge refuses, naming the seeds;
    and no shard resumes into an output of another shard or seed, or inside the class."""
    other = tmp_path / "seed1"
    grade_class(str(klass), str(other), GradingOptions(modules=MODULES, seed=1), progress=False,
                similarity=True, roster=ROSTER, shard=Shard(2, 3))
    with pytest.raises(MergeError, match=r"differ in seed: 0 in shard 1/3 \(.*\), shard 3/3 \(.*\); "
                                         r"1 in shard 2/3 \(.*seed1\)"):
        merge([str(three[0]), str(other), str(three[2])], str(tmp_path / "merged"))
    for shard, options, said in ((Shard(1, 3), GradingOptions(modules=MODULES, seed=1), "shard 2/3 there, 1/3 here"),
                                 (Shard(2, 3), OPTIONS, "seed 1 there, 0 here")):
        with pytest.raises(ShardError, match=said):
            grade_class(str(klass), str(other), options, progress=False, shard=shard)
    with pytest.raises(ShardError, match="must lie outside the class folder"):
        grade_class(str(klass), str(klass / "out"), OPTIONS, progress=False, shard=Shard(1, 2))


def test_a_student_not_graded_is_merged_as_not_graded_then_resumed(klass, one, three, tmp_path, monkeypatch):
    """gina's grading fails (the grader's fault) in shard 2/3: the shard records her row, the
    merge lists her not graded, no score; the shard run again grades her, and the merge equals
    one batch."""
    real = engine.grade

    def failing(path, options, *args):
        if "gina" in path:
            raise RuntimeError("a fault of the grader")
        return real(path, options, *args)
    monkeypatch.setattr(engine, "grade", failing)
    s2 = tmp_path / "s2"
    grade_class(str(klass), str(s2), OPTIONS, progress=False, similarity=True, roster=ROSTER, shard=Shard(2, 3))
    monkeypatch.setattr(engine, "grade", real)
    assert list(json.loads((s2 / MANIFEST).read_text())["not_graded"]) == ["gina"]
    outs = [str(three[0]), str(s2), str(three[2])]
    merged = merge(outs, str(tmp_path / "merged"))
    gina = next(r for r in merged.rows if r["student"] == "gina")
    assert gina["status"] == "not graded: the autograder failed (RuntimeError: a fault of the grader)"
    assert "gina,,,,not graded: the autograder failed" in (tmp_path / "merged" / "gradebook.csv").read_text()
    assert not (tmp_path / "merged" / "gina" / "results.json").exists()
    grade_class(str(klass), str(s2), OPTIONS, progress=False, similarity=True, roster=ROSTER, shard=Shard(2, 3))
    assert json.loads((s2 / MANIFEST).read_text())["not_graded"] == {}
    merge(outs, str(tmp_path / "merged"))
    assert_same_as_one_batch(one, tmp_path / "merged")


def test_command_line_arguments_of_shards_and_merges(three, capsys):
    for argv, said in ((["c", "--batch", "--shard", "0/3", "--out", "o"], "a shard is K/N with 1 <= K <= N"),
                       (["c", "--batch", "--shard", "4/3", "--out", "o"], "a shard is K/N"),
                       (["c", "--shard", "1/3", "--out", "o"], "--shard goes with --batch"),
                       (["--merge", "a", "b"], "--merge takes the shards' outputs and --out DIR"),
                       (["--merge", "a", "--out", "o", "--seed", "3"], "come from the shards, not --seed")):
        with pytest.raises(SystemExit) as stopped:
            cli.main(argv)
        assert stopped.value.code == 2 and said in capsys.readouterr().err, argv
    assert cli.main(["--merge", str(three[0]), "--out", str(three[0].parent / "m")]) == 2
    assert "grade.py: cannot merge: shard 2/3 is missing" in capsys.readouterr().err


# The scheduler files of docs/cluster/, run as the scheduler runs them, with a stand-in for every
# command they call (the grader, mkdir, chmod) that records its arguments instead.
STAND_IN = """#!{python}
import json, os, sys
with open(os.environ["CALLS"], "a") as f:
    f.write(json.dumps([os.path.basename(sys.argv[0]), *sys.argv[1:]]) + "\\n")
"""


def _stand_ins(tmp_path) -> str:
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in ("dl-autograder", "mkdir", "chmod"):
        (folder / name).write_text(STAND_IN.format(python=sys.executable))
        os.chmod(folder / name, 0o755)
    return str(folder)


def _grader_calls(command: list[str], env: dict, tmp_path, fake: str) -> list[list[str]]:
    calls = tmp_path / "calls.jsonl"
    calls.unlink(missing_ok=True)
    run_env = {**env, "PATH": f"{fake}:{env.get('PATH', os.environ['PATH'])}", "CALLS": str(calls)}
    done = subprocess.run(command, env=run_env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    made = [json.loads(line) for line in calls.read_text().splitlines()]
    return [c[1:] for c in made if c[0] == "dl-autograder"]


def _check_shards(argvs: list[list[str]], n: int) -> list[str]:
    """Each call parses as a shard of N; K = 1 … N once each, every other option the same, each
    into its own output. Returns the outputs by K."""
    parsed = [cli.parser().parse_args(argv) for argv in argvs]
    assert [a.shard for a in parsed] == [Shard(k, n) for k in range(1, n + 1)]
    assert all(a.batch and a.submission == parsed[0].submission for a in parsed)
    outs = [a.out for a in parsed]
    assert len(set(outs)) == n and not any(o.startswith(parsed[0].submission.rstrip("/") + "/") for o in outs)
    same = [{k: v for k, v in vars(a).items() if k not in ("shard", "out")} for a in parsed]
    assert all(s == same[0] for s in same)
    return outs


def _check_merge(argvs: list[list[str]], outs: list[str]) -> None:
    (argv,) = argvs
    args = cli.parser().parse_args(argv)
    assert args.merge == outs and args.out not in outs


def test_the_kubernetes_indexed_job_passes_each_shard_once(tmp_path):
    with open(os.path.join(CLUSTER, "grade-job.yaml")) as f:
        job = yaml.safe_load(f)
    spec = job["spec"]
    assert (job["apiVersion"], job["kind"], spec["completionMode"]) == ("batch/v1", "Job", "Indexed")
    n = spec["completions"]
    assert 1 <= spec["parallelism"] <= n and spec["template"]["spec"]["restartPolicy"] == "Never"
    (container,) = spec["template"]["spec"]["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    fake = _stand_ins(tmp_path)
    argvs = [call for index in range(n)        # the controller's index, from 0
             for call in _grader_calls(container["command"] + container["args"],
                                       {**env, "JOB_COMPLETION_INDEX": str(index)}, tmp_path, fake)]
    outs = _check_shards(argvs, n)
    with open(os.path.join(CLUSTER, "merge-job.yaml")) as f:
        merge_job = yaml.safe_load(f)
    (container,) = merge_job["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    _check_merge(_grader_calls(container["command"] + container["args"], env, tmp_path, fake), outs)


def test_the_slurm_array_passes_each_shard_once(tmp_path):
    with open(os.path.join(CLUSTER, "grade-array.sbatch")) as f:
        script = f.read()
    first, last = map(int, re.search(r"^#SBATCH --array=(\d+)-(\d+)$", script, re.M).groups())
    cpus = int(re.search(r"^#SBATCH --cpus-per-task=(\d+)$", script, re.M).group(1))
    assert first == 1
    fake = _stand_ins(tmp_path)
    argvs = [call for task in range(first, last + 1)
             for call in _grader_calls(["bash", os.path.join(CLUSTER, "grade-array.sbatch")],
                                       {"SLURM_ARRAY_TASK_ID": str(task), "SLURM_CPUS_PER_TASK": str(cpus)},
                                       tmp_path, fake)]
    outs = _check_shards(argvs, last)
    assert cli.parser().parse_args(argvs[0]).workers == cpus + 1
    _check_merge(_grader_calls(["bash", os.path.join(CLUSTER, "merge.sbatch")], {}, tmp_path, fake), outs)
