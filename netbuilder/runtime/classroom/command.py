"""``netbuilder grade ASSIGNMENT SUBMISSION... [--jobs N] [--csv OUT.csv] [--html OUT.html]``.

SUBMISSION may be a file or a folder (every ``*.json`` file under it). Each submission is
refused or scored on its own (runtime/classroom/grade.py) in worker processes
(runtime/classroom/batch.py); a progress bar goes to stderr, one line per student to
stdout (input order), and the CSV and HTML overview are written at the end (with
``--html``, each retrained student's report goes to ``OUT_reports/`` beside it).

Exit 0 when every submission has a row (refused ones included: their reasons are in the
rows), 2 for an unreadable assignment, an assignment whose training budget cannot train
(unknown dataset or optimiser), no submission found, or an output that cannot be written.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import TextIO

EXIT_OK, EXIT_UNREADABLE = 0, 2
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def submission_files(items: list[str], skip: Path | None = None) -> list[Path]:
    """Files as given; folders expanded to their ``*.json`` files, sorted (the assignment
    ``skip`` left out when it lies among them). A path that does not exist stays in the
    list: it gets its own "no such file" row."""
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*.json") if f.is_file() and not f.is_symlink()
                          and not (skip is not None and _same(f, skip)))
        else:
            out.append(p)
    return out


def _same(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def report_name(index: int, path: Path) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", path.stem).strip("_")[:60] or "submission"
    return f"{index + 1:03d}-{stem}.html"


def grade_command(args: argparse.Namespace) -> int:
    from netbuilder.graph.assignment import dumps_assignment, load_assignment
    from netbuilder.graph.errors import AssignmentFileError

    try:
        assignment = load_assignment(args.assignment)
    except AssignmentFileError as e:
        _error(str(e))
        return EXIT_UNREADABLE
    from netbuilder.runtime.classroom.batch import default_jobs, grade_all
    from netbuilder.runtime.classroom.grade import GradeOptions, GradeRow, max_score
    from netbuilder.runtime.classroom.measure import check_budget

    train = not args.no_train
    if train:
        budgets = {g.training for g in assignment.all_goals() if g.training is not None}
        for b in sorted(budgets, key=repr):
            problem = check_budget(b)
            if problem:
                _error(f"{args.assignment}: a training goal cannot be trained: {problem}")
                return EXIT_UNREADABLE
    paths = submission_files(args.submissions, skip=Path(args.assignment))
    if not paths:
        _error("no submissions found (give files, or folders holding *.json files)")
        return EXIT_UNREADABLE
    report_dir: Path | None = None
    if args.html:
        html = Path(args.html)
        report_dir = html.parent / f"{html.stem}_reports"
        try:
            report_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            _error(f"{report_dir}: cannot be made ({e.strerror or e})")
            return EXIT_UNREADABLE
    cap = int(args.memory_mb * 1024 * 1024)

    def options(i: int, p: str) -> GradeOptions:
        return GradeOptions(time_limit_s=args.timeout, memory_cap_bytes=cap, train=train,
                            report_dir=str(report_dir) if report_dir else None,
                            report_name=report_name(i, Path(p)))

    # Graph goals take milliseconds: a worker's start (seconds) would only slow them down.
    jobs = max(0, args.jobs) if args.jobs is not None else default_jobs() if train else 0
    rows: list[GradeRow | None] = [None] * len(paths)
    bar = _Progress(len(paths), sys.stderr)
    start = time.perf_counter()
    # The backstop: training stops itself at --timeout; reading, reports and start-up get
    # the rest.
    for index, row in grade_all(dumps_assignment(assignment), paths, jobs=jobs,
                                options=options, timeout_s=args.timeout * 1.5 + 60):
        row.max_score = max_score(assignment)
        if row.report and report_dir is not None:
            row.report = str(report_dir / row.report)
        rows[index] = row
        bar.update(row)
    bar.close(time.perf_counter() - start)
    done = [r for r in rows if r is not None]
    labels = [g.label for g in assignment.goals] + \
        [f"{g.label} (hidden)" for g in assignment.hidden.goals]
    for r in done:
        who = _plain(r.student) or "?"
        print(f"{who:<24} {_plain(Path(r.file).name):<28} {r.verdict:<9} "
              f"{_score(r.score)}/{_score(r.max_score)}  {_plain(r.reason)}")
    from netbuilder.runtime.classroom.tables import render_overview, write_csv, write_overview

    try:
        if args.csv:
            write_csv(args.csv, done, labels)
            print(f"wrote {args.csv}")
        if args.html:
            write_overview(args.html, render_overview(assignment.title, assignment.fingerprint,
                                                      done, labels,
                                                      html_dir=Path(args.html).parent))
            print(f"wrote {args.html}")
    except OSError as e:
        _error(str(e))
        return EXIT_UNREADABLE
    return EXIT_OK


def _score(v: float) -> str:
    return f"{v:g}"


def _plain(text: str) -> str:
    """A student's string made safe for a terminal (no escape sequences, one line)."""
    return _CONTROL.sub("?", text)[:200]


class _Progress:
    """``grading [#####.......] 12/30, 2 refused`` redrawn in place on a terminal; one line
    per submission when stderr is piped."""

    def __init__(self, total: int, out: TextIO) -> None:
        self.total, self.out, self.done, self.refused = total, out, 0, 0
        self.live = out.isatty()

    def update(self, row: object) -> None:
        from netbuilder.runtime.classroom.grade import REFUSED

        self.done += 1
        self.refused += getattr(row, "verdict", "") == REFUSED
        width = 24
        filled = int(width * self.done / max(self.total, 1))
        text = (f"grading [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
                + (f", {self.refused} refused" if self.refused else ""))
        if self.live:
            self.out.write("\r" + text)
        else:
            name = _plain(Path(getattr(row, "file", "")).name)
            self.out.write(f"{text}  {name}\n")
        self.out.flush()

    def close(self, seconds: float) -> None:
        if self.live:
            self.out.write("\n")
        self.out.write(f"graded {self.done} submissions in {seconds:.1f} s\n")
        self.out.flush()
