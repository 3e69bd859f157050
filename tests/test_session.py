"""A Session's policies (autograder/engine/session.py), driven by a fake sandbox: no process,
no jail, only the requests a Session sends and the answers a sandbox would give. What the real
sandbox does is tests/test_sandbox.py's; here, what grading does with it."""

from __future__ import annotations

import pytest

from autograder.engine.calls import call_message
from autograder.engine.session import Session
from autograder.options import GradingOptions
from autograder.sandbox.client import Reply
from autograder.sandbox.protocol import StudentError
from autograder.submission import Submission


class FakeSandbox:
    """What a Session uses of ``sandbox.client.Sandbox``: ``answer(message)`` gives each
    request's value, or a StudentError to raise; a timeout or a crash ends the process, as the
    real one's does, and the next request starts another (a new generation)."""

    def __init__(self, answer, log: list):
        self.answer, self.log = answer, log
        self.limits: list = []                     # (op, module or label, the timeout it was given)
        self.alive, self.generation = False, 0
        self.notes, self.mode, self.output = [], "fake", bytearray()

    def reply(self, message: dict, timeout: float) -> Reply:
        if not self.alive:
            self.alive, self.generation = True, self.generation + 1
        self.log.append((self.generation, message.get("op"), message.get("label") or message.get("module"),
                         message.get("function")))
        self.limits.append((message.get("op"), message.get("label") or message.get("module"), timeout))
        outcome = self.answer(message)
        if isinstance(outcome, StudentError):
            if outcome.kind in ("timeout", "crash"):
                self.alive = False
            raise outcome
        return Reply.of(outcome)

    def close(self) -> None:
        self.alive = False


def session_of(submission: Submission, answer, **options) -> tuple[Session, list]:
    log: list = []
    made: list = []

    def sandboxes(files, opts):
        made.append(opts)
        return FakeSandbox(answer, log)
    session = Session(submission, GradingOptions(**options), sandboxes=sandboxes)
    assert made == [GradingOptions(**options)]        # one sandbox, under the session's options
    return session, log


def call(function: str, module: str = "m") -> dict:
    return call_message(module, function, (), {})


def test_a_cell_that_hangs_is_left_out_of_every_later_run(tmp_path):
    cells = [{"label": f"nb cell {i}", "code": code} for i, code in enumerate(("a = 1", "hang()", "b = 2"), 1)]
    notebook = Submission(str(tmp_path), "notebook", [], None, cells)

    def answer(message):
        if message["op"] == "cell" and message["code"] == "hang()":
            return StudentError("timeout", "timed out after 5 s")
        if message["op"] == "call" and message["function"] == "crashes":
            return StudentError("crash", "the process died")
        return None
    session, log = session_of(notebook, answer)
    assert session.send(call("f")).value is None
    first_run = [entry for entry in log if entry[0] == 1]
    assert [e[2] for e in first_run] == ["notebook", "nb cell 1", "nb cell 2"]     # hung at cell 2
    assert [e[2] for e in log if e[0] == 2] == ["notebook", "nb cell 1", "nb cell 3", "m"]
    assert session.notes == ["nb cell 2: timed out after 5 s; left out of every later run"]
    with pytest.raises(StudentError, match="the process died"):
        session.send(call("crashes"))
    session.send(call("f"))                      # a fresh process runs the cells again, without it
    assert [e[2] for e in log if e[0] == 3] == ["notebook", "nb cell 1", "nb cell 3", "m"]


def test_a_module_that_fails_to_import_fails_its_items_at_once(tmp_path):
    folder = Submission(str(tmp_path), "folder", ["m.py", "n.py"], frozenset({"m", "n"}))

    def answer(message):
        if message["op"] == "load" and message["module"] == "m":
            return StudentError("import", "SyntaxError: invalid syntax (m.py, line 3)")
        return 42
    session, log = session_of(folder, answer)
    for function in ("f", "g"):
        with pytest.raises(StudentError, match=r"^m\.py failed to import: SyntaxError") as failed:
            session.send(call(function))
        assert failed.value.kind == "import"
    assert [e[1:3] for e in log] == [("load", "m")]          # tried once, never again
    assert session.send(call("h", "n")).value == 42          # another module is not touched


