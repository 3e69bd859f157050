"""The similarity report, ``similarity.csv`` and ``similarity.html`` (:func:`write_report`). The
page: the pairs of a class that coincide most, highest first, then each of the
first ``DETAILED`` side by side (every function they share, both students' code aligned line
by line, the lines in common marked; the wrong answers they share, with the feedback). One
self-contained page like ``feedback.html``: inline style, no script, nothing to fetch, every
text escaped (the code and the names are the students').
"""

from __future__ import annotations

import difflib
import os
from html import escape
from itertools import zip_longest

from ..report.files import write_atomic
from ..report.views import feedback_parts
from .fingerprints import Unit, units
from .similarity import FLAGGED, LISTED, Class, Pair, common_limit, compare, describe, write_csv

DETAILED = 25          # pairs shown side by side
TABLE_ROWS = 300       # pairs in the page's table (similarity.csv lists every one)
FUNCTIONS_SHOWN = 6    # functions shown side by side in one pair
WRONG_SHOWN = 12       # shared wrong answers listed in one pair
CHARS = 400            # of a feedback line or a code line shown
LINES = 300            # of one side of a function shown (and aligned)

STYLE = """
body { font-family: system-ui, sans-serif; line-height: 1.4; margin: 1.5rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin: 1.6rem 0 .3rem; }
h4 { font-size: .95rem; margin: 1rem 0 .2rem; font-weight: 600; }
.note { background: #fff8e1; border-left: 4px solid #e0a800; padding: .5rem .8rem; max-width: 60rem; }
table { border-collapse: collapse; } td, th { padding: .15rem .5rem; vertical-align: top; text-align: left; }
table.pairs td, table.pairs th, table.wrong td, table.wrong th { border-bottom: 1px solid #ddd; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.flag { color: #b3261e; font-weight: bold; }
table.side { width: 100%; table-layout: fixed; font-family: ui-monospace, monospace; font-size: .82rem; }
table.side th { font-family: system-ui, sans-serif; font-size: .9rem; border-bottom: 1px solid #bbb; }
table.side td { padding: 0 .4rem; white-space: pre-wrap; overflow-wrap: anywhere; }
table.side td.ln { width: 2.5rem; color: #888; text-align: right; }
table.side td.same { background: #ffe0e0; }
code { font-family: ui-monospace, monospace; font-size: .9em; }
"""


