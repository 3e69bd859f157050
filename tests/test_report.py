"""What a student reads: the terminal report (whole feedback wrapped to the terminal, colour,
collapsed modules, -k, --failed, what to do next, progress) and its plain-text forms."""

import fcntl
import io
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from html import escape

import pytest

from autograder import catalog, engine
from autograder.engine.results import MAX_NOTES, NOTE_CHARS, OUTPUT_CHARS, CaseResult, Report
from autograder.front import cli
from autograder.front.cli import StatusLine
from autograder.front.selection import SelectionError, keyword_filter
from autograder.report import gradescope, prairielearn
from autograder.report.text import FEEDBACK_INDENT, to_text
from autograder.report.views import RESULTS_BYTES, feedback_parts, manual_questions, module_views
from tests.helpers import ROOT, grade

EXAMPLE = os.path.join(ROOT, "examples", "partly_wrong")
OURS = ("tuning", "gradient_flow", "concepts")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def example():
    return engine.grade(EXAMPLE)


def feedback_block(lines: list[str], head: str) -> list[str]:
    """The lines of the case, cases or module whose line starts with ``head`` (after its mark
    and points, for a case), its continuation and feedback lines included."""
    start = next(i for i, line in enumerate(lines)
                 if line.startswith(head) or re.match(r"  \S+ +[\d./]+  " + re.escape(head), line))
    block = [lines[start]]
    for line in lines[start + 1:]:
        if not line.startswith(FEEDBACK_INDENT):
            break
        block.append(line)
    return block


def shown_feedback(report: Report) -> list[tuple[str, str, list[str]]]:
    """``(head, shared feedback, case ids)`` of each thing the report says once: a case, the
    cases a module lost for one reason, a module that lost every case for one."""
    out = []
    for view in module_views(report):
        for group in view.groups:
            ids = [r.case.id for r in group.rows]
            head = (f"{view.name}  {view.score:g}/{view.points:g}  all {len(ids)} cases: " if view.one_reason
                    else ids[0] if len(ids) == 1 else f"{len(ids)} cases: {group.ids}"[:40])
            out.append((head, group.output, ids))
    return out


def assert_whole_feedback_on_screen(lines: list[str], data: dict, width: int, report: Report) -> None:
    """Every line fits; every failed test of results.json has its whole output under its line,
    or under the line of the cases that lost their points for the same reason, said once."""
    fits = [line for i, line in enumerate(lines) if i == 0 or not lines[i - 1].startswith("Work on ")]
    assert all(len(line) <= width for line in fits), [line for line in fits if len(line) > width]   # but a command
    failed = {f"{t['extra_data']['item']}[{t['extra_data']['case']}]": t for t in data["tests"]
              if t["status"] == "failed"}
    assert len(failed) > 20
    said = shown_feedback(report)
    assert sorted(i for _, _, ids in said for i in ids) == sorted(failed)
    assert any(len(ids) > 1 for _, _, ids in said)              # some are said once for several
    for head, output, ids in said:
        reason, called = feedback_parts(output)
        shown = squeeze("".join(feedback_block(lines, head)))
        assert shown.endswith(squeeze("".join(reason + [called or ""]))), head     # whole, reason first
        if len(ids) == 1:
            assert output == failed[ids[0]]["output"]


