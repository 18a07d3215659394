"""The project's description in the inspector: an example explains itself when it opens,
and a student or instructor can write one for their own network (saved, undoable)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.document import Document
from netbuilder.graph.project import Project, load_project, save_project
from netbuilder.ui.inspector.description import EMPTY
from netbuilder.ui.inspector.view import Inspector


def make(qtbot, doc, stack) -> Inspector:
    insp = Inspector(doc, stack)
    qtbot.addWidget(insp)
    insp.resize(340, 700)
    insp.show()
    return insp


def edit_through_dialog(qtbot, insp: Inspector, text: str | None) -> None:
    """Press "Edit description…", type ``text`` and press OK (None: Cancel)."""
    qtbot.mouseClick(insp.description.button, Qt.MouseButton.LeftButton)
    (dialog,) = [d for d in insp.findChildren(QDialog, "description_dialog") if d.isVisible()]
    if text is None:
        dialog.reject()
    else:
        dialog.editor.setPlainText(text)
        dialog.accept()


def test_an_example_shows_its_description_when_nothing_is_selected(qtbot, lenet, undo_stack):
    insp = make(qtbot, lenet, undo_stack)
    shown = insp.description.label.text()
    assert shown.startswith("LeNet-5 (LeCun et al., 1998)")
    assert shown == lenet.project.description
    insp.show_node("conv1")
    assert insp.description is None        # a layer's settings replace the network view
    insp.show_node(None)
    assert insp.description.label.text() == shown


def test_writing_a_description_is_one_undo_step_and_is_saved(qtbot, undo_stack, tmp_path):
    b = GraphBuilder("mine")
    b.layer("Linear", b.input((4,)), id="fc", out_features=3)
    doc = Document(Project(b.graph))
    insp = make(qtbot, doc, undo_stack)
    assert insp.description.label.text() == EMPTY and insp.description.text() == ""

    edit_through_dialog(qtbot, insp, "  Iris in one layer: the simplest classifier.\n")
    assert insp.description.label.text() == "Iris in one layer: the simplest classifier."
    assert undo_stack.count() == 1 and undo_stack.undoText() == "Edit description"
    path = tmp_path / "mine.json"
    save_project(doc.project, path)
    assert load_project(path).description == "Iris in one layer: the simplest classifier."

    undo_stack.undo()
    assert insp.description.label.text() == EMPTY and doc.project.description == ""
    undo_stack.redo()
    assert insp.description.text() == "Iris in one layer: the simplest classifier."


def test_cancel_or_the_same_text_adds_no_undo_step(qtbot, lenet, undo_stack):
    insp = make(qtbot, lenet, undo_stack)
    before = lenet.project.description
    edit_through_dialog(qtbot, insp, None)
    edit_through_dialog(qtbot, insp, before + "\n")
    assert undo_stack.count() == 0 and lenet.project.description == before


def test_the_description_can_be_edited_while_training_runs(qtbot, lenet, undo_stack):
    """It does not change the network, so the lock that freezes layers leaves it alone."""
    insp = make(qtbot, lenet, undo_stack)
    lenet.set_locked("training is running; stop it to edit")
    edit_through_dialog(qtbot, insp, "Notes taken during the lecture.")
    assert lenet.project.description == "Notes taken during the lecture."
