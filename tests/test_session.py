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
        self.alive, self.generation = False, 0
        self.notes, self.mode, self.output = [], "fake", bytearray()

    def reply(self, message: dict, timeout: float) -> Reply:
        if not self.alive:
            self.alive, self.generation = True, self.generation + 1
        self.log.append((self.generation, message.get("op"), message.get("label") or message.get("module"),
                         message.get("function")))
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
