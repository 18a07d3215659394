"""Continue in the Training panel: more epochs from the weights the panel holds.

Real runs of a small MLP on the two moons: a first run (or a loaded checkpoint), then
Continue, and what a student sees: curves that go on past the first run's epochs, a status
line that counts all epochs, weights that moved on, and a button that says why it is off.
"""

from __future__ import annotations

import torch
from PySide6.QtCore import Qt
from training_support import make_panel_fixture, moons_mlp, run_to_end  # noqa: F401

from netbuilder.runtime.checkpoint import load_checkpoint
from netbuilder.ui.commands import SetParam
from netbuilder.ui.training.progress import RunState


def press_continue(qtbot, panel) -> None:
    def click() -> None:
        qtbot.mouseClick(panel.continue_button, Qt.MouseButton.LeftButton)
    run_to_end(qtbot, panel, press=click)


def saved_history(panel, path) -> tuple[list[int], object]:
    """Save checkpoint… to ``path`` and read back what it holds: history epochs, checkpoint."""
    assert panel.save_checkpoint_to(path)
    checkpoint = load_checkpoint(path)
    return [h["epoch"] for h in checkpoint.trainer_state["history"]], checkpoint


def test_continue_trains_the_form_epochs_more_and_the_curves_go_on(qtbot, make_panel,
                                                                   undo_stack, tmp_path):
    doc = moons_mlp(epochs=2)
    panel = make_panel(doc)
    button = panel.continue_button
    assert not button.isEnabled() and "nothing has been trained yet" in button.toolTip()
    run_to_end(qtbot, panel)
    first = panel.current_weights()
    train_points = panel.plots.point_count("loss/train")
    assert button.isEnabled() and button.text() == "Continue +2 epochs"
    assert "Train 2 epochs more from these weights (epochs 3–4)" in button.toolTip()

    press_continue(qtbot, panel)

    assert panel.state.phase == "finished"
    plots = panel.plots
    assert list(plots.curves["loss/val"].xData) == [1.0, 2.0, 3.0, 4.0]
    assert plots.point_count("metric/val") == 4
    train_x = plots.curves["loss/train"].xData
    assert plots.point_count("loss/train") > train_points       # the first run's points stay
    assert train_x[0] < 1 and 2 < train_x[-1] <= 4 and all(train_x[1:] >= train_x[:-1])
    low, high = plots.loss_plot.viewRange()[0]
    assert low <= 0 and 4 <= high < 4.5                         # the x axis spans all 4 epochs
    assert panel.status.text().startswith("Finished: 2 more epochs (4 in all) · val acc ")
    assert "4 epochs in all (2 more just now)" in panel.outcome.plain_text()
    assert "Warning" not in panel.outcome.plain_text()          # same optimiser, constant lr
    assert panel.form.epochs.value() == 2 and doc.project.training["epochs"] == 2

    after = panel.current_weights()
    assert after.keys() == first.keys()
    assert any(not torch.equal(first[k], after[k]) for k in first)
    epochs, checkpoint = saved_history(panel, tmp_path / "four.pt")   # Save uses the new ones
    assert epochs == [1, 2, 3, 4] and checkpoint.epoch == 4
    assert all(torch.equal(checkpoint.model_state[k], after[k]) for k in after)
    assert "epochs 5–6" in button.toolTip()                      # and it can go on again

    undo_stack.push(SetParam(doc, "fc1", "out_features", 16))    # the weights no longer fit
    assert not button.isEnabled()
    assert "the network changed since these weights were trained" in button.toolTip()
    assert panel.current_weights() is None
    undo_stack.undo()                                             # back: they fit again
    assert button.isEnabled() and panel.current_weights() is not None


def test_a_loaded_checkpoint_continues_with_its_history_drawn(qtbot, make_panel, tmp_path):
    trained = make_panel(moons_mlp(epochs=2))
    run_to_end(qtbot, trained)
    path = tmp_path / "moons.pt"
    assert trained.save_checkpoint_to(path)

    panel = make_panel(moons_mlp(epochs=3))                     # the project reopened later
    assert not panel.continue_button.isEnabled()
    assert panel.load_checkpoint_from(path)
    assert "Continue trains them further" in panel.outcome.plain_text()
    assert list(panel.plots.curves["loss/val"].xData) == [1.0, 2.0]   # the file's curves
    assert panel.status.text() == "Ready: Start afresh (F5), or Continue from the loaded weights"
    assert panel.continue_button.isEnabled()
    assert "(epochs 3–5)" in panel.continue_button.toolTip()
    loaded = panel.current_weights()

    press_continue(qtbot, panel)

    plots = panel.plots
    assert list(plots.curves["loss/val"].xData) == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert list(plots.curves["loss/train"].xData[:2]) == [1.0, 2.0]   # the file's epochs
    assert panel.status.text().startswith("Finished: 3 more epochs (5 in all)")
    after = panel.current_weights()
    assert any(not torch.equal(loaded[k], after[k]) for k in loaded)
    assert saved_history(panel, tmp_path / "five.pt")[0] == [1, 2, 3, 4, 5]


def test_another_optimiser_is_warned_about_in_the_panel(qtbot, make_panel):
    panel = make_panel(moons_mlp(epochs=1))
    run_to_end(qtbot, panel)
    panel.form.optimizer.setCurrentIndex(panel.form.optimizer.findData("sgd"))
    press_continue(qtbot, panel)
    text = panel.outcome.plain_text()
    assert "⚠ Warning: The checkpoint was saved with optimizer 'adam'; 'sgd' starts with a " \
           "fresh state" in text
    assert panel.status.text().startswith("Finished: 1 more epoch (2 in all)")


