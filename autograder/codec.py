"""The data-only wire format between the trusted grader and the sandboxed student process.

Replies cross as JSON with a few tagged forms; decoding builds only plain data (numbers,
strings, bools, None, lists, tuples, dicts, sets, numpy arrays of numeric dtypes, and
``SympyText``). Nothing a student's process sends is unpickled or evaluated, so a hostile reply
can at worst be malformed data.

Requests go the other way only: the grader's own values (``encode``'s forms, decoded back to
plain data, so the student's functions get exactly what a JSON round trip would give them),
pickled, which the student's process loads in C where decoding JSON in Python cost it more than
a tenth of its time. A pickle is loaded only there, and only what the grader wrote.

Messages are framed as an 8-byte big-endian length followed by that many bytes. A request is
its 8-byte id and its pickle; a reply is UTF-8 JSON with its ``"id"`` as its first member, so
the rest of a message's bytes do not depend on the id: a call made again (``Message``) is
pickled once, and equal replies have equal bytes after their id (``without_id``), which
``autograder/engine/memo.py`` keys on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import numbers
import pickle
import struct
import time
from functools import cached_property

import numpy as np

from .sandbox.protocol import whole_text

MAX_DEPTH = 64
MAX_MESSAGE = 16 * 2**20           # bytes in one framed message (the reference's replies are 25 KB
                                   # at most); the replies to one request hold this many in all
# What the grader decodes of a reply, bounded before decoding (unbounded, 16 MB of JSON could
# cost it most of a gigabyte: docs/PERFORMANCE.md); a value costs ~100 bytes, so ~50 MB at this
# many.
MAX_VALUES = 250_000               # JSON values in the replies to one request (the reference's: 1,400)
MAX_TEXT = 2**20                   # characters of one string in a reply
MAX_ARRAY_ITEMS = 2**22            # entries of one array in a reply (32 MB as float64)
_NUMERIC_KINDS = "biufc"
_HEADER = struct.Struct(">Q")


class CodecError(ValueError):
    """A value cannot be sent, or a message is malformed."""


class TooLarge(CodecError):
    """A reply larger than the grader reads; the message says how large, in a student's terms
    (``size``: a framed body's bytes, when that is what was too large)."""

    def __init__(self, message: str, size: int | None = None):
        super().__init__(message)
        self.size = size


class SympyText(str):
    """A sympy object's text (``_sympy_text``), to be parsed by ``autograder.symbolic``."""


# ---------------------------------------------------------------- encoding (both sides)

def _encode_array(arr: np.ndarray) -> dict:
    if arr.dtype.kind not in _NUMERIC_KINDS:
        raise CodecError(f"cannot send an array of dtype {arr.dtype} (only numbers and bools)")
    return {"__ndarray__": [arr.dtype.str, list(arr.shape),          # tobytes() is C order
                            base64.b64encode(arr.tobytes()).decode("ascii")]}


def _tensor_numpy(obj) -> np.ndarray:
    """A torch tensor's values as a numpy array: detached (a parameter or any tensor that
    requires grad), on the CPU, dense, its conjugate and negative bits resolved, and a dtype
    numpy lacks (bfloat16) widened exactly to float32."""
    x = obj.detach().cpu()
    if x.is_sparse:
        x = x.to_dense()
    x = x.resolve_conj().resolve_neg()
    try:
        return x.numpy()
    except TypeError:
        return x.float().numpy()


def _sympy_text(obj) -> str | None:
    """``str(obj)`` for sympy objects, None for anything else (sympy imported lazily); an
    expression's terms in the order sympy holds them (``order="none"``): sorting them for
    display cost the student's process as much as the rest of the printing, and the grader
    parses the text and shows the answer as it read it."""
    module = type(obj).__module__ or ""
    if not module.startswith("sympy"):
        return None
    import sympy
    if isinstance(obj, sympy.Basic) and type(obj).__str__ is sympy.Basic.__str__:
        return sympy.sstr(obj, order="none")
    if isinstance(obj, (sympy.Basic, sympy.MatrixBase)):
        return str(obj)                  # a matrix, or a class of the student's with its own text
    return None


def encode(obj, depth: int = 0):
    """A JSON-ready form of ``obj``; raises CodecError for anything that is not plain data."""
    if depth > MAX_DEPTH:
        raise CodecError("value nested too deeply")
    t = type(obj)
    if t is np.ndarray:                  # the commonest reply first
        if obj.dtype.kind in "UO":          # strings, sympy objects: the list of its entries
            return encode(obj.tolist(), depth + 1)
        return _encode_array(obj)
    if obj is None or t is bool or t is str:
        return obj
    if t is int:
        return obj
    if t is float:
        return obj if math.isfinite(obj) else {"__float__": repr(obj)}
    if t in (list, tuple, set, frozenset):
        items = [encode(v, depth + 1) for v in obj]
        if t is list:
            return items
        return {"__tuple__": items} if t is tuple else {"__set__": items}
    if t is dict:
        return {"__dict__": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in obj.items()]}
    if isinstance(obj, np.ndarray):
        return encode(np.asarray(obj), depth)
    if isinstance(obj, np.generic):
        if obj.dtype.kind == "b":
            return bool(obj)
        if obj.dtype.kind in "iu":
            return int(obj)
        if obj.dtype.kind == "f":
            return encode(float(obj))
        if obj.dtype.kind in "UO":          # numpy's str, an object scalar: its value
            return encode(obj.item(), depth + 1)
        return _encode_array(np.asarray(obj))
    if t.__module__.startswith("torch") and hasattr(obj, "detach"):
        return _encode_array(_tensor_numpy(obj))
    text = _sympy_text(obj)
    if text is not None:
        return {"__sympy__": text}
    if isinstance(obj, bool):
        return bool(obj)
    if isinstance(obj, (int, float, str)):       # subclasses cross as their base value
        base = int if isinstance(obj, int) else float if isinstance(obj, float) else str
        return encode(base.__new__(base, obj) if base is not str else str.__str__(obj), depth)
    if isinstance(obj, (list, tuple)):
        return encode(list(obj) if isinstance(obj, list) else tuple(obj), depth)
    if isinstance(obj, dict):
        return encode(dict(obj), depth)
    if isinstance(obj, numbers.Real):            # fractions.Fraction and the like, by value
        return encode(float(obj), depth)
    raise CodecError(f"cannot send back a value of type {t.__module__}.{t.__qualname__}")


