"""The one rule for what an answer may be (autograder/checks.py), the import policy and the
IPython stand-in of the student's process (autograder/sandbox/imports.py), and the symbolic
forms sympy hands back unsimplified (autograder/symbolic/forms.py)."""

import math
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
import sympy

import reference.optim as ref_optim
from autograder import checks, codec
from autograder.checks import Mismatch
from autograder.codec import SympyText
from autograder.sandbox import imports
from autograder.symbolic import expect_equivalent
from tests.helpers import ROOT


def crossed(value):
    """``value`` as the grader receives it from the student's process."""
    return codec.decode(codec.encode(value))


def _message(check, *args, **kwargs) -> str:
    with pytest.raises(Mismatch) as info:
        check(*args, **kwargs)
    return str(info.value)


# ---------------------------------------------------------------- kinds

def test_every_container_of_the_same_values_is_accepted():
    import torch
    x = np.array([[1.5, -2.0], [0.25, 3.0]])
    for form in (x, x.tolist(), tuple(map(tuple, x)), torch.tensor(x), torch.tensor(x, requires_grad=True) * 1,
                 torch.nn.Parameter(torch.tensor(x)), x.astype(np.float32), torch.tensor(x).to(torch.bfloat16)):
        checks.expect_array(crossed(form), x)
    for form in (2.5, np.float64(2.5), np.float32(2.5), np.array(2.5), torch.tensor(2.5),
                 torch.tensor(2.5, requires_grad=True), Fraction(5, 2), sympy.Rational(5, 2), sympy.Float(2.5)):
        checks.expect_close(crossed(form), 2.5)
    for form in (300, 300.0, np.int64(300), np.array(300), torch.tensor(300), torch.tensor(300.0),
                 sympy.Integer(300), np.int32(300)):
        checks.expect_int(crossed(form), 300)
    for form in ((2, 3, 4), [2, 3, 4], np.array([2, 3, 4]), torch.Size([2, 3, 4]), torch.tensor([2, 3, 4]),
                 [np.int64(2), 3.0, torch.tensor(4)]):
        got = checks.expect_sequence(crossed(form), 3)
        for g, e in zip(got, (2, 3, 4)):
            checks.expect_int(g, e)
    for form in (False, np.bool_(False), np.array(False), torch.tensor(False)):
        checks.expect_bool(crossed(form), False)
    for form in ("AC", ["A", "C"], ("C", "A"), {"A", "C"}, np.array(["A", "C"]), "A, C"):
        checks.expect_choice(crossed(form), "AC", many=True)
    checks.expect_choice(crossed(np.str_("B")), "B")


def test_values_and_shapes_stay_strict():
    assert "shape (1,), expected a single number" in _message(checks.expect_close, np.array([2.5]), 2.5)
    assert "shape (2, 1), expected (2,)" in _message(checks.expect_array, [[1.0], [2.0]], [1.0, 2.0])
    assert "a count is a whole number" in _message(checks.expect_int, np.array(299.5), 300)
    assert _message(checks.expect_int, True, 300) == "result: expected the integer 300, got bool True"
    assert "a bool" in _message(checks.expect_bool, 0, False)
    assert "a bool" in _message(checks.expect_bool, np.array(0), False)
    assert "expected 3 values, got 2" in _message(checks.expect_sequence, np.array([1, 2]), 3)
    assert "expected numbers" in _message(checks.expect_close, SympyText("w1"), 1.0)
    assert "complex values" in _message(checks.expect_array, crossed(np.array([1 + 1e-3j, 2])), [1.0, 2.0])
    checks.expect_array(crossed(np.array([1 + 0j, 2])), [1.0, 2.0])



def test_a_sympy_number_is_read_from_its_literal_exactly_and_nothing_else_is_built():
    """A sympy number prints as a literal (an integer, p/q, a decimal, oo): read by Python,
    exactly, however many digits sympy gave it (within NUMBER_CHARS). Any other text is not a
    number and is refused without sympy building it: a Symbol named ``sqrt(N + 1)`` for a
    19,200-digit N once held the grader for minutes."""
    product = sympy.prod([sympy.Rational(g) for g in ("0.37", "-1.25", "0.011", "3.3")] * 12)
    assert len(str(product)) > 60
    checks.expect_close(crossed(product), float(product), rtol=1e-15)
    checks.expect_int(crossed(sympy.Integer(10) ** 80), 10 ** 80)
    assert checks.as_array(SympyText("9" * 400)) == np.inf                # past the floats
    assert checks.as_array(SympyText("-1" + "0" * 400 + "/3")) == -np.inf
    checks.expect_close(crossed(sympy.Float("0.1", 30)), 0.1)
    stall = "sqrt((((10**58)**40*(10**58)**40)*((10**58)**40*(10**58)**40))+1)"
    assert "expected the integer 59" in _message(checks.expect_int, SympyText(stall), 59)
    assert "expected numbers" in _message(checks.expect_close, SympyText("1/0"), 1.0)
    assert "expected numbers" in _message(checks.expect_close, SympyText("1/2e5"), 1.0)   # not a literal