def test_a_timeout_skips_the_later_calls_of_that_function_only(tmp_path):
    folder = Submission(str(tmp_path), "folder", ["m.py"], frozenset({"m"}))

    def answer(message):
        if message.get("function") == "slow":
            return StudentError("timeout", "timed out after 5 s")
        return 7
    session, log = session_of(folder, answer)
    with pytest.raises(StudentError, match="timed out"):
        session.send(call("slow"))
    with pytest.raises(StudentError, match="not run: slow timed out in an earlier case") as skipped:
        session.send(call("slow"))
    assert skipped.value.kind == "skipped"
    assert session.send(call("fast")).value == 7
    assert [e[3] for e in log if e[1] == "call"] == ["slow", "fast"]     # the skipped call never went


def test_the_hidden_cases_session_keeps_the_options_and_what_was_learned(tmp_path):
    folder = Submission(str(tmp_path), "folder", ["m.py"], frozenset({"m"}))
    session, _ = session_of(folder, lambda m: StudentError("timeout", "timed out after 1 s")
                            if m.get("function") == "slow" else 0, timeout=1.0, seed=3)
    with pytest.raises(StudentError):
        session.send(call("slow"))
    later = session.successor()
    assert later.options == session.options == GradingOptions(timeout=1.0, seed=3)
    assert later.sandbox is not session.sandbox and later.deadline == session.deadline
    with pytest.raises(StudentError, match="timed out in an earlier case"):
        later.send(call("slow"))


def test_a_spent_budget_stops_every_call(tmp_path):
    folder = Submission(str(tmp_path), "folder", ["m.py"], frozenset({"m"}))
    session, log = session_of(folder, lambda m: 1, budget=30.0)
    session.deadline -= 30.0
    with pytest.raises(StudentError, match="used up its 30 s time budget") as spent:
        session.send(call("f"))
    assert spent.value.kind == "budget" and log == []


def test_loading_has_its_own_limit_and_calls_theirs(tmp_path):
    """A notebook cell and a module's import may take ``load_timeout`` (a short demo in a cell
    is common); a call ``timeout``; both within what is left of the budget."""
    cells = [{"label": "nb cell 1", "code": "def f(): pass"}]
    notebook = Submission(str(tmp_path), "notebook", [], None, cells, notebooks=("nb.ipynb",))
    session, _ = session_of(notebook, lambda m: None, timeout=2.0, load_timeout=25.0)
    session.send(call("f"))
    assert session.sandbox.limits == [("load", "notebook", 25.0), ("cell", "nb cell 1", 25.0), ("call", "m", 2.0)]
    folder = Submission(str(tmp_path), "folder", ["m.py"], frozenset({"m"}))
    session, _ = session_of(folder, lambda m: None, timeout=2.0, load_timeout=25.0, budget=10.0)
    session.send(call("f"))
    (_, _, load), (_, _, first) = session.sandbox.limits
    assert 9.0 < load <= 10.0 and first == 2.0          # the budget bounds the loading limit
    session, _ = session_of(folder, lambda m: StudentError("timeout", "timed out after 25 s")
                            if m["op"] == "load" else None, load_timeout=25.0)
    with pytest.raises(StudentError, match=r"^importing m\.py took longer than 25 s, the limit for loading "
                                           r"a module$"):
        session.send(call("f"))


