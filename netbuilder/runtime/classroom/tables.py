"""The class's grades as a CSV file and as one self-contained HTML overview page.

CSV: one row per submission, the same columns for every row (file, student, verdict,
reason, score, measured figures, then each goal's status and figures). A text cell that a
spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) is prefixed with ``'``: a student named ``=HYPERLINK(...)`` stays text.

HTML: the table with each goal met or not, the distribution of accuracy and of parameter
counts (matplotlib through runtime/report/figures.py, inlined as PNG), and a link to each
student's report where the grader wrote one. Every string from a submission is
HTML-escaped; no scripts, no external addresses. Both files go through graph/atomic.py.
"""

from __future__ import annotations

import base64
import csv
import io
import os
from collections.abc import Sequence
from html import escape
from pathlib import Path

from netbuilder.runtime.classroom.grade import GRADED, REFUSED, TAMPERED, GradeRow

_FORMULA = ("=", "+", "-", "@", "\t", "\r")
BASE_COLUMNS = ("file", "student", "verdict", "reason", "score", "max_score", "parameters",
                "macs", "val_accuracy", "val_loss", "train_seconds", "grade_seconds", "report")


def safe_cell(text: str) -> str:
    """A text cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA) else text


def csv_text(rows: Sequence[GradeRow], labels: Sequence[str]) -> str:
    buffer = io.StringIO()
    w = csv.writer(buffer, lineterminator="\n")
    header = list(BASE_COLUMNS)
    for i, label in enumerate(labels, 1):
        header += [f"goal {i}: {label}", f"goal {i} figures"]
    w.writerow([safe_cell(h) for h in header])
    for r in rows:
        cells: list[object] = [safe_cell(r.file), safe_cell(r.student), r.verdict,
                               safe_cell(r.reason), _num(r.score), _num(r.max_score),
                               _opt(r.parameters), _opt(r.macs), _opt(r.val_acc, 4),
                               _opt(r.val_loss, 4), round(r.train_seconds, 2),
                               round(r.seconds, 2), safe_cell(r.report or "")]
        for i in range(len(labels)):
            g = r.goals[i] if i < len(r.goals) else None
            cells += [g.status if g else "", safe_cell(g.message) if g else ""]
        w.writerow(cells)
    return buffer.getvalue()


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else round(v, 3)


def _opt(v: float | int | None, digits: int | None = None) -> object:
    if v is None:
        return ""
    return round(v, digits) if digits is not None else v


def write_csv(path: str | os.PathLike[str], rows: Sequence[GradeRow], labels: Sequence[str]) -> None:
    from netbuilder.graph.atomic import write_text

    # utf-8-sig: spreadsheet programs then read accented names correctly
    write_text(path, csv_text(rows, labels), encoding="utf-8-sig")


# -- the HTML overview ------------------------------------------------------------------

STYLE = """
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1f2937;
       max-width: 1400px; margin: 24px auto; padding: 0 24px; line-height: 1.4; }
