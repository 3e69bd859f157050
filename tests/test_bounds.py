"""What a submission may cost the trusted side, whatever it hands in or returns (README,
"Decisions": the bounds): the jail's request fits its socket however many cells or files a
submission has, a request that would not fit says why, and a flood of notes leaves every
report within its stated size. Symbolic answers and replies: tests/test_symbolic.py,
tests/test_codec.py and the hostile corpus."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from autograder import engine, submission
from autograder.engine.results import MAX_NOTES
from autograder.options import GradingOptions
from autograder.paths import secret_dirs
from autograder.report import gradescope, prairielearn
from autograder.sandbox.protocol import MAX_REQUEST_BYTES, JailRequest, SubmissionFiles
from autograder.sandbox.zygote_handle import Zygote
from autograder.submission import MAX_DEPTH, MAX_FILES, Submission, SubmissionError, open_submission
from autograder.submission.notebook import MAX_CELLS
from tests.helpers import ROOT, nest, reference_source, unnest, write_submission

ASTRAL = "\U0001d4d7"          # 4 bytes of UTF-8, 12 of JSON escapes: the longest a character gets


def _request(spec: SubmissionFiles) -> bytes:
    return JailRequest(spec, 2**31 - 1, unsandboxed=False, guarded=secret_dirs()).dumps()


def test_the_request_does_not_grow_with_a_notebooks_cells():
    """420 cells under a 95-character non-ASCII name once made it 250 KB, over the packet."""
    name = ASTRAL * 100                          # what notebook.read_cells keeps of a name
    def notebook(n: int) -> Submission:
        return Submission("/tmp/x", "notebook", [], None,
                          [{"label": f"{name} cell {i}", "code": "x = 1"} for i in range(1, n + 1)])
    one, most = _request(notebook(1).sandbox_spec()), _request(notebook(MAX_CELLS).sandbox_spec())
    assert len(most) - len(one) == len(str(MAX_CELLS)) - 1 and name not in most.decode()


def test_the_largest_request_a_folder_can_make_fits_and_is_graded(tmp_path):
    """The most files, with the longest names, of bytes that are not UTF-8 (6 bytes of JSON
    each), in a folder whose path is as long as a path may be: the request stays under its
    bound, a real packet carries it, and the submission is graded (through the twin in root
    mode, whose packet carries the request again)."""
    folder = str(tmp_path)
    while len(os.fsencode(folder)) < 3600:      # PATH_MAX is 4096: room for the file names
        folder = os.path.join(folder, "d" * min(200, 3600 - len(os.fsencode(folder))))
    os.makedirs(folder)
    for i in range(MAX_FILES + 20):
        name = os.path.join(os.fsencode(folder), b"\xff" * 240 + b"%03d.py" % i)
        with open(os.open(name, os.O_WRONLY | os.O_CREAT, 0o644), "w") as f:
            f.write("X = 1\n")
    write_submission(folder, {"tuning.py": reference_source("tuning")})
    spec = open_submission(folder).sandbox_spec()
    data = _request(spec)
    assert 20_000 < len(data) <= MAX_REQUEST_BYTES and len(spec.files) < MAX_FILES
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    with ours, theirs:
        socket.send_fds(ours, [data], [theirs.fileno()])
        assert socket.recv_fds(theirs, 1 << 20, 1)[0] == data
    graded = engine.grade(folder, GradingOptions(modules=("tuning",)))
    assert graded.score == graded.max_score == 6


def test_a_request_that_cannot_be_sent_says_why():
    class Small(Zygote):
        def __init__(self, sndbuf: int):                  # a zygote's socket, and no zygote
            self.sock, self.peer = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    spec = SubmissionFiles("/tmp/" + "x" * 20_000, (), 0)
    with pytest.raises(RuntimeError, match=r"the sandbox request \(20,\d{3} bytes\) is larger than the "
                                           r"zygote's socket takes in one packet \(EMSGSIZE\)"):
        Small(4096).spawn(JailRequest(spec, 1), [])
    huge = SubmissionFiles("/tmp/" + "x" * MAX_REQUEST_BYTES, (), 0)
    with pytest.raises(RuntimeError, match=r"the sandbox request is 131,\d{3} bytes, over its 131,072-byte limit"):
        Small(1 << 20).spawn(JailRequest(huge, 1), [])
    gone = Small(1 << 20)
    gone.peer.close()
    with pytest.raises(RuntimeError, match="the sandbox zygote stopped"):
        gone.spawn(JailRequest(spec, 1), [])


FAILING_CELLS = 1999


def _notebook(path, sources: list[str]) -> None:
    """Code cells written as notebook JSON at once (nbformat validates as it writes: slow)."""
    cells = [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "outputs": [],
              "source": s} for i, s in enumerate(sources)]
    with open(path, "w") as f:
        json.dump({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}, f)


def test_a_flood_of_notes_leaves_every_report_within_its_size(tmp_path):
    """Four notebooks of 1,999 failing cells each once put every note in Gradescope's
    results.json (4.9 MB). The first 2,000 cells run; every report keeps 40 notes and counts the
    rest; the functions the first cell defines earn every point."""
    from autograder.report.html import to_html
    from autograder.report.text import to_text
    for k, book in enumerate("abcd"):
        first = [reference_source("tuning")] if k == 0 else []
        _notebook(tmp_path / f"{book}.ipynb", first + [f"raise ValueError('cell {i} of {book}: ' + 'x' * 300)"
                                                       for i in range(FAILING_CELLS - len(first))])
    graded = engine.grade(str(tmp_path), GradingOptions(modules=("tuning",)))
    assert graded.score == graded.max_score == 6
    machine = sum(n.startswith("sandbox (") for n in graded.notes)
    more = machine + 3 + FAILING_CELLS - 1 + 1 - MAX_NOTES     # 3: notebooks cut short
    assert graded.notes[-1] == f"and {more:,} more notes" and len(graded.notes) == MAX_NOTES + 1
    assert "b.ipynb: only its first 1 code cells were run (at most 2000 in all)" in graded.notes
    renderings = {"gradescope": json.dumps(gradescope.results(graded), indent=1),
                  "prairielearn": json.dumps(prairielearn.results(graded), indent=1),
                  "text": to_text(graded, width=100, verbose=True), "html": to_html(graded, title="ada")}
    for form, text in renderings.items():
        assert f"and {more:,} more notes" in text and len(text.encode()) < 60_000, form


def test_a_folder_nested_too_deep_is_refused_with_its_reason(tmp_path):
    """A folder a thousand deep beside a right tuning.py (the trial's "deep_dirs") once made
    os.walk raise RecursionError: a traceback and no report. It is refused unread, as an
    unreadable submission, and results.json says why; 16 levels are still read."""
    deep = str(tmp_path / "deep")
    nest(deep, 1000)
    try:
        write_submission(deep, {"tuning.py": reference_source("tuning")})
        with pytest.raises(SubmissionError, match=r"deep holds folders nested more than 16 deep \(a/a/"):
            open_submission(deep)
        out = tmp_path / "results.json"
        run = subprocess.run([sys.executable, os.path.join(ROOT, "grade.py"), deep, "--json", str(out)],
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 2, run.stderr
        assert "nested more than 16 deep" in run.stderr and "Traceback" not in run.stderr
        with open(out) as f:
            assert "nested more than 16 deep" in json.load(f)["output"]
    finally:
        unnest(deep)
    fine = str(tmp_path / "sixteen")
    nest(fine, MAX_DEPTH)
    with open(os.path.join(fine, *["a"] * MAX_DEPTH, "helper.py"), "w") as f:
        f.write("X = 1\n")
    assert open_submission(fine).files == ["/".join(["a"] * MAX_DEPTH + ["helper.py"])]


def test_a_folder_of_too_many_entries_is_refused_unread(tmp_path, monkeypatch):
    """Past MAX_ENTRIES files and folders (listed, never sorted nor kept past it), the
    submission is refused; hidden folders and __pycache__ are not read, so not counted."""
    monkeypatch.setattr(submission, "MAX_ENTRIES", 50)
    folder = write_submission(tmp_path / "many", {"tuning.py": reference_source("tuning")})
    os.makedirs(os.path.join(folder, ".git"))
    for i in range(100):
        open(os.path.join(folder, ".git", f"object{i}"), "w").close()
    assert open_submission(folder).files == ["tuning.py"]
    for i in range(48):
        open(os.path.join(folder, f"data{i}.png"), "w").close()
    assert open_submission(folder).files == ["tuning.py"]          # 50 entries, .git one of them
    open(os.path.join(folder, "data48.png"), "w").close()
    with pytest.raises(SubmissionError, match="many holds over 50 files and folders: not read"):
        open_submission(folder)