def test_a_function_of_a_cell_left_out_says_which_cell_and_why(tmp_path):
    cells = [{"label": "hw.ipynb cell 1", "code": "import time\ndef g(): pass"},
             {"label": "hw.ipynb cell 2", "code": "def f():\n    return 1\ntrain_for_a_minute()"},
             {"label": "hw.ipynb cell 3", "code": "oops()\ndef h(): pass"}]
    notebook = Submission(str(tmp_path), "notebook", [], None, cells, notebooks=("hw.ipynb",))

    def answer(message):
        if message["op"] == "cell" and "train" in message["code"]:
            return StudentError("timeout", "timed out after 30 s")
        if message["op"] == "cell" and "oops" in message["code"]:
            return f"{message['label']}: NameError: name 'oops' is not defined"
        if message["op"] == "call" and message["function"] != "g":
            return StudentError("missing", message["function"])
        return None
    session, _ = session_of(notebook, answer)
    with pytest.raises(StudentError) as missing:
        session.send(call("f"))
    assert missing.value.message == ("hw.ipynb defines no function f: hw.ipynb cell 2, where it is defined, "
                                     "was left out: timed out after 30 s")
    with pytest.raises(StudentError) as missing:
        session.send(call("h"))
    assert missing.value.message == ("hw.ipynb defines no function h: hw.ipynb cell 3, where it is defined, "
                                     "stopped with an error before it was defined: NameError: name 'oops' "
                                     "is not defined")
    with pytest.raises(StudentError) as missing:
        session.send(call("k"))
    assert missing.value.message == "hw.ipynb defines no function k"     # the notebook, not its folder
    assert session.successor().cell_trouble == session.cell_trouble


def test_a_notebooks_module_file_is_imported_within_the_loading_limit(tmp_path):
    """A module file beside a notebook serves what its cells do not define; its import is
    loading (the loading limit, once a process), and a failed one is said where it costs."""
    cells = [{"label": "nb cell 1", "code": "def f(): pass"}]
    mixed = Submission(str(tmp_path), "notebook", ["m.py", "n.py"], None, cells, notebooks=("nb.ipynb",))

    def answer(message):
        if message["op"] == "load" and message["module"] == "n":
            return StudentError("timeout", "timed out after 30 s")
        if message["op"] == "call" and message["function"] == "g":
            return StudentError("timeout", "timed out after 5 s")
        if message["op"] == "call" and message["function"] == "h":
            return StudentError("missing", "h")
        return None
    session, log = session_of(mixed, answer, load_timeout=30.0)
    session.send(call("f"))
    session.send(call("f"))
    assert ("load", "m", 30.0) in session.sandbox.limits
    assert [e[1:] for e in log].count(("load", "m", None)) == 1       # once a process
    with pytest.raises(StudentError) as slow:
        session.send(call("g", "n"))
    assert slow.value.message == ("timed out after 5 s: importing n.py took longer than 30 s, the limit for "
                                  "loading a module")
    with pytest.raises(StudentError) as missing:
        session.send(call("h", "n"))
    assert missing.value.message == ("nb.ipynb defines no function h, nor does n.py beside it (importing n.py "
                                     "took longer than 30 s, the limit for loading a module)")
    assert [e[1:3] for e in log].count(("load", "n")) == 1             # tried once


def test_finding_the_cell_of_a_missing_function_is_bounded(tmp_path):
    """Thousands of failing cells cost the trusted side a bounded parse: each cell once, and
    no more than the notebook reader's total (notebook.MAX_PARSED characters)."""
    from autograder.submission import notebook
    filler = "x = 1\n" * 25_000                    # 150,000 characters
    cells = [{"label": f"nb cell {i}", "code": f"{filler}def f{i}(): pass"} for i in range(1, 6)]
    mixed = Submission(str(tmp_path), "notebook", [], None, cells, notebooks=("nb.ipynb",))

    def answer(message):
        if message["op"] == "cell":
            return f"{message['label']}: ValueError: no"
        return None if message["op"] == "load" else StudentError("missing", message["function"])
    session, _ = session_of(mixed, answer)
    for attempt in range(2):
        with pytest.raises(StudentError, match="nb cell 2, where it is defined"):
            session.send(call("f2"))
        with pytest.raises(StudentError) as last:
            session.send(call("f5"))
        assert last.value.message == "nb.ipynb defines no function f5"     # past what is parsed
    assert notebook.MAX_PARSED == 500_000 and session.parse_left == 500_000 - 3 * len(cells[0]["code"])
