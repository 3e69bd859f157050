"""The class at a glance, from one :class:`~autograder.course.analysis.Analysis`:
``summary.txt``, ``summary.png`` (the distribution of totals and every item's share of full
marks) and ``summary.html``, a self-contained page like ``feedback.html`` (inline style, no
script, nothing fetched, every text escaped) with the figure embedded as a ``data:`` PNG (the
same bytes as summary.png, drawn once). Students who could not be graded come first, never
averaged in.
"""

from __future__ import annotations

import base64
import io
import os
from html import escape

from ..report.files import write_atomic
from . import GRADED, STATUSES
from .analysis import Analysis, Stat

LABEL_POINTS = 7                  # font size of summary.png's item names
BAR = 20                          # characters of summary.txt's bars
DEFINITIONS = [
    "mean: the average share of its points a graded student earned",
    "full marks: the share of graded students who earned all its points",
    "discrimination: the correlation between a student's score on it and the rest of their total "
    "(their total minus that score), over the graded students; near 0 or negative: it does not "
    "separate strong from weak students; n/a: everyone scored the same",
]


def _students(count: int) -> str:
    return f"{count} student" + ("" if count == 1 else "s")


def headline(a: Analysis) -> list[str]:
    counts = ", ".join(f"{a.counts[s]} {s}" for s in STATUSES if s in a.counts and s != GRADED)
    return [f"{_students(a.students)}: {a.counts.get(GRADED, 0)} graded" + (f", {counts}" if counts else ""),
            f"dl-autograder {a.version}, seed {a.seed}, {a.date}"]


def totals_line(a: Analysis) -> str:
    t = a.totals
    if t is None:
        return "no student has a score: no statistics"
    q1, q2, q3 = t.quartiles
    return (f"totals: min {t.low:g}, quartiles {q1:g} / {q2:g} / {q3:g}, max {t.high:g}, "
            f"mean {t.mean:.1f} (out of {t.out_of:g})")


def timing_line(a: Analysis) -> str | None:
    if a.timing is None:
        return None
    slowest = ", ".join(f"{who} {s:.1f} s" for who, s in a.timing.slowest)
    return f"time per student: median {a.timing.median:.1f} s; slowest: {slowest}"


def _disc(d: float | None) -> str:
    return "n/a" if d is None else f"{d:+.2f}"


def hardest(stats: tuple[Stat, ...]) -> list[Stat]:
    return sorted(stats, key=lambda s: (s.full, s.mean, s.name))


def _table(stats: list[Stat]) -> list[str]:
    width = max((len(s.name) for s in stats), default=10)
    lines = [f"  {'':<{width}}  {'points':>6}  {'mean':>6}  {'full':>6}  {'disc.':>5}"]
    for s in stats:
        lines.append(f"  {s.name:<{width}}  {s.points:>6g}  {100 * s.mean:5.1f}%  {100 * s.full:5.1f}%  "
                     f"{_disc(s.discrimination):>5}  {'#' * round(BAR * s.full)}")
    return lines


def mistake_line(m) -> str:
    return f"{m.item}: {_students(len(m.students))}: {m.mistake}"


def text(a: Analysis, plotted: bool = True) -> str:
    """summary.txt: who is set aside first, then the totals, the items and the cases that lost
    points (hardest first), and the named mistakes (most students first)."""
    lines = headline(a)
    if a.set_aside:
        lines += ["", "not in the statistics below:"] + [f"  {r['student']}: {r['status']}" for r in a.set_aside]
    if a.not_in_roster:
        lines += ["", "not in the roster (in gradebook.csv, in no LMS file): " + ", ".join(a.not_in_roster)]
    lines += ["", totals_line(a)] + ([t] if (t := timing_line(a)) else [])
    if a.items:
        lines += ["", "per item, hardest first (mean score, students with full marks, discrimination):"]
        lines += _table(hardest(a.items))
        lost = [s for s in hardest(a.cases) if s.full < 1]
        lines += ["", f"cases that lost points, hardest first ({len(lost)} of {len(a.cases)}):"]
        lines += _table(lost) if lost else ["  none: every graded student passed every case"]
        lines += ["", "named mistakes, most students first:"]
        lines += [f"  {mistake_line(m)}" for m in a.mistakes] or ["  none recognised"]
        lines += ["", "definitions:"] + [f"  {d}" for d in DEFINITIONS]
    if not plotted:
        lines += ["", "(no summary.png: install matplotlib, the grader's [plots] extra, to draw it)"]
    return "\n".join(lines) + "\n"


STYLE = """
body { font-family: system-ui, sans-serif; line-height: 1.4; max-width: 72rem; margin: 1rem auto; padding: 0 1rem; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; } h2 { font-size: 1.1rem; margin: 1.4rem 0 .4rem; }
table { border-collapse: collapse; } td, th { padding: .1rem .6rem; text-align: left; vertical-align: top; }
th { border-bottom: 1px solid #999; } td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font-family: ui-monospace, monospace; font-size: .9em; }
.bar { display: inline-block; height: .7em; background: #4477aa; } .low { background: #cc3311; }
.aside { color: #8250df; } img { max-width: 100%; } small { color: #555; }
"""


