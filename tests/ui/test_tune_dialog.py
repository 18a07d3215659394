"""Train > Search Hyper-parameters...: the form runs real (tiny) trials in the background,
the table and the plots fill as they end, and Apply best is one undo step."""

from __future__ import annotations

from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401

from netbuilder.ui.tune.dialog import TuneDialog


def _open(w) -> TuneDialog:
    w.tune.action.trigger()
    dialog = w.tune.dialog
    assert isinstance(dialog, TuneDialog) and dialog.isVisible()
    return dialog


def test_two_tiny_trials_run_in_the_background_and_apply_best_is_one_undo_step(qtbot,
                                                                             make_window):
    w = make_window("mlp_moons")
    assert w.tune.action in w.menus["train"].actions()
    d = _open(w)
    form = d.form
    assert {"lr", "batch_size", "optimizer", "weight_decay", "hidden1.out_features",
            "hidden2.out_features"} <= set(form.rows)
    assert "out.out_features" not in form.rows          # the data fixes the output's size
    form.set_vary("lr", True, 0.02, 0.2)
    form.set_vary("hidden1.out_features", True, 8, 32)
    form.trials.setValue(2)
    form.epochs.setValue(1)
    assert d.start()
    assert d.running and not d.start_button.isEnabled() and not form.isEnabled()
    qtbot.waitUntil(lambda: not d.running, timeout=60_000)
    assert d.table.rowCount() == 2 and len(d.results) == 2
    assert all(r.state == "complete" for r in d.results)
    assert d.plots.point_counts() == {"lr": 2, "hidden1.out_features": 2}
    best = d.best
    assert best is not None and d.apply_button.isEnabled()
    assert "★ best" in d.table.item(d.results.index(best), 6).text()
    assert "Best: trial" in d.status.text()

    doc = w.document
    before_lr = doc.project.training["lr"]
    before_width = doc.graph.nodes["hidden1"].params["out_features"]
    depth = w.undo_stack.count()
    assert d.apply_best() is None
    assert w.undo_stack.count() == depth + 1
    assert doc.project.training["lr"] == best.values["lr"]
    assert doc.graph.nodes["hidden1"].params["out_features"] == best.values[
        "hidden1.out_features"]
    assert doc.project.training["epochs"] == 30        # not the trials' one epoch
    panel = w.training.ensure_panel()
    assert float(panel.form.values()["lr"]) == best.values["lr"]   # the panel follows
    assert len(repr(best.values["lr"])) <= 8     # 4 significant digits, as tried
    w.undo_stack.undo()
    assert doc.project.training["lr"] == before_lr
    assert doc.graph.nodes["hidden1"].params["out_features"] == before_width
    w.undo_stack.redo()
    assert doc.graph.nodes["hidden1"].params["out_features"] == best.values[
        "hidden1.out_features"]


def test_a_bad_range_is_said_in_the_status_line_and_nothing_starts(qtbot, make_window):
    w = make_window("mlp_moons")
    d = _open(w)
    d.form.set_vary("lr", True, "fast", 0.1)
    d.form.set_vary("optimizer", True, choices="adam, sgdd")
    assert not d.start() and not d.running
    text = d.status.text()
    assert "lr" in text and "'sgd'" in text
    assert not d.apply_button.isEnabled()


def test_stop_ends_the_search_and_closing_waits_for_it(qtbot, make_window):
    w = make_window("mlp_moons")
    d = _open(w)
    d.form.trials.setValue(50)
    d.form.epochs.setValue(30)
    assert d.start()
    qtbot.waitUntil(lambda: "Trial 0" in d.status.text(), timeout=60_000)
    d.stop()
    qtbot.waitUntil(lambda: not d.running, timeout=30_000)
    assert len(d.results) < 50 and "stopped" in d.status.text()
    assert d.start()
    d.close()
    assert not d.running


def test_the_runs_tab_lists_each_trial_of_a_saved_project_as_it_ends(qtbot, make_window,
                                                                     tmp_path):
    w = make_window("mlp_moons")
    assert w.files.save_to(tmp_path / "moons.json")
    w.show_runs()
    panel = w.runs.panel
    assert panel.table.rowCount() == 0
    d = _open(w)
    d.form.set_vary("lr", True, 0.02, 0.2)
    d.form.trials.setValue(2)
    d.form.epochs.setValue(1)
    assert d.start()
    qtbot.waitUntil(lambda: panel.table.rowCount() >= 1, timeout=60_000)   # while it searches
    qtbot.waitUntil(lambda: not d.running, timeout=60_000)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=10_000)
    names = sorted(panel.table.item(i, 0).text() for i in range(2))
    assert all(n.startswith("trial ") and "lr=" in n for n in names)
