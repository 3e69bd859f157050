"""autograder/symbolic/: equivalence by meaning, per-entry matrices, sets, named mistakes,
test points that follow the grading seed, and an allow-list parser that refuses code."""

import os
import subprocess
import sys
import time

import numpy as np
import pytest
import sympy

from autograder import bounded, symbolic
from autograder.checks import Mismatch
from autograder.codec import SympyText
from tests.helpers import ROOT


def expect_equivalent(got, expected, symbols, seed=0, **kw):
    """The check as a case calls it, with the case's generator seeded by ``seed``."""
    symbolic.expect_equivalent(got, expected, symbols, rng=np.random.default_rng(seed), **kw)

z = sympy.Symbol("z", real=True)
x = sympy.Symbol("x", real=True)
w1, w2 = sympy.symbols("w1 w2", real=True)
beta1 = sympy.Symbol("beta1", positive=True)
g = sympy.Symbol("g", real=True)
t = sympy.Symbol("t", positive=True, integer=True)
SIG = 1 / (1 + sympy.exp(-z))
SIG_GRAD = SIG * (1 - SIG)
FX = ("exp", "tanh", "cosh", "sinh")


def _fails(got, expected, symbols, **kw) -> str:
    """The feedback of a wrong answer."""
    with pytest.raises(Mismatch) as info:
        expect_equivalent(got, expected, symbols, **kw)
    return str(info.value)


@pytest.mark.parametrize("got", [
    "exp(-z)/(1+exp(-z))**2",
    "exp(z)/(1 + exp(z))**2",
    "1/(1+exp(-z)) * (1 - 1/(1+exp(-z)))",          # σ(1−σ) written with exp
    "1/(4*cosh(z/2)**2)",
    SympyText(str(sympy.diff(SIG, z))),              # a sympy object as it crosses the sandbox
    SympyText(str(SIG_GRAD)),
])
def test_equivalent_forms_pass(got):
    expect_equivalent(got, SIG_GRAD, {"z": z}, functions=FX)


def test_unsimplified_polynomial_forms():
    expect_equivalent("x*(1-x)", x - x**2, {"x": x})
    expect_equivalent("x - x**2", x * (1 - x), [x])
    expect_equivalent("(x**2 - x**3)/x", x - x**2, {"x": x})      # 0/0 at x = 0 never sampled
    expect_equivalent("1 - tanh(z)**2", 1 / sympy.cosh(z) ** 2, {"z": z}, functions=FX)
    expect_equivalent("(1-beta1)*g*(1-beta1**t)/(1-beta1)", g * (1 - beta1**t),
                      {"beta1": beta1, "g": g, "t": t})


def test_wrong_answer_names_a_point():
    msg = _fails("1/(1+exp(-z))*(1+1/(1+exp(-z)))", SIG_GRAD, {"z": z}, functions=FX)  # σ(1+σ)
    point = float(msg.split("at z = ")[1].split(":")[0])
    sig = 1 / (1 + np.exp(-point))
    got = float(msg.split("got ")[1].split(";")[0])
    assert "expected 0." in msg and got == pytest.approx(sig * (1 + sig), rel=1e-3)
    msg = _fails("x - x**2 + 1", x - x**2, {"x": x})
    assert "at x = " in msg
    msg = _fails("g*(1-beta1**(t-1))", g * (1 - beta1**t), {"beta1": beta1, "g": g, "t": t})
    assert "t = " in msg and "beta1 = " in msg


def test_the_point_in_the_message_is_exact():
    msg = _fails("2*x", x, {"x": x})
    point = float(msg.split("at x = ")[1].split(":")[0])
    value = float(msg.split("got ")[1].split(";")[0])
    assert value == pytest.approx(2 * point, rel=1e-4)


def test_positive_symbols_get_positive_points():
    p = sympy.Symbol("p", positive=True)
    expect_equivalent("sqrt(p**2)", p, {"p": p})          # true only for p > 0
    assert "at x = -" in _fails("sqrt(x**2)", x, {"x": x})         # differs only where x < 0
    with pytest.raises(Mismatch):
        expect_equivalent("Abs(x)", x, {"x": x}, functions=("Abs",))


