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


def test_the_lock_is_the_documents_and_every_view_follows_it(make_window, qtbot):
    # one state: locking the document alone (no window call) locks the canvas, the
    # inspector's fields, Undo and the window's indicator; unlocking frees them all
    w = make_window()
    w.show()
    w.canvas.select_node("fc1")
    assert all(e.isEnabled() for e in _editors(w.inspector))
    with qtbot.waitSignal(w.training_running_changed, timeout=5_000) as locked:
        w.document.set_locked("training is running: stop it to edit")
    assert locked.args == [True] and w.training_running
    assert w.canvas.is_locked() and w.inspector.is_locked()
    assert not any(e.isEnabled() for e in _editors(w.inspector))
    assert not w.ui_actions.undo.isEnabled() and w.training_label.isVisible()
    assert w.canvas.add_layer("ReLU") is None            # refused with the reason
    with qtbot.waitSignal(w.training_running_changed, timeout=5_000) as unlocked:
        w.document.set_locked(None)
    assert unlocked.args == [False] and not w.training_running
    assert not w.canvas.is_locked() and not w.training_label.isVisible()
    assert all(e.isEnabled() for e in _editors(w.inspector))
    assert w.canvas.add_layer("ReLU") is not None


def test_a_view_that_is_gone_is_never_called_and_leaves_the_document(qtbot):
    from PySide6.QtCore import QObject

    from netbuilder.graph.document import Document
    from netbuilder.ui.doc_link import DocumentLink

    doc = Document()
    calls = []

    class View(QObject):
        def on_change(self, change):
            calls.append(change)

    view = View()
    DocumentLink(view, doc, view.on_change)
    doc.set_locked("x")
    assert len(calls) == 1 and len(doc._listeners) == 1
    view.deleteLater()
    qtbot.waitUntil(lambda: not doc._listeners, timeout=2_000)
    doc.set_locked(None)
    assert len(calls) == 1
