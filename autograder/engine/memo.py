"""Verdicts already reached: a case that gets the same replies as in an earlier grading in this
process (another student of a batch, or the reference's own functions, rehearsed before the
sandbox is up) gets the same verdict without its checks running again.

A case is a deterministic function of the seed and of the replies it gets: its first call is
fixed by the seed, every later call by the replies before it, its verdict by all of them. So
what was seen forms a tree per case and seed: a node is the call the case makes next, its
children are keyed by a digest of the reply (its bytes as the student's process sent them, but
for the id: ``Reply.key``), and a leaf is the verdict. Grading a case walks the tree and makes
each known call for real (every call still goes to the student's process, with its own
deadline, as the case would make it); while the replies are ones seen before, the next call is
known, and at a leaf the verdict is the case's. Off the tree, the case runs, its first calls
answered with the replies already received, and the tree learns its path. A student's replies
only choose a path: every verdict on it was computed by the case from exactly those replies,
and is a frozen number and strings that no grading can change.

Only paths whose every call returned a value are learned: a timeout, a crash or a skip depends
on more than the replies (the session's state), so such a case always runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..sandbox.client import bare
from ..sandbox.protocol import StudentError
from ..spec import Case

MAX_NODES = 50_000           # a bound on what one grading process remembers (~50 MB)


@dataclass(frozen=True)
class Verdict:
    score: float
    output: str
    mistake: str | None = None       # the named mistake in ``output``, if any


@dataclass
class _Node:
    message: dict                          # the call (a Session.send message, encoded once)
    timeout: float | None                  # the case's own per-call limit, if it has one
    children: dict = field(default_factory=dict)   # reply digest -> _Node or Verdict


_trees: dict[tuple[Case, int], _Node | Verdict] = {}
_nodes = 0


def seen(case: Case, seed: int) -> bool:
    """Whether ``case`` was graded with ``seed`` before (whatever its verdict)."""
    return (case, seed) in _trees


def known(case: Case, seed: int, send) -> tuple[Verdict | None, list]:
    """Follows the tree of ``case`` with ``send(message, timeout)`` (a Session's): the verdict if
    the replies lead to one, and every ``(message, reply or the exception it raised)`` exchanged
    on the way, for the case to be answered with when it has to run."""
    node = _trees.get((case, seed))
    exchanged: list = []
    while isinstance(node, _Node):
        try:
            reply = send(node.message, node.timeout)
        except Exception as exc:  # noqa: BLE001 - the case gets it where it makes this call
            exchanged.append((node.message, bare(exc) if isinstance(exc, StudentError) else exc))
            return None, exchanged
        exchanged.append((node.message, reply))
        node = node.children.get(reply.key) if reply.key is not None else None
    return node, exchanged


def learn(case: Case, seed: int, path: list[tuple[dict, float | None, bytes]], verdict: Verdict) -> None:
    """Remembers that the calls and reply digests of ``path`` led ``case`` to ``verdict``."""
    global _nodes
    parent, slot = _trees, (case, seed)
    for message, timeout, key in path:
        node = parent.get(slot)
        if node is None:
            if _nodes >= MAX_NODES:
                return
            node = parent[slot] = _Node(message, timeout)
            _nodes += 1
        elif not isinstance(node, _Node) or node.message != message:
            return                         # the case did not repeat itself: learn nothing
        parent, slot = node.children, key
    parent.setdefault(slot, verdict)