h1 { font-size: 1.9em; margin-bottom: 0.2em; } h2 { font-size: 1.35em; margin-top: 1.6em; }
p.facts { color: #475569; }
table { border-collapse: collapse; font-size: 0.92em; }
th, td { border: 1px solid #cbd5e1; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f1f5f9; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.met { background: #dcfce7; } td.unmet { background: #fee2e2; } td.pending { background: #f1f5f9; }
tr.refused td, tr.tampered td.verdict { background: #fef3c7; }
td small { color: #475569; }
.figures img { max-width: 48%; border: 1px solid #e2e8f0; margin-right: 1%; }
footer { margin-top: 3em; color: #64748b; font-size: 0.85em; }
"""


def render_overview(title: str, fingerprint: str, rows: Sequence[GradeRow],
                    labels: Sequence[str], *, html_dir: Path | None = None) -> str:
    """The class overview page; ``html_dir`` makes report links relative to the page."""
    from netbuilder import __version__

    graded = [r for r in rows if r.verdict == GRADED]
    counts = {v: sum(1 for r in rows if r.verdict == v) for v in (GRADED, TAMPERED, REFUSED)}
    max_score = max((r.max_score for r in rows), default=0)
    mean = sum(r.score for r in graded) / len(graded) if graded else None
    facts = (f"{len(rows)} submissions: {counts[GRADED]} graded, {counts[TAMPERED]} with locked "
             f"parts changed, {counts[REFUSED]} refused."
             + (f" Mean score of the graded: {mean:.2f} of {_num(max_score)}." if mean is not None
                else "") + f" Assignment fingerprint {fingerprint}.")
    head = "".join(f"<th>{escape(h)}</th>" for h in
                   ("student", "file", "verdict", "score", "parameters", "val. accuracy",
                    "val. loss", "report"))
    head += "".join(f"<th>{i}. {escape(label)}</th>" for i, label in enumerate(labels, 1))
    body = []
    for r in rows:
        link = ""
        if r.report:
            href = _href(r.report, html_dir)
            link = f'<a href="{escape(href, quote=True)}">report</a>'
        reason = f"<br><small>{escape(r.reason)}</small>" if r.reason else ""
        cells = [f"<td>{escape(r.student) or '<em>unknown</em>'}</td>",
                 f"<td>{escape(Path(r.file).name)}</td>",
                 f'<td class="verdict">{escape(r.verdict)}{reason}</td>',
                 f'<td class="num">{_num(r.score)} / {_num(r.max_score)}</td>',
                 f'<td class="num">{"" if r.parameters is None else f"{r.parameters:,}"}</td>',
                 f'<td class="num">{"" if r.val_acc is None else f"{r.val_acc:.1%}"}</td>',
                 f'<td class="num">{"" if r.val_loss is None else f"{r.val_loss:.4f}"}</td>',
                 f"<td>{link}</td>"]
        for i in range(len(labels)):
            g = r.goals[i] if i < len(r.goals) else None
            if g is None:
                cells.append("<td></td>")
            else:
                cells.append(f'<td class="{escape(g.status)}">{escape(g.status)}'
                             f"<br><small>{escape(g.message)}</small></td>")
        body.append(f'<tr class="{escape(r.verdict)}">{"".join(cells)}</tr>')
    figures = _figures(graded)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)}: grades</title><style>{STYLE}</style></head>\n"
            f"<body><h1>{escape(title)}</h1><p class=\"facts\">{escape(facts)}</p>\n"
            f'<h2>Distribution</h2><div class="figures">{figures}</div>\n'
            f"<h2>Submissions</h2><table><thead><tr>{head}</tr></thead><tbody>\n"
            + "\n".join(body) +
            f"\n</tbody></table>\n<footer>Graded by netbuilder {escape(__version__)}; "
            "every figure was measured by the grader, none read from the submissions."
            "</footer></body></html>\n")


def _href(report: str, html_dir: Path | None) -> str:
    p = Path(report)
    if html_dir is not None:
        try:
            return Path(os.path.relpath(p, html_dir)).as_posix()
        except ValueError:
            return p.as_posix()
    return p.as_posix()


def _figures(graded: Sequence[GradeRow]) -> str:
    acc = [r.val_acc for r in graded if r.val_acc is not None]
    params = [r.parameters for r in graded if r.parameters is not None]
    parts = []
    if acc:
        parts.append(_img(_histogram([100 * a for a in acc], "validation accuracy (%)"),
                          "distribution of validation accuracy"))
    if params:
        parts.append(_img(_histogram(params, "parameters", log=True),
                          "distribution of parameter counts"))
    return "".join(parts) or "<p>No graded submission has figures to show.</p>"


def _img(png: bytes, alt: str) -> str:
    return f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" alt="{alt}">'


def _histogram(values: Sequence[float], what: str, log: bool = False) -> bytes:
    """A histogram; with ``log``, counts that span more than 50x (one student's network a
    thousand times bigger) get logarithmic bins so the rest of the class stays readable."""
    import numpy as np
    from matplotlib.ticker import FuncFormatter

    from netbuilder.runtime.report.figures import new_figure, to_png

    fig = new_figure(6.0, 3.2)
    ax = fig.add_subplot()
    count = min(20, max(5, len(set(values))))
    low, high = min(values), max(values)
    bins: object = count
    if log and low > 0 and high / low > 50:
        bins = np.geomspace(low, high * 1.0001, count + 1)
        ax.set_xscale("log")
        what += " (logarithmic)"
    ax.hist(values, bins=bins, color="#3b82f6", edgecolor="white")
    if log:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _short_count(v)))
    ax.set_xlabel(what)
    ax.set_ylabel("students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"{what}: {len(values)} submissions")
    return to_png(fig)


def _short_count(v: float) -> str:
    for factor, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= factor:
            return f"{v / factor:g}{suffix}"
    return f"{v:g}"


def write_overview(path: str | os.PathLike[str], text: str) -> None:
    from netbuilder.graph.atomic import write_text

    write_text(path, text)
