"""The report as one self-contained HTML page, and writing it safely.

Every image is a base64 PNG data URI, the style sheet is inline, and there are no scripts
and no external addresses, so the file opens offline, in a mail attachment or on a
projector's laptop. Every string that comes from the user (project, node and class names)
is HTML-escaped.
"""

from __future__ import annotations

import base64
import os
from html import escape
from pathlib import Path

from netbuilder.runtime.report.content import Figure, Report, Section, Table

STYLE = """
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1f2937;
       max-width: 1150px; margin: 24px auto; padding: 0 24px; line-height: 1.45; }
h1 { font-size: 2em; margin-bottom: 0.2em; }
h2 { font-size: 1.45em; border-bottom: 2px solid #cbd5e1; padding-bottom: 4px; margin-top: 1.8em; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 18px; margin: 0; }
dl.facts dt { color: #475569; } dl.facts dd { margin: 0; font-weight: bold; }
nav { margin: 1em 0; color: #475569; } nav a { margin-right: 14px; color: #1d4ed8; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #e2e8f0; }
figcaption { color: #475569; font-size: 0.9em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.95em; }
th, td { border: 1px solid #cbd5e1; padding: 3px 10px; text-align: left; }
th { background: #f1f5f9; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; border-top: 2px solid #94a3b8; }
footer { margin-top: 3em; color: #64748b; font-size: 0.85em; }
"""


def _anchor(i: int) -> str:
    return f"s{i}"


def _table(t: Table) -> str:
    numeric = t.numeric or (False,) * len(t.header)
    head = "".join(f"<th>{escape(h)}</th>" for h in t.header)
    body = []
    for k, row in enumerate(t.rows):
        cells = "".join(f'<td class="num">{escape(c)}</td>' if numeric[i] else f"<td>{escape(c)}</td>"
                        for i, c in enumerate(row))
        total = ' class="total"' if t.total and k == len(t.rows) - 1 else ""
        body.append(f"<tr{total}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure(f: Figure) -> str:
    data = base64.b64encode(f.png).decode("ascii")
    caption = f"<figcaption>{escape(f.caption)}</figcaption>" if f.caption else ""
    return f'<figure><img src="data:image/png;base64,{data}" alt="{escape(f.alt)}">{caption}</figure>'


def _section(i: int, s: Section) -> str:
    parts = [f'<section id="{_anchor(i)}"><h2>{escape(s.title)}</h2>']
    for item in s.items:
        if isinstance(item, Figure):
            parts.append(_figure(item))
        elif isinstance(item, Table):
            parts.append(_table(item))
        else:
            parts.append(f"<p>{escape(item)}</p>")
    parts.append("</section>")
    return "\n".join(parts)


def render_html(report: Report) -> str:
    from netbuilder import __version__

    facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in report.facts)
    nav = "".join(f'<a href="#{_anchor(i)}">{escape(s.title)}</a>'
                  for i, s in enumerate(report.sections))
    body = "\n".join(_section(i, s) for i, s in enumerate(report.sections))
    title = escape(report.title)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}: netbuilder report</title><style>{STYLE}</style></head>\n"
            f"<body><h1>{title}</h1><dl class=\"facts\">{facts}</dl><nav>{nav}</nav>\n{body}\n"
            f"<footer>Made by netbuilder {escape(__version__)}.</footer></body></html>\n")


def write_text_atomically(path: str | os.PathLike[str], text: str) -> Path:
    """Write the page through netbuilder's one atomic writer (graph/atomic.py): a report
    being written never replaces a good one half-done. WriteError (an OSError) says why it
    could not, naming the file."""
    from netbuilder.graph.atomic import write_text

    return write_text(path, text, make_folder=False)
