"""What a course does with a graded class (autograder/course/): the gradebooks in the layouts
Canvas's and Moodle's imports read, the roster, the item analysis on a class whose numbers are
worked out here by hand, the quartiles, and summary.html's self-containment. Classes are
constructed as rows; the named mistake is followed from checks.fail to results.json."""

import csv
import json
import math
import statistics
from html.parser import HTMLParser

import pytest

from autograder import checks
from autograder.course import analysis, gradebook, rows, summary
from autograder.course.batch import grade_class
from autograder.course.gradebook import Roster, RosterError, Student, read_roster
from autograder.engine.grading import run_case
from autograder.engine.results import CaseResult, Report
from autograder.options import GradingOptions
from autograder.report import gradescope
from autograder.sandbox.client import Reply
from autograder.spec import Module

M = Module("m", total=5)
for _function, _label, _points in (("a", "x", 1), ("a", "y", 1), ("b", "z", 2), ("c", "w", 1)):
    M.case(_function, _label, points=_points)(lambda f, rng: None)
MODULES = (M,)


def row(student, scores=None, mistakes=None, seconds=None, status="graded"):
    """A graded student's row from their score per case (``{"m.a[x]": 1, ...}``)."""
    if scores is None:                               # no score at all
        return {"student": student, "status": status, "total": None, "max_score": 0, "items": {},
                "cases": {}, "mistakes": {}, "seconds": None}
    cases = {c.id: [scores.get(c.id, 0), c.points] for c in M.cases}
    items = {}
    for c in M.cases:
        item = items.setdefault(c.item, [0, 0])
        item[0] += cases[c.id][0]
        item[1] += c.points
    return {"student": student, "status": status, "total": sum(s for s, _ in cases.values()),
            "max_score": 5, "items": items, "cases": cases, "mistakes": mistakes or {}, "seconds": seconds}


def klass():
    """Four graded students (totals 5, 3, 4, 1; everyone has m.c), one not graded, one whose
    submission could not be read."""
    return [
        row("s1", {"m.a[x]": 1, "m.a[y]": 1, "m.b[z]": 2, "m.c[w]": 1}, seconds=1.0),
        row("s2", {"m.a[x]": 1, "m.a[y]": 1, "m.c[w]": 1}, {"m.b[z]": "the bias is missing"}, seconds=2.0),
        row("s3", {"m.a[x]": 1, "m.b[z]": 2, "m.c[w]": 1}, seconds=3.0),
        row("s4", {"m.c[w]": 1}, {"m.b[z]": "the bias is missing", "m.a[x]": "off by one",
                                  "m.a[y]": "off by one"}, seconds=10.0),
        row("ngr", status="not graded: the sandbox failed"),
        dict(row("unr", {}), status="unreadable submission: not a notebook", total=0, max_score=0,
             items={}, cases={}),
    ]


ROSTER = Roster((Student("s1", "1001", "Ann One", "L01"), Student("s2.py", "1002", "Bo Two", "L01"),
                 Student("ngr", "1003", "Cy Three", "L02"), Student("unr", "1004", "Di Four", "L02"),
                 Student("zed", "1005", "Ed Five", "L02")), assignment="HW 1")
ENTRIES = [("s1", "s1"), ("s2", "s2.py"), ("ngr", "ngr.ipynb"), ("unr", "unr"), ("s3", "s3"), ("s4", "s4")]


