"""The inspector while training runs: locked, whatever it rebuilds, and never touching a
widget it has already thrown away (a RuntimeError "Internal C++ object already deleted" in a
slot is a failed test: see test_slot_exceptions.py)."""

from __future__ import annotations

import pytest
from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QWidget

pytest.importorskip("netbuilder.ui.training", reason="the training panel is not installed")


# the description and a block's inside can be edited and looked into while training runs
STAYS_ON = {"inspector_edit_description", "inspector_open_block"}


def _editors(inspector):
    """Every widget in the inspector a student could type into or press to change the
    network."""
    body = inspector._scroll.widget()
    kinds = (QLineEdit, QAbstractSpinBox, QComboBox, QAbstractButton)
    return [w for w in body.findChildren(QWidget) if isinstance(w, kinds)
            and w.isVisibleTo(body) and w.objectName() not in STAYS_ON
            and not isinstance(w.parent(), QAbstractSpinBox)]


def test_selecting_layers_while_training_keeps_the_inspector_locked(make_window, qtbot):
    w = make_window()
    settings = dict(w.document.project.training or {})
    settings["epochs"] = 50                      # long enough to be stopped, never reached
    w.document.set_training(settings)
    w.canvas.select_node("conv1")                # the inspector builds conv1's fields...
    w.canvas.graph_scene.clearSelection()        # ...and throws them away for the totals
    assert w.inspector.node_id is None
    with qtbot.waitSignal(w.training_running_changed, timeout=60_000) as started:
        w.start_training()
    assert started.args == [True]

    inspector = w.inspector
    assert _editors(inspector), "the network view has its name and description to lock"
    assert not any(e.isEnabled() for e in _editors(inspector))
    for nid in ("conv2", "fc1", "relu1"):        # fields built while locked start locked
        w.canvas.select_node(nid)
        assert inspector.node_id == nid
        editors = _editors(inspector)
        assert editors and not any(e.isEnabled() for e in editors), nid
    inspector.show_node(None)                    # and the network view again
    assert not any(e.isEnabled() for e in _editors(inspector))
    w.canvas.select_node("conv1")

    with qtbot.waitSignal(w.training_running_changed, timeout=60_000) as ended:
        w.training.stop()
    assert ended.args == [False]
    assert all(e.isEnabled() for e in _editors(inspector))
    w.canvas.select_node("pool1")
    assert all(e.isEnabled() for e in _editors(inspector))