def frame(body: bytes) -> bytes:
    """``body`` behind its 8-byte length."""
    return _HEADER.pack(len(body)) + body


_ENCODER = json.JSONEncoder(allow_nan=False, separators=(",", ":"))   # json.dumps makes one a call


def _json(obj) -> bytes:
    return _ENCODER.encode(obj).encode()


class Message(dict):
    """A request (a dict whose "args", "kwargs" and "calls" ``encode`` made JSON-ready: equal
    messages, equal calls) that pickles itself once, however often it is sent."""

    @cached_property
    def pickled(self) -> bytes:
        return pickle.dumps(plain(self), protocol=pickle.HIGHEST_PROTOCOL)


def plain(message: dict) -> dict:
    """``message`` as the student's process reads it: its "args", "kwargs" and each of its
    "calls" decoded back to plain data."""
    out = dict(message)
    for key in ("args", "kwargs"):
        if key in out:
            out[key] = decode(out[key])
    if "calls" in out:
        out["calls"] = [[decode(args), decode(kwargs)] for args, kwargs in out["calls"]]
    return out


def request(message: dict, id_: int) -> bytes:
    """One framed request: ``id_`` and ``message`` (``plain``) pickled."""
    data = (message if isinstance(message, Message) else Message(message)).pickled
    return frame(_HEADER.pack(id_) + data)