def test_sympy_numbers_and_truth_values_are_read_exactly_however_they_are_written():
    """A sympy number crosses as its text: an exact Rational of hundreds of digits (the product
    of a few float64 values, sympy.prod of Rationals), an Integer past 60 digits and a Float
    are read exactly as Python would; sympy's true and false are bools."""
    grads = np.random.default_rng(1).uniform(-2, 2, size=9)
    exact = sympy.prod([sympy.Rational(float(g)) for g in grads])
    assert len(str(exact)) > 200
    checks.expect_close(crossed(exact), float(Fraction(str(exact))), rtol=0.0, atol=0.0)
    checks.expect_close(crossed(exact), math.prod(grads))
    checks.expect_int(crossed(sympy.Integer(7) ** 100), 7 ** 100)
    checks.expect_close(crossed(sympy.Rational(10 ** 400, 3)), math.inf)     # past float's range: inf
    checks.expect_close(crossed(sympy.Float(2.5e-5)), 2.5e-5, rtol=0.0, atol=0.0)
    for form, value in ((sympy.false, False), (sympy.true, True), (sympy.Integer(1) > 2, False)):
        checks.expect_bool(crossed(form), value)
    assert "a bool" in _message(checks.expect_bool, "False", False)          # a plain string is not one
    too_long = "1" + "0" * 5000
    assert _message(checks.expect_int, SympyText(too_long), 1) == (
        "result: a number of 5,001 characters; at most 4,000 are read")


def test_feedback_never_names_the_graders_own_types():
    x = sympy.Symbol("x")
    for check, args in ((checks.expect_close, (1.0,)), (checks.expect_int, (1,)), (checks.expect_bool, (True,)),
                        (checks.expect_sequence, (2,)), (checks.expect_dict, (["a"],))):
        said = _message(check, crossed(x + 1), *args)
        assert "SympyText" not in said and "got sympy '1 + x'" in said, said
    assert "SympyText" not in _message(checks.letters, crossed(x + 1))


def test_a_choice_that_is_not_letters_says_how_letters_are_given():
    assert _message(checks.expect_choice, "A and C", "AC", many=True) == (
        "result: 'A and C' is not a choice of letters ('a' is not an uppercase letter): give the letters "
        "as \"AC\" or [\"A\", \"C\"]")


def test_the_contract_states_the_rule():
    with open(f"{ROOT}/docs/ASSIGNMENT.md") as f:
        text = " ".join(f.read().split())
    assert " ".join(checks.ANSWER_RULE.split()) in text
    assert ", ".join(f"`{p}`" for p in imports.ALLOWED) in text


# ---------------------------------------------------------------- explanations

def test_an_expected_zero_at_atol_0_gives_an_absolute_error_not_a_crash():
    """Issue 26: a leaky ReLU's first difference at an expected 0 divided by zero."""
    msg = _message(checks.expect_array, [0.0, -0.0125], [0.0, 0.0], atol=0.0)
    assert msg.startswith("result at index [1]: expected 0.0, got -0.0125, absolute error 0.0125")


def test_a_hint_is_named_only_where_the_numbers_fit_it():
    # float32's relu(1e-300) = 0: not "twice the expected value" (numpy's isclose, atol 1e-8, said so)
    assert "factor" not in _message(checks.expect_array, [0.0], [1e-300], atol=0.0)
    assert "twice the expected value" in _message(checks.expect_array, [2.0, 4.0], [1.0, 2.0])
    # one entry twice, another not: no guess
    assert "factor" not in _message(checks.expect_array, [2.0, 5.0], [1.0, 2.0])
    assert "the sign is flipped" in _message(checks.expect_close, -0.5, 0.5)
    assert "inf where a finite number was expected" in _message(checks.expect_array, [math.inf], [1.0])


# ---------------------------------------------------------------- symbolic forms

M_T = ref_optim.adam_first_moment_expr()
SYMBOLS = {"beta1": ref_optim.beta1, "g": ref_optim.g, "t": ref_optim.t}


def _judge(value, expected=M_T):
    text = value if isinstance(value, str) else codec._sympy_text(value)
    expect_equivalent(SympyText(text), expected, SYMBOLS, name="m_t", rng=np.random.default_rng(0))