def _stat_rows(stats: list[Stat]) -> str:
    rows = []
    for s in stats:
        low = " low" if s.full < 0.5 else ""
        rows.append(f'<tr><td><code>{escape(s.name)}</code></td><td class="n">{s.points:g}</td>'
                    f'<td class="n">{100 * s.mean:.1f}%</td><td class="n">{100 * s.full:.1f}%</td>'
                    f'<td class="n">{_disc(s.discrimination)}</td>'
                    f'<td><span class="bar{low}" style="width:{round(100 * s.full)}px"></span></td></tr>')
    head = ("<tr><th></th><th>points</th><th>mean</th><th>full marks</th><th>discrimination</th>"
            "<th></th></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


def _mistakes(a: Analysis) -> str:
    if not a.mistakes:
        return "<p>None recognised.</p>"
    rows = "".join(f'<tr><td><code>{escape(m.item)}</code></td><td class="n">{len(m.students)}</td>'
                   f"<td>{escape(m.mistake)}</td><td><small>{escape(', '.join(m.students))}</small></td></tr>"
                   for m in a.mistakes)
    return f"<table><tr><th>item</th><th>students</th><th>mistake</th><th>who</th></tr>{rows}</table>"


def html(a: Analysis, png: bytes | None) -> str:
    """summary.html: the same as summary.txt, every case listed, the figure inline."""
    body = [f"<h1>Class summary</h1><p>{escape(headline(a)[0])}<br><small>{escape(headline(a)[1])}</small></p>"]
    if a.set_aside:
        body.append('<h2 class="aside">Not in the statistics</h2>'
                    + _list([f"{r['student']}: {r['status']}" for r in a.set_aside]))
    if a.not_in_roster:
        body.append("<h2>Not in the roster</h2><p>In gradebook.csv, in no LMS file:</p>" + _list(list(a.not_in_roster)))
    body.append(f"<h2>Totals</h2><p>{escape(totals_line(a))}"
                + (f"<br>{escape(t)}" if (t := timing_line(a)) else "") + "</p>")
    if png:
        body.append(f'<img alt="the distribution of totals, and every item\'s share of full marks" '
                    f'src="data:image/png;base64,{base64.b64encode(png).decode()}">')
    if a.items:
        body.append("<h2>Items, hardest first</h2>" + _stat_rows(hardest(a.items)))
        body.append("<h2>Named mistakes, most students first</h2>" + _mistakes(a))
        body.append("<h2>Cases, hardest first</h2>" + _stat_rows(hardest(a.cases)))
        body.append("<h2>Definitions</h2>" + _list(DEFINITIONS))
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Class summary</title><style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n")


def write(a: Analysis, out: str) -> None:
    """summary.png (where matplotlib is installed), summary.txt and summary.html."""
    png = plot(a)
    if png is not None:
        write_atomic(os.path.join(out, "summary.png"), png)
    write_atomic(os.path.join(out, "summary.txt"), text(a, plotted=png is not None or a.totals is None))
    write_atomic(os.path.join(out, "summary.html"), html(a, png))


def import_plotting():
    """matplotlib's pyplot, drawing to files; None where the [plots] extra is not installed."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def plot(a: Analysis) -> bytes | None:
    """summary.png's bytes (None without matplotlib, or without a graded student): totals on
    the left, every item's share of full marks on the right. The margins are sized from the
    item names (about 0.65 em a character) rather than by matplotlib's tight_layout, which
    measures every text twice (a large part of a class's tail: docs/PERFORMANCE.md), and the
    titles placed at the top rather than above the measured tick labels."""
    plt = import_plotting()
    if plt is None or a.totals is None:
        return None
    rates = {s.name: s.full for s in a.items}
    width, height = 13, max(4, 0.18 * len(rates) + 1)
    labels = (LABEL_POINTS * 0.65 * max((len(i) for i in rates), default=10) / 72 + 0.15) / width
    bottom, tall = 0.55 / height, 1 - 1 / height       # room for the x labels and the titles
    fig = plt.figure(figsize=(width, height))
    left = fig.add_axes([0.06, bottom, 0.26, tall])
    right = fig.add_axes([0.36 + labels, bottom, 0.62 - labels, tall])   # item names in 0.36 .. 0.36 + labels
    best = a.totals.out_of or 1
    left.hist(a.totals.scores, bins=min(25, int(best) + 1), range=(0, best), color="#4477aa")
    left.yaxis.get_major_locator().set_params(integer=True)
    left.set(xlabel=f"points (of {best:g})", ylabel="students")
    left.set_title(f"Totals ({len(a.totals.scores)} students)", y=1.0)     # y: placed, not measured
    ordered = sorted(rates.items(), key=lambda p: p[1])
    right.barh([i for i, _ in ordered], [100 * r for _, r in ordered],
               color=["#cc3311" if r < 0.5 else "#4477aa" for _, r in ordered])
    right.set(xlabel="% of students with full marks", xlim=(0, 100), ylim=(len(ordered) - 0.5, -0.5))
    right.set_title("Full marks per item (hardest at the top)", y=1.0)
    right.tick_params(axis="y", labelsize=LABEL_POINTS)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return buf.getvalue()
