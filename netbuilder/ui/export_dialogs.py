"""Export: every entry of ``codegen.exporters.EXPORTERS`` (the table the CLI iterates too):
the slow ones (ONNX) in a worker thread with progress and the verification result, the
others (PyTorch source, the training script) at once; and the diagram as PNG or SVG (drawn
by the canvas).

The ONNX export imports torch and takes seconds, so it runs on a ``QThread`` over a frozen
copy of the graph; the dialog shows each stage, then the exporter, opset and the largest
difference between ONNX Runtime and PyTorch on the same input. Errors arrive as text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from ..graph.errors import NetbuilderError
from ..graph.model import Graph


def describe_report(report: Any, path: Path) -> str:
    """One readable paragraph from the exporter's report, whatever fields it carries."""
    parts = [f"Wrote {path} ({_size(path)})."]
    exporter = getattr(report, "exporter", None)
    opset = getattr(report, "opset", None)
    if exporter or opset:
        parts.append(f"Exporter: {exporter or '?'}, opset {opset or '?'}.")
    diff = getattr(report, "max_abs_diff", None)
    if diff is not None:
        parts.append(f"Verified with ONNX Runtime against PyTorch on the same input: the largest "
                     f"difference is {diff:.3g}.")
    for name in ("fallback_reason", "note", "notes", "warnings"):
        extra = getattr(report, name, None)
        if extra:
            parts.append(str(extra) if not isinstance(extra, list | tuple)
                         else " ".join(map(str, extra)))
    return " ".join(parts)


def _size(path: Path) -> str:
    try:
        n = path.stat().st_size
    except OSError:
        return "size unknown"
    return f"{n / 1024:,.0f} KB" if n < 2**20 else f"{n / 2**20:,.1f} MB"


class OnnxWorker(QObject):
    """Runs ``export_onnx`` on a copy of the graph; lives on its own QThread."""

    progress = Signal(str)
    done = Signal(object)       # the exporter's report
    failed = Signal(str)

    def __init__(self, graph: Graph, path: Path, weights: Any = None,
                 opset: int | None = None) -> None:
        super().__init__()
        self.graph, self.path, self.weights, self.opset = graph, path, weights, opset

    @Slot()
    def run(self) -> None:
        try:
            self.progress.emit("Loading PyTorch and the ONNX exporter...")
            from ..codegen.onnx_export import export_onnx

            report = export_onnx(self.graph, self.path, weights=self.weights, opset=self.opset,
                                 progress=self._progress)
        except NetbuilderError as e:
            self.failed.emit(str(e))
        except Exception as e:  # noqa: BLE001 - a thread boundary: report, never crash the app
            self.failed.emit(f"the export stopped with an unexpected error ({type(e).__name__}: "
                             f"{e}). Please report this with the project file.")
        else:
            self.done.emit(report)

    def _progress(self, *args: Any) -> None:
        text = " ".join(str(a) for a in args if isinstance(a, str)) or " ".join(map(str, args))
        self.progress.emit(text)


