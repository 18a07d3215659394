"""Train > Search Hyper-parameters...: the menu entry and the one dialog it opens."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction


class TuneGlue:
    def __init__(self, win: Any) -> None:
        self.win = win
        self.dialog: Any = None
        self.action = QAction("Search &Hyper-parameters...", win)
        self.action.setObjectName("tune_action")
        tip = ("Try learning rates, batch sizes, widths, dropout... in a series of short "
               "trainings and apply the best")
        self.action.setStatusTip(tip)
        self.action.setToolTip(tip)
        self.action.triggered.connect(self.open)
        win.menus["train"].addSeparator()
        win.menus["train"].addAction(self.action)

    def history(self) -> Any:
        """The project file whose run history keeps the trials (None: not saved, or a
        shipped example)."""
        from netbuilder.runtime.commands import _keeps_history

        path = self.win.document.path
        return path if path is not None and _keeps_history(str(path)) else None

    def open(self) -> Any:
        from ..training.panel import gui_cpu_threads
        from .dialog import TuneDialog

        if self.dialog is not None and self.dialog.running:
            self.dialog.raise_()
            return self.dialog
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = TuneDialog(self.win.document, self.win.undo_stack, self.win,
                                 history=self.history(), cpu_threads=gui_cpu_threads())
        if self.dialog.history is not None:      # each trial is a run: the Runs tab shows it
            self.dialog.trial_ended.connect(self.win.runs.refresh)
        self.dialog.show()
        return self.dialog

    def shutdown(self) -> None:
        if self.dialog is not None:
            self.dialog.shutdown()
