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


def test_a_reply_carries_its_id_first_and_is_the_same_bytes_whatever_the_id():
    reply = {"ok": True, "value": codec.encode((np.arange(3.0),))}
    one, two = codec.dumps(reply, 1)[8:], codec.dumps(reply, 22)[8:]
    assert codec.loads(one) == {"id": 1, **reply} and codec.loads(two)["id"] == 22
    assert codec.without_id(one, 1) == codec.without_id(two, 22) is not None
    assert codec.without_id(one, 2) is None and codec.without_id(b'{"ok":true,"id":1}', 1) is None
    assert codec.returned(one, 1) == b'{"__tuple__":' + one.split(b'{"__tuple__":', 1)[1][:-1]
    assert codec.returned(one, 2) is None and codec.returned(b'{"id":1,"value":2,"ok":true}', 1) is None


def test_a_request_reaches_the_student_as_plain_data_and_is_pickled_once():
    args = (np.arange(3.0), 2.5, {"k": (1, "s")}, float("nan"))
    message = codec.Message(op="calls", module="m", function="f", probe=None,
                            calls=[[codec.encode(args), codec.encode({"lr": np.float64(0.1)})]])
    one, two = codec.request(message, 1), codec.request(message, 22)
    assert one[16:] == two[16:] and codec.read_request(two[8:])["id"] == 22
    got = codec.read_request(one[8:])
    (a, kw), = got["calls"]
    assert got["id"] == 1 and got["op"] == "calls" and got["function"] == "f"
    assert isinstance(a, tuple) and a[0].tolist() == [0.0, 1.0, 2.0] and a[1:3] == (2.5, {"k": (1, "s")})
    assert np.isnan(a[3]) and type(kw["lr"]) is float      # as a JSON round trip gives them
    assert codec.read_request(codec.request({"op": "load", "module": "m"}, 3)[8:]) == {"op": "load", "module": "m", "id": 3}


def test_a_returned_value_is_parsed_only_when_read_and_refused_then_if_malformed():
    from autograder.sandbox.client import Reply
    from autograder.sandbox.protocol import StudentError
    good = codec.dumps({"ok": True, "value": codec.encode((np.arange(2.0), 1))}, 7)[8:]
    text = codec.returned(good, 7)
    reply = Reply(None, codec.digest(codec.without_id(good, 7)), text)
    assert reply.key == Reply.of((np.arange(2.0), 1)).key          # the memo's key, unparsed
    value = reply.value
    assert value[0].tolist() == [0.0, 1.0] and value[1] == 1
    with pytest.raises(StudentError) as bad:
        Reply(None, b"k", codec.returned(b'{"id":3,"ok":true,"value":[1,}', 3)).value
    assert bad.value.kind == "crash" and "malformed reply" in bad.value.message
