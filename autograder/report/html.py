"""The report as HTML: ``feedback.html`` of ``--batch`` (a self-contained page: inline style,
no script, no image, no link to anything) and the notebook check's table (the same markup
without the page around it). Every text comes escaped; every failed case shows its whole
feedback, as in the terminal.
"""

from __future__ import annotations

from html import escape

from ..engine.results import CaseResult, Report
from .views import (MARKS, ModuleView, case_state, feedback_parts, fmt_points, manual_questions, module_views,
                    most_missing, not_graded_line, status)

STYLE = """
.ag-report { font-family: system-ui, sans-serif; line-height: 1.4; max-width: 60rem; }
.ag-report h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
.ag-report h2 { font-size: 1.1rem; margin: 1.2rem 0 .3rem; }
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


def _case_rows(r: CaseResult) -> str:
    state = case_state(r)
    row = (f'<tr class="case"><td class="mark {state.replace(" ", "-")}">{MARKS[state]}</td>'
           f'<td class="points">{fmt_points(r.score)}/{fmt_points(r.case.points)}</td>'
           f"<td><code>{escape(r.case.id)}</code></td></tr>")
    if state == "passed":
        return row
    reason, called = feedback_parts(r.output)
    text = "\n".join(reason + ([called] if called else []))
    return row + f'<tr class="feedback"><td></td><td colspan="2"><pre>{escape(text)}</pre></td></tr>'


def _module(view: ModuleView, verbose: bool) -> str:
    lost = len(view.lost)
    summary = f"all {len(view.rows)} cases passed" if not lost else f"{lost} of {len(view.rows)} cases lost points"
    head = (f'<h2><span class="{view.status}">{escape(view.name)} {fmt_points(view.score)}/{fmt_points(view.points)}'
            f"</span> <small>{summary}</small></h2>")
    if not lost and not verbose:
        return head
    return head + "<table>" + "".join(_case_rows(r) for r in view.rows) + "</table>"


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
    body += [_module(v, verbose) for v in module_views(report)]
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
