"""The main window: palette left, canvas centre, inspector right, Problems / Summary / Code /
Training tabs at the bottom, menus, toolbar and status bar.

The window wires views to the one ``Document`` and ``QUndoStack`` and forwards commands; it
owns no editing logic itself. Files and recovery live in ``files.py``, actions and menus in
``actions.py``, export in ``export_dialogs.py``, the training tab in ``training_host.py``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QWidget,
)

from ..graph.document import Change, Document
from ..graph.words import plural
from . import appearance
from .actions import (
    Actions,
    apply_icons,
    build_menus,
    build_toolbar,
    create_actions,
    populate_toolbar,
    show_about,
    show_shortcuts,
)
from .blocks.glue import BlockGlue
from .canvas import EditorCanvas
from .classroom.glue import ClassroomGlue
from .code_view import CodeView
from .commands import command_events
from .doc_link import DocumentLink
from .export_dialogs import ExportController, OnnxExportDialog
from .files import FileController
from .insight.host import InsightHost
from .inspector.view import Inspector
from .palette import Palette
from .problems_view import ProblemsView
from .recovery import RecoveryStore
from .report_export import ReportExporter
from .run_recovery import RunRecovery
from .runs import RunsHost
from .settings import Preferences
from .summary_view import SummaryView
from .training_host import TrainingHost
from .transfer import TransferGlue
from .tune.glue import TuneGlue

TRAINING_DOCK_HEIGHT = 320
PRESENTATION_TRAINING_SHARE = 0.4
READABLE_ZOOM = 0.65      # below this the cards' text is too small to read
LOCK_REASON = "training is running: stop it to edit"
STATE_VERSION = 1


class MainWindow(QMainWindow):
    presentation_changed = Signal(bool)
    training_running_changed = Signal(bool)

    def __init__(self, document: Document | None = None, *, prefs: Preferences | None = None,
                 recovery: RecoveryStore | None = None, persist: bool = True,
                 autosave: bool = True) -> None:
        super().__init__()
        self.setObjectName("netbuilder_main_window")
        self.document = document or Document()
        self.prefs = prefs or Preferences()
        self.persist = persist
        self.presentation = False
        self._state_before_presentation: QByteArray | None = None
        self.undo_stack = QUndoStack(self)

        self.canvas = EditorCanvas(self.document, self.undo_stack, self)
        self.setCentralWidget(self.canvas)
        self.layer_palette = Palette()      # not "palette": QWidget.palette() must keep working
        self.inspector = Inspector(self.document, self.undo_stack)
        self.problems = ProblemsView(self.document)
        self.summary = SummaryView(self.document, batch_size=self.prefs.summary_batch)
        self.code_view = CodeView(self.document)
        self.training = TrainingHost(self.document)
        self.insight = InsightHost(self.document, self.training)
        self.runs = RunsHost(self.document, self.training, self.undo_stack)
        self._build_docks()

        if recovery is None and autosave:
            recovery = RecoveryStore()
        self.files = FileController(self, self.document, self.undo_stack, self.prefs,
                                    recovery if autosave else None)
        self.exporter = ExportController(self)
        self.ui_actions: Actions = create_actions(self)
        self.block_glue = BlockGlue(self)
        self.menus = build_menus(self, self.ui_actions)
        self.report_exporter = ReportExporter(self)
        self.stats_overlay = None
        self.stats_action = QAction("Training &Statistics on the Cards", self)
        self.stats_action.setObjectName("stats_overlay_action")
        self.stats_action.setCheckable(True)
        self.stats_action.setStatusTip("While training, draw each layer's gradient norm, dead "
                                       "units, activation spread or update ratio on its card")
        self.stats_action.toggled.connect(self.show_training_statistics)
        self.menus["view"].addAction(self.stats_action)
        self.transfer = TransferGlue(self)   # Load Weights, Replace Head, Fine-tune
        self.tune = TuneGlue(self)           # Train > Search Hyper-parameters...
        self.classroom = ClassroomGlue(self)  # assignments: the Classroom menu and panel
        self.toolbar = build_toolbar(self, self.ui_actions)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        apply_icons(self.ui_actions, appearance.is_dark())
        self._build_status_bar()
        self._connect()
        self.run_recovery = RunRecovery(self)     # a crash keeps the run's last whole epoch
        self._sync_theme_actions()
        self.resize(1400, 900)
        if persist:
            self._restore_window_state()
        self.update_title()
        self._update_edit_actions()

    # -- construction ---------------------------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget,
              area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.palette_dock = self._dock("Layers", "palette_dock", self.layer_palette, left)
        self.inspector_dock = self._dock("Inspector", "inspector_dock", self.inspector, right)
        self.problems_dock = self._dock("Problems", "problems_dock", self.problems, bottom)
        self.summary_dock = self._dock("Summary", "summary_dock", self.summary, bottom)
        self.code_dock = self._dock("Code", "code_dock", self.code_view, bottom)
        self.training_dock = self._dock("Training", "training_dock", self.training, bottom)
        self.insight_dock = self._dock("Inside", "insight_dock", self.insight, bottom)
        self.runs_dock = self._dock("Runs", "runs_dock", self.runs, bottom)
        for dock in (self.summary_dock, self.code_dock, self.training_dock, self.insight_dock,
                     self.runs_dock):
            self.tabifyDockWidget(self.problems_dock, dock)
        for dock in (self.problems_dock, self.summary_dock, self.code_dock,
                     self.training_dock, self.insight_dock, self.runs_dock):
            dock.setTitleBarWidget(QWidget(dock))   # the tab already names it: save the line
        self.setTabPosition(bottom, QTabWidget.TabPosition.North)
        self.summary_dock.raise_()
        self.resizeDocks([self.palette_dock, self.inspector_dock], [220, 300],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([self.problems_dock], [250], Qt.Orientation.Vertical)

    def docks(self) -> list[QDockWidget]:
        return [self.palette_dock, self.inspector_dock, self.problems_dock, self.summary_dock,
                self.code_dock, self.training_dock, self.insight_dock, self.runs_dock]

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.training_label = QLabel()
        self.training_label.setObjectName("training_indicator")
        self.training_label.hide()
        self.validity_button = QPushButton()
        self.validity_button.setObjectName("validity_indicator")
        self.validity_button.setFlat(True)
        self.validity_button.setToolTip("Show the Problems tab")
        self.validity_button.clicked.connect(self.show_problems)
        bar.addPermanentWidget(self.training_label)
        bar.addPermanentWidget(self.validity_button)

    def _connect(self) -> None:
        self.canvas.selection_changed.connect(self._on_selection)
        self.canvas.status_message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.layer_palette.add_requested.connect(self._on_add_requested)
        self.problems.node_activated.connect(self.show_node)
        self.problems.fix_requested.connect(self.apply_fix)
        self.training.panel_created.connect(lambda p: p.fix_requested.connect(self.apply_fix))
        self.summary.node_activated.connect(self.show_node)
        self.summary.batch_changed.connect(self._on_batch_changed)
        self.problems.counts_changed.connect(self._on_counts)
        self.files.state_changed.connect(self.update_title)
        self.files.project_replaced.connect(self._on_project_replaced)
        self.undo_stack.canUndoChanged.connect(self._update_edit_actions)
        self.undo_stack.canRedoChanged.connect(self._update_edit_actions)
        self.undo_stack.undoTextChanged.connect(self._update_edit_actions)
        self.undo_stack.redoTextChanged.connect(self._update_edit_actions)
        command_events.failed.connect(self._on_command_failed)
        self.training.running_changed.connect(self.set_training_running)
        self.training_dock.visibilityChanged.connect(self._on_training_visible)
        self.insight_dock.visibilityChanged.connect(self._on_insight_visible)
        self.runs_dock.visibilityChanged.connect(self._on_runs_visible)
        self.training.panel_created.connect(lambda p: p.run_ended.connect(self.runs.refresh))
        self.files.state_changed.connect(self.runs.refresh)   # saved under another name
        self.insight.node_selected.connect(self._on_insight_node)
        self.code_dock.visibilityChanged.connect(self.code_view.set_shown)
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(self._on_system_scheme)
        self._link = DocumentLink(self, self.document, self._on_document_change)
        self._on_counts(len(self.document.analysis.errors), len(self.document.analysis.warnings))

    # -- views follow the document ----------------------------------------------------------
    @property
    def training_running(self) -> bool:
        """Training runs: read from the document's lock (the one place it is kept)."""
        return self.document.locked_reason is not None

    def _on_document_change(self, change: Change) -> None:
        if change.lock:
            self._on_lock_changed()
        elif change.meta or change.reset:
            self.update_title()

    def _on_project_replaced(self) -> None:
        self.inspector.show_node(None)
        QTimer.singleShot(0, self.show_network)

    def show_network(self) -> None:
        """The opening view: the whole network if its cards stay readable; otherwise the
        start of it (where the data enters) at a readable zoom."""
        canvas = self.canvas
        canvas.fit_all()       # presenting, fit_all itself keeps the text readable
        rect = canvas.scene().content_rect()
        if rect.isNull() or canvas.zoom_level() >= READABLE_ZOOM or self.presentation:
            return
        canvas.resetTransform()
        zoom = READABLE_ZOOM
        canvas.scale(zoom, zoom)
        half_w = canvas.viewport().width() / zoom / 2
        half_h = canvas.viewport().height() / zoom / 2
        y = rect.center().y() if rect.height() < 2 * half_h else rect.top() - 40 + half_h
        canvas.centerOn(QPointF(rect.left() - 40 + half_w, y))

    def _on_selection(self, ids: list) -> None:
        self.inspector.show_node(ids[0] if len(ids) == 1 else None)
        if len(ids) == 1:
            self.insight.select_path((*self.canvas.use_path(), ids[0]))

    def _on_insight_visible(self, visible: bool) -> None:
        if visible:
            self.training.ensure_panel()      # the weights live there
            panel = self.insight.ensure_panel()
            if panel is not None and "backprop" in panel.views:
                panel.views["backprop"].set_canvas(self.canvas)   # steps drawn on the cards

    def _on_runs_visible(self, visible: bool) -> None:
        if visible:
            self.runs.show_panel()

    def show_runs(self) -> None:
        self.runs_dock.show()
        self.runs_dock.raise_()

    def _on_insight_node(self, path) -> None:
        """A layer chosen in the insight views is selected on the canvas where it is shown."""
        ids = [p for p in path if isinstance(p, str)]
        if ids[:-1] == self.canvas.use_path() and ids[-1] in self.canvas.doc.graph.nodes:
            if self.canvas.selected_ids() != [ids[-1]]:
                self.canvas.select_node(ids[-1], center=False)

    def show_insight(self) -> None:
        self.insight_dock.show()
        self.insight_dock.raise_()

    def _on_add_requested(self, type_name: str) -> None:
        if self.training_running:
            self.statusBar().showMessage(f"Cannot add a layer: {LOCK_REASON}", 6000)
            return
        self.canvas.add_layer(type_name)

    def _on_counts(self, errors: int, warnings: int) -> None:
        a = self.document.analysis
        parts = []
        if errors:
            parts.append(f"{plural(errors, 'error')}")
        if warnings:
            parts.append(f"{plural(warnings, 'warning')}")
        self.problems_dock.setWindowTitle(f"Problems ({errors + warnings})" if parts
                                          else "Problems")
        if errors:
            text = "✗ " + ", ".join(parts)
        elif self.document.graph.nodes:
            text = f"✓ Valid · {a.total_params:,} params" + (f" · {parts[0]}" if parts else "")
        else:
            text = "Empty network: drag a layer from the left"
        self.validity_button.setText(text)

    def _on_batch_changed(self, value: int) -> None:
        if self.persist:
            self.prefs.summary_batch = value

    def _on_command_failed(self, reason: str) -> None:
        self.statusBar().showMessage(reason, 8000)

    def show_node(self, node_id: str) -> None:
        """Select a layer and centre it on the canvas (from Problems or Summary)."""
        self.canvas.go_to_root()
        self.canvas.select_node(node_id, center=True)

    def apply_fix(self, fix) -> None:
        """A Fix button's choice: one undo step (its refusal, e.g. while training, is said)."""
        from .commands import push
        from .fixes import ApplyFix

        push(self.undo_stack, ApplyFix(self.document, fix))

    def show_problems(self) -> None:
        self.problems_dock.show()
        self.problems_dock.raise_()

    # -- title -------------------------------------------------------------------------------
    def update_title(self) -> None:
        name = self.files.display_name()
        if self.files.example_name and self.document.path is None:
            name += " (example)"
        extra = " — training, editing locked" if self.training_running else ""
        self.setWindowTitle(f"{name}[*]{extra} — netbuilder")
        self.setWindowModified(self.files.is_modified())

    # -- files ------------------------------------------------------------------------------
    def new_file(self) -> bool:
        return not self._refuse_while_training() and self.files.new()

    def open_file(self) -> bool:
        return not self._refuse_while_training() and self.files.open_dialog()

    def open_path(self, path: str | Path) -> bool:
        return not self._refuse_while_training() and self.files.open_path(path)

    def open_example(self, name: str) -> bool:
        return not self._refuse_while_training() and self.files.open_example(name)

    def import_model(self) -> bool:
        if self._refuse_while_training():
            return False
        from .import_model import ModelImporter

        if getattr(self, "model_importer", None) is None:
            self.model_importer = ModelImporter(self)
        return self.model_importer.ask()

    def save_file(self) -> bool:
        return self.files.save()

    def save_file_as(self) -> bool:
        return self.files.save_as_dialog()

    def _refuse_while_training(self) -> bool:
        if self.training_running:
            self.statusBar().showMessage("Stop training before opening another network.", 6000)
        return self.training_running

    # -- edit (forwarded to the canvas) -------------------------------------------------------
    def undo(self) -> None:
        if not self.training_running:
            self.undo_stack.undo()

    def redo(self) -> None:
        if not self.training_running:
            self.undo_stack.redo()

    def copy_selection(self) -> None:
        self.canvas.copy_selection()

    def paste(self) -> None:
        self.canvas.paste()

    def duplicate_selection(self) -> None:
        self.canvas.duplicate_selection()

    def delete_selection(self) -> None:
        self.canvas.delete_selection()

    def select_all(self) -> None:
        self.canvas.select_all()

    def auto_layout(self) -> None:
        self.canvas.auto_layout()

    def fit_all(self) -> None:
        self.canvas.fit_all()

    def zoom_reset(self) -> None:
        self.canvas.zoom_reset()

    def zoom_in(self) -> None:
        self.canvas.zoom_in()

    def zoom_out(self) -> None:
        self.canvas.zoom_out()

    def focus_palette_search(self) -> None:
        self.palette_dock.show()
        self.palette_dock.raise_()
        self.layer_palette.focus_search()

    def _update_edit_actions(self, *_args) -> None:
        a = self.ui_actions
        locked = self.training_running
        a.undo.setEnabled(self.undo_stack.canUndo() and not locked)
        a.redo.setEnabled(self.undo_stack.canRedo() and not locked)
        undo_text, redo_text = self.undo_stack.undoText(), self.undo_stack.redoText()
        a.undo.setText(f"&Undo {undo_text}" if undo_text else "&Undo")
        a.redo.setText(f"&Redo {redo_text}" if redo_text else "&Redo")
        a.undo.setToolTip(f"Undo {undo_text} (Ctrl+Z)" if undo_text else "Nothing to undo")
        a.redo.setToolTip(f"Redo {redo_text} (Ctrl+Shift+Z)" if redo_text else "Nothing to redo")
        for action in (a.paste, a.duplicate, a.delete, a.auto_layout, a.new, a.open,
                       a.make_block, a.ungroup_block):
            action.setEnabled(not locked)
        self.menus["examples"].setEnabled(not locked)
        self.menus["recent"].setEnabled(not locked)

    # -- training -------------------------------------------------------------------------------
    def _on_training_visible(self, visible: bool) -> None:
        if visible:
            self.training.ensure_panel()

    def show_training_panel(self) -> None:
        self.training_dock.show()
        self.training_dock.raise_()
        self.training.ensure_panel()
        self._make_room_for_training()

    def _make_room_for_training(self) -> None:
        """Settings and plots need room: 320 px, or 40% of the window when presenting (the
        plots are what the room watches then)."""
        target = (round(self.height() * PRESENTATION_TRAINING_SHARE) if self.presentation
                  else TRAINING_DOCK_HEIGHT)
        if self.training_dock.isVisible() and self.training_dock.height() < target:
            self.resizeDocks([self.training_dock], [target], Qt.Orientation.Vertical)
            if self.presentation:
                QTimer.singleShot(0, self._show_network_settled)   # the canvas got shorter

    def start_training(self) -> None:
        self.show_training_panel()
        problem = self.training.start()
        if problem:
            self.statusBar().showMessage(f"Cannot start training: {problem}", 8000)

    def continue_training(self) -> None:
        """Train the weights held in the Training panel for its Epochs setting more."""
        self.show_training_panel()
        problem = self.training.continue_training()
        if problem:
            self.statusBar().showMessage(f"Cannot continue training: {problem}", 8000)

    def _ensure_overlay(self):
        if self.stats_overlay is None:
            from .insight.overlay import StatsOverlay

            self.stats_overlay = StatsOverlay(self.canvas, self.training, self)
        return self.stats_overlay

    def show_training_statistics(self, on: bool) -> None:
        """The canvas overlay of per-node training statistics (View menu)."""
        if self.stats_action.isChecked() != bool(on):
            self.stats_action.setChecked(bool(on))
            return
        self._ensure_overlay().set_enabled(on)

    def set_training_running(self, running: bool) -> None:
        """While training runs the network cannot change: lock the document; the canvas, the
        inspector and this window follow its lock (``_on_lock_changed``)."""
        if running:
            self._ensure_overlay()           # listens to the run's per-node statistics
        self.document.set_locked(LOCK_REASON if running else None)

    def _on_lock_changed(self) -> None:
        running = self.training_running
        self.training_label.setText("● Training — editing is locked until it stops")
        self.training_label.setVisible(running)
        if not (running and self.presentation):    # the indicator says it; room is short
            self.statusBar().showMessage(
                "Training started: editing is locked until it stops." if running
                else "Training stopped: you can edit the network again.", 6000)
        self._update_edit_actions()
        self.update_title()
        if running and self.presentation and not self.training_dock.isVisible():
            self.show_training_panel()          # the room watches the plots now
        self.training_running_changed.emit(running)

    # -- look -------------------------------------------------------------------------------------
    def set_theme(self, mode: str) -> None:
        self.prefs.theme = mode
        self._apply_theme(mode)
        self._sync_theme_actions()

    def _apply_theme(self, mode: str) -> None:
        app = QApplication.instance()
        dark = appearance.apply_theme(app, mode)
        self.code_view.set_dark(dark)
        apply_icons(self.ui_actions, dark)
        self.canvas.viewport().update()

    def _on_system_scheme(self, *_args) -> None:
        if self.prefs.theme == "system":
            self._apply_theme("system")

    def _sync_theme_actions(self) -> None:
        mode = self.prefs.theme
        self.ui_actions.theme_system.setChecked(mode == "system")
        self.ui_actions.theme_light.setChecked(mode == "light")
        self.ui_actions.theme_dark.setChecked(mode == "dark")

    def set_presentation(self, on: bool) -> None:
        """Big fonts and thick lines; only the canvas stays visible, and the training plots
        once training starts. The canvas keeps its text readable at 1024x768
        (``EditorCanvas.fit_all``: fewer cards a row, never zoomed out below 14 px text)."""
        on = bool(on)
        self.ui_actions.presentation.setChecked(on)
        if on == self.presentation:
            return
        self.presentation = on
        if on:
            self._state_before_presentation = self.saveState(STATE_VERSION)
        appearance.apply_base_font(QApplication.instance(), on)
        from .theme import Theme

        Theme.set_presentation(on)
        self.canvas.set_presentation(on)
        self.training.set_presentation(on)
        populate_toolbar(self.toolbar, self.ui_actions, on)
        self.ui_actions.presentation.setIconText("Exit Presentation" if on else "Present")
        if on:
            for dock in (self.palette_dock, self.inspector_dock, self.problems_dock,
                         self.summary_dock, self.code_dock, self.insight_dock, self.runs_dock):
                dock.hide()
            # the canvas gets the whole height until training starts (set_training_running
            # brings the plots back, at 40% of the height)
            if self.training_running:
                self.training_dock.show()
                self.training_dock.raise_()
                QTimer.singleShot(0, self._make_room_for_training)   # after the fonts grew
            else:
                self.training_dock.hide()
        elif self._state_before_presentation is not None:
            self.restoreState(self._state_before_presentation, STATE_VERSION)
            self._state_before_presentation = None
        if self.persist:
            self.prefs.presentation = on
        self.presentation_changed.emit(on)
        QTimer.singleShot(0, self._show_network_settled)

    def _show_network_settled(self) -> None:
        """Fit once the docks that went or came have given the canvas its new size."""
        self.layout().activate()
        self.show_network()

    # -- export and help (export_dialogs.ExportController, actions.show_*) --------------------
    def export_onnx(self) -> None:
        self.exporter.onnx()

    def export_onnx_to(self, path: str | Path, weights=None) -> OnnxExportDialog:
        return self.exporter.onnx_to(path, weights)

    def export_python_to(self, path: str | Path) -> bool:
        return self.exporter.python_to(path)

    def open_run(self) -> None:
        """File > Open Run...: a run folder of the training script (ui/open_run.py)."""
        from .open_run import ask_run

        ask_run(self)

    def export_png(self) -> None:
        self.exporter.diagram("png")

    def export_svg(self) -> None:
        self.exporter.diagram("svg")

    def export_report(self) -> None:
        self.report_exporter.ask()

    def show_shortcuts(self) -> None:
        show_shortcuts(self, self.ui_actions)

    def show_about(self) -> None:
        show_about(self)

    # -- window state ------------------------------------------------------------------------------
    def _restore_window_state(self) -> None:
        geometry, state = self.prefs.window_state()
        if geometry:
            self.restoreGeometry(geometry)
        if state:
            self.restoreState(state, STATE_VERSION)
        if self.prefs.presentation:
            self.set_presentation(True)

    def _save_window_state(self) -> None:
        state = self._state_before_presentation if self.presentation else None
        self.prefs.set_window_state(self.saveGeometry(), state or self.saveState(STATE_VERSION))
        self.prefs.sync()

    def screenshot(self, path: str | Path) -> bool:
        return self.grab().save(str(path))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.training_running:
            answer = QMessageBox.question(self, "Training is running",
                                          "Training is still running. Stop it and close?")
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        if not self.files.maybe_save("closing"):
            event.ignore()
            return
        self.training.shutdown()
        self.tune.shutdown()
        self.classroom.session.stop_check()
        self.exporter.wait()
        self.report_exporter.wait()
        if self.persist:
            self._save_window_state()
        if self.presentation:       # the font is application-wide: leave it as it was
            appearance.apply_base_font(QApplication.instance(), False)
        self.files.close()
        for view in (self.problems, self.summary, self.code_view):
            view.detach()
        self._link.detach()
        event.accept()
