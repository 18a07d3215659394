"""The "Inside" dock's content: a light placeholder until first shown, then the InsightPanel.

The insight views need torch; building them on first view keeps the window's start fast
(as the training tab does).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget


class InsightHost(QWidget):
    node_selected = Signal(object)

    def __init__(self, document: Any, training_host: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.training_host = training_host
        self.panel: Any = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.note = QLabel("Train the network, then look inside it here: a sample through "
                           "every layer, the confusion matrix, embeddings, the decision boundary.")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setWordWrap(True)
        self._layout.addWidget(self.note)

    def ensure_panel(self) -> Any:
        if self.panel is not None:
            return self.panel
        self.note.setText("Loading PyTorch to look inside the network…")
        self.note.repaint()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            from .panel import InsightPanel

            self.panel = InsightPanel(self.document, self.training_host, self)
        except ImportError as e:
            self.note.setText(f"The insight views could not be loaded: {e}")
            return None
        finally:
            QApplication.restoreOverrideCursor()
        self.note.hide()
        self._layout.addWidget(self.panel)
        self.panel.node_selected.connect(self.node_selected)
        return self.panel

    def select_path(self, path: Any) -> None:
        if self.panel is not None:
            self.panel.select_path(path)