def read_request(body: bytes) -> dict:
    """In the student's process: a request (the grader's pickle), its id as its "id"."""
    (id_,) = _HEADER.unpack_from(body)
    message = pickle.loads(memoryview(body)[_HEADER.size:])
    message["id"] = id_
    return message


def body(obj, id_: int | None = None) -> bytes:
    """A reply's JSON; with ``id_``, ``obj`` (a non-empty dict) gets ``"id": id_`` as its first
    member."""
    data = _json(obj)
    return data if id_ is None else b'{"id":%d,' % id_ + data[1:]


def dumps(obj, id_: int | None = None) -> bytes:
    """One framed message (see ``body``)."""
    return frame(body(obj, id_))


def without_id(body: bytes, id_: int) -> memoryview | None:
    """A message body's bytes after its first member ``"id": id_`` (None if it does not start
    so), not copied: two bodies with equal rests are the same message but for the id."""
    prefix = b'{"id":%d,' % id_
    return memoryview(body)[len(prefix):] if body.startswith(prefix) else None


def returns_value(body: bytes, id_: int) -> bool:
    """Whether a reply body has the runner's form for a returned value,
    ``{"id":<id_>,"ok":true,"value":<JSON>}`` (its JSON unchecked: ``loads`` it to use it)."""
    return body.startswith(b'{"id":%d,"ok":true,"value":' % id_) and body.endswith(b"}")


def digest(data: bytes) -> bytes:
    """A short key of ``data`` (BLAKE2b, 128 bits): equal keys, equal data."""
    return hashlib.blake2b(data, digest_size=16).digest()


# ---------------------------------------------------------------- decoding (both sides)

def _decode_array(spec) -> np.ndarray:
    if not (isinstance(spec, list) and len(spec) == 3):
        raise CodecError("malformed array")
    dtype_str, shape, data = spec
    if not isinstance(dtype_str, str) or type(data) is not str or not isinstance(shape, list):
        raise CodecError("malformed array")
    try:
        dtype = np.dtype(dtype_str)
    except (TypeError, ValueError):
        raise CodecError(f"unknown dtype {dtype_str[:40]!r}") from None
    if dtype.kind not in _NUMERIC_KINDS or dtype.hasobject or dtype.fields:
        raise CodecError(f"refused dtype {dtype_str!r}")
    if not all(type(n) is int and 0 <= n < 2**40 for n in shape) or len(shape) > 32:
        raise CodecError("malformed array shape")
    try:                                 # from the text itself, not a copy of it as bytes
        raw = binascii.a2b_base64(data, strict_mode=True)
    except ValueError:                   # not ASCII, or not base64 (binascii.Error)
        raise CodecError("malformed array data") from None
    if len(raw) != math.prod(shape) * dtype.itemsize:
        raise CodecError("array data does not match its shape")
    if math.prod(shape) > MAX_ARRAY_ITEMS:
        raise TooLarge(f"an array of {math.prod(shape):,} entries; at most {MAX_ARRAY_ITEMS:,} are read")
    return np.frombuffer(raw, dtype=dtype).reshape(tuple(shape)).copy()


def decode(obj, depth: int = 0):
    """Plain data from a JSON-decoded message."""
    if depth > MAX_DEPTH:
        raise CodecError("value nested too deeply")
    if type(obj) is str and len(obj) > MAX_TEXT:
        raise TooLarge(f"a string of {len(obj):,} characters; at most {MAX_TEXT:,} are read")
    if obj is None or type(obj) in (bool, int, float, str):
        return obj
    if type(obj) is list:
        return [decode(v, depth + 1) for v in obj]
    if type(obj) is not dict or len(obj) != 1:
        raise CodecError("malformed value")
    (tag, body), = obj.items()
    if tag == "__ndarray__":
        return _decode_array(body)
    if tag == "__float__":
        if body not in ("nan", "inf", "-inf"):
            raise CodecError("malformed float")
        return float(body)
    if tag == "__sympy__":
        if type(body) is not str:
            raise CodecError("malformed sympy text")
        return SympyText(decode(body, depth + 1))
    if type(body) is not list:
        raise CodecError("malformed value")
    if tag == "__tuple__":
        return tuple(decode(v, depth + 1) for v in body)
    if tag == "__set__":
        try:
            return frozenset(decode(v, depth + 1) for v in body)
        except TypeError:
            raise CodecError("unhashable set entry") from None
    if tag == "__dict__":
        out = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2:
                raise CodecError("malformed dict")
            key = decode(pair[0], depth + 1)
            try:
                out[key] = decode(pair[1], depth + 1)
            except TypeError:
                raise CodecError("unhashable dict key") from None
        return out
    raise CodecError(f"unknown tag {tag!r}")


