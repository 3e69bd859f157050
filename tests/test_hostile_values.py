"""Nothing a student returns can make the trusted side raise (principles 1 and 3; the policy:
docs/SANDBOX.md, "A value the student returns is the student's"). The trusted side decodes a
value or refuses it as a wrong answer; only a fault of the sandbox or of the machine leaves a
case not graded, and a fault of any other kind is a grader bug, which these tests hunt.

Every function of a stand-in submission returns (or raises) one hostile value of ``HOSTILE``:
huge ints, lone surrogates, lists nested past the codec's cap, nan and inf in every container,
empty containers, arrays of many axes within the caps, the wrong types, objects whose methods
raise or lie, sympy numbers, strings of a megabyte. Every case must then be graded (passed,
or failed with a message), never a fault, and the report must render whole in every format.

- In this process, every case of the catalog with every value (``standins.WireCalls``: the
  runner's own encoding, the client's reading, no socket), and with the reference's answers
  but one reply, any one, hostile (``PLANTED``: what a case reads past a right answer).
- In the sandbox, a class of such submissions graded as a batch (``SANDBOXED``, one student a
  value, with the trial's attacks beside them: a notebook cell raising a lone surrogate, a
  folder nested a thousand deep, an entry whose name is not UTF-8): every student graded, no
  case out of time, every file the batch writes valid UTF-8.
"""

from __future__ import annotations

import csv
import functools
import glob
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from nbformat import v4

from autograder import catalog, checks, codec
from autograder.course.batch import grade_class
from autograder.engine.grading import run_case
from autograder.engine.results import CaseResult, Report
from autograder.options import GradingOptions
from tests.helpers import ROOT, nest, renders_whole, unnest
from tests.standins import WireCalls

# What the hostile values are made of, in the student's process (a module's first lines).
PRELUDE = '''
import math
import numpy as np
import sympy


def _nested(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


def _raise(exc):
    raise exc


class Unprintable:
    """Every way of printing or measuring it raises."""

    def __str__(self):
        raise RuntimeError("__str__")

    __repr__ = __str__

    def __len__(self):
        raise RuntimeError("__len__")


class LongList(list):
    """A list that says it holds a million entries."""

    def __len__(self):
        return 10**6


class Pretender:
    """An array of strings, whatever it holds."""

    def __array__(self, *args, **kwargs):
        return np.array(["1.0"])


class FloatLiar(float):
    """A float whose __float__ raises."""

    def __float__(self):
        raise ValueError("__float__")


class Unspeakable(Exception):
    """An exception that cannot say what it is."""

    def __str__(self):
        raise RuntimeError("__str__")
'''


def _dict_keys() -> list[str]:
    """Every key a reference function's dict answer has (a grader reads these)."""
    keys = set()
    for path in glob.glob(os.path.join(ROOT, "reference", "*.py")):
        with open(path) as f:
            keys.update(re.findall(r'"([A-Za-z_]\w*)": ', f.read()))
    return sorted(keys)


KEYS = _dict_keys()

