"""The Training panel as a student uses it: real widgets, real training on small real data.

Runs train tiny networks (an MLP on the two moons, a small CNN on the 8x8 digits, LeNet-5
for a few steps), so every test sees what the panel shows for real events: curves with
points, the status line, the outcome box, buttons that enable and disable.
"""

from __future__ import annotations

import time

import torch
from PySide6.QtCore import Qt
from training_support import (  # noqa: F401 - the fixture make_panel
    chain_project,
    digits_cnn,
    make_panel_fixture,
    moons_mlp,
    run_to_end,
)

from netbuilder.ui.theme import Theme
from netbuilder.ui.training import TrainingPanel
from netbuilder.ui.training.progress import RunState, format_eta
from netbuilder.ui.training.settings_form import DEFAULTS
from netbuilder.ui.training_host import TrainingHost

LONG = 100_000     # epochs of a run that only ends when the test stops it


def start_long_run(qtbot, panel: TrainingPanel) -> None:
    panel.form.epochs.setValue(LONG)
    qtbot.waitUntil(lambda: not panel.checking, timeout=10_000)
    panel.start()
    qtbot.waitUntil(lambda: panel.plots.point_count("loss/train") >= 3, timeout=15_000)


def test_a_run_draws_both_curves_and_ends_with_the_final_figures(qtbot, make_panel):
    panel = make_panel(digits_cnn(epochs=2))
    seen: list[bool] = []
    ended: list[str] = []
    panel.running_changed.connect(seen.append)
    panel.run_ended.connect(ended.append)
    assert "Ready" in panel.problems.plain_text() and panel.start_button.isEnabled()
    run_to_end(qtbot, panel)

    assert seen == [True, False] and ended == ["finished"]
    plots = panel.plots
    assert plots.point_count("loss/train") >= 2 and plots.point_count("metric/train") >= 2
    assert plots.point_count("loss/val") == 2 and plots.point_count("metric/val") == 2
    assert max(plots.curves["metric/val"].yData) > 50          # percent, on a 0-100 axis
    # train and validation differ by more than colour: solid line vs dashed with markers
    train, val = plots.curves["loss/train"], plots.curves["loss/val"]
    assert train.opts["pen"].style() == Qt.PenStyle.SolidLine and train.opts["symbol"] is None
    assert val.opts["pen"].style() == Qt.PenStyle.DashLine and val.opts["symbol"] == "o"
    assert train.opts["pen"].widthF() <= 1                     # thin: wide pens cost 3x
    assert panel.status.text().startswith("Finished: 2 epochs · val acc ")
    assert "validation accuracy" in panel.outcome.plain_text()
    assert "best epoch" in panel.outcome.plain_text()
    assert panel.progress.value() == panel.progress.maximum()
    assert panel.save_button.isEnabled() and panel.form.isEnabled()
    weights = panel.current_weights()
    assert weights is not None and set(weights) >= {"conv1.weight", "fc.weight", "fc.bias"}


def test_the_lenet_example_opens_with_its_settings_and_checks_them(make_panel, lenet):
    saved = dict(lenet.project.training)
    panel = make_panel(lenet)
    assert saved["dataset"] == "digits28" == panel.form.dataset.currentData()
    assert "1x28x28" in panel.form.dataset.currentText()
    assert panel.form.epochs.value() == saved["epochs"]
    assert panel.form.batch_size.value() == saved["batch_size"]
    assert panel.form.lr.currentText() == f"{saved['lr']:g}"
    assert "Ready: the network fits 'digits28'" in panel.problems.plain_text()
    assert lenet.project.training == saved                    # opening writes nothing


def test_a_dataset_that_does_not_fit_is_explained_and_start_is_disabled(qtbot, make_panel,
                                                                        lenet):
    panel = make_panel(lenet)
    panel.form.set_dataset("iris")
    qtbot.waitUntil(lambda: not panel.checking, timeout=10_000)
    text = panel.problems.plain_text()
    assert "The model expects 1x28x28 but 'iris' gives 4" in text
    assert "out_features to 3" in text and "✖" in text
    assert not panel.start_button.isEnabled()
    assert panel.status.text().startswith("Cannot start: The model expects 1x28x28")
    panel.start()                                             # F5 anyway: nothing starts
    qtbot.wait(100)
    assert not panel.running
    panel.form.set_dataset("digits28")
    qtbot.waitUntil(lambda: panel.start_button.isEnabled(), timeout=10_000)