def test_piecewise_and_sum_are_judged_by_value():
    b, g, t = ref_optim.beta1, ref_optim.g, ref_optim.t
    k = sympy.Symbol("k", integer=True)
    _judge(sympy.summation((1 - b) * b ** (t - k) * g, (k, 1, t)))          # a Piecewise in beta1
    _judge(sympy.Sum((1 - b) * b ** (t - k) * g, (k, 1, t)))                 # unevaluated
    _judge(sympy.Piecewise((g * (1 - b ** t), sympy.Ne(b, 1)), (0, True)))
    _judge("Piecewise((g*t*(1 - beta1), (beta1 >= 1) & (beta1 <= 1)), (g - g*beta1**t, True))")
    with pytest.raises(Mismatch, match="expected .*, got"):
        _judge(sympy.Piecewise((g, b > 0), (g * (1 - b ** t), True)))       # wrong where b > 0
    with pytest.raises(Mismatch, match="a Sum of more than 1000 terms"):
        _judge("Sum(g*(1 - beta1)*beta1**k, (k, 0, 10**9))")


def test_a_poly_and_a_condition_set_are_read_as_what_they_denote():
    """sympy's Poly prints itself with a keyword (``domain='QQ'``) the student never wrote: it
    is its expression. A ConditionSet over the reals is the set where its condition holds."""
    import reference.dead_units as ref_dead
    import reference.deep_linear as ref_deep
    w1, w2, b = ref_deep.w1, ref_deep.w2, sympy.Symbol("b", real=True)
    symbols = {"w1": w1, "w2": w2, "x": ref_deep.x}

    def judge(value, expected, syms):
        text = value if isinstance(value, str) else codec._sympy_text(value)
        expect_equivalent(SympyText(text), expected, syms, name="answer", rng=np.random.default_rng(0))
    for poly in (sympy.Poly(w1 ** 2 * w2 ** 2 / 2, w1, w2), sympy.Poly(0.5 * w1 ** 2 * w2 ** 2, w1, w2),
                 sympy.Poly(w1 ** 2 * w2 ** 2 / 2, w1)):
        judge(poly, ref_deep.population_loss_expr(), symbols)
    with pytest.raises(Mismatch, match=r"expected .*, got .*; your answer is 'w1\*\*2\*w2\*\*2'"):
        judge(sympy.Poly(w1 ** 2 * w2 ** 2, w1, w2), ref_deep.population_loss_expr(), symbols)
    with pytest.raises(Mismatch, match=r"Poly\(\.\.\., modulus=\.\.\.\) is not read"):
        judge(sympy.Poly(w1 ** 2 + 3, w1, modulus=2), ref_deep.population_loss_expr(), symbols)
    for domain in (sympy.ConditionSet(b, b > 0, sympy.S.Reals), "ConditionSet(b, (b > 0) & (b < oo), Reals)",
                   "ConditionSet(c, c > 0)"):
        judge(domain, ref_dead.revival_bias_domain(), {})
    with pytest.raises(Mismatch, match="0 is in your set but not in the expected one"):
        judge(sympy.ConditionSet(b, b >= 0, sympy.S.Reals), ref_dead.revival_bias_domain(), {})


def test_a_set_answer_refused_says_what_a_set_may_use():
    import reference.dead_units as ref_dead
    with pytest.raises(Mismatch) as refused:
        expect_equivalent(SympyText("ImageSet(Lambda(b, b), Reals)"), ref_dead.revival_bias_domain(), {},
                          rng=np.random.default_rng(0))
    said = str(refused.value)
    assert "the function ImageSet is not allowed; a set answer is written with Interval (or Interval.open, " \
           ".Lopen, .Ropen), Union, Intersection, Complement, FiniteSet or {a, b}, ConditionSet(b, condition, " \
           "Reals), EmptySet and Reals" in said and "allowed: sqrt" not in said


