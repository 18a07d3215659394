"""Grade one submission file against an assignment: a row of plain data, never an exception.

Order: read the file (a malformed, oversized or hostile file is *refused*: one row with the
reason); match its ``assignment`` link to the assignment's fingerprint (a file that is not a
submission, or was made for another assignment, is refused); check the locks (any tampered
locked part makes the verdict *tampered*, scored 0, each change named); judge the graph
goals; then retrain for the training goals (one run per distinct budget, with the hidden
seed when the assignment has one) under the time and memory caps of runtime/classroom/
measure.py. The total is the sum of the points of the goals met, public and hidden.

``grade_submission(assignment, path, options) -> GradeRow``; ``GradeRow`` holds only
strings and numbers, so it crosses process boundaries and goes straight into the CSV and
the HTML overview (runtime/classroom/tables.py).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netbuilder.graph.assignment import Assignment, submission_of
from netbuilder.graph.goals import MET, PENDING, UNMET, Goal, GoalResult, evaluate_graph_goals
from netbuilder.graph.locks import check_locks

GRADED, REFUSED, TAMPERED = "graded", "refused", "tampered"


@dataclass
class GoalCell:
    label: str
    status: str          # met, unmet, pending (not judged: tampered or refused)
    message: str
    points: float
    hidden: bool = False


@dataclass
class GradeRow:
    file: str
    student: str = ""
    verdict: str = REFUSED
    reason: str = ""
    goals: list[GoalCell] = field(default_factory=list)
    score: float = 0.0
    max_score: float = 0.0
    parameters: int | None = None
    macs: int | None = None
    val_acc: float | None = None
    val_loss: float | None = None
    train_seconds: float = 0.0
    seconds: float = 0.0
    report: str | None = None        # the student's report page, when one was written


@dataclass(frozen=True)
class GradeOptions:
    time_limit_s: float = 300.0
    memory_cap_bytes: int = 2 * 1024**3
    train: bool = True                    # False: graph goals only (training goals pending)
    report_dir: str | None = None         # write each retrained student's report here
    report_name: str = ""                 # the report's file name (made by the caller)


def max_score(assignment: Assignment) -> float:
    return sum(g.points for g in assignment.all_goals())


def grade_submission(assignment: Assignment, path: str | Path,
                     options: GradeOptions | None = None) -> GradeRow:
    """Score (or refuse) one file; catches every error a file can cause and names it."""
    from netbuilder.graph.errors import NetbuilderError

    options = options or GradeOptions()
    start = time.perf_counter()
    row = GradeRow(file=str(path), max_score=max_score(assignment))
    try:
        _grade(assignment, Path(path), options, row)
    except (NetbuilderError, OSError, ValueError, RecursionError, MemoryError) as e:
        row.verdict, row.reason = REFUSED, _one_line(f"could not be graded: {e}")
        row.score = 0.0
    except Exception as e:  # noqa: BLE001 - a file must never end the class's run
        row.verdict, row.score = REFUSED, 0.0
        row.reason = _one_line(f"could not be graded ({type(e).__name__}: {e}); please "
                               "report this file to netbuilder's authors")
    row.seconds = time.perf_counter() - start
    return row


def _grade(assignment: Assignment, path: Path, options: GradeOptions, row: GradeRow) -> None:
    from netbuilder.graph.errors import ProjectFileError
    from netbuilder.graph.project import load_project

    if not path.is_file():
        row.reason = "not a regular file" if path.exists() else "no such file"
        return
    try:
        project = load_project(path)
    except ProjectFileError as e:
        row.reason = _one_line(str(e).removeprefix(f"{path}: "))
        return
    link = submission_of(project)
    if link is None:
        row.reason = ('not a submission: the project has no "assignment" key (students save '
                      'it with "Save submission")')
        return
    row.student = link.student
    if link.fingerprint != assignment.fingerprint:
        row.reason = (f"made for another assignment (fingerprint {link.fingerprint}, this "
                      f"assignment's is {assignment.fingerprint})")
        return
    graph = project.graph
    from netbuilder.graph.analysis import analyze

    analysis = analyze(graph)
    if analysis.valid:
        row.parameters, row.macs = analysis.total_params, analysis.total_macs
    public, hidden = assignment.goals, assignment.hidden.goals
    goals = list(public) + list(hidden)
    results = evaluate_graph_goals(assignment, graph, goals=goals, analysis=analysis)
    violations = check_locks(assignment, graph)
    if violations:
        row.verdict = TAMPERED
        row.reason = "locked parts changed: " + "; ".join(v.message for v in violations)
        results = [GoalResult(r.goal, PENDING, "not retrained: locked parts were changed")
                   if r.status == PENDING else r for r in results]
        row.goals = _cells(results, len(public))
        row.score = 0.0
        return
    if options.train:
        results = _train(assignment, project, results, options, row)
    row.verdict = GRADED
    row.goals = _cells(results, len(public))
    row.score = sum(r.goal.points for r in results if r.status == MET)
    unmet = [r for r in results if r.status == UNMET]
    row.reason = (f"{len(unmet)} of {len(results)} goals not met" if unmet
                  else "all goals met" if all(r.status == MET for r in results)
                  else "training goals not judged")


def _train(assignment: Assignment, project: Any, results: list[GoalResult],
           options: GradeOptions, row: GradeRow) -> list[GoalResult]:
    from netbuilder.graph.goals import training_goal_result
    from netbuilder.runtime.classroom.measure import measure

    runs: dict[Any, Any] = {}
    out = []
    for r in results:
        g: Goal = r.goal
        if r.status != PENDING or g.training is None:
            out.append(r)
            continue
        if g.training not in runs:
            left = options.time_limit_s - row.train_seconds
            m = measure(project.graph, project.training, g.training,
                        seed=assignment.graded_seed, time_limit_s=max(left, 0.001),
                        memory_cap_bytes=options.memory_cap_bytes)
            runs[g.training] = m
            row.train_seconds += m.seconds
            if m.ok:
                if row.val_acc is None:
                    row.val_acc = _number(m.metrics.get("val_acc"))
                if row.val_loss is None:
                    row.val_loss = _number(m.metrics.get("val_loss"))
                if options.report_dir and row.report is None:
                    row.report = _write_report(m, project, options, row.student,
                                               assignment.title)
        m = runs[g.training]
        out.append(training_goal_result(g, m.metrics, m.failure))
    return out


def _write_report(m: Any, project: Any, options: GradeOptions, student: str,
                  title: str) -> str | None:
    """The student's report (runtime/report/) from the weights just trained; None if it
    cannot be made (the grade stands without it). Its page names the student and the
    assignment (escaped like every string on it)."""
    from netbuilder.runtime.report.content import build_report
    from netbuilder.runtime.report.page import render_html, write_text_atomically

    plan = m.plan
    try:
        state = {k: v.detach().cpu() for k, v in plan.model.state_dict().items()}
        report = build_report(project.graph, plan.dataset, plan.config, state,
                              normalization=m.normalization, history=m.history,
                              epoch=m.epochs_run, weights_name="retrained by the grader")
        report.title = f"{student}: {report.title}"
        report.facts[:0] = [("student", student), ("assignment", title)]
        name = options.report_name or "report.html"
        write_text_atomically(Path(options.report_dir) / name, render_html(report))
    except (RuntimeError, ValueError, OSError):
        return None
    return name


def _cells(results: list[GoalResult], public: int) -> list[GoalCell]:
    return [GoalCell(r.goal.label, r.status, r.message, r.goal.points, i >= public)
            for i, r in enumerate(results)]


def _number(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if f == f else None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _one_line(text: str, limit: int = 500) -> str:
    text = _CONTROL.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."

