"""The result model: a case's result and one submission's report, nothing else. The report
package and the course package read these; neither imports the grading loop.

Their sizes are bounded here, once, for every rendering of a report (results.json, feedback
files, the terminal, the notebook check), and their text made whole (``codec.whole_text``: a
file name or a notebook's line can hold a lone surrogate, which no UTF-8 writer takes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..sandbox.protocol import whole_text
from ..spec import Case, Module

# The size of a report, bounded here once for every rendering of it (results.json, feedback
# files, the terminal, the notebook check): a case's feedback, and the notes (cell errors,
# skipped lines, ...) of which a notebook of thousands of failing cells makes thousands.
OUTPUT_CHARS = 2500        # characters of one case's feedback (an exception's 2,000 and the call)
MAX_NOTES = 40             # notes kept; the rest are counted in one more ("and 7,960 more notes")
NOTE_CHARS = 500           # characters of one note


def cut(text: str, limit: int) -> str:
    """``text``, or its first characters and how many more there were, in ``limit`` or a few more."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"... ({len(text) - limit:,} more characters)"


@dataclass
class CaseResult:
    case: Case
    score: float
    output: str                    # empty when passed; at most OUTPUT_CHARS (and a count)
    fault: str | None = None       # why the case could not be graded (the grader's or the
                                   # machine's doing, never the student's): no score at all
    replies: str | None = None     # of a case that lost points: a digest of what the student's
                                   # code answered (equal digests, equal answers), or None when a
                                   # call got no answer of its own (autograder.course.similarity)
    mistake: str | None = None     # the named mistake its feedback gives, when recognised

    def __post_init__(self):
        self.output = cut(whole_text(self.output), OUTPUT_CHARS)
        self.fault = None if self.fault is None else whole_text(self.fault)
        self.mistake = None if self.mistake is None else whole_text(self.mistake)

    @property
    def passed(self) -> bool:
        return self.fault is None and self.score == self.case.points


@dataclass
class Report:
    submission: str
    seed: int
    results: list[CaseResult]
    modules: tuple[Module, ...]
    seconds: float
    sandbox_mode: str
    notes: list[str] = field(default_factory=list)      # at most MAX_NOTES (and a count)
    printed: str = ""
    hidden: frozenset[str] = frozenset()    # ids of the cases whose feedback students must not see

    def __post_init__(self):
        more = len(self.notes) - MAX_NOTES
        self.notes = [cut(whole_text(n), NOTE_CHARS) for n in self.notes[:MAX_NOTES]]
        self.submission, self.printed = whole_text(self.submission), whole_text(self.printed)
        if more > 0:
            self.notes.append(f"and {more:,} more note{'s' if more > 1 else ''}")

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.case.points for r in self.results)

    def by_case(self) -> dict[str, float]:
        return {r.case.id: r.score for r in self.results}

    @property
    def faults(self) -> list[CaseResult]:
        """The cases that could not be graded: while any is, the submission has no score."""
        return [r for r in self.results if r.fault is not None]

    @property
    def graded(self) -> bool:
        return not self.faults

    @property
    def why_not_graded(self) -> str:
        """The first fault and how many cases it left ungraded ("" when graded)."""
        faults = self.faults
        if not faults:
            return ""
        more = f" ({len(faults)} cases could not be graded)" if len(faults) > 1 else ""
        return f"{faults[0].case.id}: {faults[0].fault}{more}"