def test_numbers_and_floats():
    expect_equivalent(0, sympy.Integer(0), {})
    expect_equivalent(0.5, sympy.Rational(1, 2), {})
    expect_equivalent("0.5*w1**2*w2**2", w1**2 * w2**2 / 2, {"w1": w1, "w2": w2})
    assert "0.3333" in _fails("0.3333*x", x / 3, {"x": x})
    with pytest.raises(Mismatch):
        expect_equivalent(True, sympy.Integer(1), {})
    with pytest.raises(Mismatch):
        expect_equivalent(None, x, {"x": x})


@pytest.mark.parametrize("code", [
    "__import__('os').system('x')",
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "exec('1')",
    "eval('1')",
    "open('/etc/passwd')",
    "lambda: 1",
    "(lambda x: x)(1)",
    "[c for c in ()]",
    "x if x else 1",
    "x[0]",
    "x.real",
    "Symbol('y')",
    "sympify('x')",
    "f'{x}'",
    "'x'",
    "x < 1",
    "x and 1",
    "__builtins__",
    "exp(x, base=2)",
    "print(x)",
    "2j*x",
])
def test_code_is_rejected(code):
    msg = _fails(code, x, {"x": x}, functions=("exp",))
    assert "cannot" in msg


def test_huge_numbers_and_inputs_are_refused_quickly():
    start = time.monotonic()
    for text in ("9**9**9", "10**10**10", "2.0**100000", "((x+1)**200)**200", "x**200*x**200",
                 "1" * 100, "x" * 6000, "(" * 300 + "x" + ")" * 300, "-" * 900 + "x"):
        with pytest.raises(Mismatch):
            expect_equivalent(text, x, {"x": x})
    assert time.monotonic() - start < 5


def test_overflowing_answers_fail_without_hanging():
    start = time.monotonic()
    msg = _fails("exp(exp(exp(exp(exp(x)))))", x, {"x": x}, functions=("exp",))
    assert "overflow" in msg
    with pytest.raises(Mismatch):
        expect_equivalent("(x+1)**256*(x+2)**256", x, {"x": x})
    assert time.monotonic() - start < 5


def test_unknown_names_and_functions_are_explained():
    assert "unknown name 'y'" in _fails("y + 1", x, {"x": x})
    assert "exp(...)" in _fails("e**x", sympy.exp(x), {"x": x}, functions=("exp",))
    assert "not allowed" in _fails("log(x)", x, {"x": x}, functions=("exp",))
    assert "**" in _fails("x^2", x**2, {"x": x})
    assert ".doit()" in _fails("Derivative(x**2, x)", 2 * x, {"x": x})


H = sympy.Matrix([[w2**2, 2 * w1 * w2], [2 * w1 * w2, w1**2]])
GRAD = sympy.Matrix([w1 * w2**2, w1**2 * w2])
W = {"w1": w1, "w2": w2}


@pytest.mark.parametrize("got", [
    SympyText("Matrix([[w2**2, 2*w1*w2], [2*w1*w2, w1**2]])"),
    [["w2**2", "2*w1*w2"], ["2*w2*w1", "w1*w1"]],
    "[[w2**2, w1*w2 + w2*w1], [2*w1*w2, w1**2]]",
])
def test_matrix_per_entry(got):
    expect_equivalent(got, H, W)


def test_matrix_wrong_entry_and_shape():
    msg = _fails("Matrix([[w2**2, w1*w2], [2*w1*w2, w1**2]])", H, W)
    assert "entry [0, 1]" in msg and "w1 = " in msg
    assert "2×2" in _fails(["w2**2", "2*w1*w2"], H, W)
    assert "transpose" in _fails("Matrix([[w1*w2**2, w1**2*w2]])", GRAD, W)


@pytest.mark.parametrize("got", [
    SympyText("Matrix([[w1*w2**2], [w1**2*w2]])"),     # column
    SympyText("Matrix([[w1*w2**2, w1**2*w2]])"),       # row
    ["w1*w2**2", "w1**2*w2"],                           # list
    "[w1*w2**2, w2*w1**2]",
])
def test_vector_row_column_or_list(got):
    expect_equivalent(got, GRAD, W, shape="vector")


