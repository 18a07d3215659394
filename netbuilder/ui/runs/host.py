"""The Runs dock's content: a light placeholder until first shown, then the RunsPanel."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget


class RunsHost(QWidget):
    def __init__(self, document: Any, training_host: Any, undo_stack: Any,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document, self.training_host, self.undo_stack = document, training_host, undo_stack
        self.panel: Any = None
        self.stale = False
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.note = QLabel("Every training run of a saved project is kept here to compare.")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setWordWrap(True)
        self._layout.addWidget(self.note)

    def ensure_panel(self) -> Any:
        if self.panel is None:
            self.note.setText("Loading the run history…")
            self.note.repaint()
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # the plots load torch
            try:
                from .panel import RunsPanel

                self.panel = RunsPanel(self.document, self.training_host, self.undo_stack, self)
            finally:
                QApplication.restoreOverrideCursor()
            self.note.hide()
            self._layout.addWidget(self.panel)
        return self.panel

    def refresh(self, *_args: Any) -> None:
        """Re-read the history (a run ended, the project was saved elsewhere): now if the
        panel is on screen, else the next time it is shown (``show_panel``)."""
        if self.panel is None:
            return
        if self.panel.isVisible():
            self.panel.refresh()
        else:
            self.stale = True

    def show_panel(self) -> None:
        """The dock came on screen: build the panel, or bring it up to date."""
        if self.panel is None:
            self.ensure_panel()
        elif self.stale:
            self.panel.refresh()
        self.stale = False