def test_a_local_csv_file_is_checked_trained_on_and_saved_with_the_project(qtbot, make_panel,
                                                                          tmp_path):
    rows = ["x1,x2,colour"] + [f"{i % 7 / 7:.3f},{i % 5 / 5:.3f},{'red' if i % 2 else 'blue'}"
                               for i in range(120)]
    path = tmp_path / "points.csv"
    path.write_text("\n".join(rows) + "\n")
    doc = moons_mlp(epochs=1)
    panel = make_panel(doc)
    panel.form.set_dataset(str(path))          # what "Open data file…" does with the choice
    assert panel.form.dataset.currentText().startswith("points.csv")
    assert doc.project.training["dataset"] == str(path)
    qtbot.waitUntil(lambda: not panel.checking, timeout=10_000)
    assert "Ready: the network fits 'points'" in panel.problems.plain_text()
    run_to_end(qtbot, panel)
    assert panel.state.phase == "finished"


def test_stop_ends_the_run_within_a_batch_and_keeps_the_weights(qtbot, make_panel, tmp_path):
    panel = make_panel(moons_mlp(batch_size=16))
    start_long_run(qtbot, panel)
    began = time.monotonic()
    panel.stop()
    assert panel.status.text().endswith("stopping after this batch…")
    qtbot.waitUntil(lambda: not panel.running, timeout=5_000)
    assert time.monotonic() - began < 3
    assert panel.status.text().startswith("Stopped after ")
    assert "Stopped" in panel.outcome.plain_text()
    weights = panel.current_weights()
    assert weights is not None
    path = tmp_path / "stopped.pt"                            # mid-epoch weights save too
    assert panel.save_checkpoint_to(path)
    assert panel.load_checkpoint_from(path)
    assert all(torch.equal(weights[k], panel.current_weights()[k]) for k in weights)


def test_pause_holds_the_run_and_resume_goes_on(qtbot, make_panel):
    panel = make_panel(moons_mlp(batch_size=16))
    start_long_run(qtbot, panel)
    panel.pause()
    qtbot.waitUntil(lambda: panel.state.phase == "paused", timeout=5_000)
    assert panel.pause_button.text() == "Resume" and panel.running
    qtbot.wait(150)                                           # the last batch is drawn
    held = panel.plots.point_count("loss/train")
    qtbot.wait(400)
    assert panel.plots.point_count("loss/train") == held     # nothing trains while paused
    assert panel.status.text().startswith("Paused in epoch ")
    panel.toggle_pause()                                      # the same button resumes
    qtbot.waitUntil(lambda: panel.plots.point_count("loss/train") > held, timeout=5_000)
    assert panel.pause_button.text() == "Pause"
    panel.stop()
    qtbot.waitUntil(lambda: not panel.running, timeout=5_000)


def test_a_loss_that_becomes_nan_is_explained_and_nothing_crashes(qtbot, make_panel, lenet):
    panel = make_panel(lenet)
    panel.form.epochs.setValue(1)
    panel.form.optimizer.setCurrentIndex(panel.form.optimizer.findData("sgd"))
    panel.form.lr.setCurrentText("1e6")
    qtbot.waitUntil(lambda: not panel.checking, timeout=10_000)
    run_to_end(qtbot, panel, timeout_ms=60_000)
    text = panel.outcome.plain_text()
    assert "Training failed: The loss became nan" in text and "learning rate" in text
    assert panel.status.text().startswith("Training failed")
    assert panel.current_weights() is None and not panel.save_button.isEnabled()
    assert panel.start_button.isEnabled()                     # fix the setting, try again


def test_settings_are_saved_with_the_project_and_only_what_differs(qtbot, make_panel, lenet):
    doc = moons_mlp()
    panel = make_panel(doc)
    panel.form.epochs.setValue(7)
    panel.form.lr.setCurrentText("0.01")
    assert doc.project.training == {"dataset": "moons", "epochs": 7, "lr": 0.01}
    panel.form.epochs.setValue(10)                            # back to the default: gone
    assert doc.project.training == {"dataset": "moons", "lr": 0.01}
    panel.form.patience.setValue(3)
    assert doc.project.training["early_stopping_patience"] == 3
    panel.form.lr.setCurrentText("fast")                      # not a number: explained
    qtbot.waitUntil(lambda: not panel.checking, timeout=10_000)
    assert "lr must be a number" in panel.problems.plain_text()
    assert doc.project.training["lr"] == 0.01                 # the file keeps a valid value

    panel2 = make_panel(lenet)                                # keys of the file stay,
    named_defaults = {k for k, v in lenet.project.training.items() if v == DEFAULTS.get(k)}
    assert named_defaults                                     # even those equal to a default
    panel2.form.batch_size.setValue(48)
    assert lenet.project.training["batch_size"] == 48
    panel2.form.batch_size.setValue(64)                       # the default, but the file had it
    assert lenet.project.training["batch_size"] == 64
    assert named_defaults <= set(lenet.project.training)


