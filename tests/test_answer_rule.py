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