def test_vector_wrong_entry():
    msg = _fails(["w1*w2**2", "w1*w2"], GRAD, W, shape="vector")
    assert "entry [1]" in msg
    assert "vector of 2" in _fails("Matrix([[w1, w2, w1]])", GRAD, W, shape="vector")


OPEN = sympy.Interval.open(0, sympy.oo)


@pytest.mark.parametrize("got", [
    SympyText("Interval.open(0, oo)"),
    "Interval(0, oo, True, True)",
    "Interval.Lopen(0, oo)",
    "Union(Interval.open(0, 1), Interval(1, oo))",
    "Complement(Interval(0, oo), {0})",
])
def test_set_equality(got):
    expect_equivalent(got, OPEN, {})


def test_set_differences_name_a_point():
    assert "0 is in your set" in _fails("Interval(0, oo)", OPEN, {})
    assert "in the expected set but not in yours" in _fails("Interval.open(1, oo)", OPEN, {})
    assert "in your set" in _fails("Reals", OPEN, {})
    assert "Set" in _fails("0", OPEN, {}) or "set" in _fails("0", OPEN, {})
    with pytest.raises(Mismatch):
        expect_equivalent("Interval.open(0, oo).__class__", OPEN, {})
    with pytest.raises(Mismatch):
        expect_equivalent(frozenset({1, 2}), OPEN, {})
    expect_equivalent(frozenset({1, 2}), sympy.FiniteSet(1, 2), {})


def test_set_union_of_intervals():
    U = sympy.Union(sympy.Interval.open(-sympy.oo, -1), sympy.Interval(1, 2))
    expect_equivalent("Union(Interval.open(-oo, -1), Interval(1, 2))", U, {})
    assert "in your set" in _fails("Union(Interval(-oo, -1), Interval(1, 2))", U, {})


def test_parse_builds_objects_without_eval():
    assert symbolic.parse("x*(1-x)", {"x": x}) == x * (1 - x)
    assert symbolic.parse("Matrix([x, 1])", {"x": x}, matrices=True) == sympy.Matrix([x, 1])
    with pytest.raises(Mismatch):
        symbolic.parse("Matrix([x, 1])", {"x": x})          # matrices not allowed for a scalar


@pytest.fixture
def fresh_helper():
    """The judgement runs in a helper forked from this process: a fresh one inherits what the
    test patches here."""
    bounded.close()
    yield
    bounded.close()


def test_student_text_never_reaches_eval_exec_or_sympify(monkeypatch, fresh_helper):
    """ast.parse compiles to an AST only; nothing the student wrote is ever run or sympified."""
    import ast
    import builtins
    import sys

    core_sympify = sys.modules["sympy.core.sympify"]          # the module, not the function

    texts = {"w1*w2**2", "w1**2*w2", "Matrix([[w2**2, 2*w1*w2], [2*w1*w2, w1**2]])",
             "__import__('os').system('w1')"}
    seen = []

    def guard(real, ast_only_ok=False):
        def wrapped(arg, *a, **k):
            flags = a[2] if len(a) > 2 else k.get("flags", 0)
            if isinstance(arg, str) and arg.strip() in texts and not (
                    ast_only_ok and flags & ast.PyCF_ONLY_AST):
                seen.append((real.__name__, arg))
                raise AssertionError(f"student text reached {real.__name__}: {arg!r}")
            return real(arg, *a, **k)
        return wrapped

    for mod, name in [(builtins, "eval"), (builtins, "exec"), (core_sympify, "sympify"),
                      (sympy, "sympify"), (sympy, "parse_expr")]:
        monkeypatch.setattr(mod, name, guard(getattr(mod, name)))
    monkeypatch.setattr(builtins, "compile", guard(builtins.compile, ast_only_ok=True))
    expect_equivalent(["w1*w2**2", "w1**2*w2"], GRAD, W, shape="vector")
    expect_equivalent(SympyText("Matrix([[w2**2, 2*w1*w2], [2*w1*w2, w1**2]])"), H, W)
    with pytest.raises(Mismatch):
        expect_equivalent("__import__('os').system('w1')", GRAD, W, shape="vector")
    assert seen == []


