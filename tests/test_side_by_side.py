"""Graders side by side on one machine: a batch while a TA grades one student, a notebook's
check server, CI beside an instructor. Each grader owns what it creates (its zygote's folders
and cgroups) and removes only its own or a dead grader's, so their scores are those of each
grader alone, even with another grader's sweep hammering alongside."""

import csv
import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbformat import v4

from autograder.front.notebook_check import GradingProcess
from tests.helpers import ROOT, SUBMISSIONS, expected_scores, reference_source

MODULES = ("tuning", "gradient_flow", "concepts")
WRONG = "wrong_tuning_flow_concepts"

HAMMER = """
import os, select, sys, time
sys.path.insert(0, {root!r})
from autograder.sandbox import cgroups, folders
deadline = time.monotonic() + 300              # a safety net: the test ends it long before
while time.monotonic() < deadline and not select.select([sys.stdin], [], [], 0.002)[0]:
    folders.sweep(lambda suffix: cgroups.remove_parent(cgroups.PREFIX + suffix))  # a zygote starting
    for _, own in cgroups._hierarchies():       # and an older grader's sweep of every empty group
        for entry in os.scandir(own):
            if entry.name.startswith(cgroups.PREFIX):
                try:
                    os.rmdir(entry.path)
                except OSError:
                    pass
"""


def _class(folder) -> dict[str, str]:
    """A small class: copies of the reference, of a realistic wrong submission, and a
    notebook; the corpus submission each one is (for its expected scores)."""
    who = {}
    for i in range(3):
        (folder / f"right{i}").mkdir(parents=True)
        for m in MODULES:
            (folder / f"right{i}" / f"{m}.py").write_text(reference_source(m))
        who[f"right{i}"] = "reference"
    for i in range(2):
        shutil.copytree(os.path.join(SUBMISSIONS, WRONG), folder / f"wrong{i}",
                        ignore=shutil.ignore_patterns("expected.json"))
        who[f"wrong{i}"] = WRONG
    nb = v4.new_notebook()
    nb.cells = [v4.new_code_cell(reference_source(m)) for m in MODULES]
    nbformat.write(nb, str(folder / "book.ipynb"))
    who["book"] = "reference"
    return who


def _want(name: str, got: dict[str, float]) -> dict[str, float]:
    if name == "reference":
        from autograder import catalog
        return {c.id: c.points for c in catalog.cases(MODULES)}
    return expected_scores(name, got)


def _gradebook(out) -> dict[str, dict]:
    with open(os.path.join(out, "gradebook.csv")) as f:
        return {r["student"]: r for r in csv.DictReader(f) if r["student"] != "(maximum)"}   # students only


@pytest.mark.parametrize("graders", [2, 4])
def test_graders_side_by_side_give_the_scores_of_each_alone(graders, tmp_path):
    who = _class(tmp_path / "class")
    modules = [a for m in MODULES for a in ("--module", m)]
    hammer = subprocess.Popen([sys.executable, "-c", HAMMER.format(root=ROOT)], stdin=subprocess.PIPE, cwd=ROOT)
    runs, check = [], None
    try:
        for i in range(2):                                          # two batches of the same class
            runs.append(subprocess.Popen([sys.executable, os.path.join(ROOT, "grade.py"), str(tmp_path / "class"),
                                          "--batch", "--out", str(tmp_path / f"out{i}"), *modules],
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT))
        if graders == 4:                                            # a TA grading one student
            runs.append(subprocess.Popen([sys.executable, os.path.join(ROOT, "grade.py"),
                                          os.path.join(SUBMISSIONS, WRONG), "--json", str(tmp_path / "one.json"),
                                          *modules], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                         cwd=ROOT))
            server = GradingProcess()                               # and a notebook's check
            try:
                check = server.ask({"cells": [reference_source(m) for m in MODULES], "modules": list(MODULES),
                                    "width": 100, "unsandboxed": False})
            finally:
                server.stop()
        outcomes = [run.communicate(timeout=600) for run in runs]
    finally:
        hammer.communicate(b"stop\n", timeout=30)
    for run, (_, err) in zip(runs, outcomes):
        assert run.returncode == 0, err[-3000:]
    for i in range(2):
        book = _gradebook(tmp_path / f"out{i}")
        assert sorted(book) == sorted(who)
        for student, name in who.items():
            data = json.loads((tmp_path / f"out{i}" / student / "results.json").read_text())
            got = {f"{t['extra_data']['item']}[{t['extra_data']['case']}]": t["score"] for t in data["tests"]}
            assert book[student]["status"] == "graded" and got == _want(name, got), (i, student)
    if graders == 4:
        data = json.loads((tmp_path / "one.json").read_text())
        got = {f"{t['extra_data']['item']}[{t['extra_data']['case']}]": t["score"] for t in data["tests"]}
        assert got == _want(WRONG, got)
        assert check["ok"], check
        assert check["result"]["score"] == check["result"]["max_score"] > 0


def test_a_parent_group_removed_from_one_hierarchy_is_made_again():
    """An older grader's sweep may remove a zygote's group from one hierarchy (v1 has two) while
    it is empty there: the next sandbox's group is still made, in both."""
    from autograder.sandbox import cgroups
    name = f"{cgroups.PREFIX}test-{os.getpid()}"
    parent, why = cgroups.make_parent(name)
    if not parent:
        pytest.skip(why)
    try:
        hierarchies = cgroups._hierarchies()
        os.rmdir(os.path.join(hierarchies[-1][1], name))           # gone from the last one only
        group, why = cgroups.create(name, "sandbox-1", 2**30, 64)
        assert group is not None, why
        assert len(group.folders) == len(hierarchies) and all(os.path.isdir(f) for f in group.folders)
        group.remove()
    finally:
        assert cgroups.remove_parent(name)