def test_a_refusal_names_what_was_refused():
    for text, said in (("Foo((1, 2))", "the function Foo is not allowed"),
                       ("(g, t)", "a tuple (a, b) is not allowed here"),
                       ("Eq(g, 1)", "Eq(...) is allowed only inside a condition of Piecewise"),
                       ("Sum(g, (t, 1, 3))", "the summation index 't' must be a new name"),
                       ("Piecewise((g, g in t))", "a condition of Piecewise is a comparison")):
        with pytest.raises(Mismatch, match=said.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
            _judge(text)


# ---------------------------------------------------------------- imports, IPython

def _in_a_student_process(code: str, folder) -> subprocess.CompletedProcess:
    """``code`` run as a submission's module, the policy installed as the runner installs it."""
    (folder / "student_code.py").write_text(code)
    boot = ("import sys; sys.path[:0] = [%r, %r]; from autograder.sandbox import imports; "
            "imports.install('submission'); import student_code" % (str(folder), ROOT))
    return subprocess.run([sys.executable, "-I", "-c", boot], cwd=folder, capture_output=True, text=True,
                          timeout=120)


def test_an_import_outside_the_allowed_packages_fails_in_one_line(tmp_path):
    (tmp_path / "helpers.py").write_text("X = 1\n")
    run = _in_a_student_process("import math, json, numpy, scipy.special, helpers\n"
                                "import matplotlib.pyplot as plt\nplt.plot([1, 2])\n"
                                "try:\n    import pytest\nexcept ImportError as e:\n    print(e)\n"
                                "import os\nos.chdir('/')\nimport helpers\nimport nbformat\n", tmp_path)
    lines = run.stderr.strip().splitlines()
    assert run.stdout.strip() == imports.refusal("pytest")
    assert lines[-1] == "ModuleNotFoundError: " + imports.refusal("nbformat")
    assert "nbformat is not one of the packages a submission may import: the standard library and " \
           "numpy, scipy" in lines[-1]


def test_a_module_found_nowhere_says_where_a_students_own_module_must_be(tmp_path):
    """The trial's helper module beside a notebook graded alone: not there, and the refusal says
    how to bring it (grade the folder); an installed package's refusal stays as it is."""
    run = _in_a_student_process("import bobhelpers\n", tmp_path)
    said = run.stderr.strip().splitlines()[-1]
    assert said == "ModuleNotFoundError: " + imports.refusal("bobhelpers", installed=False)
    assert said.endswith("; a module of your own is there only when handed in with the submission (a notebook "
                         "graded alone brings no file beside it: grade its folder)")
    assert "grade its folder" not in imports.refusal("nbformat")


def test_the_graders_own_package_is_refused_though_the_process_has_loaded_it(tmp_path):
    """The runner is the grader's code: ``autograder`` sits in the student's ``sys.modules``,
    where an import finds it without asking the policy's finder. Every form of the student's
    import of it is refused; the grader's own code in that process still imports it."""
    (tmp_path / "student_code.py").write_text(
        "import sys, importlib\nassert 'autograder.sandbox.imports' in sys.modules\n"
        "for statement in ('import autograder', 'import autograder as ag', 'from autograder import check',\n"
        "                  'from autograder.sandbox import imports', 'import autograder.front.notebook_check',\n"
        "                  'importlib.import_module(\"autograder.codec\")'):\n"
        "    try:\n        exec(statement)\n        print('imported:', statement)\n"
        "    except ImportError as e:\n        print(e)\n"
        "from autograder import codec\n")
    boot = ("import sys; sys.path[:0] = [%r, %r]; from autograder.sandbox import imports; "
            "imports.install('student_code'); import student_code" % (str(tmp_path), ROOT))
    run = subprocess.run([sys.executable, "-I", "-c", boot], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    said = run.stdout.splitlines()
    assert said == [imports.refusal(n) for n in ("autograder", "autograder", "autograder", "autograder.sandbox",
                                                 "autograder.front.notebook_check", "autograder.codec")]
    assert said[0].startswith("autograder is the grader: a submission's code may not import it")
    assert run.stderr.strip().splitlines()[-1] == "ModuleNotFoundError: " + imports.refusal("autograder")
    run = subprocess.run([sys.executable, "-I", "-c", boot.replace("import student_code", "from autograder import codec; "
                                                                  "import autograder.bounded; print('ours')")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.stdout.strip() == "ours", run.stderr


def test_ipython_display_is_a_stand_in_that_runs_nothing_of_ipython(tmp_path):
    run = _in_a_student_process(
        "import sys\nassert 'IPython' not in sys.modules\n"
        "from IPython.display import display, Markdown, HTML, clear_output\n"
        "import IPython\nassert IPython.get_ipython() is None\n"
        "display(Markdown('**hi**'), [1, 2]); clear_output(); h = display(3, display_id=True); h.update(4)\n"
        "from IPython.core.display import Image\nImage('nothing.png')\n"
        "import matplotlib.pyplot as plt\nplt.figure(); plt.plot([1, 2])\n"
        "print('real IPython' if hasattr(IPython, 'InteractiveShell') else 'stand-in')\n"
        "try:\n    import IPython.core.pylabtools\nexcept ImportError as e:\n    print(e)\n", tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["'**hi**'", "[1, 2]", "3", "4", "stand-in", imports.refusal("IPython.core.pylabtools")]