# name -> an expression of PRELUDE's names: what every function returns (or raises), new each call
HOSTILE = {
    "huge_int": "10**400",
    "huge_negative_int": "-10**5000",                   # more digits than int() converts: refused
    "huge_int_in_a_tuple": "(10**400, 1.0, 2.0)",
    "huge_int_key": "{10**400: 10**400}",
    "surrogate": '"\\ud800"',
    "surrogate_in_a_list": '["A\\ud800", "\\udfff"]',
    "surrogate_keys": '{"\\ud800": 1.0, "a\\udfff": "\\udc80", "dW": np.ones(2)}',
    "raises_a_surrogate": '_raise(ValueError("oops \\ud800"))',
    "raises_unspeakably": "_raise(Unspeakable())",
    "raises_a_megabyte": '_raise(ValueError("y" * 2**20))',
    "nested_63": "_nested(63)",
    "nested_1000": "_nested(1000)",
    "nan": "math.nan",
    "nan_everywhere": ("[math.nan, (math.inf,), {'a': -math.inf, 'dW': [math.nan]}, {math.nan}, "
                       "np.array([math.nan, math.inf, -math.inf])]"),
    "nan_tuple": "(math.nan, math.inf, -math.inf)",
    "nan_array": "np.full((2, 3), math.nan)",
    "empty_list": "[]",
    "empty_tuple": "()",
    "empty_dict": "{}",
    "empty_array": "np.zeros((0,))",
    "empty_2d_array": "np.zeros((0, 3))",
    "zero_d_array": "np.array(1.5)",
    "most_axes": "np.zeros((1,) * 32)",
    "many_short_axes": "np.zeros((2,) * 16, dtype=np.int8)",        # numpy's summary prints them all
    "arrays_of_many_short_axes": "[np.zeros((2,) * 16, dtype=np.int8)] * 3",
    "wide_array": "np.ones((300, 400), dtype=np.float32)",
    "at_the_array_cap": "np.zeros((2,) * 22, dtype=bool)",            # 2**22 entries, 4 MB: SANDBOX_ONLY
    "complex_array": "np.array([1 + 2j])",
    "int_extremes": "np.array([2**63 - 1, -2**63])",
    "uint64_max": "np.array([2**64 - 1], dtype=np.uint64)",
    "float16_max": "np.array([65504.0], dtype=np.float16)",
    "subnormal": "np.array([5e-324])",
    "bool": "True",
    "bytes": 'b"bytes"',
    "set": "{1, 2}",
    "set_of_tuples": "{(1, 2), (3,)}",
    "odd_keys": "{None: 1, (1, 2): 3, frozenset(): 'x', 1.5: []}",
    "none": "None",
    "unprintable": "Unprintable()",
    "long_list": "LongList([1.0])",
    "pretender": "Pretender()",
    "float_liar": "FloatLiar(1.0)",
    "sympy_huge_integer": "sympy.Integer(10**400)",
    "sympy_complex_infinity": "sympy.zoo",
    "sympy_rational": "sympy.Rational(1, 3)",
    "number_as_text": '"1e400"',
    "right_keys_huge_ints": f"{{k: 10**400 for k in {KEYS!r}}}",
    "right_keys_lists_of_nones": f"{{k: [None, None, None] for k in {KEYS!r}}}",
    "right_keys_surrogates": f"{{k: '\\ud800' for k in {KEYS!r}}}",
    "right_keys_nested": f"{{k: [[[[]]]] for k in {KEYS!r}}}",
    "pair_of_nones": "(None, None)",
    "triple_of_surrogates": '("\\ud800",) * 3',
    "quadruple_of_huge_ints": "([[10**400]],) * 4",
    "a_megabyte": '"x" * 2**20',
    "over_a_megabyte": '"x" * (2**20 + 1)',
}

# the ones graded in the sandbox too, one student each (a grading of every module apiece)
SANDBOXED = ("huge_int", "huge_negative_int", "surrogate", "surrogate_keys", "raises_a_surrogate",
             "raises_unspeakably", "nested_63", "nested_1000", "nan_everywhere", "empty_list",
             "empty_array", "empty_dict", "zero_d_array", "at_the_array_cap", "bool", "bytes",
             "set", "none", "unprintable", "float_liar", "sympy_huge_integer", "a_megabyte")
SANDBOX_ONLY = ("at_the_array_cap",)      # a second each case in this process: once, in the sandbox

CASES = catalog.cases()
BUDGET = "time budget"        # what a case says when the submission's budget ran out before it


@functools.cache
def functions() -> dict[str, list[str]]:
    """Every public function of the reference, by module: what a submission may be asked for
    (a case's own function, and those it calls through ``f.sibling``)."""
    out = {}
    for module in catalog.available():
        with open(os.path.join(ROOT, "reference", f"{module}.py")) as f:
            out[module] = re.findall(r"^def ([a-z]\w*)\(", f.read(), re.M)
    return out


def hostile_maker(name: str):
    """A function returning (or raising) a new ``HOSTILE[name]`` each call."""
    namespace: dict = {}
    exec(PRELUDE, namespace)
    return eval(f"lambda *args, **kwargs: {HOSTILE[name]}", namespace)


def hostile_module(name: str, module: str) -> str:
    """A module file whose every function returns (or raises) ``HOSTILE[name]``."""
    return PRELUDE + "\n" + "".join(f"\ndef {fn}(*args, **kwargs):\n    return {HOSTILE[name]}\n"
                                    for fn in functions()[module])


def problems(report: Report) -> list[str]:
    """What is wrong with a hostile submission's report: a case not graded, one that lost
    points without a message, one the time budget reached."""
    return [f"{r.case.id}: {r.fault or r.output[:300]}" for r in report.results
            if r.fault is not None or (r.score < r.case.points and not r.output.strip())
            or BUDGET in r.output]


@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")   # the student's side casts
@pytest.mark.parametrize("name", [n for n in HOSTILE if n not in SANDBOX_ONLY])
def test_no_returned_value_makes_a_case_fault(name):
    """Every case of the catalog, its student's functions all answering ``HOSTILE[name]``, is
    graded with a message (the runner's encoding and the client's reading on the way)."""
    make = hostile_maker(name)
    replaced = {f"{m}.{fn}": make for m, fns in functions().items() for fn in fns}
    results = [run_case(case, WireCalls(every_probe=True, replaced=replaced), 0) for case in CASES]
    report = Report("hostile", 0, results, catalog.load(), 0.0, "none")
    bad = problems(report)
    assert not bad, f"{name}: {len(bad)} case(s):\n" + "\n".join(bad[:5])
    renders_whole(report)