def test_checkpoint_save_and_load_round_trip(qtbot, make_panel, tmp_path):
    panel = make_panel(moons_mlp(epochs=2))
    run_to_end(qtbot, panel)
    path = tmp_path / "moons.pt"
    assert panel.save_checkpoint_to(path) and path.is_file()
    assert "Saved" in panel.outcome.plain_text()

    other = make_panel(moons_mlp())                           # the same network, reopened
    assert other.current_weights() is None
    assert other.load_checkpoint_from(path)
    assert "Export ONNX now uses these weights" in other.outcome.plain_text()
    a, b = panel.current_weights(), other.current_weights()
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)

    wider = make_panel(moons_mlp(hidden=16))                  # another network: refused
    assert not wider.load_checkpoint_from(path)
    assert "different graph" in wider.outcome.plain_text()
    assert wider.current_weights() is None


def test_regression_plots_mse_instead_of_accuracy(qtbot, make_panel):
    doc = chain_project("sine", [("input", "Input", {"shape": [1]}),
                            ("fc1", "Linear", {"out_features": 16}), ("tanh", "Tanh", {}),
                            ("fc2", "Linear", {"out_features": 1})],
                   {"dataset": "sine", "loss": "mse", "epochs": 2})
    panel = make_panel(doc)
    run_to_end(qtbot, panel)
    assert panel.plots.metric_plot.getAxis("left").labelText == "MSE"
    assert panel.plots.point_count("metric/val") == 2
    assert " · val MSE " in panel.status.text()
    assert "validation MSE" in panel.outcome.plain_text()


def test_events_reach_the_gui_in_batches_at_most_30_a_second(qtbot, make_panel):
    # one batch per epoch and many tiny epochs: hundreds of events a second to throttle
    panel = make_panel(moons_mlp(epochs=150, batch_size=1000))
    began = time.monotonic()
    run_to_end(qtbot, panel)
    seconds = time.monotonic() - began
    worker = panel._last_run.worker
    assert panel.plots.point_count("loss/val") == 150
    # the throttle's promise, whatever the machine's speed (a loaded machine runs slower
    # epochs and so has fewer events to put in each batch: "many per batch" was a timing)
    assert worker.batches <= 30 * seconds + 5                 # + Started/Finished, sent at once


def test_shutdown_stops_a_running_thread_and_unlocks(qtbot, make_panel):
    panel = make_panel(moons_mlp(batch_size=16))
    seen: list[bool] = []
    panel.running_changed.connect(seen.append)
    start_long_run(qtbot, panel)
    thread = panel._run.thread
    assert panel.shutdown(timeout_s=5)
    assert not thread.isRunning() and not panel.running and seen == [True, False]
    panel.start()                                             # a closed panel starts nothing
    assert not panel.running


def test_presentation_mode_draws_thicker_lines_and_hides_the_settings(qtbot, make_panel):
    panel = make_panel(moons_mlp())
    font_before = panel.status.font().pointSizeF()
    Theme.set_presentation(True)
    assert panel.plots.curves["loss/train"].opts["pen"].widthF() > 1
    assert panel.form.isHidden() and not panel.summary.isHidden()
    assert "Training on moons" in panel.summary.text()
    assert panel.status.font().pointSizeF() > font_before
    Theme.set_presentation(False)
    assert not panel.form.isHidden()
    assert panel.plots.curves["loss/train"].opts["pen"].widthF() == 1


def test_the_window_host_starts_the_panel_and_follows_its_runs(qtbot):
    doc = moons_mlp(epochs=2)
    host = TrainingHost(doc)
    qtbot.addWidget(host)
    states: list[bool] = []
    host.running_changed.connect(states.append)
    panel = host.ensure_panel()
    qtbot.waitUntil(lambda: not panel.checking, timeout=20_000)
    assert host.start() is None                               # F5 / Ctrl+Enter
    qtbot.waitUntil(lambda: states == [True, False], timeout=30_000)
    assert host.trained_weights() is not None
    host.shutdown()


def test_status_words():
    assert [format_eta(s) for s in (0, 12.4, 125, 3900, float("inf"))] == [
        "0 s", "12 s", "2 min 05 s", "1 h 05 min", "…"]
    state = RunState()
    assert state.status_line() == "Ready: press Start (F5) to train"


def test_a_network_too_big_for_memory_cannot_start_and_says_why(qtbot, make_panel):
    doc = chain_project("huge", [("input", "Input", {"shape": [8]}),
                                 ("fc", "Linear", {"out_features": 10**12})], {"dataset": "iris"})
    panel = make_panel(doc)
    panel.start()
    assert not panel.running
    assert panel.status.text().startswith("Cannot start: Training this network needs about")
    assert "available memory" in panel.status.text()