def _csv(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def test_the_lms_files_follow_the_documented_layouts(tmp_path):
    matched = gradebook.match(ROSTER, ENTRIES)
    assert {s: p.submission for s, p in matched.items()} == {"s1": "s1", "s2": "s2.py", "ngr": "ngr", "unr": "unr"}
    rows = gradebook.with_roster(klass(), ROSTER, matched)
    gradebook.write(rows, str(tmp_path), MODULES, ROSTER)
    # Canvas: its importer's student columns, a points-possible row, one row per roster student
    # (matched by SIS User ID), an empty cell where there is no score
    assert _csv(tmp_path / "gradebook-canvas.csv") == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW 1"],
        ["Points Possible", "", "", "", "", "5"],
        ["Ann One", "", "1001", "", "L01", "5"],
        ["Bo Two", "", "1002", "", "L01", "3"],
        ["Cy Three", "", "1003", "", "L02", ""],          # not graded: no score, never 0
        ["Di Four", "", "1004", "", "L02", "0"],          # unreadable: the student's, a 0
        ["Ed Five", "", "1005", "", "L02", ""],           # no submission
    ]
    # Moodle: the ID number to map, the grade in percent, "-" (its "no grade") without a score
    assert _csv(tmp_path / "gradebook-moodle.csv") == [
        ["ID number", "HW 1"], ["1001", "100"], ["1002", "60"], ["1003", "-"], ["1004", "0"], ["1005", "-"]]
    book = _csv(tmp_path / "gradebook.csv")
    assert book[0] == ["student", "id", "name", "section", "status", "total", "max_score",
                       "m", "m.a", "m.b", "m.c"]
    assert book[1] == ["(maximum)", "", "", "", "", "5", "5", "5", "2", "2", "1"]
    by_student = {r[0]: r for r in book[2:]}
    assert set(by_student) == {"s1", "s2", "s3", "s4", "ngr", "unr", "zed"}     # nobody dropped
    assert by_student["s2"] == ["s2", "1002", "Bo Two", "L01", "graded", "3", "5", "3", "2", "0", "1"]
    assert by_student["s3"][1:5] == ["", "", "", "graded"]                      # not in the roster
    assert by_student["ngr"][4:] == ["not graded: the sandbox failed", "", "0", "", "", "", ""]
    assert by_student["zed"][1:6] == ["1005", "Ed Five", "L02", "no submission", ""]