# values planted as one reply among the reference's (a case reads past a right answer): a kind each
PLANTED = ("huge_int", "huge_int_in_a_tuple", "surrogate", "surrogate_keys", "raises_a_surrogate",
           "nested_63", "nan_everywhere", "empty_list", "empty_dict", "zero_d_array", "many_short_axes",
           "bool", "set", "none", "odd_keys", "sympy_huge_integer", "number_as_text",
           "right_keys_lists_of_nones")


class Planted(WireCalls):
    """The reference answering every call but reply number ``k`` (counted over the student's
    functions' replies, a measurement's aside), which ``make`` answers instead; ``k`` = -1:
    none, and ``replies`` counts them."""

    def __init__(self, k: int, make):
        super().__init__(every_probe=True)
        self.k, self.make, self.replies = k, make, 0

    def _call(self, fn, probe, args, kwargs):
        if fn.__module__.startswith("reference."):
            self.replies += 1
            if self.replies - 1 == self.k:
                fn = self.make
        return super()._call(fn, probe, args, kwargs)


@pytest.mark.parametrize("name", PLANTED)
def test_no_value_after_right_answers_makes_a_case_fault(name):
    """Every case of the catalog with the reference's answers, but one reply, any one, which is
    ``HOSTILE[name]``: where a grader reads a reply only once the earlier ones were right (the
    student's own softmax(z) as the expected softmax(z + c), say), it is still graded."""
    make, results = hostile_maker(name), []
    for case in CASES:
        counted = Planted(-1, make)
        run_case(case, counted, 0)
        results += [run_case(case, Planted(k, make), 0) for k in range(counted.replies)]
    bad = problems(Report("hostile", 0, results, catalog.load(), 0.0, "none"))
    assert not bad, f"{name}: {len(bad)} case(s):\n" + "\n".join(bad[:5])


def _notebook(path: str, cells: list[str]) -> None:
    """A notebook of ``cells``, its JSON ASCII (``\\ud800`` escapes: what a notebook holding a
    lone surrogate looks like on disk)."""
    nb = v4.new_notebook()
    nb.cells = [v4.new_code_cell(c) for c in cells]
    with open(path, "w") as f:
        json.dump(nb, f)


def _class(folder) -> dict[str, str]:
    """A class of hostile students: what each student's gradebook status must start with."""
    want = {}
    for name in SANDBOXED:
        os.makedirs(folder / name)
        for module in catalog.available():
            (folder / name / f"{module}.py").write_text(hostile_module(name, module))
        want[name] = "graded"
    # the trial's notebook: a cell raising a lone surrogate, an IPython line holding one, and
    # the tuning functions right
    with open(os.path.join(ROOT, "reference", "tuning.py")) as f:
        tuning = f.read()
    _notebook(str(folder / "surrogate_cells.ipynb"),
              ['raise ValueError("cell error \\ud800")', "%time 1 \ud800", tuning])
    want["surrogate_cells"] = "graded"
    # a folder a thousand deep beside a right tuning.py: refused unread, with its reason
    deep = folder / "deep_folders"
    nest(str(deep), 1000)          # os.walk's recursion once ended in RecursionError
    (deep / "tuning.py").write_text(tuning)
    want["deep_folders"] = "unreadable submission: deep_folders holds folders nested more than 16 deep"
    # an entry whose name is not UTF-8, a function raising a lone surrogate
    odd = os.path.join(os.fsencode(folder), b"\xff\xfe")
    os.makedirs(odd)
    with open(os.path.join(odd, b"tuning.py"), "w") as f:
        f.write(hostile_module("raises_a_surrogate", "tuning"))
    want["student"] = "graded"                 # batch.student_name's name for it
    return want


@pytest.mark.timeout(1500)
def test_a_class_of_hostile_submissions_is_graded_whole(tmp_path):
    """Graded in the sandbox, as a batch: every hostile student is graded (their score, never
    "not graded"), no case of theirs out of time, and every file written for them (results.json,
    feedback.txt and .html, the gradebook, the summary) is valid UTF-8."""
    folder, out = tmp_path / "class", tmp_path / "out"
    want = _class(folder)
    try:
        rows = grade_class(str(folder), str(out), GradingOptions(), progress=False)
    finally:
        unnest(str(folder / "deep_folders"))
    status = {r["student"]: r["status"] for r in rows}
    assert sorted(status) == sorted(want)
    wrong = {s: status[s] for s in want if not status[s].startswith(want[s])}
    assert not wrong, wrong
    for student, prefix in want.items():
        if prefix != "graded":
            continue
        with open(out / student / "results.json", encoding="utf-8") as f:
            results = json.load(f)
        bad = [f"{t['name']}: {t['output'][:300]}" for t in results["tests"]
               if t["score"] < t["max_score"] and (not t["output"].strip() or BUDGET in t["output"])]
        assert not bad, f"{student}: " + "\n".join(bad[:5])
    for path in glob.glob(str(out / "**" / "*.*"), recursive=True):
        if path.endswith((".txt", ".html", ".json", ".csv")):
            with open(path, encoding="utf-8") as f:
                f.read()
    with open(out / "gradebook.csv", encoding="utf-8") as f:
        assert {r["student"] for r in csv.DictReader(f)} >= set(want)


