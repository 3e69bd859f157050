"""The grading engine, in rooms, in the order data flows through them:

- ``results.py``: the result model, :class:`~.results.CaseResult` and :class:`~.results.Report`;
- ``session.py``: one submission's sandbox and what grading learns of it (:class:`~.session.Session`);
- ``calls.py``: the graders' face, ``f`` (:class:`~.calls.StudentFunction`), the wire messages
  and the memo's replay of a case's calls (:class:`~.calls.CaseCalls`);
- ``memo.py``: verdicts remembered by the replies that led to them;
- ``grading.py``: the grading loop, :func:`~.grading.grade`;
- ``rehearsal.py``: the cases graded on the reference's own functions, which the front doors
  run before ``grade`` (and the ceiling ``bench/`` measures).

The front doors call ``rehearse`` and then ``grade``, both named here, and imported when first
named: a reader of the result model alone (``report/``, ``course/``) loads no grading loop.
"""

__all__ = ["grade", "rehearse"]


def __getattr__(name: str):
    if name == "grade":
        from .grading import grade
        return grade
    if name == "rehearse":
        from .rehearsal import rehearse
        return rehearse
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
