"""File > Import model...: an ONNX file becomes a project (and its weights) and opens.

The dialog asks for the model, then where to save the project (the weights go beside it as
PROJECT.pt, which Training's "continue" and Export read). The import runs in a worker
thread with the window showing progress in its status bar; a refusal (unsupported
operators, a mismatch with onnxruntime, a hostile file) is one message box and the open
project stays as it was.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox

ONNX_FILTER = "ONNX models (*.onnx);;All files (*)"
PROJECT_FILTER = "netbuilder project (*.json)"


class _Worker(QObject):
    """Imports and writes in a thread; reports plain strings."""

    done = Signal(str, str)       # project path, summary
    failed = Signal(str, str)     # message, every unsupported node (one per line) or ""

    def __init__(self, model: Path, project: Path) -> None:
        super().__init__()
        self.model, self.project = model, project

    def run(self) -> None:
        from ..graph.errors import NetbuilderError
        from ..importers.errors import ModelImportError
        from ..importers.onnx_import import import_onnx, write_import

        try:
            result = import_onnx(self.model)
            proj, weights = write_import(result, self.project)
        except ModelImportError as exc:
            if exc.problems:
                self.failed.emit(f"{exc.head}\n\nNo mapping for: {exc.by_type()}. Show "
                                 "Details for every node.", "\n".join(exc.problems))
            else:
                self.failed.emit(str(exc), "")
            return
        except NetbuilderError as exc:
            self.failed.emit(str(exc), "")
            return
        except OSError as exc:
            self.failed.emit(f"{exc.filename or self.project}: cannot be written "
                             f"({exc.strerror or exc}); nothing was imported", "")
            return
        except Exception as exc:  # noqa: BLE001 - an onnx/torch failure becomes a message
            self.failed.emit(f"the import failed unexpectedly ({type(exc).__name__}: "
                             f"{str(exc)[:200]}); nothing was written", "")
            return
        summary = (f"Imported {self.model.name}: {len(result.project.graph.nodes)} layers, "
                   f"{result.parameters:,} parameters, matches onnxruntime (max diff "
                   f"{result.max_abs_diff:.1g})" + (f"; weights in {weights.name}" if weights else ""))
        self.done.emit(str(proj), summary)


class ModelImporter(QObject):
    """Owns the dialogs and the worker thread for one window."""

    finished = Signal(bool)

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        self._thread: QThread | None = None
        self._worker: _Worker | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None

    def ask(self) -> bool:
        win = self._window
        if self.busy or not win.files.maybe_save("importing a model"):
            return False
        model, _ = QFileDialog.getOpenFileName(win, "Import model", win.files.last_dir,
                                               ONNX_FILTER)
        if not model:
            return False
        suggested = str(Path(model).with_suffix(".json"))
        project, _ = QFileDialog.getSaveFileName(win, "Save the imported project as",
                                                 suggested, PROJECT_FILTER)
        if not project:
            return False
        return self.start(Path(model), Path(project).with_suffix(".json"))

    def start(self, model: Path, project: Path) -> bool:
        """Import ``model`` into ``project`` in a worker thread; the result opens when done."""
        if self.busy:
            return False
        self._window.statusBar().showMessage(f"Importing {model.name} and checking it "
                                             "against onnxruntime…")
        self._thread = QThread(self)
        self._worker = _Worker(model, project)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.done.connect(self._on_done)
        self._worker.failed.connect(self._on_failed)
        self._thread.start()
        return True

    def _stop(self) -> None:
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
        self._thread, self._worker = None, None

    def _on_done(self, project: str, summary: str) -> None:
        self._stop()
        # Asks again only if the network was edited while the import ran.
        ok = self._window.files.open_path(project)
        if ok:
            self._window.statusBar().showMessage(summary, 15000)
        self.finished.emit(ok)

    def _on_failed(self, message: str, details: str) -> None:
        self._stop()
        self._window.statusBar().clearMessage()
        if details:
            box = QMessageBox(QMessageBox.Icon.Warning, "Cannot import model", message,
                              QMessageBox.StandardButton.Ok, self._window)
            box.setObjectName("error_box")
            box.setDetailedText(details)
            box.exec()
        else:
            self._window.files.show_error("Cannot import model", message)
        self.finished.emit(False)