def test_any_value_reads_in_a_few_characters():
    """``checks.show`` renders what it is asked to, briefly, whatever the value: numpy's summary
    prints every entry of an array of short axes (2**22 over 22 axes of 2: a list holding one
    once took a case 15 s, each time its feedback showed it), so such an array is shown by its
    first and last entries and its shape; containers nested past ``mismatch.NESTED`` levels are
    shown by their length (a list that holds itself three times over 64 levels has 3**64
    paths). Plain values read as before, brackets balanced."""
    huge = np.zeros((2,) * 22, dtype=bool)
    for value in (huge, [huge, huge], {"dW": huge}, (huge,)):
        text = checks.show(value)
        assert len(text) <= 2 * 160 and "4,194,304 entries)" in text, text
    assert checks.show(huge).startswith("[False, ..., False] (shape (2, 2, 2,")
    shared = []
    for _ in range(64):
        shared = [shared, shared, shared]
    assert checks.show(shared).startswith("[[[[") and len(checks.show(shared)) <= 1000
    for value, text in (([1.0, 2, "a", (1,), {"a": None}, {1}, frozenset(), set()],
                         "[1.0, 2, 'a', ..., frozenset(), set()] (8 entries)"),
                        ([1.0, "a", (1,), {"a": None}, {1}], "[1.0, 'a', (1,), {'a': None}, {1}]"),
                        ((np.float64(1.5), 10**3), "(np.float64(1.5), 1000)"),
                        ([np.array([1.0, 2.0])], "[[1., 2.] (shape (2,))]"),
                        (np.zeros((3, 4)), "[[0., 0., 0., 0.], [0., 0., 0., 0.], [0., 0., 0., 0.]] (shape (3, 4))")):
        assert checks.show(value) == text
    assert checks.show("x" * 2**20).endswith("...' (1,048,576 characters)")


def test_student_text_enters_whole():
    """A reply's strings, dict keys included, and the texts of a report (a file name of bytes
    that are not UTF-8, a notebook's line) hold no lone surrogate: each becomes its escape,
    once, where it enters; a pair that JSON escapes (an emoji) stays the character it is."""
    body = b'{"id":1,"ok":true,"value":{"a\\ud800":["\\udfff","\\ud83d\\ude00",[["\\uD800"]]]}}'
    assert codec.loads(body)["value"] == {"a\\ud800": ["\\udfff", "\U0001f600", [["\\ud800"]]]}
    assert codec.loads(b'"\\\\ud800"') == "\\ud800"                   # a backslash, then text
    result = CaseResult(CASES[0], 0, "got '\ud800'", fault=None)
    report = Report("/tmp/\udcff", 0, [result], catalog.load(), 0.0, "none", ["cell 1: %time \ud800"],
                    "printed \udfff")
    assert (report.submission, report.notes, report.printed, result.output) == \
        ("/tmp/\\udcff", ["cell 1: %time \\ud800"], "printed \\udfff", "got '\\ud800'")
    renders_whole(report)


def test_the_notebook_check_takes_cells_holding_a_lone_surrogate(tmp_path):
    """The notebook check writes the kernel's cells as a notebook to grade them: a cell holding
    a lone surrogate once made that write raise (an internal grader error instead of a check)."""
    from autograder.front.check_server import check
    with open(os.path.join(ROOT, "reference", "tuning.py")) as f:
        cells = ["x = 1  # \ud800", f.read()]
    result = check({"cells": cells, "modules": ["tuning"]}, str(tmp_path))
    assert result["score"] == result["max_score"] == 6
    result["text"].encode("utf-8")


def test_grade_py_prints_a_path_that_is_not_utf8(tmp_path):
    """A submission's file name need not be UTF-8, a terminal's encoding is (Python's stdout is
    strict in a UTF-8 locale): grade.py once raised printing the report's first line."""
    folder = os.path.join(os.fsencode(tmp_path), b"caf\xe9")
    os.makedirs(folder)
    with open(os.path.join(folder, b"tuning.py"), "w") as f, \
            open(os.path.join(ROOT, "reference", "tuning.py")) as ref:
        f.write(ref.read())
    run = subprocess.run([sys.executable, os.path.join(ROOT, "grade.py"), folder, "--module", "tuning"],
                         capture_output=True, timeout=300,
                         env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"})
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    assert b"caf\\udce9 (seed 0" in run.stdout.splitlines()[0]
