"""``RenameBlockDialog``: a new name for a block definition, checked as it is typed.

The rules are make block's (``graph.blocks.name_problem``): an identifier that is not a
built-in layer type nor another block's name. The reason shows under the box while the name
is not allowed, and the Rename button stays disabled. The dialog only collects the name; the
caller pushes the ``RenameBlock`` command.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...graph.block_defs import find_uses
from ...graph.blocks import name_problem
from ...graph.model import Graph
from ..theme import Theme, error_color


class RenameBlockDialog(QDialog):
    def __init__(self, graph: Graph, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Rename Block {name}")
        self.setObjectName("rename_block_dialog")
        self.old = name
        self.taken = set(graph.blocks) - {name}
        uses = find_uses(graph, name).describe()
        intro = QLabel(f"Rename the block <b>{name}</b>.")
        intro.setObjectName("rename_block_intro")
        follow = "every use, the palette" if uses != "not used" else "the palette"
        detail = QLabel(f"{uses[:1].upper()}{uses[1:]}. The new name shows on {follow} and "
                        "as the class name in the Code tab; layer ids stay as they are.")
        detail.setObjectName("rename_block_uses")
        detail.setWordWrap(True)
        detail.setStyleSheet("color: palette(placeholder-text);")
        self.name_edit = QLineEdit(name)
        self.name_edit.setObjectName("rename_block_name")
        self.name_edit.selectAll()
        form = QFormLayout()
        form.addRow("New name", self.name_edit)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("rename_block_problem")
        self.problem_label.setWordWrap(True)
        dark = Theme.dark_for(self.palette())
        self._error_style = f"color: {error_color(dark).name()};"
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Rename")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(detail)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._validate)
        self._validate()
        self.setMinimumWidth(460)
        self.adjustSize()      # the wrapped lines and the reason need their full height
        self.name_edit.setFocus()

    def name(self) -> str:
        return self.name_edit.text().strip()

    def problem(self) -> str | None:
        """Why the typed name cannot be used, as a sentence; None when it can."""
        problem = name_problem(self.name(), self.taken)
        return problem[:1].upper() + problem[1:] if problem else None

    def _validate(self, *_args) -> None:
        problem = self.problem()
        unchanged = problem is None and self.name() == self.old
        if unchanged:   # not wrong, just nothing to do yet: a quiet hint, not an error
            self.problem_label.setStyleSheet("color: palette(placeholder-text);")
            self.problem_label.setText("Type the new name.")
        else:
            self.problem_label.setStyleSheet(self._error_style)
            self.problem_label.setText(problem or "")
        self.problem_label.setVisible(bool(problem) or unchanged)
        self.ok_button.setEnabled(problem is None and not unchanged)

    def accept(self) -> None:
        if self.ok_button.isEnabled():
            super().accept()
