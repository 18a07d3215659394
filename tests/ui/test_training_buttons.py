"""The Training panel's buttons stay where the pointer is: the same place and size before,
during, after a run, paused (Resume) and after a Stop, whatever the panel says above them;
and every one of them, the checkpoint buttons too, whole on screen at 1400x900 and 1024x768."""

from __future__ import annotations

import pytest
from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401
from PySide6.QtCore import QPoint, QRect

pytest.importorskip("netbuilder.ui.training", reason="the training panel is not installed")


def _buttons(panel):
    return {"start": panel.start_button, "continue": panel.continue_button,
            "pause": panel.pause_button, "stop": panel.stop_button,
            "save": panel.save_button, "load": panel.load_button}


def _where(w, panel) -> dict[str, QRect]:
    return {k: QRect(b.mapTo(w, QPoint(0, 0)), b.size()) for k, b in _buttons(panel).items()}


def _whole(w, panel) -> None:
    """Each button shown, at least its size hint, and nothing of it cut off by the panel,
    the dock or the window."""
    for name, b in _buttons(panel).items():
        assert b.isVisible(), name
        hint = b.sizeHint()
        assert b.width() >= hint.width() and b.height() >= hint.height(), (name, b.size(), hint)
        assert b.visibleRegion().boundingRect() == b.rect(), (name, b.visibleRegion())
        assert w.rect().contains(QRect(b.mapTo(w, QPoint(0, 0)), b.size())), name


@pytest.mark.parametrize("size", [(1400, 900), (1024, 768)])
def test_the_buttons_stay_put_and_whole_through_runs_pauses_and_stops(make_window, qtbot,
                                                                      size):
    w = make_window("perceptron", size)
    w.show_training_panel()
    panel = w.training.panel
    panel.form.epochs.setValue(3)
    qtbot.waitUntil(lambda: not panel.checking, timeout=20_000)
    before = _where(w, panel)
    _whole(w, panel)

    with qtbot.waitSignal(w.training_running_changed, timeout=60_000):       # a whole run
        w.start_training()
    assert _where(w, panel) == before
    with qtbot.waitSignal(w.training_running_changed, timeout=60_000):
        pass
    assert panel.state.phase == "finished" and panel.outcome.isVisible()     # "Done" box
    assert panel.continue_button.text() == "Continue +3 epochs"
    assert _where(w, panel) == before
    _whole(w, panel)

    panel.form.epochs.setValue(10_000)                 # a long one, paused and stopped
    qtbot.waitUntil(lambda: not panel.checking, timeout=20_000)
    assert panel.continue_button.text() == "Continue +10000 epochs"
    assert _where(w, panel) == before
    with qtbot.waitSignal(w.training_running_changed, timeout=60_000):
        w.start_training()
    qtbot.waitUntil(lambda: panel.state.epochs_run >= 1, timeout=30_000)
    assert _where(w, panel) == before
    panel.pause()
    qtbot.waitUntil(lambda: panel.state.phase == "paused", timeout=10_000)
    assert panel.pause_button.text() == "Resume"
    assert _where(w, panel) == before
    with qtbot.waitSignal(w.training_running_changed, timeout=60_000):
        panel.stop()
    assert panel.state.phase == "stopped" and "Stopped" in panel.outcome.plain_text()
    assert panel.pause_button.text() == "Pause"
    assert _where(w, panel) == before
    _whole(w, panel)
