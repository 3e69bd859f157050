"""The wire format carries plain data only, and refuses everything else."""

import os

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
    assert codec.returns_value(one, 1) and not codec.returns_value(one, 2)
    assert not codec.returns_value(b'{"id":1,"value":2,"ok":true}', 1)


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
    reply = Reply(None, codec.digest(codec.without_id(good, 7)), good)
    assert reply.key == Reply.of((np.arange(2.0), 1)).key          # the memo's key, unparsed
    value = reply.value
    assert value[0].tolist() == [0.0, 1.0] and value[1] == 1
    with pytest.raises(StudentError) as bad:
        Reply(None, b"k", b'{"id":3,"ok":true,"value":[1,}').value
    assert bad.value.kind == "crash" and "malformed reply" in bad.value.message


def _values(obj) -> int:
    """The values (and dict keys) a parsed JSON document holds."""
    if isinstance(obj, list):
        return 1 + sum(map(_values, obj))
    if isinstance(obj, dict):
        return 1 + sum(1 + _values(v) for v in obj.values())
    return 1


@pytest.mark.parametrize("value", [
    0, "a, [b]: {c}", [], [[0]] * 5, {"k": [1, {}], "": None}, (1, (2, 3)), frozenset({1, 2}),
    {1: "x", (2, 3): [4.5]}, np.arange(6.0).reshape(2, 3), [float("nan"), "", [[]]],
])
def test_values_are_counted_over_the_bytes_at_least_as_many_as_there_are(value):
    body = codec.body({"ok": True, "value": codec.encode(value)}, 7)
    assert codec.count_values(body) >= _values(codec.loads(body))
    assert codec.count_values(codec.body(codec.encode([0] * 1000))) == 1001       # and not many more