def test_without_a_roster_only_gradebook_csv(tmp_path):
    gradebook.write(klass(), str(tmp_path), MODULES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gradebook.csv"]
    assert _csv(tmp_path / "gradebook.csv")[0] == ["student", "status", "total", "max_score", "m", "m.a", "m.b", "m.c"]


def test_the_roster_is_read_and_matched_strictly(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("\ufeffid,name,submission,section,email\n 7 ,Ann,ann,L1,a@x\n8,Bo,bo.ipynb,L1,\n",
                    encoding="utf-8")
    assert read_roster(str(path), "HW").students == (Student("ann", "7", "Ann", "L1"),
                                                     Student("bo.ipynb", "8", "Bo", "L1"))
    for text, error in (("submission,id,name\nann,7,Ann\n", "missing: section"),
                        ("submission,id,name,section\nann,,Ann,L1\n", "line 2: a student needs"),
                        ("submission,id,name,section\nann,7,Ann,L1\nbo,7,Bo,L1\n", "line 3: id '7' is also on line 2"),
                        ("submission,id,name,section\n", "lists no student")):
        path.write_text(text)
        with pytest.raises(RosterError, match=error):
            read_roster(str(path))
    two = Roster((Student("y", "1", "", ""),))
    with pytest.raises(RosterError, match="names 2 submissions"):
        gradebook.match(two, [("y", "y.py"), ("y_", "y.ipynb")])
    same = Roster((Student("z", "1", "", ""), Student("z.py", "2", "", "")))
    with pytest.raises(RosterError, match="name the same submission"):
        gradebook.match(same, [("z", "z.py")])
    exact_first = Roster((Student("x", "1", "", ""),))
    assert list(gradebook.match(exact_first, [("x", "x"), ("x_", "x.py")])) == ["x"]


def test_an_ambiguous_roster_stops_the_batch_before_any_grading(tmp_path):
    (tmp_path / "class").mkdir()
    for name in ("y.py", "y.ipynb"):
        (tmp_path / "class" / name).write_text("")
    with pytest.raises(RosterError):
        grade_class(str(tmp_path / "class"), str(tmp_path / "out"), GradingOptions(modules=("tuning",)),
                    progress=False, roster=Roster((Student("y", "1", "", ""),)))
    assert not (tmp_path / "out").exists()


def test_the_item_analysis_of_a_class_worked_out_by_hand():
    rows = gradebook.with_roster(klass(), ROSTER, gradebook.match(ROSTER, ENTRIES))
    a = analysis.analyse(rows, MODULES, seed=7, roster=True, date="today", version="9")
    items = {s.name: s for s in a.items}
    cases = {s.name: s for s in a.cases}
    # m.a: scores 2, 2, 1, 0 of 2; the rest of each total (m.b + m.c) 3, 1, 3, 1
    assert (items["m.a"].mean, items["m.a"].full) == (0.625, 0.5)
    assert items["m.a"].discrimination == pytest.approx(1 / math.sqrt(11))
    assert (items["m.b"].mean, items["m.b"].full) == (0.5, 0.5)
    assert items["m.b"].discrimination == pytest.approx(1 / math.sqrt(11))
    assert (items["m.c"].mean, items["m.c"].full, items["m.c"].discrimination) == (1, 1, None)   # everyone
    assert (cases["m.a[x]"].mean, cases["m.a[x]"].full) == (0.75, 0.75)
    assert cases["m.a[x]"].discrimination == pytest.approx(math.sqrt(0.6))       # 1.5 / sqrt(0.75 * 5)
    assert cases["m.a[y]"].discrimination == pytest.approx(0.5 / math.sqrt(6.75))
    assert [(m.item, m.mistake, m.students) for m in a.mistakes] == [
        ("m.b", "the bias is missing", ("s2", "s4")), ("m.a", "off by one", ("s4",))]   # s4 once for m.a
    t = a.totals
    assert (t.low, t.quartiles, t.high, t.mean, t.out_of) == (1, (2.5, 3.5, 4.25), 5, 3.25, 5)
    assert a.counts == {"graded": 4, "not graded": 1, "unreadable submission": 1, "no submission": 1}
    assert [r["student"] for r in a.set_aside] == ["ngr", "unr", "zed"]
    assert a.not_in_roster == ("s3", "s4")
    assert (a.timing.median, a.timing.slowest) == (2.5, (("s4", 10.0), ("s3", 3.0), ("s2", 2.0)))
    text = summary.text(a)
    assert "7 students: 4 graded, 1 not graded, 1 unreadable submission, 1 no submission" in text
    assert "dl-autograder 9, seed 7, today" in text
    assert text.index("ngr: not graded") < text.index("unr: unreadable") < text.index("zed: no submission") \
        < text.index("totals:")
    assert "m.b: 2 students: the bias is missing" in text and "m.a: 1 student: off by one" in text
    assert "m.c[w]" not in text.split("cases that lost points")[1].split("named mistakes")[0]   # all passed


def test_quartiles_of_two_students_stay_within_min_and_max():
    totals = [100, 243]
    assert statistics.quantiles(totals, n=4)[2] > 243          # the default method's Q3 (the bug)
    t = analysis.totals_of(totals, 243)
    assert t.quartiles == (135.75, 171.5, 207.25) and t.low <= min(t.quartiles) <= max(t.quartiles) <= t.high
    rows = [dict(row("s1"), status="graded", total=100), dict(row("s2"), status="graded", total=243)]
    a = analysis.analyse(rows, MODULES, seed=0, date="d", version="v")
    assert "quartiles 135.75 / 171.5 / 207.25, max 243" in summary.text(a)


class _Page(HTMLParser):
    def __init__(self, markup):
        super().__init__()
        self.text, self.tags = [], []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_summary_html_is_self_contained_and_escapes_everything(tmp_path):
    rows = klass() + [row("<b>x</b>", status="not graded: <script>alert(1)</script>")]
    rows[1]["mistakes"] = {"m.b[z]": '<img src="http://evil/x.png">'}
    a = analysis.analyse(rows, MODULES, seed=0, date="d", version="v")
    summary.write(a, str(tmp_path))               # matplotlib is installed for the tests: the figure
    page = (tmp_path / "summary.html").read_text()
    assert "<script" not in page.lower() and 'src="http' not in page
    parsed = _Page(page)
    sources = [attrs["src"] for _, attrs in parsed.tags if "src" in attrs]
    assert len(sources) == 1 and sources[0].startswith("data:image/png;base64,")
    assert not [t for t, attrs in parsed.tags if t in ("script", "link", "b", "iframe") or "href" in attrs]
    shown = "".join(parsed.text)
    assert "<b>x</b>: not graded: <script>alert(1)</script>" in shown
    assert '<img src="http://evil/x.png">' in shown
    assert shown.index("<b>x</b>") < shown.index("totals:")          # set aside, listed first
    assert (tmp_path / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_named_mistake_travels_as_data_to_results_json():
    with pytest.raises(checks.Mismatch) as caught:
        checks.expect_int(3, 4, mistakes={"counting t from 0": 3})
    assert caught.value.mistake == "counting t from 0" and str(caught.value).endswith(": counting t from 0")
    with pytest.raises(checks.Mismatch) as caught:
        checks.expect_int(5, 4)
    assert caught.value.mistake == "off by one"                   # the check's own guess
    with pytest.raises(checks.Mismatch) as caught:
        checks.expect_int(9, 4)
    assert caught.value.mistake is None
    module, checked = Module("mistake_test", total=1), []

    @module.case("steps", "worked", points=1)
    def steps_worked(f, rng):
        checked.append(1)
        checks.expect_int(f(4), 4, mistakes={"counting t from 0": 3})

    class Session:
        def send(self, message, timeout=None):
            return Reply.of(3)
    first = run_case(module.cases[0], Session(), 0)
    again = run_case(module.cases[0], Session(), 0)       # the same reply: the memo's verdict
    assert first.mistake == again.mistake == "counting t from 0" and checked == [1]
    result = Report("sub", 0, [first], (module,), 0.1, "root")
    test = gradescope.results(result)["tests"][0]
    assert {k: test["extra_data"][k] for k in ("item", "case", "mistake")} == \
        {"item": "mistake_test.steps", "case": "worked", "mistake": "counting t from 0"}
    assert "mistake" not in gradescope.results(Report(
        "sub", 0, [CaseResult(module.cases[0], 1, "")], (module,), 0.1, "root"))["tests"][0]["extra_data"]


def test_rows_read_back_from_results_json_carry_cases_mistakes_and_time():
    data = {"score": 1, "max_score": 3, "execution_time": 1.5, "tests": [
        {"score": 1, "max_score": 1, "extra_data": {"item": "m.a", "case": "x"}},
        {"score": 0, "max_score": 2, "extra_data": {"item": "m.a", "case": "y", "mistake": "off by one"}}],
        "extra_data": {"status": "graded"}}
    r = rows.of_results("s", data)
    assert r["items"] == {"m.a": [1, 3]} and r["cases"] == {"m.a[x]": [1, 1], "m.a[y]": [0, 2]}
    assert r["mistakes"] == {"m.a[y]": "off by one"} and r["seconds"] == 1.5 and r["status"] == "graded"


def test_a_row_from_the_report_is_the_row_read_back_from_its_results_json():
    """The batch builds a student's row from the Report it just graded, and a resumed batch
    from the student's results.json: the two must be the same row."""
    module = Module("row_test", total=3)
    module.case("a", "x", points=1)(lambda f, rng: None)
    module.case("a", "y", points=2)(lambda f, rng: None)
    module.case("b", "z", points=0.5)(lambda f, rng: None)
    x, y, z = module.cases
    result = Report("sub", 0, [CaseResult(x, 1, ""), CaseResult(y, 0, "wrong", mistake="off by one"),
                               CaseResult(z, 0.5, "")], (module,), 1.23456, "root")
    row = rows.of_report("s", result)
    assert row == rows.of_results("s", json.loads(json.dumps(gradescope.results(result))))
    assert row["items"] == {"row_test.a": [1, 3], "row_test.b": [0.5, 0.5]} and row["total"] == 1.5
    assert row["mistakes"] == {"row_test.a[y]": "off by one"} and row["seconds"] == 1.235
    assert rows.unreadable("s", "nothing here") == rows.of_results("s", gradescope.unreadable("nothing here"))
