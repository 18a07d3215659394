"""The project's description in the inspector's Network view, and the dialog that edits it.

An example opens with nothing selected, so its explanation for students (what the network
is, where it comes from, what to try) is the first thing the inspector shows. "Edit
description…" opens a small dialog; OK becomes one ``SetDescription`` undo step.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

EMPTY = "No description yet. Say what this network is for, so whoever opens it knows."


class DescriptionSection(QWidget):
    """The description as wrapped, selectable text, with a button that asks to edit it."""

    edit_requested = Signal()

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 4)
        layout.setSpacing(2)
        self.label = QLabel()
        self.label.setObjectName("inspector_description")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label)
        self.button = QPushButton("Edit description…")
        self.button.setObjectName("inspector_edit_description")
        self.button.setFlat(True)
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.setStyleSheet("QPushButton { color: palette(link); text-align: left; "
                                  "padding: 0; border: none; }")
        self.button.setToolTip("Describe the network: saved with the project, undoable")
        self.button.clicked.connect(self.edit_requested)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        self.set_text(text)

    def set_text(self, text: str) -> None:
        self.label.setText(text or EMPTY)
        self.label.setStyleSheet("" if text else "color: palette(placeholder-text); font-style: italic;")

    def text(self) -> str:
        shown = self.label.text()
        return "" if shown == EMPTY else shown


class DescriptionDialog(QDialog):
    """A plain-text editor for the description; OK emits ``chosen`` with the text."""

    chosen = Signal(str)

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Describe the network")
        self.setObjectName("description_dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        hint = QLabel("What the network is, where it comes from, what to look at or try. "
                      "It is saved with the project and shown when nothing is selected.")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.editor = QPlainTextEdit(text)
        self.editor.setObjectName("description_editor")
        self.editor.setTabChangesFocus(True)
        layout.addWidget(self.editor)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(460, 260)

    def text(self) -> str:
        return self.editor.toPlainText().strip()

    def accept(self) -> None:
        self.chosen.emit(self.text())
        super().accept()