def count_values(body: bytes) -> int:
    """At least the number of values (and dict keys) in the JSON ``body``, counted over its
    bytes without parsing it: each one but the first follows a ``,``, ``[``, ``{`` or ``:``
    (those inside strings count too; base64 holds none)."""
    return body.count(b",") + body.count(b"[") + body.count(b"{") + body.count(b":") + 1


def too_many_values(count: int, limit: int = MAX_VALUES) -> TooLarge:
    """The refusal of a body that holds ``count`` values, over ``limit``."""
    return TooLarge(f"it holds {count:,} list entries, numbers and strings, and at most {limit:,} "
                    "are read (a numpy array counts as one)")


def _whole(obj):
    """Parsed JSON with every string of it, dict keys included, made whole (``whole_text``),
    walked without recursion (json nests as deep as its parser's stack allows)."""
    if type(obj) is str:
        return whole_text(obj)
    stack = [obj] if type(obj) in (list, dict) else []
    while stack:
        node = stack.pop()
        pairs = list(enumerate(node)) if type(node) is list else list(node.items())
        if type(node) is dict:
            node.clear()
        for key, value in pairs:
            if type(value) is str:
                value = whole_text(value)
            elif type(value) in (list, dict):
                stack.append(value)
            node[whole_text(key) if type(key) is str else key] = value
    return obj


def loads(body: bytes, max_values: int | None = MAX_VALUES):
    """The JSON of one message body (without its header), its strings whole (``whole_text``:
    only a ``\\u`` escape can put a lone surrogate there, so only a body holding one is walked);
    raises TooLarge if it holds more than ``max_values`` values (checked before parsing; None:
    the caller counted them, as the client's ``Room`` does), CodecError if it is malformed."""
    if max_values is not None:
        count = count_values(body)
        if count > max_values:
            raise too_many_values(count, max_values)
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise CodecError(f"malformed message: {type(exc).__name__}") from None
    return _whole(data) if b"\\ud" in body or b"\\uD" in body else data


# ---------------------------------------------------------------- framing over a socket

def recv_exact(sock, n: int, deadline: float | None = None) -> bytearray:
    """``n`` bytes, read into one buffer; with a ``deadline`` (``time.monotonic()``), raises
    TimeoutError once it has passed, however slowly the peer trickles its bytes."""
    buf, got = bytearray(n), 0
    view = memoryview(buf)
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("deadline passed")
            sock.settimeout(left)
        count = sock.recv_into(view[got:], min(n - got, 1 << 20))
        if not count:
            raise EOFError("connection closed")
        got += count
    view.release()
    return buf


def recv_frame(sock, limit: int = MAX_MESSAGE, deadline: float | None = None) -> bytearray:
    """One framed body; raises EOFError on a closed peer, TooLarge if it is over ``limit`` bytes,
    TimeoutError when the whole of it has not arrived by ``deadline``."""
    (size,) = _HEADER.unpack(recv_exact(sock, _HEADER.size, deadline))
    if size > limit:
        raise TooLarge(f"a reply of {size:,} bytes, over the {limit:,} bytes that are read", size)
    return recv_exact(sock, size, deadline)

