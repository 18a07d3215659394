"""The inspector as a student uses it: edit a setting and watch the shapes, the formula and
the canvas follow; a wrong value is explained in place; undo brings everything back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLineEdit, QSpinBox

from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.document import Document
from netbuilder.graph.project import Project
from netbuilder.ui.canvas import EditorCanvas
from netbuilder.ui.commands import SetParam
from netbuilder.ui.inspector.view import HINT, Inspector


def make(qtbot, doc, stack, node: str | None = None) -> Inspector:
    insp = Inspector(doc, stack)
    qtbot.addWidget(insp)
    insp.resize(340, 900)
    insp.show()
    insp.show_node(node)
    return insp


def wire_text(canvas: EditorCanvas, source: str, target: str) -> str:
    return next(w.text for e, w in canvas.graph_scene.wires.items()
                if (e.source, e.target) == (source, target))


def type_into(edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    QTest.keyClicks(edit, text)


def paste_into(edit: QLineEdit, text: str) -> None:
    """Replace the text with a clipboard paste (Ctrl+V), as a user pasting a value."""
    QApplication.clipboard().setText(text)
    edit.setFocus()
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def test_typing_a_kernel_size_updates_formula_and_downstream_wires(qtbot, lenet, undo_stack):
    canvas = EditorCanvas(lenet, undo_stack)
    qtbot.addWidget(canvas)
    insp = make(qtbot, lenet, undo_stack, "conv1")
    assert "H_out = floor((28 + 2*2 - 1*(5-1) - 1) / 1) + 1 = 28" in insp.formula_text()
    assert "28 + 2*2 - 1*(5-1) - 1" in insp.formula.text()
    field = insp.fields["kernel_size"]
    assert isinstance(field.editor, QLineEdit) and field.editor.text() == "5"
    type_into(field.editor, "3")
    assert lenet.graph.nodes["conv1"].params["kernel_size"] == 3
    assert "H_out = floor((28 + 2*2 - 1*(3-1) - 1) / 1) + 1 = 30" in insp.formula_text()
    assert wire_text(canvas, "conv1", "relu1") == "6x30x30"
    assert wire_text(canvas, "pool1", "conv2") == "6x15x15"
    assert "6x30x30" in insp.shapes.text()
    undo_stack.undo()
    assert lenet.graph.nodes["conv1"].params["kernel_size"] == 5
    assert field.editor.text() == "5" and wire_text(canvas, "conv1", "relu1") == "6x28x28"
    assert "1*(5-1)" in insp.formula_text()
    undo_stack.redo()
    assert field.editor.text() == "3" and wire_text(canvas, "conv1", "relu1") == "6x30x30"


def test_typing_several_digits_is_one_undo_step(qtbot, lenet, undo_stack):
    canvas = EditorCanvas(lenet, undo_stack)
    qtbot.addWidget(canvas)
    insp = make(qtbot, lenet, undo_stack, "fc1")
    box = insp.fields["out_features"].editor
    assert isinstance(box, QSpinBox) and box.minimum() == 1
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, "256")
    assert lenet.graph.nodes["fc1"].params["out_features"] == 256
    assert wire_text(canvas, "fc1", "relu3") == "256"
    assert undo_stack.count() == 1 and undo_stack.undoText() == "Change out_features of fc1"
    undo_stack.undo()
    assert lenet.graph.nodes["fc1"].params["out_features"] == 120 and box.value() == 120


def test_spin_value_changes_channels_on_the_canvas(qtbot, lenet, undo_stack):
    canvas = EditorCanvas(lenet, undo_stack)
    qtbot.addWidget(canvas)
    insp = make(qtbot, lenet, undo_stack, "conv1")
    insp.fields["out_channels"].editor.setValue(16)
    assert wire_text(canvas, "conv1", "relu1") == "16x28x28"
    assert canvas.graph_scene.nodes["conv1"].view.params_line == "16 filters, 5x5, pad 2"
    assert "Parameters: 416" in insp.cost.text()


def test_a_wrong_type_is_explained_in_place_and_the_model_is_untouched(qtbot, lenet, undo_stack):
    insp = make(qtbot, lenet, undo_stack, "conv1")
    field = insp.fields["kernel_size"]
    paste_into(field.editor, "3, 5, 7")
    assert field.has_error() and field.error_label.isVisible()
    assert "list of 2" in field.error_label.text()
    assert "border" in field.editor.styleSheet()
    assert lenet.graph.nodes["conv1"].params["kernel_size"] == 5 and undo_stack.count() == 0
    paste_into(field.editor, "abc")
    assert field.has_error() and undo_stack.count() == 0
    type_into(field.editor, "3, 5")
    assert not field.has_error() and not field.error_label.isVisible()
    assert lenet.graph.nodes["conv1"].params["kernel_size"] == (3, 5)


def test_small_floats_and_none_choices_can_be_entered(qtbot, undo_stack):
    b = GraphBuilder("bn")
    x = b.input((3, 8, 8))
    x = b.layer("BatchNorm2d", x, id="bn")
    b.layer("MaxPool2d", x, id="pool")
    doc = Document(Project(b.graph))
    insp = make(qtbot, doc, undo_stack, "bn")
    eps = insp.fields["eps"].editor
    assert isinstance(eps, QLineEdit) and eps.text() == "1e-05"
    type_into(eps, "1e-3")
    assert doc.graph.nodes["bn"].params["eps"] == 0.001
    assert isinstance(insp.fields["affine"].editor, QCheckBox)
    insp.show_node("pool")
    stride = insp.fields["stride"]
    assert stride.none_box.currentText() == "None (same as kernel_size)"
    assert not stride.editor.isVisibleTo(insp)
    stride.none_box.setCurrentIndex(1)
    stride.none_box.activated.emit(1)
    assert doc.graph.nodes["pool"].params["stride"] == 2 and stride.editor.isVisibleTo(insp)
    stride.none_box.setCurrentIndex(0)
    stride.none_box.activated.emit(0)
    assert doc.graph.nodes["pool"].params["stride"] is None


def test_choice_and_label_edits(qtbot, lenet, undo_stack):
    canvas = EditorCanvas(lenet, undo_stack)
    qtbot.addWidget(canvas)
    insp = make(qtbot, lenet, undo_stack, "conv1")
    mode = insp.fields["padding_mode"].editor
    assert isinstance(mode, QComboBox)
    mode.setCurrentText("reflect")
    mode.activated.emit(mode.currentIndex())
    assert lenet.graph.nodes["conv1"].params["padding_mode"] == "reflect"
    type_into(insp.label_edit, "edges")
    QTest.keyClick(insp.label_edit, Qt.Key.Key_Return)
    assert lenet.graph.nodes["conv1"].label == "edges"
    assert canvas.graph_scene.nodes["conv1"].view.name == "edges"
    assert undo_stack.undoText() == "Rename conv1"
    undo_stack.undo()
    assert insp.label_edit.text() == "" and canvas.graph_scene.nodes["conv1"].view.name == "conv1"


def test_header_inferred_sizes_shapes_and_cost(qtbot, lenet, undo_stack):
    insp = make(qtbot, lenet, undo_stack, "conv1")
    assert insp.title.text().startswith("Conv2d")
    assert "in_channels = 1 (from the input)" in insp.inferred.text()
    shapes = insp.shapes.text()
    assert "1x28x28" in shapes and "6x28x28" in shapes
    cost = insp.cost.text()
    assert "Parameters: 156" in cost and "MACs: 117,600" in cost and "Activation memory" in cost


def test_problems_and_warnings_are_listed_with_icons(qtbot, lenet, undo_stack):
    insp = make(qtbot, lenet, undo_stack, "conv2")
    undo_stack.push(SetParam(lenet, "conv2", "kernel_size", 20))
    lines = [insp.problems_box.itemAt(i).widget() for i in range(insp.problems_box.count())]
    message = lenet.analysis.nodes["conv2"].diagnostics[0].message
    assert lines and lines[0].text.text() == message[:1].upper() + message[1:]
    assert "dc2626" in lines[0].text.styleSheet()
    undo_stack.undo()
    # A stride that does not divide evenly: a warning, the formula still shown.
    undo_stack.push(SetParam(lenet, "conv2", "stride", 2))
    warns = [insp.warnings_box.itemAt(i).widget().text.text()
             for i in range(insp.warnings_box.count())]
    assert warns and "whole number" in warns[0]


def test_nothing_selected_shows_totals_and_a_hint(qtbot, lenet, undo_stack):
    insp = make(qtbot, lenet, undo_stack, None)
    assert insp.hint.text() == HINT
    assert "61,706" in insp.totals.text() and "Valid" in insp.totals.text()
    insp.show_node("conv1")
    undo_stack.push(SetParam(lenet, "conv1", "kernel_size", 3))
    insp.show_node(None)
    assert "61,706" not in insp.totals.text()


def test_deleting_the_shown_layer_returns_to_totals(qtbot, lenet, undo_stack):
    from netbuilder.ui.commands import RemoveNodes

    insp = make(qtbot, lenet, undo_stack, "fc1")
    undo_stack.push(RemoveNodes(lenet, ["fc1"]))
    assert insp.node_id is None and insp.hint.text() == HINT


def test_a_locked_document_keeps_the_value_and_says_why(qtbot, lenet, undo_stack):
    insp = make(qtbot, lenet, undo_stack, "fc1")
    lenet.set_locked("training is running; stop it to edit")
    box = insp.fields["out_features"].editor
    box.setValue(99)
    assert lenet.graph.nodes["fc1"].params["out_features"] == 120
    assert box.value() == 120 and "locked" in insp.fields["out_features"].error_label.text()
    assert undo_stack.count() == 0