def _side_by_side(left: Unit, right: Unit, marked: tuple[set[int], set[int]], names: tuple[str, str]) -> str:
    """Two units' lines in two columns, aligned where their normalised lines match."""
    rows = []
    matcher = difflib.SequenceMatcher(None, left.keys[:LINES], right.keys[:LINES], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = zip(range(i1, i2), range(j1, j2)) if tag == "equal" else \
            zip_longest(range(i1, i2), range(j1, j2))
        for i, j in pairs:
            rows.append("<tr>" + _cell(left, i, marked[0]) + _cell(right, j, marked[1]) + "</tr>")
    cut = [f"and {len(u.text) - LINES} more lines" if len(u.text) > LINES else "" for u in (left, right)]
    if any(cut):
        rows.append(f'<tr><td></td><td>{cut[0]}</td><td></td><td>{cut[1]}</td></tr>')
    head = f"<tr><th></th><th>{escape(names[0])}</th><th></th><th>{escape(names[1])}</th></tr>"
    return f'<table class="side">{head}{"".join(rows)}</table>'


def _cell(unit: Unit, i: int | None, marked: set[int]) -> str:
    if i is None:
        return '<td class="ln"></td><td></td>'
    same = ' class="same"' if i in marked else ""
    return f'<td class="ln">{i + 1}</td><td{same}>{escape(unit.text[i][:CHARS])}</td>'


def _marked(left: Unit, right: Unit, klass: Class) -> tuple[set[int], set[int]]:
    """The lines of each unit that a fingerprint they share (and the class does not) covers."""
    shared = [h for h in left.hashes.keys() & right.hashes.keys() if (left.item, h) not in klass.common]
    return tuple({line for h in shared for line in range(unit.hashes[h][0], unit.hashes[h][1] + 1)}
                 for unit in (left, right))


def _reason(test: dict | None) -> str:
    """A lost case's feedback, its first line of reason (what differs, the mistake named)."""
    reason, _ = feedback_parts((test or {}).get("output", ""))
    return reason[0][:CHARS] if reason else ""


def _pair_section(rank: int, pair: Pair, klass: Class, code: dict[str, dict[str, Unit]]) -> str:
    flag = ' <span class="flag">worth a look</span>' if pair.score >= FLAGGED else ""
    out = [f"<h3>{rank}. {escape(pair.a)} and {escape(pair.b)}: {pair.score:.2f}{flag}</h3>",
           f"<p>code {pair.code:.2f}, wrong answers {pair.answers:.2f}</p>"]
    if pair.wrong:
        rows = "".join(f"<tr><td><code>{escape(case)}</code></td><td class=\"num\">{k}</td>"
                       f"<td>{escape(_reason(klass.lost.get(pair.a, {}).get(case)))}</td></tr>"
                       for case, k in pair.wrong[:WRONG_SHOWN])
        more = len(pair.wrong) - WRONG_SHOWN
        out.append("<h4>The same wrong answers</h4><table class=\"wrong\"><tr><th>case</th>"
                   "<th>students with this answer</th><th>the feedback</th></tr>" + rows + "</table>"
                   + (f"<p>and {more} more</p>" if more > 0 else ""))
    left, right = code.get(pair.a, {}), code.get(pair.b, {})
    for item, share, count in pair.functions[:FUNCTIONS_SHOWN]:
        if item in left and item in right:
            out.append(f"<h4><code>{escape(item)}</code>: {100 * share:.0f}% "
                       f"({count} fingerprints in common)</h4>")
            out.append(_side_by_side(left[item], right[item], _marked(left[item], right[item], klass),
                                     (pair.a, pair.b)))
    more = len(pair.functions) - FUNCTIONS_SHOWN
    if more > 0:
        out.append(f"<p>and {more} more functions: {escape(describe(pair, 100).split('; ')[0])}</p>")
    return "<section>" + "".join(out) + "</section>"


def _summary_table(pairs: list[Pair]) -> str:
    rows = "".join(
        f"<tr><td class=\"num\">{rank}</td><td>{escape(p.a)}</td><td>{escape(p.b)}</td>"
        f"<td class=\"num{' flag' if p.score >= FLAGGED else ''}\">{p.score:.2f}</td>"
        f"<td class=\"num\">{p.code:.2f}</td><td class=\"num\">{p.answers:.2f}</td>"
        f"<td>{escape(describe(p, 3))}</td></tr>" for rank, p in enumerate(pairs, start=1))
    return ("<table class=\"pairs\"><tr><th>#</th><th>student</th><th>student</th><th>score</th>"
            "<th>code</th><th>wrong answers</th><th>what coincides</th></tr>" + rows + "</table>")


def page(pairs: list[Pair], klass: Class) -> str:
    """The whole page for the listed ``pairs`` (highest first) of ``klass``."""
    n = len(klass.students)
    shown = pairs[:DETAILED]
    paths = dict(klass.students)
    code = {s: units(paths[s], klass.functions, klass.template, keys=True) for s in dict.fromkeys(
        name for p in shown if p.functions for name in (p.a, p.b))}
    flagged = sum(p.score >= FLAGGED for p in pairs)
    body = [
        "<h1>Similarity across the class</h1>",
        '<p class="note"><strong>Not part of any score.</strong> A pair listed here is a reason to '
        "read two submissions side by side, not evidence of copying: students may have worked "
        "together as allowed, used the same source, or made the same common mistake. The "
        "decision is a person's.</p>",
        f"<p>{n} students compared; {len(pairs)} pairs score {LISTED:g} or more, {flagged} of them "
        f"{FLAGGED:g} or more (marked). <strong>code</strong>: the share of the fingerprints of the "
        "graded functions both wrote that they have in common (names, strings, comments and "
        "docstrings normalised away, the template's own code left out), or of their three most "
        "alike functions if higher. <strong>wrong answers</strong>: the cases both lost with the "
        "same reply of their code, a wrong answer given by k students weighing 1/(k - 1). Code "
        f"found in more than {common_limit(n)} students, and wrong answers given by more, are the "
        "class's own and count for no pair.</p>",
        "<h2>Pairs, highest first</h2>",
        _summary_table(pairs[:TABLE_ROWS]) if pairs else "<p>No pair coincides enough to be listed.</p>",
    ]
    if len(pairs) > TABLE_ROWS:
        body.append(f"<p>and {len(pairs) - TABLE_ROWS} more pairs, in similarity.csv</p>")
    if shown:
        body.append(f"<h2>Side by side{'' if len(shown) == len(pairs) else f': the first {len(shown)}'}</h2>")
        body += [_pair_section(rank, p, klass, code) for rank, p in enumerate(shown, start=1)]
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Similarity across the class</title><style>{STYLE}</style></head>"
            f"<body>{''.join(body)}</body></html>\n")


def write_report(students: list[tuple[str, str]], out: str, modules: tuple[str, ...] | None = None,
                 workers: int | None = None) -> list[Pair]:
    """``out/similarity.csv`` and ``out/similarity.html`` for ``students``; the pairs listed."""
    pairs, klass = compare(students, out, modules, workers)
    listed = [p for p in pairs if p.score >= LISTED]
    write_csv(listed, os.path.join(out, "similarity.csv"))
    write_atomic(os.path.join(out, "similarity.html"), page(listed, klass))
    return listed