class OnnxExportDialog(QDialog):
    """Shows the export's stages while it runs, then its verification result or error."""

    finished_ok = Signal(object)
    finished_error = Signal(str)

    def __init__(self, graph: Graph, path: str | Path, parent: QWidget | None = None,
                 weights: Any = None, opset: int | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export to ONNX")
        self.setObjectName("onnx_export_dialog")
        self.setMinimumWidth(520)
        self.path = Path(path)
        self.report: Any = None
        self.error: str | None = None

        self.status = QLabel(f"Exporting to {self.path.name}...")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)          # busy: the exporter gives stages, not percentages
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(200)
        self.log.setFixedHeight(110)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        self.buttons.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.bar)
        layout.addWidget(self.log)
        layout.addWidget(self.buttons)

        self.thread_ = QThread(self)
        self.worker = OnnxWorker(graph.copy(), self.path, weights, opset)
        self.worker.moveToThread(self.thread_)
        self.thread_.started.connect(self.worker.run)
        self.worker.progress.connect(self._on_progress)
        self.worker.done.connect(self._on_done)
        self.worker.failed.connect(self._on_failed)
        self.worker.done.connect(self.thread_.quit)
        self.worker.failed.connect(self.thread_.quit)

    def start(self) -> None:
        self.thread_.start()

    def running(self) -> bool:
        return self.thread_.isRunning()

    def wait(self) -> None:
        # quit() here too: the worker's own quit is queued to the GUI thread, which is the
        # one waiting, so it would never run
        self.thread_.quit()
        self.thread_.wait()

    def _on_progress(self, text: str) -> None:
        if text:
            self.log.appendPlainText(text)

    def _on_done(self, report: Any) -> None:
        self.report = report
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.status.setText("<b>✓ Exported and verified.</b><br>" + describe_report(report,
                                                                                     self.path))
        self.buttons.setEnabled(True)
        self.finished_ok.emit(report)

    def _on_failed(self, message: str) -> None:
        self.error = message
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.status.setText(f"<b>✗ The ONNX export failed.</b><br>{_escape(message)}")
        self.buttons.setEnabled(True)
        self.finished_error.emit(message)

    def reject(self) -> None:
        if self.running():
            return               # the exporter cannot be interrupted; Close waits for it
        super().reject()

    def closeEvent(self, event) -> None:
        if self.running():
            event.ignore()
            return
        super().closeEvent(event)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ExportController:
    """The File > Export commands of a main window: ask where, refuse invalid networks with
    their problems, run, and report in the status bar or a message box."""

    def __init__(self, window) -> None:
        self.window = window
        self.dialogs: list[OnnxExportDialog] = []

    def _blocked(self, what: str) -> bool:
        errors = self.window.document.analysis.errors
        if not errors:
            return False
        lines = "\n".join(f"• {d.node + ': ' if d.node else ''}{d.message}" for d in errors[:8])
        self.window.files.show_error(f"Cannot export {what}", f"The network has {len(errors)} "
                                     f"problem(s) to fix first:\n\n{lines}")
        return True

    def _ask_path(self, title: str, suffix: str, filter_: str) -> Path | None:
        files = self.window.files
        stem = Path(files.display_name()).stem or "network"
        suggested = str(Path(files.last_dir) / f"{stem}{suffix}")
        path, _ = QFileDialog.getSaveFileName(self.window, title, suggested, filter_)
        if not path:
            return None
        p = Path(path)
        return p if p.suffix else p.with_suffix(suffix)

    def _status(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 6000)

    def fill_menu(self, menu) -> None:
        """Put one action per exporter at the top of File > Export (once)."""
        if menu.property("exporters_added"):
            return
        from ..codegen.exporters import EXPORTERS

        first = menu.actions()[0] if menu.actions() else None
        for entry in EXPORTERS:
            action = QAction(entry.menu_text, menu)
            tip = entry.help[:1].upper() + entry.help[1:]
            action.setToolTip(tip)
            action.setStatusTip(tip)
            action.setData(entry.key)
            action.triggered.connect(lambda _=False, k=entry.key: self.ask(k))
            menu.insertAction(first, action)
        menu.insertSeparator(first)
        menu.setProperty("exporters_added", True)

    def ask(self, key: str) -> None:
        """File > Export > (an exporter): refuse an invalid network, ask where, write."""
        from ..codegen.exporters import exporter

        entry = exporter(key)
        what = entry.menu_text.replace("&", "").rstrip(".")
        if self._blocked(what):
            return
        path = self._ask_path(f"Export {what}", entry.suffix, entry.file_filter)
        if path is not None:
            self.export_to(key, path, weights=self.window.training.trained_weights()
                           if entry.uses_weights else None)

    def export_to(self, key: str, path: str | Path, weights: Any = None) -> Any:
        """Run one exporter: a slow one on a worker thread (returns its dialog), the others
        at once (returns True when written; a failure is a message box, nothing written)."""
        from ..codegen.exporters import ExportJob, exporter

        entry = exporter(key)
        if entry.slow:
            return self.onnx_to(path, weights)
        job = ExportJob(self.window.document.project, Path(path), weights=weights,
                        analysis=self.window.document.analysis)
        try:
            said = entry.write(job)
        except (NetbuilderError, OSError) as e:
            self.window.files.show_error(f"Cannot export {entry.menu_text.replace('&', '')}"
                                         .rstrip("."), str(e))
            return False
        self._status(said.splitlines()[0][:1].upper() + said.splitlines()[0][1:])
        return True

    def onnx(self) -> None:
        self.ask("onnx")

    def onnx_to(self, path: str | Path, weights: Any = None) -> OnnxExportDialog:
        """Start the export on a worker thread; the dialog shows progress and the result."""
        dialog = OnnxExportDialog(self.window.document.graph, path, self.window,
                                  weights=weights)
        dialog.log.appendPlainText("With the weights of the last training run." if weights
                                   is not None else "With freshly initialised weights (train "
                                   "first to export learned ones).")
        self.dialogs = [d for d in self.dialogs if d.running()] + [dialog]
        dialog.finished_ok.connect(lambda _r: self._status(f"Exported {Path(path).name}"))
        dialog.show()
        dialog.start()
        return dialog

    def python_to(self, path: str | Path) -> bool:
        return self.export_to("python", path)

    def diagram(self, kind: str) -> None:
        """The diagram as drawn on the canvas: "png" or "svg"."""
        title, filter_ = {"png": ("Save diagram as PNG", "PNG images (*.png)"),
                          "svg": ("Save diagram as SVG", "SVG drawings (*.svg)")}[kind]
        path = self._ask_path(title, f".{kind}", filter_)
        if path is not None:
            self.diagram_to(path, kind)

    def diagram_to(self, path: str | Path, kind: str) -> bool:
        canvas = self.window.canvas
        writer = canvas.export_png if kind == "png" else canvas.export_svg
        try:
            writer(str(path))
        except (NetbuilderError, OSError) as e:
            self.window.files.show_error("Cannot save the diagram", f"{path}: {e}")
            return False
        self._status(f"Wrote {path}")
        return True

    def wait(self) -> None:
        """Before the window closes: let a running export finish (it cannot be interrupted)."""
        for dialog in self.dialogs:
            if dialog.running():
                self._status("Waiting for the ONNX export to finish...")
                dialog.wait()