def test_a_continued_run_that_fails_keeps_the_weights_it_went_on_from(qtbot, make_panel):
    panel = make_panel(moons_mlp(epochs=1))
    run_to_end(qtbot, panel)
    before = panel.current_weights()
    panel.form.optimizer.setCurrentIndex(panel.form.optimizer.findData("sgd"))
    panel.form.lr.setCurrentText("1e30")
    press_continue(qtbot, panel)
    text = panel.outcome.plain_text()
    assert "Training failed" in text and "The weights of epoch 1 you went on from are kept" in text
    kept = panel.current_weights()
    assert all(torch.equal(before[k], kept[k]) for k in before)
    assert panel.continue_button.isEnabled()
    panel.form.lr.setCurrentText("0.01")                        # a sane rate: it goes on
    qtbot.waitUntil(lambda: not panel.checking, timeout=10_000)
    press_continue(qtbot, panel)
    assert panel.state.phase == "finished"
    assert list(panel.plots.curves["loss/val"].xData) == [1.0, 2.0]   # the failed try is gone


def _pause_part_way(qtbot, panel) -> None:
    """Pause after at least one whole epoch, somewhere inside the next one."""
    qtbot.waitUntil(lambda: panel.state.epochs_run >= 1, timeout=15_000)
    while True:
        panel.pause()
        qtbot.waitUntil(lambda: panel.state.phase == "paused", timeout=5_000)
        if panel.state.step % panel.state.steps_per_epoch:
            return
        step = panel.state.step
        panel.resume()
        qtbot.waitUntil(lambda step=step: panel.state.step > step, timeout=5_000)


def test_a_stop_part_way_continues_from_the_last_whole_epoch(qtbot, make_panel, tmp_path):
    """Stop and Finish both leave Continue on: after a Stop it goes on from the end of the
    last whole epoch, the one count the status line and the outcome both give."""
    panel = make_panel(moons_mlp(batch_size=16, epochs=100_000))
    panel.start()
    qtbot.waitUntil(lambda: panel.plots.point_count("loss/train") >= 3, timeout=15_000)
    assert not panel.continue_button.isEnabled()
    assert "training is running" in panel.continue_button.toolTip()
    assert not panel.continue_note.isVisible()             # nothing to say while it runs
    _pause_part_way(qtbot, panel)
    panel.stop()
    qtbot.waitUntil(lambda: not panel.running, timeout=5_000)
    done = panel.state.epochs_done
    assert done >= 1 and panel.state.epoch == done + 1     # stopped inside the next epoch
    assert panel.status.text().startswith(f"Stopped after {done} of 100000 epochs")
    assert f"{done} epoch{'' if done == 1 else 's'} run" in panel.outcome.plain_text()
    assert panel.current_weights() is not None and panel.save_button.isEnabled()
    assert panel.continue_button.isEnabled() and not panel.continue_note.isVisible()
    assert f"from the end of epoch {done}" in panel.continue_button.toolTip()

    path = tmp_path / "stopped.pt"       # what was trained up to the Stop saves, weights only
    assert panel.save_checkpoint_to(path)
    other = make_panel(moons_mlp())
    assert other.load_checkpoint_from(path)
    assert "Weights only" in other.outcome.plain_text()
    assert not other.continue_button.isEnabled()
    assert "stopped.pt holds only weights" in other.continue_button.toolTip()
    assert other.continue_note.isVisible()                # said in view, not only on hover
    assert "stopped.pt holds only weights" in other.continue_note.text()

    panel.form.epochs.setValue(1)
    qtbot.waitUntil(lambda: not panel.checking, timeout=10_000)
    press_continue(qtbot, panel)
    assert panel.state.phase == "finished"
    assert panel.status.text().startswith(f"Finished: 1 more epoch ({done + 1} in all)")
    assert max(panel.plots.curves["loss/val"].xData) == done + 1


def test_a_stop_before_the_first_epoch_ends_says_why_continue_is_off(qtbot, make_panel):
    panel = make_panel(moons_mlp(batch_size=16, epochs=50))
    panel.start()
    panel.pause()                              # held before its first batch
    qtbot.waitUntil(lambda: panel.state.phase == "paused", timeout=15_000)
    panel.stop()
    qtbot.waitUntil(lambda: not panel.running, timeout=5_000)
    assert panel.status.text().startswith("Stopped before the first epoch ended")
    assert "0 epochs run" in panel.outcome.plain_text()
    assert not panel.continue_button.isEnabled()
    reason = "stopped before its first epoch ended"
    assert reason in panel.continue_button.toolTip()
    assert panel.continue_note.isVisible() and reason in panel.continue_note.text()
    panel.continue_training()                                    # F-key or script: explained
    assert panel.status.text().startswith("Cannot continue: the run was stopped before")
    assert not panel.running


def test_a_continued_run_counts_all_epochs_in_its_words():
    state = RunState(phase="starting", epochs=4, start_epoch=3)
    assert state.status_line() == ("Continuing after epoch 2: restoring the weights and the "
                                   "optimiser…")
    state.phase, state.epochs_run, state.metrics = "finished", 4, {"val_acc": 0.9}
    assert state.status_line().startswith("Finished: 2 more epochs (4 in all)")
    assert "4 epochs in all (2 more just now)" in state.outcome_text()[1]
    state.phase, state.epoch, state.metrics = "stopped", 3, {"epoch": 2}
    assert "2 epochs in all (none more)" in state.outcome_text()[1]