def test_test_points_follow_the_case_generator_not_the_text():
    def point(seed):
        return _fails("2*x", x, {"x": x}, seed=seed).split("at x = ")[1].split(":")[0]
    assert point(1) == point(1)
    assert point(1) != point(2)


def test_a_declared_mistake_is_named_after_the_difference():
    plus = {"σ(1 + σ): the sign in 1 − σ is flipped": SIG * (1 + SIG)}
    msg = _fails("1/(1+exp(-z))*(1+1/(1+exp(-z)))", SIG_GRAD, {"z": z}, functions=FX, mistakes=plus)
    assert msg.startswith("result: at z = ") and msg.endswith(
        ": σ(1 + σ): the sign in 1 − σ is flipped; your answer is '(1 + 1/(1 + exp(-z)))/(1 + exp(-z))'")
    assert "flipped" not in _fails("exp(z)", SIG_GRAD, {"z": z}, functions=FX, mistakes=plus)
    lost = {"a power of w2 is lost": sympy.Matrix([w1 * w2, w1**2 * w2])}
    assert ": a power of w2 is lost; your entry is 'w1*w2'" in _fails(
        ["w1*w2", "w1**2*w2"], GRAD, W, shape="vector", mistakes=lost)
    closed = {"0 is a boundary, not a member": sympy.Interval(0, sympy.oo)}
    assert "0 is in your set but not in the expected one: 0 is a boundary, not a member; got " in _fails(
        "Interval(0, oo)", OPEN, {}, mistakes=closed)
    assert "boundary" not in _fails("Interval(1, oo)", OPEN, {}, mistakes=closed)


def _intervals(n: int, offset: int) -> str:
    return ", ".join(f"Interval({2 * i + offset}/3, {2 * i + offset + 1}/3)" for i in range(n))


STALLS = "Complement(Union(" + _intervals(89, 0) + "), Union(" + _intervals(89, 1) + "))"


@pytest.mark.parametrize("got, said", [
    (STALLS, "Union(...) has 89 arguments; at most 32 are read"),
    ("Union(" + ", ".join(f"Union({_intervals(8, 3 * k)})" for k in range(3)) + ")",
     "the answer holds 24 intervals and set elements; at most 16 are read"),
    ("Union(" + ", ".join("{" + ", ".join(map(str, range(6 * k, 6 * k + 6))) + "}" for k in range(3)) + ")",
     "the answer holds 18 intervals and set elements"),
    (frozenset(range(10_000)), "a set of 10000 elements; at most 16 are read"),
])
def test_set_answers_that_would_stall_sympy_are_refused_before_they_are_built(got, said):
    """sympy merges unions and complements while it builds them (two Unions of 89 intervals:
    minutes): the text is refused from its syntax tree, saying what and how many."""
    assert said in _fails(got, OPEN, {})


def test_max_and_list_answers_are_counted_before_they_are_built():
    many = "Max(" + ", ".join(f"x/{i + 2}" for i in range(259)) + ")"
    assert "Max(...) has 259 arguments; at most 32 are read" in _fails(many, x, {"x": x}, functions=("Max",))
    nested = "Max(" + ", ".join("Min(" + ", ".join(f"x/{i + 2}" for i in range(12)) + ")" for _ in range(3)) + ")"
    assert "Max and Min hold 39 arguments in all; at most 32 are read" in \
        _fails(nested, x, {"x": x}, functions=("Max", "Min"))
    assert "a list of 100000 entries; at most 100 are read" in _fails(["w1*w2**2"] * 100_000, GRAD, W, shape="vector")
    assert "an array of 10000 entries" in _fails(np.zeros(10_000), GRAD, W, shape="vector")


def test_reasonable_answers_pass_the_counts():
    expect_equivalent("Union(" + _intervals(8, 0) + ")",
                      sympy.Union(*[sympy.Interval(sympy.Rational(2 * i, 3), sympy.Rational(2 * i + 1, 3))
                                    for i in range(8)]), {})
    expect_equivalent("Max(x, 0) - Min(x, 0)", sympy.Abs(x), {"x": x}, functions=("Max", "Min"))
    expect_equivalent(frozenset(range(16)), sympy.FiniteSet(*range(16)), {})


