"""The Classroom menu, and File > Open accepting an assignment file.

Classroom > Open Assignment... and File > Open (for a file that turns out to be an
assignment) start a ``StudentSession``; New Assignment from This Project... opens the
instructor's dialog (instructor.py); Check My Work and Save Submission... act on the open
assignment and are greyed out without one.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from .session import StudentSession, is_assignment_file


def example_assignments() -> list[tuple[str, Path]]:
    """(title, file) of the assignments that ship with netbuilder (assets/assignments)."""
    import json
    from importlib import resources

    folder = Path(str(resources.files("netbuilder.assets") / "assignments"))
    out = []
    for p in sorted(folder.glob("*.json")):
        try:
            title = json.loads(p.read_text(encoding="utf-8")).get("title") or p.stem
        except (OSError, ValueError, AttributeError):
            continue
        out.append((str(title), p))
    return out


class ClassroomGlue:
    def __init__(self, window) -> None:
        self.window = window
        self.session = StudentSession(window)
        self.dialog = None
        window.files.assignment_opener = self._open_from_file_menu
        menu = QMenu("&Classroom", window)
        menu.setObjectName("classroom_menu")
        bar = window.menuBar()
        help_menu = window.menus.get("help")
        bar.insertMenu(help_menu.menuAction(), menu) if help_menu else bar.addMenu(menu)
        self.menu = menu

        def action(text: str, slot, tip: str) -> QAction:
            a = QAction(text, window)
            a.setStatusTip(tip)
            a.setToolTip(tip)
            a.triggered.connect(slot)
            menu.addAction(a)
            return a

        self.open_action = action("Open &Assignment...", self.open_assignment,
                                  "Open an assignment: its network, instructions and goals")
        self.examples_menu = menu.addMenu("&Example Assignments")
        self.examples_menu.setObjectName("example_assignments_menu")
        for title, path in example_assignments():
            a = self.examples_menu.addAction(title)
            a.setData(str(path))
            a.triggered.connect(lambda _=False, p=path: self.open_example(p))
        self.examples_menu.setEnabled(bool(self.examples_menu.actions()))
        self.new_action = action("&New Assignment from This Project...", self.new_assignment,
                                 "Make an assignment from the network on the canvas: what to "
                                 "lock, the goals and the instructions")
        menu.addSeparator()
        self.show_action = action("Show Assignment &Panel", self.show_panel,
                                  "Show the instructions and the goals checklist")
        self.check_action = action("&Check My Work", self.check_work,
                                   "Train with the assignment's budget and judge its training "
                                   "goals")
        self.save_action = action("&Save Submission...", self.session.save_submission,
                                  "Save your network as a submission, with your name")
        self.session.changed.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        on = self.session.assignment is not None
        self.show_action.setEnabled(on)
        self.check_action.setEnabled(on)
        self.save_action.setEnabled(on)

    def show_panel(self) -> None:
        dock = self.session.dock
        if dock is not None and self.session.assignment is not None:
            dock.show()
            dock.raise_()

    def open_example(self, path: Path) -> bool:
        return not self.window._refuse_while_training() and self.session.open_path(path)

    def open_assignment(self) -> bool:
        return not self.window._refuse_while_training() and self.session.open_dialog()

    def _open_from_file_menu(self, path: Path, ask: bool) -> bool | None:
        """File > Open on a file that is not a project: an assignment opens as one; None
        for anything else (the project's own error is said)."""
        if not is_assignment_file(path):
            return None
        return self.session.open_path(path, ask=ask)

    def check_work(self) -> None:
        problem = self.session.check_work()
        if problem:
            self.window.statusBar().showMessage(f"Cannot check: {problem}", 8000)

    def new_assignment(self):
        from .instructor import NewAssignmentDialog

        self.dialog = NewAssignmentDialog(self.window.document, self.window)
        self.dialog.saved.connect(lambda path: self.window.statusBar().showMessage(
            f"Assignment saved: {path}", 8000))
        self.dialog.show()
        return self.dialog

    def dock_visible(self) -> bool:
        dock = self.session.dock
        return dock is not None and dock.isVisible()