def test_a_reply_of_millions_of_lists_is_refused_before_it_is_parsed():
    """4 million one-element lists, 16 MB of JSON, once cost the grader 830 MB to decode."""
    import tracemalloc
    body = b'{"id":1,"ok":true,"value":[' + b"[0]," * 3_999_999 + b"[0]]}"
    tracemalloc.start()
    try:
        with pytest.raises(codec.TooLarge) as info:
            codec.loads(body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(info.value) == ("it holds 8,000,007 list entries, numbers and strings, and at most "
                               "250,000 are read (a numpy array counts as one)")
    assert peak < 2**20


@pytest.mark.parametrize("value, said", [
    ("x" * (codec.MAX_TEXT + 1), "a string of 1,048,577 characters; at most 1,048,576 are read"),
    ({"k": codec.SympyText("x" * (codec.MAX_TEXT + 1))}, "a string of 1,048,577 characters; at most 1,048,576 are read"),
    (np.zeros(codec.MAX_ARRAY_ITEMS + 1, dtype=bool), "an array of 4,194,305 entries; at most 4,194,304 are read"),
])
def test_long_strings_and_large_arrays_are_refused_as_they_are_decoded(value, said):
    from autograder.sandbox.client import Reply
    from autograder.sandbox.protocol import StudentError
    with pytest.raises(StudentError) as info:
        Reply(codec.encode(value), None).value
    assert info.value.kind == "unencodable"
    assert info.value.message == f"returned a value too large to grade: {said}"


class _Peer:
    """A Sandbox whose student process is this test: what ``send`` writes on the socket is the
    reply the sandbox reads (from a thread, so a reply larger than the socket's buffer flows)."""

    def __init__(self):
        import socket
        import threading
        from autograder.sandbox.client import Sandbox, _Process
        from autograder.sandbox.protocol import SubmissionFiles
        self.box = Sandbox(SubmissionFiles("/nonexistent", (), 0))
        ours, self.theirs = socket.socketpair()
        ctrl_r, self.ctrl_w = os.pipe()
        self.box.proc = _Process(ours, ctrl_r, 0, os.open("/dev/null", os.O_RDONLY), "root")
        self.box.next_id = 1
        self.threading = threading

    def send(self, *bodies: bytes) -> None:
        def write():
            try:
                for body in bodies:
                    self.theirs.sendall(codec.frame(body))
            except OSError:
                pass                            # the sandbox closed its end: the reply was refused
        self.threading.Thread(target=write, daemon=True).start()

    def receive(self, room=None):
        from autograder.sandbox.client import Room
        return self.box._receive(self.box.proc, 60, room or Room())


def test_a_reply_over_its_room_is_refused_unread_and_ends_the_process():
    from autograder.sandbox.protocol import StudentError
    peer = _Peer()
    peer.send(b'{"id":1,"ok":true,"value":[' + b"[0]," * 3_999_999 + b"[0]]}")
    with pytest.raises(StudentError) as info:
        peer.receive()
    assert info.value.kind == "unencodable" and peer.box.proc is None
    assert info.value.message.startswith("returned a value too large to grade: it holds 8,000,007 list entries")
    peer = _Peer()
    peer.theirs.sendall(codec._HEADER.pack(32 * 2**20))        # a header, and no data: never read
    with pytest.raises(StudentError) as info:
        peer.receive()
    assert info.value.message == ("returned a value too large to grade: a reply of 33,554,432 bytes, over "
                                  "the 16,777,216 bytes that are read")


def test_the_replies_to_one_request_share_one_room():
    """A bundle of calls (f.each) may not hold more than one reply could."""
    from autograder.sandbox.client import Room
    from autograder.sandbox.protocol import StudentError
    peer = _Peer()
    reply = codec.body({"ok": True, "value": codec.encode([0] * 100_000)}, 1)
    peer.send(reply, reply, reply)
    room = Room()
    assert len(peer.receive(room).value) == len(peer.receive(room).value) == 100_000
    with pytest.raises(StudentError) as info:
        peer.receive(room)
    assert info.value.message == ("returned a value too large to grade: it holds 100,007 list entries, numbers "
                                  "and strings, which with the 200,014 the calls before it returned are over "
                                  "the 250,000 that are read (a numpy array counts as one)")
    peer = _Peer()
    peer.send(reply)
    assert len(peer.receive().value) == 100_000           # one such reply alone is read


def test_a_refused_bundle_is_freed_at_once_not_at_the_next_full_collection():
    """The error a bundle keeps for the case carries no frames: those frames' callers hold the
    bundle, a cycle that kept its replies (16 MB each) until the collector's next full pass."""
    import gc
    import tracemalloc
    peer = _Peer()
    accepted = codec.body({"ok": True, "value": codec.encode(np.zeros(400_000))}, 2)       # 4 MB
    refused = codec.body({"ok": True, "value": codec.encode([0] * 300_000)}, 2)
    gc.disable()
    tracemalloc.start()
    try:
        peer.send(accepted, refused)
        replies = peer.box.replies({"op": "calls", "calls": []}, 2, lambda: 60)
        assert replies.error.kind == "unencodable" and replies.error.__traceback__ is None
        assert replies.items[0].value.shape == (400_000,)
        del replies
        assert tracemalloc.get_traced_memory()[0] < 2**20
    finally:
        tracemalloc.stop()
        gc.enable()


def test_a_bundles_replies_share_their_bytes_too():
    from autograder.sandbox.client import Room
    from autograder.sandbox.protocol import StudentError
    peer = _Peer()
    reply = codec.body({"ok": True, "value": codec.encode(np.zeros(1_000_000))}, 1)     # 10.7 MB
    peer.send(reply, reply)
    room = Room()
    assert peer.receive(room).value.shape == (1_000_000,)
    with pytest.raises(StudentError) as info:
        peer.receive(room)
    assert info.value.message == (f"returned a value too large to grade: a reply of {len(reply):,} bytes, which with "
                                  f"the {len(reply):,} the calls before it returned is over the 16,777,216 that are read")
