"""The Training tab's content: the TrainingPanel when it is installed, a short note otherwise.

The panel (``netbuilder.ui.training.TrainingPanel``) imports the training runtime, which is not
small, so it is built the first time the tab is shown or training is started, never at
start-up (``prewarm`` loads torch in the background once the window is up). Its ``running_changed(bool)`` is forwarded: the window locks editing while it runs.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from ..graph.document import Document

PANEL_MODULE = "netbuilder.ui.training"


def prewarm() -> threading.Thread | None:
    """Import torch on a background thread once the window is up, so the first F5 does not
    freeze the window for the seconds torch takes to load. Only pure-Python/torch modules are
    imported there, never Qt ones."""
    if not panel_available() or "torch" in sys.modules:
        return None

    def load() -> None:
        try:
            importlib.import_module("torch")
        except ImportError:
            pass            # the panel will say so when it is opened

    thread = threading.Thread(target=load, name="netbuilder-prewarm-torch", daemon=True)
    thread.start()
    return thread


def panel_available() -> bool:
    try:
        return importlib.util.find_spec(PANEL_MODULE) is not None
    except (ImportError, ValueError):
        return False


class TrainingHost(QWidget):
    running_changed = Signal(bool)
    panel_created = Signal(object)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.panel: QWidget | None = None
        self.running = False
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.note = QLabel()
        self.note.setObjectName("training_placeholder")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setWordWrap(True)
        if panel_available():
            self.note.setText("Preparing the training panel...")
        else:
            self.note.setText("Training is not available in this build: the training panel "
                              "(netbuilder.ui.training) is not installed. You can still "
                              "train from a terminal: netbuilder train PROJECT")
        self._layout.addWidget(self.note)

    def ensure_panel(self) -> QWidget | None:
        """Build the panel on first use; None (and an explanation on screen) if it cannot be."""
        if self.panel is not None or not panel_available():
            return self.panel
        self.note.setText("Loading PyTorch for training (a few seconds the first time)...")
        self.note.repaint()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            from .training import TrainingPanel

            self.panel = TrainingPanel(self.document, self)
        except ImportError as e:
            self.note.setText(f"The training panel could not be loaded: {e}")
            return None
        finally:
            QApplication.restoreOverrideCursor()
        signal = getattr(self.panel, "running_changed", None)
        if signal is not None:
            signal.connect(self._on_running)
        self.note.hide()
        self._layout.addWidget(self.panel)
        if self.isVisible():        # added to a shown tab: show it now; never hide it
            self.panel.show()       # (hidden explicitly, it stays hidden when the tab shows)
        self.panel_created.emit(self.panel)
        return self.panel

    def _on_running(self, running: bool) -> None:
        self.running = bool(running)
        self.running_changed.emit(self.running)

    def start(self) -> str | None:
        """Start training through the panel; returns why it cannot start, or None."""
        panel = self.ensure_panel()
        if panel is None:
            return "training is not available: the training panel is not installed"
        for name in ("start_training", "start"):
            fn = getattr(panel, name, None)
            if callable(fn):
                fn()
                return None
        return "the training panel has no start action"

    def continue_training(self) -> str | None:
        """Continue the held weights for more epochs; returns why it cannot, or None."""
        panel = self.ensure_panel()
        if panel is None:
            return "training is not available: the training panel is not installed"
        blocker = getattr(panel, "continue_blocker", None)
        reason = blocker() if callable(blocker) else "the training panel cannot continue runs"
        if reason is not None:
            return reason[:1].lower() + reason[1:].rstrip(".")
        panel.continue_training()
        return None

    def stop(self) -> None:
        if self.panel is None:
            return
        for name in ("stop_training", "stop"):
            fn = getattr(self.panel, name, None)
            if callable(fn):
                fn()
                return

    def shutdown(self) -> None:
        """Stop a run and wait for its thread before the window goes away."""
        if self.panel is None:
            return
        fn = getattr(self.panel, "shutdown", None)
        if callable(fn):
            fn()
        else:
            self.stop()

    def trained_weights(self):
        """The weights of the last run (a state_dict or checkpoint dict), or None."""
        for name in ("trained_weights", "current_weights"):
            fn = getattr(self.panel, name, None)
            if callable(fn):
                return fn()
        return None

    def set_presentation(self, on: bool) -> None:
        fn = getattr(self.panel, "set_presentation", None)
        if callable(fn):
            fn(on)
