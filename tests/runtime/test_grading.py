"""``netbuilder grade``: a generated class of 30 submissions, each with the right verdict and
reason, the run never stopping early; grades reproducible; training goals measured by the
grader under its caps; hostile strings escaped in the HTML and inert in the CSV.

Most of the class is graded on its graph goals only (through the CLI, two worker
processes); a few submissions are retrained, in this process, to keep the file fast.
"""

from __future__ import annotations

import csv
import html
import json
import sys
from pathlib import Path

import pytest

from netbuilder.cli import main
from netbuilder.graph.assignment import (
    assignment_from_dict,
    load_assignment,
    make_submission,
    starting_project,
)
from netbuilder.graph.project import save_project
from netbuilder.runtime.classroom.batch import grade_all
from netbuilder.runtime.classroom.grade import GradeOptions, grade_submission
from netbuilder.runtime.classroom.tables import csv_text, safe_cell

sys.path.insert(0, str(Path(__file__).parent))
from classroom_class import FORMULA, SCRIPT, digits_assignment_dict, make_class  # noqa: E402


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    folder = tmp_path_factory.mktemp("grading") / "class"
    apath, expected = make_class(folder)
    return apath, folder, expected


def test_a_class_of_30_gets_each_verdict_and_reason(klass, tmp_path, capsys) -> None:
    apath, folder, expected = klass
    out_csv, out_html = tmp_path / "grades.csv", tmp_path / "grades.html"
    code = main(["grade", str(apath), str(folder), "--jobs", "2", "--no-train",
                 "--csv", str(out_csv), "--html", str(out_html)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "graded 30 submissions" in captured.err and "30/30" in captured.err
    with out_csv.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 30                       # the run never stopped early
    by_file = {Path(r["file"]).name: r for r in rows}
    for e in expected:
        row = by_file[e.file]
        assert row["verdict"] == e.verdict, (e.file, row["reason"])
        assert e.reason in row["reason"], (e.file, row["reason"])
        student = safe_cell(e.student) if e.student else ""
        assert row["student"] == student, e.file
    # The figures behind the verdicts, as the instructor reads them.
    params = "goal 3 figures"
    assert by_file["over_3.json"][params] == "12,778 trainable parameters (limit 5,000)"
    assert by_file["over_3.json"]["goal 3: At most 5,000 trainable parameters"] == "unmet"
    assert by_file["correct_0.json"]["goal 3: At most 5,000 trainable parameters"] == "met"
    assert by_file["huge_1.json"][params] == "97,000,000,362 trainable parameters (limit 5,000)"
    assert by_file["invalid_unwired.json"]["goal 1: The network has no errors"] == "unmet"
    assert "'out'" in by_file["invalid_unwired.json"]["goal 1 figures"]
    # Training goals stay pending without retraining; nothing was read from the files.
    assert {r["goal 5 figures"] for r in rows if r["verdict"] == "graded"} == {
        "needs a training run with the assignment's budget"}
    assert all(r["val_accuracy"] == "" for r in rows)
    # Hostile strings: inert in the CSV, escaped in the HTML.
    assert by_file["hostile_formula.json"]["student"] == "'" + FORMULA
    page = out_html.read_text(encoding="utf-8")
    assert SCRIPT not in page and html.escape(SCRIPT) in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert page.count('<tr class="') == 30
    assert page.count('<tr class="refused">') == 5 and page.count('<tr class="tampered">') == 5
    assert "<script" not in page.lower()
    # stdout: one line per student, in input order, with no terminal escape codes
    lines = [line for line in captured.out.splitlines() if line.endswith((".json", "met")) or
             " graded " in line or " refused " in line or " tampered " in line]
    assert len(lines) == 30


def test_retrained_figures_are_measured_and_reproducible(klass) -> None:
    apath, folder, _ = klass
    a = load_assignment(apath)
    names = ["hostile_script.json", "correct_0.json", "over_3.json", "huge_1.json"]
    first = [grade_submission(a, folder / n) for n in names]
    again = [grade_submission(a, folder / n) for n in names]
    for r1, r2 in zip(first, again, strict=True):
        assert (r1.val_acc, r1.val_loss, r1.score) == (r2.val_acc, r2.val_loss, r2.score)
    ok, narrow, over, huge = first
    assert ok.goals[4].status == "met" and ok.score == ok.max_score == 6
    assert ok.goals[4].message.startswith("validation accuracy ")
    assert ok.goals[4].message.endswith("% (at least 70.0%)")
    assert narrow.goals[4].status == "unmet" and narrow.val_acc < 0.7
    assert over.goals[2].status == "unmet" and over.goals[4].status == "met"
    assert huge.goals[4].status == "unmet" and huge.val_acc is None
    assert huge.goals[4].message.startswith("too large to train within the grader's memory cap")
    assert huge.seconds < 5          # caught by the estimate, before any weight exists


def test_numbers_and_settings_in_a_submission_are_not_trusted(klass, tmp_path) -> None:
    apath, folder, _ = klass
    a = load_assignment(apath)
    p = starting_project(a)
    p.graph.set_param("hidden1", "out_features", 32)
    honest = tmp_path / "honest.json"
    save_project(make_submission(p, a, "Honest"), honest)
    p.training = {"dataset": "iris", "epochs": 500, "seed": 99, "val_fraction": 0.01,
                  "optimizer": "sgd", "lr": 10.0, "val_acc": 1.0}
    cheat = tmp_path / "cheat.json"
    save_project(make_submission(p, a, "Cheat"), cheat)
    r1, r2 = grade_submission(a, honest), grade_submission(a, cheat)
    assert r1.val_acc == r2.val_acc and r1.val_acc is not None and r1.val_acc < 1.0
    assert r1.train_seconds < 30


def test_the_hidden_seed_is_the_one_trained_with(klass, tmp_path) -> None:
    apath, folder, _ = klass
    d = digits_assignment_dict()
    d["hidden"] = {"seed": 0}
    same_public = assignment_from_dict(d)
    a = load_assignment(apath)                      # hidden seed 3
    assert same_public.fingerprint == a.fingerprint  # the hidden part is not in it
    r3 = grade_submission(a, folder / "hostile_script.json")
    r0 = grade_submission(same_public, folder / "hostile_script.json")
    assert r3.val_acc != r0.val_acc


def test_training_past_the_time_limit_counts_as_not_finished(tmp_path) -> None:
    d = digits_assignment_dict()
    d["goals"][4]["training"]["epochs"] = 50
    a = assignment_from_dict(d)
    p = starting_project(a)
    save_project(make_submission(p, a, "Slow"), tmp_path / "slow.json")
    r = grade_submission(a, tmp_path / "slow.json", GradeOptions(time_limit_s=0.05))
    assert r.verdict == "graded" and r.goals[4].status == "unmet"
    assert "training did not finish within the time limit of 0.05 s" in r.goals[4].message
    assert r.train_seconds < 10


def test_a_submission_past_the_backstop_gets_its_row_and_the_rest_go_on(klass) -> None:
    """The worker processes are killed and replaced; every submission still gets a row."""
    apath, folder, _ = klass
    text = apath.read_text(encoding="utf-8")
    paths = [folder / "correct_0.json", folder / "over_0.json"]
    # retraining (torch's import alone) always takes a spawned worker past 0.2 s; judging the
    # graph goals alone no longer does since the runtime package loads torch lazily
    rows = dict(grade_all(text, paths, jobs=1, timeout_s=0.2,
                          options=GradeOptions(train=True)))
    assert sorted(rows) == [0, 1]
    assert all("timed out: grading took longer than 0.2 s" in r.reason for r in rows.values())


def test_html_overview_links_each_retrained_students_report(klass, tmp_path, capsys) -> None:
    apath, folder, _ = klass
    out_html = tmp_path / "out" / "grades.html"
    out_html.parent.mkdir()
    code = main(["grade", str(apath), str(folder / "hostile_script.json"),
                 str(folder / "malformed_binary.json"), str(tmp_path / "missing.json"),
                 "--jobs", "0", "--html", str(out_html)])
    assert code == 0, capsys.readouterr().err
    page = out_html.read_text(encoding="utf-8")
    assert '<a href="grades_reports/001-hostile_script.html">report</a>' in page
    report = (tmp_path / "out" / "grades_reports" / "001-hostile_script.html")
    text = report.read_text(encoding="utf-8")
    assert "validation accuracy" in text and "Digits with few parameters" in text
    assert SCRIPT not in text and f"<h1>{html.escape(SCRIPT)}: MLP on digits</h1>" in text
    assert "distribution of validation accuracy" in page and "data:image/png;base64," in page
    assert "no such file" in page and "not a text file" in page
    assert "1 graded, 0 with locked parts changed, 2 refused" in page


def test_unreadable_assignment_and_unknown_dataset_are_one_message(tmp_path, capsys) -> None:
    (tmp_path / "a.json").write_text('{"format": "netbuilder-assignment", "version": 1}')
    assert main(["grade", str(tmp_path / "a.json"), str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {tmp_path / 'a.json'}: \"title\"")
    d = digits_assignment_dict()
    d["goals"][4]["training"]["dataset"] = "no_such_data"
    (tmp_path / "b.json").write_text(json.dumps(d))
    assert main(["grade", str(tmp_path / "b.json"), str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "a training goal cannot be trained" in err and "no_such_data" in err
    d["goals"][4]["training"]["dataset"] = "digits"
    (tmp_path / "c.json").write_text(json.dumps(d))
    (tmp_path / "empty").mkdir()
    assert main(["grade", str(tmp_path / "c.json"), str(tmp_path / "empty")]) == 2
    assert "no submissions found" in capsys.readouterr().err
    # The assignment kept in the submissions' folder is not graded as a submission.
    (tmp_path / "c.json").rename(tmp_path / "empty" / "c.json")
    assert main(["grade", str(tmp_path / "empty" / "c.json"), str(tmp_path / "empty")]) == 2
    assert "no submissions found" in capsys.readouterr().err


def test_csv_cells_that_look_like_formulas_stay_text() -> None:
    for text in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("Ada") == "Ada"
    from netbuilder.runtime.classroom.grade import GradeRow

    text = csv_text([GradeRow(file="a\nb.json", student="x,\"y\"\nz", reason="=2")], [])
    back = list(csv.reader(text.splitlines(keepends=True)))
    assert back[1][:4] == ["a\nb.json", "x,\"y\"\nz", "refused", "'=2"]


def test_paths_that_are_not_files_get_a_row_and_never_block(klass, tmp_path) -> None:
    import os

    apath, folder, _ = klass
    a = load_assignment(apath)
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)                       # reading it would wait for a writer forever
    device = tmp_path / "zeros.json"
    device.symlink_to("/dev/zero")        # reading it would never end
    rows = [grade_submission(a, p) for p in (fifo, device, tmp_path / "gone.json", tmp_path)]
    assert [r.reason for r in rows] == ["not a regular file", "not a regular file",
                                        "no such file", "not a regular file"]
    assert all(r.verdict == "refused" for r in rows)


def test_a_window_can_stop_a_measurement(klass) -> None:
    from netbuilder.runtime.classroom.measure import measure
    from netbuilder.runtime.control import TrainingControl
    from netbuilder.runtime.events import Epoch

    apath, _folder, _ = klass
    a = load_assignment(apath)
    control, seen = TrainingControl(), []

    def on_event(ev) -> None:
        seen.append(type(ev).__name__)
        if isinstance(ev, Epoch):
            control.stop()

    budget = a.goals[4].training
    import dataclasses

    m = measure(a.project.graph, None, dataclasses.replace(budget, epochs=5), control=control,
                on_event=on_event)
    assert not m.ok and m.failure == "training was stopped before the budget's end (1 of 5 epochs done)"
    assert "Started" in seen and "Stopped" in seen


def _killer(stop, once: bool, killed: list) -> None:
    """Kill this process's worker children as they appear (once: only the first)."""
    import multiprocessing

    while not stop.is_set():
        for child in multiprocessing.active_children():
            if child.pid not in killed and child.is_alive():
                child.kill()
                killed.append(child.pid)
                if once:
                    return
        stop.wait(0.05)


@pytest.mark.parametrize("once", [True, False])
def test_a_worker_that_dies_costs_no_submission_its_row(klass, once: bool) -> None:
    """A worker killed mid-grade (as the system does when memory runs out): its submissions
    are tried again, alone; one whose worker dies twice gets a row saying so."""
    import threading

    apath, folder, _ = klass
    paths = [folder / "correct_0.json", folder / "over_0.json"]
    stop, killed = threading.Event(), []
    thread = threading.Thread(target=_killer, args=(stop, once, killed), daemon=True)
    thread.start()
    try:
        rows = dict(grade_all(apath.read_text(encoding="utf-8"), paths, jobs=1,
                              options=GradeOptions(train=False), timeout_s=120))
    finally:
        stop.set()
        thread.join()
    assert sorted(rows) == [0, 1] and killed
    if once:
        assert [rows[i].verdict for i in (0, 1)] == ["graded", "graded"]
    else:
        assert all("the grader's process died while grading it" in r.reason
                   for r in rows.values())


def _paths_in(value, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths_in(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths_in(v, (*prefix, i))
    return out


def test_mutated_submissions_always_get_a_row(klass, tmp_path_factory) -> None:
    """Random damage to a submission (values replaced, keys dropped or added, ids copied
    between nodes) gives a row with a verdict, never an exception."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    json_values = st.recursive(
        st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                    max_size=3),
        max_leaves=8)

    apath, folder, _ = klass
    a = load_assignment(apath)
    base = json.loads((folder / "correct_0.json").read_text(encoding="utf-8"))
    out = tmp_path_factory.mktemp("fuzz") / "s.json"

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def check(data) -> None:
        d = json.loads(json.dumps(base))
        for _ in range(data.draw(st.integers(1, 3))):
            path = data.draw(st.sampled_from(_paths_in(d)[1:]))
            parent = d
            for k in path[:-1]:
                parent = parent[k]
            op = data.draw(st.sampled_from(["replace", "delete", "copy"]))
            if op == "replace":
                parent[path[-1]] = data.draw(json_values)
            elif op == "delete":
                del parent[path[-1]]
            else:
                other = data.draw(st.sampled_from(_paths_in(d)))
                v = d
                for k in other:
                    v = v[k]
                parent[path[-1]] = json.loads(json.dumps(v))
        out.write_text(json.dumps(d), encoding="utf-8")
        row = grade_submission(a, out, GradeOptions(train=False))
        assert row.verdict in ("graded", "tampered", "refused") and row.reason is not None
        assert "Traceback" not in row.reason and "please report" not in row.reason

    check()


def test_a_worker_process_measures_what_this_process_measures(klass) -> None:
    """The grader's workers and the window's Check my work run in different processes: the
    same submission must get the same figures in both."""
    apath, folder, _ = klass
    a = load_assignment(apath)
    here = grade_submission(a, folder / "hostile_script.json")
    (_, there), = list(grade_all(apath.read_text(encoding="utf-8"),
                                 [folder / "hostile_script.json"], jobs=1))
    assert there.verdict == "graded", there.reason
    assert (there.val_acc, there.val_loss, there.score) == (here.val_acc, here.val_loss, here.score)
