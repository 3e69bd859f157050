"""The report as HTML: ``feedback.html`` of ``--batch`` (a self-contained page: inline style,
no script, no image, no link to anything) and the notebook check's table (the same markup
without the page around it): a table of the modules first (points, cases lost), then the cases
that lost points, those lost for one reason together as in the terminal, then those that
passed. Every text comes escaped; every failed case shows its whole feedback.
"""

from __future__ import annotations

from html import escape

from ..engine.results import Report
from .views import (MARKS, Lost, ModuleView, feedback_parts, fmt_points, manual_questions, module_views,
                    most_missing, not_graded_line, status)

STYLE = """
.ag-report { font-family: system-ui, sans-serif; line-height: 1.4; max-width: 60rem; }
.ag-report h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
.ag-report h2 { font-size: 1.1rem; margin: 1.2rem 0 .3rem; }
.ag-report h3 { font-size: 1rem; margin: .8rem 0 .2rem; }
.ag-report table.modules { margin: .5rem 0; } .ag-report th { text-align: left; padding: .15rem .5rem; }
.ag-report th.points { width: 4.5rem; text-align: right; }
.ag-report th.module { width: 10rem; } .ag-report table.modules td:first-child { font-weight: bold; }
.ag-report table { border-collapse: collapse; width: 100%; table-layout: fixed; }
.ag-report td { padding: .15rem .5rem; vertical-align: top; text-align: left; }
.ag-report td.mark { width: 3rem; } .ag-report td.points { width: 4.5rem; }
.ag-report td.points { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.ag-report .mark { font-weight: bold; white-space: nowrap; }
.ag-report code, .ag-report pre { font-family: ui-monospace, monospace; font-size: .9em; }
.ag-report pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: .1rem 0 .5rem;
  padding: .4rem .6rem; background: #f6f6f6; border-left: 3px solid #c33; }
.ag-report .passed { color: #1a7f37; } .ag-report .failed { color: #c33; }
.ag-report .partial { color: #9a6700; } .ag-report .not-graded { color: #8250df; }
.ag-report .total { font-size: 1.2rem; font-weight: bold; }
"""


def _feedback_row(output: str) -> str:
    reason, called = feedback_parts(output)
    text = "\n".join(reason + ([called] if called else []))
    return f'<tr class="feedback"><td></td><td colspan="2"><pre>{escape(text)}</pre></td></tr>'


def _case_row(state: str, score: float, points: float, what: str) -> str:
    return (f'<tr class="case"><td class="mark {state.replace(" ", "-")}">{MARKS[state]}</td>'
            f'<td class="points">{fmt_points(score)}/{fmt_points(points)}</td><td>{what}</td></tr>')


def _lost_rows(group: Lost, whole: bool) -> str:
    """Cases lost for one reason: one row naming them (``whole``: every case of the module),
    their feedback once."""
    if whole:
        what = f"all {len(group.rows)} cases"
    elif len(group.rows) == 1:
        what = f"<code>{escape(group.rows[0].case.id)}</code>"
    else:
        what = f"{len(group.rows)} cases: <code>{escape(group.ids)}</code>"
    return _case_row(group.state, group.score, group.points, what) + _feedback_row(group.output)


def _summary_table(views: list[ModuleView]) -> str:
    """Every module at a glance: its points and the cases it lost (and why, when one reason)."""
    rows = []
    for v in views:
        whole = v.one_reason
        lost = (f"all {len(v.rows)}: {escape((feedback_parts(whole.output)[0] or [''])[0])}" if whole
                else f"{len(v.lost)} of {len(v.rows)}" if v.lost else "none")
        rows.append(f'<tr><td class="{v.status}">{escape(v.name)}</td>'
                    f'<td class="points">{fmt_points(v.score)}/{fmt_points(v.points)}</td><td>{lost}</td></tr>')
    return ('<table class="modules"><thead><tr><th class="module">module</th><th class="points">points</th>'
            f'<th>cases lost</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _sections(views: list[ModuleView], verbose: bool) -> list[str]:
    """The cases that lost points, module by module, then those that passed (of every module
    when ``verbose``, else of the modules that lost some)."""
    out = []
    failed = [v for v in views if v.lost]
    if failed:
        out.append("<h2>Cases that lost points</h2>")
        for v in failed:
            rows = "".join(_lost_rows(g, v.one_reason is not None) for g in v.groups)
            out.append(f'<h3><span class="{v.status}">{escape(v.name)} {fmt_points(v.score)}/'
                       f"{fmt_points(v.points)}</span></h3><table>{rows}</table>")
    passed = [v for v in views if (verbose or v.lost) and len(v.lost) < len(v.rows)]
    if passed:
        out.append("<h2>Cases that passed</h2>")
        for v in passed:
            rows = "".join(_case_row("passed", r.score, r.case.points, f"<code>{escape(r.case.id)}</code>")
                           for r in v.rows if r.passed)
            out.append(f"<h3>{escape(v.name)}</h3><table>{rows}</table>")
    return out


def _items(title: str, texts: list[str]) -> str:
    if not texts:
        return ""
    return f"<h2>{escape(title)}</h2><ul>" + "".join(f"<li>{escape(t)}</li>" for t in texts) + "</ul>"


def to_html(report: Report, *, title: str, verbose: bool = True, page: bool = True) -> str:
    """The report as a page (``page``), or as a fragment with its style for a notebook."""
    if report.graded:
        total = (f'<span class="{status(report.score, report.max_score)}">Total: {fmt_points(report.score)} / '
                 f"{fmt_points(report.max_score)}</span>")
    else:
        total = f'<span class="not-graded">{escape(not_graded_line(report))}</span>'
    body = [f"<h1>{escape(title)}</h1>",
            f'<p class="total">{total}</p>',
            f"<p><small>seed {report.seed}, sandbox {escape(report.sandbox_mode)}, "
            f"{report.seconds:.1f} s</small></p>"]
    views = module_views(report)
    body += [_summary_table(views), *_sections(views, verbose)]
    body.append(_items("Notes", report.notes))
    body.append(_items("Graded by hand, not in this score", manual_questions(report)))
    body.append(_items("Next, the modules with the most points missing",
                       [f"{v.name}: {fmt_points(v.points - v.score)} of {fmt_points(v.points)} points missing"
                        for v in most_missing(report)]))
    content = f'<div class="ag-report">{"".join(body)}</div>'
    return _page(title, content) if page else f"<style>{STYLE}</style>{content}"


def message_page(title: str, message: str) -> str:
    """A page that only says ``message`` (a submission that could not be graded)."""
    return _page(title, f'<div class="ag-report"><h1>{escape(title)}</h1><p>{escape(message)}</p></div>')


def _page(title: str, content: str) -> str:
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{content}</body></html>\n")
