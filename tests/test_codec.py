"""The wire format carries plain data only, and refuses everything else."""

import numpy as np
import pytest
import sympy
import torch

from autograder import codec


def roundtrip(value):
    return codec.decode(codec.loads(codec.dumps(codec.encode(value))[8:]))


def test_plain_values_roundtrip():
    value = {"a": [1, 2.5, None, True, "s"], 3: (1, (2,)), "set": frozenset({"A", "B"}),
             "nan": float("nan"), "inf": float("-inf")}
    out = roundtrip(value)
    assert out["a"] == [1, 2.5, None, True, "s"] and out[3] == (1, (2,))
    assert out["set"] == {"A", "B"} and np.isnan(out["nan"]) and out["inf"] == float("-inf")


def test_arrays_keep_dtype_and_shape():
    for arr in (np.arange(6.0).reshape(2, 3), np.zeros((0, 4)), np.array(3.5), np.array([True, False]),
                np.arange(4, dtype=np.int32)):
        out = roundtrip(arr)
        assert out.dtype == arr.dtype and out.shape == arr.shape and (out == arr).all()


def test_tensors_numpy_scalars_and_sympy():
    assert (roundtrip(torch.ones(2, dtype=torch.float64)) == np.ones(2)).all()
    assert type(roundtrip(np.float64(2.0))) is float and type(roundtrip(np.int64(3))) is int
    z = sympy.Symbol("z")
    out = roundtrip(z * (1 - z))
    assert isinstance(out, codec.SympyText) and out == "z*(1 - z)"


def test_subclasses_cross_as_plain_values():
    class Liar(float):
        def __eq__(self, other):
            return True
        __hash__ = float.__hash__
    out = roundtrip(Liar(2.0))
    assert type(out) is float and out == 2.0 and out != 3.0


@pytest.mark.parametrize("value", [object(), np.array([object()]), lambda: 1, b"bytes",
                                   np.array([("a", 1)], dtype=[("x", "U1"), ("y", "i4")])])
def test_refuses_what_is_not_data(value):
    with pytest.raises(codec.CodecError):
        codec.encode(value)


@pytest.mark.parametrize("message", [
    {"__ndarray__": ["|O", [1], "AAAAAAAAAAA="]},             # object dtype
    {"__ndarray__": ["<f8", [3], "AAAAAAAAAAA="]},            # too few bytes for the shape
    {"__ndarray__": ["<f8", [-1], ""]},
    {"__pickle__": "gASV"}, {"a": 1, "b": 2}, {"__float__": "1e5"},
    {"__set__": [[1]]},                                         # unhashable entry
])
def test_malformed_messages_are_rejected(message):
    with pytest.raises(codec.CodecError):
        codec.decode(message)


def test_deep_nesting_is_rejected_not_crashing():
    with pytest.raises(codec.CodecError):
        codec.loads(b"[" * 100_000 + b"]" * 100_000)
    nested = []
    for _ in range(200):
        nested = [nested]
    with pytest.raises(codec.CodecError):
        codec.encode(nested)


def test_a_message_carries_its_id_first_and_is_the_same_bytes_whatever_the_id():
    message = codec.Message(op="call", args=codec.encode((np.arange(3.0),)))
    one, two = codec.dumps(message, 1)[8:], codec.dumps(message, 22)[8:]
    assert codec.loads(one) == {"id": 1, **message} and codec.loads(two)["id"] == 22
    assert codec.without_id(one, 1) == codec.without_id(two, 22) is not None
    assert codec.without_id(one, 2) is None and codec.without_id(b'{"ok":true,"id":1}', 1) is None
