"""An assignment's locks in the window: the canvas, the palette and the inspector refuse what
breaks a lock, the status bar says why, the card shows a padlock, locked fields are read-only
with the reason, and undo / redo never bring a locked layer's change back."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem

from netbuilder.graph.edit_locks import EditLocks
from netbuilder.graph.examples import example_path
from netbuilder.graph.locks import Locks
from netbuilder.graph.project import load_project


@pytest.fixture
def window(make_window):
    w = make_window(None)
    project = load_project(example_path("lenet5"))
    locks = EditLocks(Locks(nodes=("input", "fc3"), params={"fc3": ("out_features",)},
                            no_new_types=("Dropout",)), project.graph)
    w.files.set_project(project, None, locks=locks)
    return w


def _status(w) -> str:
    return w.statusBar().currentMessage()


def test_deleting_a_locked_layer_is_refused_with_the_reason(window) -> None:
    w = window
    w.canvas.select_nodes(["relu4", "fc3"])          # one locked layer in the selection
    w.delete_selection()
    assert set(w.document.graph.nodes) >= {"relu4", "fc3"}     # nothing went
    assert _status(w) == "'fc3' is locked by the assignment: it cannot be deleted or replaced"
    assert w.undo_stack.count() == 0                 # a refused edit leaves nothing to undo
    w.canvas.select_nodes(["relu4"])
    w.delete_selection()
    assert "relu4" not in w.document.graph.nodes


def test_a_forbidden_layer_type_cannot_be_added(window) -> None:
    w = window
    w.canvas.select_node("fc1")
    assert w.canvas.add_layer("Dropout") is None
    assert not any(n.type == "Dropout" for n in w.document.graph.nodes.values())
    assert _status(w) == "The assignment allows no new Dropout layers"
    assert w.canvas.add_layer("BatchNorm1d") is not None      # other types are free


def test_locked_parameter_is_read_only_in_the_inspector_with_the_reason(window) -> None:
    w = window
    w.canvas.select_node("fc3")
    field = w.inspector.fields["out_features"]
    reason = "out_features of 'fc3' is locked by the assignment: keep the value it was given (10)"
    assert not field.isEnabled() and field.toolTip() == reason
    assert w.inspector.fields["bias"].isEnabled()              # the rest stays editable
    # what an inspector edit does, pushed anyway: refused, the reason on the field and bar
    w.inspector._on_param_edited("out_features", 12)
    assert w.document.graph.nodes["fc3"].params["out_features"] == 10
    assert _status(w) == reason
    assert w.undo_stack.count() == 0


def test_the_locked_card_shows_a_padlock_and_says_why(window) -> None:
    w = window
    cards = w.canvas.graph_scene.nodes
    assert cards["fc3"].view.locked and cards["input"].view.locked
    assert not cards["fc1"].view.locked
    assert "Locked by the assignment: it cannot be deleted and out_features cannot be changed" \
        in cards["fc3"].view.tooltip
    # the padlock is drawn in the header, at its right end: those pixels differ
    card = cards["fc3"]
    with_lock = _render_header_end(card)
    card.set_view(replace(card.view, locked=False))
    assert _render_header_end(card) != with_lock


def _render_header_end(card) -> bytes:
    rect = card.card_rect()
    img = QImage(int(rect.width()), int(card.header_h()), QImage.Format.Format_ARGB32)
    img.fill(0)
    painter = QPainter(img)
    card.paint(painter, QStyleOptionGraphicsItem(), None)
    painter.end()
    end = img.copy(int(rect.width()) - 40, 0, 40, int(card.header_h()))
    return bytes(end.constBits())


def test_undo_and_redo_never_bring_a_locked_change_back(window) -> None:
    w = window
    doc = w.document
    w.canvas.select_nodes(["relu4"])
    w.delete_selection()                              # allowed: one step
    w.inspector.show_node("fc1")
    w.inspector._on_param_edited("out_features", 64)  # allowed: another
    w.canvas.select_nodes(["fc3"])
    w.delete_selection()                              # refused
    w.inspector.show_node("fc3")
    w.inspector._on_param_edited("out_features", 7)   # refused
    assert w.undo_stack.count() == 2
    for _ in range(3):
        w.undo()
    assert "relu4" in doc.graph.nodes and "out_features" in doc.graph.nodes["fc1"].params
    assert doc.graph.nodes["fc1"].params["out_features"] == 120
    for _ in range(3):
        w.redo()
    assert "relu4" not in doc.graph.nodes and doc.graph.nodes["fc1"].params["out_features"] == 64
    assert "fc3" in doc.graph.nodes and doc.graph.nodes["fc3"].params["out_features"] == 10
    assert doc.edit_locks is not None and doc.edit_locks.problems(doc.graph) == []


def test_opening_a_plain_project_lifts_the_locks(window) -> None:
    w = window
    w.files.open_example("lenet5", ask=False)
    assert w.document.edit_locks is None
    assert not w.canvas.graph_scene.nodes["fc3"].view.locked
    w.canvas.select_nodes(["fc3"])
    w.delete_selection()
    assert "fc3" not in w.document.graph.nodes


# -- any sequence of edits, undos and redos keeps every lock -----------------------------------

_TYPES = ("Dropout", "ReLU", "BatchNorm1d")
_PARAMS = (("fc3", "out_features"), ("fc1", "out_features"), ("conv1", "kernel_size"),
           ("fc3", "bias"))


@st.composite
def _steps(draw):
    kind = draw(st.sampled_from(["delete", "param", "add", "undo", "redo"]))
    if kind == "delete":
        return ("delete", draw(st.sampled_from(
            ["input", "conv1", "relu1", "fc1", "relu4", "fc3", "flatten"])))
    if kind == "param":
        node, name = draw(st.sampled_from(_PARAMS))
        value = draw(st.booleans()) if name == "bias" else draw(st.integers(1, 12))
        return ("param", node, name, value)
    if kind == "add":
        return ("add", draw(st.sampled_from(_TYPES)))
    return (kind,)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(_steps(), max_size=25))
def test_no_sequence_of_edits_undos_and_redos_breaks_a_lock(undo_stack, steps) -> None:
    from netbuilder.graph.document import Document
    from netbuilder.graph.project import fingerprint
    from netbuilder.ui.commands import AddNode, RemoveNodes, SetParam, push

    project = load_project(example_path("lenet5"))
    locks = EditLocks(Locks(nodes=("input", "fc3"),
                            params={"fc3": ("out_features",), "conv1": ("kernel_size",)},
                            no_new_types=("Dropout",)), project.graph)
    doc = Document()
    doc.replace_project(project, None, locks)
    undo_stack.clear()
    start = fingerprint(doc.graph)
    for step in steps:
        if step[0] == "delete" and step[1] in doc.graph.nodes:
            push(undo_stack, RemoveNodes(doc, [step[1]]))
        elif step[0] == "param" and step[1] in doc.graph.nodes:
            push(undo_stack, SetParam(doc, step[1], step[2], step[3]))
        elif step[0] == "add":
            push(undo_stack, AddNode(doc, step[1], (0.0, 0.0)))
        elif step[0] == "undo":
            undo_stack.undo()
        elif step[0] == "redo":
            undo_stack.redo()
        assert locks.problems(doc.graph) == [], step
    while undo_stack.canUndo():
        undo_stack.undo()
    assert fingerprint(doc.graph) == start