def run_in_terminal(args: list[str], columns: int, extra_env: dict | None = None) -> str:
    """What grade.py writes to a terminal of ``columns`` columns (stdout and stderr both), as
    the screen shows it: colour codes removed, a carriage return rewriting its line."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "grade.py"), *args], cwd=ROOT,
                            stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
                            env={**env, "TERM": "xterm", **(extra_env or {})})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 1 << 16)
        except OSError:                      # EIO: the terminal's last writer has gone
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=600) == 0
    return b"".join(chunks).decode()


def screen_lines(raw: str) -> list[str]:
    return [ANSI.sub("", line).split("\r")[-1] for line in raw.replace("\r\n", "\n").split("\n")]


def test_80_column_terminal_shows_every_failed_case_whole(tmp_path):
    """The issue's acceptance test: grade.py in a real 80-column terminal (a pty), compared
    with the results.json written by the same run."""
    out = tmp_path / "results.json"
    raw = run_in_terminal([EXAMPLE, "--json", str(out)], columns=80)
    data = json.loads(out.read_text())
    lines = screen_lines(raw)
    assert_whole_feedback_on_screen(lines, data, 80, engine.grade(EXAMPLE))
    assert "\x1b[31mFAIL" in raw and "\x1b[32mok" in raw             # coloured on a terminal
    assert "grading backprop (2 of 12 modules)" in raw                # progress, then erased
    assert any(line.startswith(f"Total: {data['score']:g} / {data['max_score']:g}  (") for line in lines)


def test_same_rendering_at_other_widths(example):
    data = gradescope.results(example)
    for width in (100, 160):
        assert_whole_feedback_on_screen(to_text(example, width=width).splitlines(), data, width, example)


def test_piped_output_has_no_colour_and_no_progress():
    run = subprocess.run([sys.executable, os.path.join(ROOT, "grade.py"), "student_template",
                          "--module", "tuning"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0 and "\x1b" not in run.stdout and run.stderr == ""
    assert "tuning  0/6  all 6 cases: not implemented (grid_search_cost and" in run.stdout


def test_no_color_is_honoured_on_a_terminal():
    raw = run_in_terminal(["student_template", "--module", "tuning"], columns=100,
                          extra_env={"NO_COLOR": "1"})
    assert "tuning  0/6  all 6 cases: not implemented" in raw and not re.search(r"\x1b\[3\dm", raw)


def test_colour_marks_failed_passed_and_partial(example):
    text = to_text(example, color=True)
    assert "\x1b[31mFAIL" in text and "\x1b[32mok" in text
    assert "\x1b[33mbackprop  20/40\x1b[0m" in text                    # a module with some points
    assert "\x1b[31mdead_units  0/15\x1b[0m" in text
    assert "\x1b" not in to_text(example)


def test_full_modules_collapse_unless_verbose():
    r = grade(os.path.join(ROOT, "reference"), modules=OURS)
    short, verbose = to_text(r), to_text(r, verbose=True)
    assert "tuning  6/6  all 6 cases passed" in short and "tuning.grid_search_cost[worked]" not in short
    assert all(c.id in verbose for c in catalog.cases(OURS))
    assert "Every case passed." in short


def test_failed_only_shows_what_to_fix(example):
    text = to_text(example, failed_only=True, width=1000)
    assert not re.search(r"^  ok ", text, re.M)
    said = {i: head for head, _, ids in shown_feedback(example) for i in ids}
    for r in example.results:
        assert (r.case.id in text or said.get(r.case.id, "\0") in text) == (not r.passed), r.case.id


def test_next_steps_put_the_most_points_missing_first(example):
    lines = to_text(example, rerun=lambda m: f"grade.py X --module {m}").splitlines()
    start = lines.index("Next, the modules with the most points missing:")
    assert lines[start + 1].split() == ["backprop", "20", "of", "40", "points", "missing"]
    assert [lines[start + i].split()[0] for i in (2, 3, 4)] == ["dead_units", "xor", "optim"]
    assert lines[-1] == "Work on backprop: grade.py X --module backprop"


def test_hand_graded_questions_one_per_line(example):
    lines = to_text(example, width=200).splitlines()
    start = lines.index("Graded by hand, not in this score:")
    manual = manual_questions(example)
    assert lines[start + 1: start + 1 + len(manual)] == [f"  - {q}" for q in manual]


def test_keyword_expressions_select_cases_as_pytest_does():
    ids = [c.id for c in catalog.cases()]

    def chosen(expression):
        keep = keyword_filter(expression)
        return [c.id for c in catalog.cases() if keep(c)]
    assert chosen("mlp_forward") == ["backprop.mlp_forward[worked]", "backprop.mlp_forward[random]"]
    assert chosen("backprop.mlp_forward[random]") == ["backprop.mlp_forward[random]"]
    assert chosen("TUNING and not random") == ["tuning.grid_search_cost[worked]"]   # substrings
    assert chosen("tuning and not [random]") == ["tuning.grid_search_cost[worked]",
                                                 "tuning.random_search_trials[worked]",
                                                 "tuning.random_search_trials[boundary]",
                                                 "tuning.random_search_trials[tiny_p]"]
    assert chosen("(relu or tanh) and extremes") == []
    assert len(chosen("not worked")) == len([i for i in ids if "worked" not in i])
    with pytest.raises(SelectionError):
        keyword_filter("tuning and (")


def test_k_on_the_command_line():
    run = subprocess.run([sys.executable, os.path.join(ROOT, "grade.py"), "reference", "-k",
                          "tuning and worked", "-v"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Total: 3 / 3" in run.stdout and "random_search_trials[boundary]" not in run.stdout
    assert "tuning.random_search_trials[worked]" in run.stdout
    bad = subprocess.run([sys.executable, os.path.join(ROOT, "grade.py"), "reference", "-k", "nothing_like_it"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert bad.returncode == 2 and "no case matches" in bad.stderr


def test_progress_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True
    piped, tty = io.StringIO(), Terminal()
    for stream in (piped, tty):
        line = StatusLine(stream)
        line("grading conv (4 of 12 modules)")
        line.clear()
    assert piped.getvalue() == ""
    assert tty.getvalue() == "\rgrading conv (4 of 12 modules)\x1b[K\r\x1b[K"


def _flooded(text: str) -> Report:
    """Every case of the assignment failed with ``text`` as its feedback, and 8,000 notes."""
    results = [CaseResult(c, 0, "called f(1)\n" + text) for c in catalog.cases()]
    notes = [f"homework.ipynb cell {i}: ValueError: {text}" for i in range(8000)]
    return Report("sub", 0, results, catalog.load(), 1.0, "root", notes)


def test_a_report_keeps_its_first_notes_and_counts_the_rest():
    flooded = _flooded("x" * 10_000)
    assert len(flooded.notes) == MAX_NOTES + 1 and flooded.notes[-1] == "and 7,960 more notes"
    assert flooded.notes[0] == "homework.ipynb cell 0: ValueError: " + "x" * 465 + "... (9,535 more characters)"
    assert {r.output for r in flooded.results} == {"called f(1)\n" + "x" * 2488 + "... (7,512 more characters)"}
    assert Report("s", 0, [], (), 0, "root", ["a", "b"]).notes == ["a", "b"]
    text = to_text(flooded, width=100)
    assert "  - and 7,960 more notes" in text and "cell 40:" not in text and "cell 39:" in text


@pytest.mark.parametrize("char", ["x", "\U0001F600", "&"])
def test_every_report_has_its_stated_size(char):
    """README's sizes (Decisions): results.json in either format under 1 MB whatever the feedback
    (outputs cut further when it is mostly non-ASCII, JSON's \\u escapes), feedback files and the
    notebook check's reply as large as the caps of every case's feedback and the notes allow."""
    from autograder.report.html import to_html
    flooded = _flooded(char * 10_000)
    for form in ("gradescope", "prairielearn"):
        data = cli.exporter(form).results(flooded)
        assert len(json.dumps(data, indent=1).encode()) <= RESULTS_BYTES
        assert "and 7,960 more notes" in data["output"]
    text, html = to_text(flooded, width=100, verbose=True), to_html(flooded, title="feedback")
    assert "and 7,960 more notes" in text and "and 7,960 more notes" in html
    for page, size in ((text, len(char.encode())), (html, len(escape(char).encode()))):
        # every case's feedback at its cap, ~20% for wrapping and markup, and the notes'
        bound = len(catalog.cases()) * (OUTPUT_CHARS * size * 1.2 + 300) + \
            MAX_NOTES * (NOTE_CHARS * size * 1.2 + 100)
        assert len(page.encode()) <= bound


def test_prairielearn_describes_a_case_by_its_item_s_first_docstring_line(example):
    """The description PrairieLearn shows comes from the reference's docstring, as the template
    states the item to students (the catalog reads it; the exporter imports no reference)."""
    from reference.tuning import grid_search_cost
    tests = [t for t in prairielearn.results(example)["tests"] if t["name"].startswith("tuning.grid_search_cost ")]
    assert tests and {t["description"] for t in tests} == {grid_search_cost.__doc__.strip().splitlines()[0]}
