"""student_template/ is generated from reference/ and exposes the same signatures and
docstrings; every graded item exists in both."""

import importlib.util
import inspect
import os

import pytest

from autograder import catalog
from autograder.make import template
from tests.helpers import ROOT

MODULES = sorted(n[:-3] for n in os.listdir(os.path.join(ROOT, "reference"))
                 if n.endswith(".py") and not n.startswith("_"))


def _load(folder, name):
    spec = importlib.util.spec_from_file_location(f"{folder}_{name}", os.path.join(ROOT, folder, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _public(module):
    return {n: f for n, f in vars(module).items()
            if inspect.isfunction(f) and not n.startswith("_") and f.__module__ == module.__name__}


def test_template_is_up_to_date():
    assert template.main(["--check"]) == 0, "run: python -m autograder.make.template"


@pytest.mark.parametrize("name", MODULES)
def test_same_signatures_and_docstrings(name):
    ref, tpl = _public(_load("reference", name)), _public(_load("student_template", name))
    assert sorted(ref) == sorted(tpl)
    for fn in ref:
        assert inspect.signature(ref[fn]) == inspect.signature(tpl[fn]), fn
        assert inspect.getdoc(ref[fn]) == inspect.getdoc(tpl[fn]), fn
        assert inspect.getdoc(ref[fn]), f"{name}.{fn} needs a docstring that states the task"


def test_every_graded_item_is_in_the_reference():
    for m in catalog.load():
        ref = _public(_load("reference", m.name))
        assert set(m.items) <= set(ref), (m.name, set(m.items) - set(ref))


def test_stub_keeps_symbols_and_drops_private_helpers():
    text = template.stub_module(
        'import sympy\nz = sympy.Symbol("z")\n\ndef _helper():\n    return 1\n\n'
        'def f(x):\n    """Doc."""\n    return _helper()\n')
    assert 'z = sympy.Symbol("z")' in text and "_helper" not in text
    assert 'def f(x):\n    """Doc."""\n    raise NotImplementedError' in text
