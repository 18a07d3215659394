"""A student's assignment in the window: opening it, the live checklist, "Check my work" and
"Save submission".

``StudentSession`` opens an assignment file as an untitled project (the starting network)
with the assignment's locks on the document, shows the Assignment panel, and judges the
goals again after every edit: the graph goals from the document's own analysis, at once;
the training goals from the last "Check my work", for as long as the network (and the
training settings the budget leaves free) are the ones that were checked. Opening anything
else (New, Open, an example) closes the assignment and lifts its locks.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDockWidget, QFileDialog, QInputDialog, QLineEdit, QMessageBox

from ...graph import jsonfile
from ...graph.assignment import (
    FORMAT as ASSIGNMENT_FORMAT,
)
from ...graph.assignment import (
    Assignment,
    load_assignment,
    make_submission,
    starting_project,
)
from ...graph.document import Change
from ...graph.edit_locks import EditLocks
from ...graph.errors import AssignmentFileError
from ...graph.goals import PENDING, GoalResult, evaluate_graph_goals
from ...graph.project import fingerprint
from ..doc_link import DocumentLink
from .student_panel import AssignmentPanel

if TYPE_CHECKING:
    from .check_run import GoalCheck

ASSIGNMENT_FILTER = "netbuilder assignments (*.json);;All files (*)"
STUDENT_KEY = "classroom/student"
UI_KEY = "assignment"      # project.ui: the assignment file a student's work belongs to


def is_assignment_file(path: Path) -> bool:
    """Whether ``path`` holds an assignment (read only after it failed to open as a project)."""
    try:
        if path.stat().st_size > 64 * 2**20:
            return False
        data = jsonfile.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError, RecursionError, UnicodeDecodeError):
        return False
    return isinstance(data, dict) and data.get("format") == ASSIGNMENT_FORMAT


class StudentSession(QObject):
    changed = Signal()          # an assignment was opened or closed

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.doc = window.document
        self.assignment: Assignment | None = None
        self.path: Path | None = None
        self.student: str | None = None
        self.panel: AssignmentPanel | None = None
        self.dock: QDockWidget | None = None
        self.check: GoalCheck | None = None
        self.results: list[GoalResult] = []
        self._checked: tuple[str, list[GoalResult]] | None = None   # (what was trained, results)
        self._opening = False
        self._link = DocumentLink(self, self.doc, self._on_change)
        window.files.project_replaced.connect(self._on_project_replaced)
        window.presentation_changed.connect(self._on_presentation)

    # -- opening -------------------------------------------------------------------------------
    def open_dialog(self) -> bool:
        if not self.window.files.maybe_save("opening an assignment"):
            return False
        path, _ = QFileDialog.getOpenFileName(self.window, "Open assignment",
                                              self.window.files.last_dir, ASSIGNMENT_FILTER)
        return self.open_path(path, ask=False) if path else False

    def open_path(self, path: str | Path, *, ask: bool = True) -> bool:
        """Open an assignment file; on a bad file, say why and keep the current work."""
        p = Path(path).expanduser()
        try:
            a = load_assignment(p)
        except AssignmentFileError as e:
            self.window.files.show_error("Cannot open assignment", str(e))
            return False
        self.window.files.last_dir = str(p.resolve().parent)
        link = self.doc.project.assignment
        if self.assignment is None and link and link.get("fingerprint") == a.fingerprint:
            choice = self._ask_continue(a, link.get("student", ""))
            if choice == "continue":
                return self.resume(a, p.resolve())
            if choice == "cancel":
                return False
        if ask and not self.window.files.maybe_save("opening an assignment"):
            return False
        self.start(a, p.resolve())
        return True

    def _ask_continue(self, a: Assignment, student: str) -> str:
        """The network open now is a submission for ``a``: continue it, or start over?"""
        box = QMessageBox(QMessageBox.Icon.Question, "Continue your work?",
                          f"The network open now is {f'{student}’s' if student else 'a'} "
                          f"submission for “{a.title}”.", QMessageBox.StandardButton.Cancel,
                          self.window)
        box.setObjectName("continue_submission_box")
        box.setTextFormat(Qt.TextFormat.PlainText)     # a title or a name is never markup
        box.setInformativeText("Continue it with the assignment's checklist and locks, or "
                               "start over from the assignment's network?")
        go_on = box.addButton("Continue My Work", QMessageBox.ButtonRole.AcceptRole)
        fresh = box.addButton("Start Over", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(go_on)
        box.exec()
        clicked = box.clickedButton()
        return "continue" if clicked is go_on else "start" if clicked is fresh else "cancel"

    def resume(self, assignment: Assignment, path: Path | None = None, *,
               quiet: bool = False) -> bool:
        """Work on ``assignment`` with the network open now (the student's own work,
        opened again): its locks, panel and checklist, the name it was saved under.
        ``quiet``: a refusal goes to the status bar, not a message box."""
        locks = EditLocks.of(assignment)
        problems = locks.problems(self.doc.graph) if locks else []
        if problems:
            text = (f"It breaks the assignment's locks: {problems[0]}. Open the assignment to "
                    "start over from its network.")
            if quiet:
                self.window.statusBar().showMessage(f"Not continued as “{assignment.title}”: "
                                                    + text, 10000)
            else:
                self.window.files.show_error("Cannot continue this work", text)
            return False
        self.stop_check()
        self.doc.set_edit_locks(locks)
        link = self.doc.project.assignment or {}
        self.student = link.get("student") or self.student
        self._show(assignment, path)
        return True

    def start(self, assignment: Assignment, path: Path | None = None) -> None:
        """Work on ``assignment``: its starting network, untitled, with its locks."""
        self.stop_check()
        self._opening = True
        try:
            self.window.files.set_project(starting_project(assignment), None,
                                          locks=EditLocks.of(assignment))
        finally:
            self._opening = False
        self._show(assignment, path)

    def _show(self, assignment: Assignment, path: Path | None) -> None:
        self.assignment, self.path, self._checked = assignment, path, None
        if path is not None:     # the work remembers its assignment (saved, or recovered):
            # the file records which one, this computer's settings where it lies
            self.doc.project.ui[UI_KEY] = {"fingerprint": assignment.fingerprint}
            self.window.prefs.remember_assignment(assignment.fingerprint, str(path))
        self.window.layer_palette.set_forbidden(
            {t: f"{t}: the assignment allows no new {t} layers"
             for t in assignment.locks.no_new_types})
        panel = self._ensure_panel()
        panel.set_assignment(assignment.title, assignment.instructions)
        panel.status.setText("")
        self.refresh()
        self._make_room()
        self.changed.emit()

    def close_assignment(self) -> None:
        if self.assignment is None:
            return
        self.stop_check()
        self.assignment, self.path, self._checked, self.results = None, None, None, []
        self.window.layer_palette.set_forbidden({})
        if self.dock is not None:
            self.dock.hide()
        self.window.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.changed.emit()

    def _on_presentation(self, on: bool) -> None:
        """Presenting shows the canvas alone (the UI guide); leaving it restores the docks
        as they were, this one included."""
        if on and self.dock is not None:
            self.dock.hide()

    def _on_project_replaced(self) -> None:
        if self._opening:
            return
        self.close_assignment()
        self._reattach()

    def _reattach(self) -> None:
        """A project that was a student's work on an assignment (saved, or recovered after
        a crash) takes its assignment back, when this computer knows where that assignment
        file lies, it is still there and the same assignment (its fingerprint); otherwise
        it opens as a plain project (opening the assignment offers "Continue My Work")."""
        info = self.doc.project.ui.get(UI_KEY)
        if not isinstance(info, dict):
            return
        fp = info.get("fingerprint")
        file = self.window.prefs.assignment_file(fp) if isinstance(fp, str) else None
        if not isinstance(file, str) or not isinstance(fp, str) or not Path(file).is_file():
            return
        try:
            a = load_assignment(file)
        except AssignmentFileError:
            return
        if a.fingerprint == fp:
            self.resume(a, Path(file), quiet=True)

    def _ensure_panel(self) -> AssignmentPanel:
        if self.panel is None:
            self.panel = AssignmentPanel()
            self.panel.check_requested.connect(self.check_work)
            self.panel.stop_requested.connect(lambda: self.stop_check(wait=False))
            self.panel.save_requested.connect(self.save_submission)
            dock = QDockWidget("Assignment", self.window)
            dock.setObjectName("assignment_dock")
            dock.setWidget(self.panel)
            self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            self.window.splitDockWidget(dock, self.window.inspector_dock,
                                        Qt.Orientation.Vertical)
            self.dock = dock
        return self.panel

    def _make_room(self) -> None:
        """The assignment is what the student reads now: the right column widens, runs the
        window's whole height (beside the bottom tabs, not above them) and the panel takes
        most of it (the inspector keeps the rest)."""
        w = self.window
        self.dock.show()
        self.dock.raise_()
        if w.presentation:
            return
        w.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        w.layout().activate()
        width = max(self.dock.width(), min(380, int(w.width() * 0.34)))
        w.resizeDocks([self.dock], [width], Qt.Orientation.Horizontal)
        total = self.dock.height() + w.inspector_dock.height()
        if w.inspector_dock.isVisible() and total > 200:
            w.resizeDocks([self.dock, w.inspector_dock], [int(total * 0.62), int(total * 0.38)],
                          Qt.Orientation.Vertical)

    # -- the checklist -------------------------------------------------------------------------
    def _trained_key(self) -> str:
        """What a training check depends on: the network and the training settings."""
        return fingerprint(self.doc.graph) + json.dumps(self.doc.project.training,
                                                        sort_keys=True, default=str)

    def refresh(self) -> None:
        """Judge every goal again and show it."""
        a = self.assignment
        if a is None:
            return
        results = evaluate_graph_goals(a, self.doc.graph, analysis=self.doc.analysis)
        if any(r.goal.needs_training for r in results):
            trained = self._checked
            key = self._trained_key()
            by_goal = iter(trained[1]) if trained is not None else iter(())
            for i, r in enumerate(results):
                if not r.goal.needs_training:
                    continue
                done = next(by_goal, None)
                if self.check is not None and (trained is None or trained[0] != key):
                    results[i] = GoalResult(r.goal, PENDING, "checking now...")
                elif trained is None:
                    results[i] = GoalResult(r.goal, PENDING, "press Check my work")
                elif trained[0] != key:
                    results[i] = GoalResult(r.goal, PENDING, "changed since the last check: "
                                            "press Check my work again")
                elif done is not None:
                    results[i] = done
        self.results = results
        if self.panel is not None:
            self.panel.set_results(results)

    def _on_change(self, change: Change) -> None:
        if self.assignment is not None and (change.structure or change.nodes or change.reset
                                            or change.meta):
            self.refresh()

    # -- Check my work -------------------------------------------------------------------------
    def check_work(self) -> str | None:
        """Train the training goals in the background; the reason when it cannot start."""
        a = self.assignment
        if a is None:
            return "open an assignment first"
        if self.check is not None:
            return "a check is already running"
        if not any(g.needs_training for g in a.goals):
            return "this assignment has no training goals: the checklist is already up to date"
        from .check_run import GoalCheck

        key = self._trained_key()
        check = self.check = GoalCheck(self.doc.graph, a.goals, self.doc.project.training, self)
        check.progress.connect(lambda f, text: self.panel and self.panel.set_progress(f, text))
        check.finished.connect(lambda results, key=key: self._on_checked(check, key, results))
        self.panel.set_checking(True, "Checking: preparing the data...")
        check.start()
        self.refresh()
        return None

    def _on_checked(self, check: GoalCheck, key: str, results: list[GoalResult]) -> None:
        if check is not self.check:
            return
        self.check = None
        self._checked = (key, results)
        if self.panel is not None:
            met = sum(1 for r in results if r.met)
            self.panel.set_checking(False, f"Checked: {met} of {len(results)} training goals "
                                    "met" + ("" if key == self._trained_key()
                                             else " (for the network as it was)"))
        self.refresh()

    def stop_check(self, wait: bool = True) -> None:
        """Stop a running check. ``wait``: until its thread ends (opening another
        assignment, closing the window); otherwise its results come when it has stopped,
        and the window never waits (the Stop check button)."""
        check = self.check
        if check is None:
            return
        check.stop()
        if not wait:
            if self.panel is not None:
                self.panel.status.setText("Stopping the check...")
            return
        if check.join(10.0):
            check._finish()

    # -- Save submission -----------------------------------------------------------------------
    def ask_name(self) -> str | None:
        """The student's name: asked the first time, then remembered."""
        if self.student:
            return self.student
        prefs = self.window.prefs.qsettings
        dialog = QInputDialog(self.window)
        dialog.setObjectName("student_name_dialog")
        dialog.setWindowTitle("Your name")
        dialog.setLabelText("Your name, as your instructor should see it on the submission:")
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setTextValue(str(prefs.value(STUDENT_KEY, "") or ""))
        if not dialog.exec():
            return None
        name = " ".join(dialog.textValue().split())
        if not name:
            return None
        self.student = name
        prefs.setValue(STUDENT_KEY, name)
        return name

    def save_submission(self) -> bool:
        a = self.assignment
        if a is None:
            return False
        name = self.ask_name()
        if name is None:
            self.window.statusBar().showMessage("Not saved: a submission needs your name.", 6000)
            return False
        stem = re.sub(r"[^\w-]+", "-", f"{a.title}-{name}").strip("-").lower() or "submission"
        suggested = str(Path(self.window.files.last_dir) / f"{stem}.json")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save submission", suggested,
                                              "netbuilder projects (*.json)")
        if not path:
            return False
        p = Path(path)
        return self.save_submission_to(p if p.suffix else p.with_suffix(".json"), name)

    def save_submission_to(self, path: str | Path, name: str) -> bool:
        """Write the student's network as a project file that names the assignment (its
        fingerprint) and the student; from then on Save writes there, the link included."""
        a = self.assignment
        if a is None:
            return False
        try:
            link = make_submission(self.doc.project, a, name).assignment
        except AssignmentFileError as e:
            self.window.files.show_error("Cannot save the submission", str(e))
            return False
        old = self.doc.project.assignment
        self.doc.project.assignment = link
        if not self.window.files.save_to(path):
            self.doc.project.assignment = old
            return False
        self.window.statusBar().showMessage(
            f"Submission saved for {name}: {Path(path).name} (assignment {a.fingerprint})", 8000)
        return True
