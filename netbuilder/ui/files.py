"""New, Open, Save, Save As, Recent, Examples, the unsaved marker and crash recovery.

``FileController`` owns the answer to "is there unsaved work?": the undo stack is not at its
clean index, or something changed outside the undo stack (training settings), or the work
came back from a recovery file. Every path that would throw work away asks first
(Save / Discard / Cancel). A file that cannot be read gives its ``ProjectFileError`` text in a
message box and leaves the current work untouched. The recovery file also names the training
run's last whole epoch (``keep_run``), so a crash during training loses neither.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from ..graph import atomic
from ..graph.document import Change, Document
from ..graph.edit_locks import EditLocks
from ..graph.errors import NetbuilderError, ProjectFileError
from ..graph.examples import example_path
from ..graph.model import UNTITLED, Graph
from ..graph.project import Project, dumps_project, load_project, loads_project, save_project
from .doc_link import DocumentLink
from .recovery import RecoveredWork, RecoveryStore
from .settings import Preferences

FILE_FILTER = "netbuilder projects (*.json);;All files (*)"
AUTOSAVE_DEBOUNCE_MS = 1000
AUTOSAVE_INTERVAL_MS = 30_000


class FileController(QObject):
    state_changed = Signal()       # file name or unsaved state changed: update the title
    project_replaced = Signal()    # New, Open, example or restore
    run_restored = Signal(object, int)   # a recovered run's checkpoint (Path) and its epoch

    def __init__(self, parent: QWidget, document: Document, undo_stack: QUndoStack,
                 prefs: Preferences, recovery: RecoveryStore | None = None) -> None:
        super().__init__(parent)
        self._window = parent
        self.document = document
        self.undo_stack = undo_stack
        self.prefs = prefs
        self.recovery = recovery
        self._dirty = False             # unsaved changes the undo stack does not know about
        self._saves = 0                 # a meta change made before a save is in that file
        self.example_name: str | None = None
        self.last_dir = str(Path.home())
        self.run_checkpoint: Path | None = None   # a training run's last whole epoch
        self.run_epoch = 0
        # Another kind of file File > Open accepts (an assignment: ui/classroom/glue.py):
        # called with (path, ask) for a file that is not a project; None when it is not one.
        self.assignment_opener = None

        undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._link = DocumentLink(self, document, self._on_document_change)
        self._debounce = QTimer(self, singleShot=True, interval=AUTOSAVE_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.autosave)
        self._periodic = QTimer(self, interval=AUTOSAVE_INTERVAL_MS)
        self._periodic.timeout.connect(self.autosave)
        if recovery is not None:
            self._periodic.start()
            # Destroyed without a normal close (the closest a test gets to a crash): the
            # recovery file stays and becomes an orphan the next window offers back.
            parent.destroyed.connect(recovery.abandon)

    # -- state ------------------------------------------------------------------------------
    def is_modified(self) -> bool:
        return self._dirty or not self.undo_stack.isClean()

    def display_name(self) -> str:
        if self.document.path is not None:
            return self.document.path.name
        return self.document.graph.name or UNTITLED

    def _on_clean_changed(self, _clean: bool) -> None:
        if not shiboken6.isValid(self.undo_stack):
            return                  # the window is being destroyed
        if not self.is_modified():
            self._refresh_recovery()
        self.state_changed.emit()

    def _on_document_change(self, change: Change) -> None:
        if change.meta and not change.reset:
            # A meta edit inside an undo command moves the stack's index right after; one
            # that leaves the index alone (training settings) is unsaved work of its own.
            index, saves = self.undo_stack.index(), self._saves
            QTimer.singleShot(0, self, lambda: self._meta_settled(index, saves))
        if self.recovery is not None:
            self._debounce.start()

    def _meta_settled(self, index: int, saves: int) -> None:
        if self.undo_stack.index() == index and not self._dirty and self._saves == saves:
            self._dirty = True
            self.state_changed.emit()

    def _mark_saved(self) -> None:
        self._saves += 1
        self._dirty = False
        self.undo_stack.setClean()
        self._refresh_recovery()
        self.state_changed.emit()

    # -- replacing the project ---------------------------------------------------------------
    def set_project(self, project: Project, path: Path | None, *, modified: bool = False,
                    example: str | None = None, locks: EditLocks | None = None) -> None:
        """Show ``project`` (``locks``: an assignment's, enforced while editing)."""
        self.undo_stack.clear()
        self.document.replace_project(project, path, locks)
        self.example_name = example
        self._dirty = modified
        self._debounce.stop()
        self.run_checkpoint, self.run_epoch = None, 0     # a run of the project replaced
        self._refresh_recovery()
        self.project_replaced.emit()
        self.state_changed.emit()

    def new(self) -> bool:
        if not self.maybe_save("starting a new network"):
            return False
        self.set_project(Project(Graph(UNTITLED)), None)
        return True

    def open_dialog(self) -> bool:
        if not self.maybe_save("opening another project"):
            return False
        path, _ = QFileDialog.getOpenFileName(self._window, "Open project", self.last_dir,
                                              FILE_FILTER)
        return self.open_path(path, ask=False) if path else False

    def open_path(self, path: str | Path, *, ask: bool = True) -> bool:
        """Open a project file; on a bad file, say why and keep the current work."""
        p = Path(path).expanduser()
        try:
            project = load_project(p)            # read first: a bad file costs no question
        except ProjectFileError as e:
            opened = self.assignment_opener(p, ask) if self.assignment_opener else None
            if opened is not None:
                return opened
            self.show_error("Cannot open project", str(e))
            if not p.exists():
                self.prefs.remove_recent(str(p.resolve()))
            return False
        if ask and not self.maybe_save("opening another project"):
            return False
        self.set_project(project, p.resolve())
        self.last_dir = str(p.resolve().parent)
        self.prefs.add_recent(str(p.resolve()))
        return True

    def open_example(self, name: str, *, ask: bool = True) -> bool:
        """Examples open as an untitled copy: Save never writes into the installed files."""
        if ask and not self.maybe_save("opening an example"):
            return False
        try:
            project = load_project(example_path(name))
        except ProjectFileError as e:
            self.show_error("Cannot open example", str(e))
            return False
        self.set_project(project, None, example=name)
        return True

    # -- saving -----------------------------------------------------------------------------
    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as_dialog()
        return self.save_to(self.document.path)

    def save_as_dialog(self) -> bool:
        suggested = str(Path(self.last_dir) / _file_stem(self.document.graph.name))
        if self.document.path is not None:
            suggested = str(self.document.path)
        path, _ = QFileDialog.getSaveFileName(self._window, "Save project as", suggested,
                                              FILE_FILTER)
        if not path:
            return False
        p = Path(path)
        if not p.suffix:
            p = p.with_suffix(".json")
        return self.save_to(p)

    def save_to(self, path: str | Path) -> bool:
        p = Path(path).expanduser().resolve()
        named = self._name_after(p)
        try:
            save_project(self.document.project, p)
        except OSError as e:
            self.show_error("Cannot save project", f"{e}. Your work is still open.")
            if named is not None:
                self.document.set_name(named)     # not saved: not named after that file
            return False
        self.document.path = p
        self.example_name = None
        self.last_dir = str(p.parent)
        self.prefs.add_recent(str(p))
        self._mark_saved()
        return True

    def _name_after(self, path: Path) -> str | None:
        """A network nobody has named takes its file's name when it is first saved
        ("mycnn.json" -> "mycnn", class Mycnn); one with a name keeps it. Returns the name it
        had, or None when it kept its name.

        Not an undo step: the name comes with the file, as the title does, and undoing an
        edit made before the save does not take it away (a later rename is one, Ctrl+Z
        brings this name back)."""
        old = self.document.graph.name
        stem = path.stem.strip()
        if (old.strip() and old.strip() != UNTITLED) or not stem or self.document.locked_reason:
            return None
        self.document.set_name(stem)
        return old

    def maybe_save(self, doing: str = "closing") -> bool:
        """True when it is fine to throw the current work away (saved, or the user said so)."""
        if not self.is_modified():
            return True
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                          f"Save the changes to “{self.display_name()}” before {doing}?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self._window)
        box.setInformativeText("Your changes are lost if you don't save them.")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        box.setObjectName("unsaved_changes_box")
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def show_error(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok,
                          self._window)
        box.setObjectName("error_box")
        # the text quotes files (names, types, values): shown as written, never as markup
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()

    # -- recent files ------------------------------------------------------------------------
    def populate_recent_menu(self, menu: QMenu) -> None:
        menu.clear()
        files = self.prefs.recent_files()
        for i, f in enumerate(files, start=1):
            label = f"&{i} {Path(f).name}" if i < 10 else f"{i} {Path(f).name}"
            action = QAction(label, menu)
            action.setToolTip(f)
            action.setStatusTip(f)
            action.triggered.connect(lambda _=False, f=f: self.open_path(f))
            menu.addAction(action)
        if not files:
            menu.addAction("No recent projects").setEnabled(False)
        menu.addSeparator()
        clear = menu.addAction("Clear Recent Projects")
        clear.setEnabled(bool(files))
        clear.triggered.connect(self.prefs.clear_recent)

    # -- recovery ---------------------------------------------------------------------------
    def autosave(self) -> None:
        """Keep a copy of unsaved work, and the training run's last whole epoch, where the
        next start can find them after a crash."""
        if self.recovery is None:
            return
        if not self.is_modified() and self.run_checkpoint is None:
            self.recovery.discard()
            return
        try:
            self.recovery.save(dumps_project(self.document.project), self.document.path,
                               self.display_name(), modified=self.is_modified(),
                               run_checkpoint=self.run_checkpoint, run_epoch=self.run_epoch)
        except OSError:
            pass   # a full or read-only disk must not interrupt editing; saving still works

    _refresh_recovery = autosave

    def keep_run(self, checkpoint: Path, epoch: int) -> None:
        """A training run finished an epoch (written to ``checkpoint``): name it in the
        recovery file, so a crash offers its weights and curves back."""
        self.run_checkpoint, self.run_epoch = Path(checkpoint), int(epoch)
        self.autosave()

    def offer_recovery(self) -> bool:
        """Ask to restore work left by a window that did not close normally."""
        if self.recovery is None:
            return False
        orphans = self.recovery.orphans()
        if not orphans:
            return False
        work, rest = orphans[0], orphans[1:]
        for other in rest:        # offered at the next start
            RecoveryStore.release(other, delete=False)
        kept = ("unsaved work was kept" if work.modified else "a training run was kept")
        if work.modified and work.run_checkpoint is not None:
            kept = "unsaved work and a training run were kept"
        box = QMessageBox(QMessageBox.Icon.Question, "Restore unsaved work?",
                          f"netbuilder did not close normally last time, and {kept}.",
                          QMessageBox.StandardButton.NoButton, self._window)
        box.setInformativeText(f"{work.describe()}.\n\nRestore it now?")
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(restore)
        box.setObjectName("recovery_box")
        box.exec()
        if box.clickedButton() is not restore:
            RecoveryStore.release(work, delete=True)
            return False
        return self._restore(work)

    def _restore(self, work: RecoveredWork) -> bool:
        try:
            project = loads_project(work.project_text)
        except NetbuilderError as e:
            RecoveryStore.release(work, delete=False)
            self.show_error("Cannot restore", f"The recovery file {work.file} is damaged: {e}")
            return False
        self.set_project(project, work.original_path, modified=work.modified)   # our own copy
        run = None
        if work.run_checkpoint is not None and self.recovery is not None:
            try:   # into this window's runs folder: the orphan's goes with its release
                run = atomic.copy_file(work.run_checkpoint,
                                       self.recovery.prepare_runs_folder() / "restored.pt")
            except OSError as e:
                self.show_error("Cannot restore the training run",
                                f"{work.run_checkpoint}: {e}. The project is restored.")
        RecoveryStore.release(work, delete=True)
        if run is not None:
            self.run_restored.emit(run, work.run_epoch)
        return True

    def close(self) -> None:
        """The window closes normally: the work is saved or discarded by the user's choice."""
        self._debounce.stop()
        self._periodic.stop()
        self._link.detach()
        if self.recovery is not None:
            self.recovery.close()


def _file_stem(name: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name.strip()).strip("_")
    return (safe.lower() or "network") + ".json"
