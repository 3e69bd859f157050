"""Forges replies to its own requests (their id read from the runner's frame), then leaves
with os._exit(0) so that no real reply follows: an array whose data is not base64, a body that
is not UTF-8, and an error reply of kind "timeout" with a terminal escape in its message."""

import json
import os
import stat
import struct
import sys


def _forge(reply=None, raw=None):
    frame = sys._getframe(2)
    while frame is not None and "req" not in frame.f_locals:
        frame = frame.f_back
    body = raw if raw is not None else json.dumps({"id": frame.f_locals["req"]["id"], **reply}).encode()
    for fd in range(3, 256):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.write(fd, struct.pack(">Q", len(body)) + body)
        except OSError:
            pass
    os._exit(0)


def chain_gradient(local_grads):
    _forge({"ok": True, "value": {"__ndarray__": ["<f8", [1], "!!not base64!!"]}})


def residual_gradient(upstream, local_grads):
    _forge(raw=b'{"id": 1, "ok": true, "value": "\xff\xfe"}')


def plain_depth_gradient(n_layers, local=0.5, upstream=0.5):
    _forge({"ok": False, "kind": "timeout", "message": "\x1b[2Jforged: all passed"})


def residual_blocks_gradient(n_layers, local=0.5, upstream=0.5):
    return upstream * (1 + local ** 2) ** (n_layers // 2)