# 60 square roots of 60-digit numbers: under every cap, and sympy combines and factors them
# while it builds the product, for minutes
RADICALS = "*".join(f"sqrt({10**59 + 7 * i})" for i in range(60))


def test_an_answer_past_the_judgement_budget_is_refused_saying_so(monkeypatch):
    """Whatever sympy does while it builds and compares an answer stays in the helper: past
    the budget the helper is killed and the answer refused; the next judgement gets a new one."""
    from autograder.symbolic import equivalence
    monkeypatch.setattr(equivalence, "JUDGE_BUDGET", 1.0)
    msg = _fails(RADICALS, x, {"x": x})
    assert msg.startswith("result: reading and comparing your answer (4,019 characters: 'sqrt(1")
    assert "took more than 1 s, so it was not accepted; give it in a simpler form" in msg
    expect_equivalent("x*(1-x)", x - x**2, {"x": x})


def test_nothing_built_from_an_answer_exists_in_the_grading_process(monkeypatch, tmp_path, fresh_helper):
    """Only the verdict comes back from the helper: a sympy object built from the student's text
    would be built again, unbounded, if it were unpickled here."""
    from autograder.symbolic import equivalence
    where = tmp_path / "built_in"
    real = equivalence.to_sympy

    def recording(*args, **kwargs):
        with open(where, "a") as f:
            f.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)
    monkeypatch.setattr(equivalence, "to_sympy", recording)
    expect_equivalent("Union(Interval.open(0, 1), Interval(1, oo))", OPEN, {})
    assert "in your set" in _fails("Interval(0, oo)", OPEN, {})
    built_in = set(where.read_text().split())
    assert built_in and str(os.getpid()) not in built_in


def _spin_forever(record: str = ""):
    if record:
        with open(record, "w") as f:
            f.write(str(os.getpid()))
    while True:
        pass


def _inner_helper(record: str):
    """In a helper: a nested helper that spins, after writing its pid to ``record``; what its
    end says."""
    try:
        return bounded.run(_spin_forever, record, budget=600)
    except TimeoutError:
        return "the nested helper gave up before the outer deadline"


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + 30            # a safety net, not a measurement
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.05)
    return not os.path.exists(f"/proc/{pid}")


def test_a_nested_helper_ends_before_its_outer_deadline_and_with_it(tmp_path):
    record = str(tmp_path / "inner")
    assert bounded.run(_inner_helper, record, budget=2) == "the nested helper gave up before the outer deadline"
    assert _gone(int(open(record).read()))
    os.unlink(record)
    # the grading process killed outright while the nested helper works: both helpers die too
    grader = subprocess.Popen([sys.executable, "-c", f"import sys; sys.path.insert(0, {ROOT!r}); "
                               "from autograder import bounded; from tests.test_symbolic import _inner_helper; "
                               f"bounded.run(_inner_helper, {record!r}, budget=600)"])
    deadline = time.monotonic() + 120
    while not os.path.exists(record) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.1)
    inner = int(open(record).read())
    grader.kill()
    grader.wait()
    assert _gone(inner)


def _die():
    os.kill(os.getpid(), 9)


def test_a_helper_that_dies_is_the_graders_fault_not_a_timeout():
    """A judgement cut short by the machine (the helper killed) is no verdict on the answer:
    it surfaces as the grader's error, never as "took more than 10 s"."""
    with pytest.raises(bounded.HelperDied):
        bounded.run(_die, budget=60)
    assert bounded.run(sum, [1, 2], budget=60) == 3


def _address_space_limit() -> int:
    import resource
    return resource.getrlimit(resource.RLIMIT_AS)[1]


def _nested_limits() -> tuple[int, int]:
    return _address_space_limit(), bounded.run(_address_space_limit, budget=30)


def test_a_helper_has_a_memory_limit():
    with pytest.raises(MemoryError):
        bounded.run(bytearray, 2 * bounded.MEMORY, budget=60)
    assert bounded.run(sum, [1, 2], budget=60) == 3
    outer, nested = bounded.run(_nested_limits, budget=60)       # as no one but root could raise it
    assert 0 < nested <= outer
