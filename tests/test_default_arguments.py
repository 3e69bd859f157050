"""Every default argument of every graded function is graded: some case calls the function
without that argument, and a reference whose default is another value loses points there.
The defaults are found in ``reference/`` (every public function, so a new default is covered
the day it is written), and the calls by grading every case on the reference with those
functions replaced by recorders of the parameters each call leaves to their defaults."""

import importlib
import inspect
import pkgutil

import pytest

import reference
from autograder import catalog
from tests.standins import grade_case, item_cases, recorder, reference_function


def _defaults() -> dict[str, list[str]]:
    """{"module.function": [parameters with a default]} of every public function of reference/."""
    found = {}
    for info in pkgutil.iter_modules(reference.__path__):
        module = importlib.import_module(f"reference.{info.name}")
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != module.__name__:
                continue
            params = [p.name for p in inspect.signature(fn).parameters.values() if p.default is not p.empty]
            if params:
                found[f"{info.name}.{name}"] = params
    return found


DEFAULTS = _defaults()

# a default of another value, as a student might write it (torch's, Adam's, "same" padding...)
WRONG_DEFAULTS = {
    ("backprop.mlp_forward", "activation"): "sigmoid",
    ("backprop.mlp_forward", "output_activation"): "identity",
    ("backprop.mlp_backward", "activation"): "sigmoid",
    ("backprop.mlp_backward", "output_activation"): "identity",
    ("backprop.reg_unit_step", "lr"): 0.01,
    ("conv.conv_output_size", "stride"): 2,
    ("conv.conv_output_size", "padding"): 1,
    ("conv.conv_output_shape", "stride"): 2,
    ("conv.conv_output_shape", "padding"): 1,
    ("conv.conv_param_count", "bias"): False,
    ("conv.conv2d", "b"): 0.0,
    ("conv.conv2d", "stride"): 2,
    ("conv.conv2d", "padding"): 1,
    ("conv.conv2d_backward", "b"): 0.0,
    ("conv.conv2d_backward", "stride"): 2,
    ("conv.conv2d_backward", "padding"): 1,
    ("conv.avg_pool2d", "size"): 3,
    ("conv.avg_pool2d", "stride"): 1,
    ("conv.max_pool2d", "size"): 3,
    ("conv.max_pool2d", "stride"): 1,
    ("conv.max_pool2d_backward", "size"): 3,
    ("conv.max_pool2d_backward", "stride"): 1,
    ("conv.avg_pool2d_backward", "size"): 3,
    ("conv.avg_pool2d_backward", "stride"): 1,
    ("gradient_flow.plain_depth_gradient", "local"): 0.25,
    ("gradient_flow.plain_depth_gradient", "upstream"): 0.25,
    ("gradient_flow.residual_blocks_gradient", "local"): 0.25,
    ("gradient_flow.residual_blocks_gradient", "upstream"): 0.25,
    ("optim.adam_step", "lr"): 0.01,
    ("optim.adam_step", "beta1"): 0.99,
    ("optim.adam_step", "beta2"): 0.99,
    ("optim.adam_step", "eps"): 1e-6,
    ("optim.rmsprop_step", "beta2"): 0.99,           # torch.optim.RMSprop's alpha
    ("optim.rmsprop_step", "eps"): 1e-6,
    ("regularization.dropout_forward", "train"): False,
    ("regularization.build_dropout_cnn", "p"): 0.25,
}
EQUIVALENT = {("conv.conv2d", "b"): "a bias of 0 adds the same nothing as None"}   # not wrong after all

def _params():
    """Every (item, parameter with a default)."""
    return [pytest.param(item, name, id=f"{item}.{name}") for item, names in DEFAULTS.items() for name in names]


@pytest.fixture(scope="module")
def left_to_default() -> dict[str, set]:
    """{"module.function": the parameters some call of the cases left to their defaults}."""
    seen = {item: set() for item in DEFAULTS}
    replaced = {item: recorder(reference_function(item), seen[item]) for item in DEFAULTS}
    for case in catalog.cases():
        result = grade_case(case, replaced)
        assert result.passed, f"{case.id} on the recording reference: {result.output}"
    return seen


def test_the_defaults_are_found_and_each_has_a_wrong_value():
    assert ("optim.rmsprop_step", "beta2") in WRONG_DEFAULTS and len(DEFAULTS) > 10
    found = {(item, name) for item, names in DEFAULTS.items() for name in names}
    assert found == set(WRONG_DEFAULTS), "WRONG_DEFAULTS must name a wrong value for every default"
    items = {c.item for c in catalog.cases()}
    assert set(DEFAULTS) <= items, f"functions of reference/ no case grades: {set(DEFAULTS) - items}"


@pytest.mark.parametrize("item,name", _params())
def test_some_case_calls_the_function_without_the_argument(item, name, left_to_default):
    assert name in left_to_default[item], \
        f"no case calls {item} without {name}: a student's default of another value earns every point"


def _with_default(fn, name, value):
    """``fn`` with the default of parameter ``name`` replaced by ``value``."""
    signature = inspect.signature(fn)

    def mutant(*args, **kwargs):
        if name not in signature.bind(*args, **kwargs).arguments:
            kwargs[name] = value
        return fn(*args, **kwargs)
    return mutant


@pytest.mark.parametrize("item,name", _params())
def test_a_wrong_default_loses_points(item, name):
    if (item, name) in EQUIVALENT:
        pytest.skip(EQUIVALENT[item, name])
    mutant = _with_default(reference_function(item), name, WRONG_DEFAULTS[item, name])
    lost = [c.id for c in item_cases(item) if not grade_case(c, {item: mutant}).passed]
    assert lost, f"{item} with {name}={WRONG_DEFAULTS[item, name]!r} by default earns every point"
