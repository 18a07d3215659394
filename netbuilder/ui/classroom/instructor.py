"""The instructor's "New Assignment from This Project" dialog.

The network on the canvas becomes the starting network. The instructor ticks what to lock
(a layer that cannot be deleted; each parameter that must keep its value; layer types
students may not add), adds goals through a form (goal_form.py), writes the instructions in
Markdown beside their rendered preview, looks at the assignment as a student will see it,
and saves it (atomically, through ``graph.assignment.save_assignment``). What is saved is read
back with the assignment reader first, so the dialog never writes a file netbuilder would
refuse to open.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...graph.assignment import (
    Assignment,
    Hidden,
    assignment_from_dict,
    assignment_to_dict,
    save_assignment,
)
from ...graph.catalogue import CATALOGUE
from ...graph.document import Document
from ...graph.errors import AssignmentFileError
from ...graph.goals import Goal, evaluate_graph_goals
from ...graph.locks import Locks
from ...graph.project import project_from_dict, project_to_dict
from .goal_form import GoalForm
from .session import UI_KEY
from .student_panel import AssignmentPanel, show_markdown

INSTRUCTIONS_TEMPLATE = """Start from **{name}** and change it until every goal in the checklist
is met.

- The layers with a padlock are locked: keep them.
- Press **Check my work** to train with the assignment's budget.
"""


class NewAssignmentDialog(QDialog):
    saved = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("new_assignment_dialog")
        self.setWindowTitle("New assignment from this project")
        self.doc = document
        graph = document.graph
        self.goals: list[Goal] = []
        self.preview: QDialog | None = None
        outer = QVBoxLayout(self)

        top = QHBoxLayout()
        top.addWidget(QLabel("Title"))
        self.title = QLineEdit(f"{graph.name}: an exercise")
        self.title.setObjectName("assignment_title_edit")
        top.addWidget(self.title, 1)
        outer.addLayout(top)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_locks(), "1. Locks")
        self.tabs.addTab(self._build_goals(), "2. Goals")
        self.tabs.addTab(self._build_instructions(), "3. Instructions")
        outer.addWidget(self.tabs, 1)

        self.error = QLabel()
        self.error.setObjectName("assignment_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #dc2626;")
        outer.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.preview_button = buttons.addButton("Preview as Student...",
                                                QDialogButtonBox.ButtonRole.ActionRole)
        self.preview_button.setObjectName("assignment_preview")
        self.save_button = buttons.addButton("Save Assignment...",
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("assignment_save")
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.preview_button.clicked.connect(self.show_preview)
        self.save_button.clicked.connect(self.save_dialog)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.resize(900, 640)

    # -- locks ----------------------------------------------------------------------------------
    def _build_locks(self) -> QWidget:
        page = QWidget()
        lay = QHBoxLayout(page)
        left = QVBoxLayout()
        note = QLabel("Tick a layer to keep students from deleting it; tick a parameter to "
                      "keep its value.")
        note.setWordWrap(True)
        left.addWidget(note)
        self.lock_tree = QTreeWidget()
        self.lock_tree.setObjectName("lock_tree")
        self.lock_tree.setHeaderLabels(["Layer / parameter", "Value / lock"])
        self.lock_tree.setColumnWidth(0, 260)
        g = self.doc.graph
        for nid, node in g.nodes.items():
            spec = g.spec(node.type)
            item = QTreeWidgetItem([f"{nid}  ({node.type})", ""])
            item.setData(0, Qt.ItemDataRole.UserRole, nid)
            item.setCheckState(0, Qt.CheckState.Unchecked)
            full = spec.full_params(node.params)
            for name in spec.param_names():
                value = spec.param(name).to_json(full[name])
                shown = value if isinstance(value, str) else json.dumps(value)
                child = QTreeWidgetItem([name, shown])
                child.setData(0, Qt.ItemDataRole.UserRole, name)
                child.setData(1, Qt.ItemDataRole.UserRole, shown)
                child.setCheckState(0, Qt.CheckState.Unchecked)
                item.addChild(child)
            self.lock_tree.addTopLevelItem(item)
        self.lock_tree.itemChanged.connect(self._on_lock_ticked)
        left.addWidget(self.lock_tree, 1)
        lay.addLayout(left, 3)

        right = QVBoxLayout()
        right.addWidget(QLabel("Layer types students may not add"))
        self.type_filter = QLineEdit()
        self.type_filter.setPlaceholderText("Search layer types")
        self.type_filter.textChanged.connect(self._filter_types)
        right.addWidget(self.type_filter)
        self.type_list = QListWidget()
        self.type_list.setObjectName("forbidden_types")
        for t in sorted(CATALOGUE):
            it = QListWidgetItem(t)
            it.setCheckState(Qt.CheckState.Unchecked)
            self.type_list.addItem(it)
        right.addWidget(self.type_list, 1)
        lay.addLayout(right, 2)
        return page

    def _on_lock_ticked(self, item: QTreeWidgetItem, column: int) -> None:
        """The second column says what a tick means, only where there is one."""
        if column != 0:
            return
        on = item.checkState(0) == Qt.CheckState.Checked
        if item.parent() is None:
            text = "locked: cannot be deleted" if on else ""
        else:
            value = item.data(1, Qt.ItemDataRole.UserRole)
            text = f"{value}   (locked)" if on else value
        if item.text(1) != text:
            item.setText(1, text)

    def _filter_types(self, text: str) -> None:
        t = text.strip().lower()
        for i in range(self.type_list.count()):
            it = self.type_list.item(i)
            it.setHidden(bool(t) and t not in it.text().lower())

    def set_node_locked(self, node_id: str, on: bool = True) -> None:
        self._node_item(node_id).setCheckState(
            0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def set_param_locked(self, node_id: str, name: str, on: bool = True) -> None:
        item = self._node_item(node_id)
        for i in range(item.childCount()):
            child = item.child(i)
            if child.data(0, Qt.ItemDataRole.UserRole) == name:
                child.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                return
        raise KeyError(name)

    def set_type_forbidden(self, type_: str, on: bool = True) -> None:
        for i in range(self.type_list.count()):
            it = self.type_list.item(i)
            if it.text() == type_:
                it.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                return
        raise KeyError(type_)

    def _node_item(self, node_id: str) -> QTreeWidgetItem:
        for i in range(self.lock_tree.topLevelItemCount()):
            item = self.lock_tree.topLevelItem(i)
            if item.data(0, Qt.ItemDataRole.UserRole) == node_id:
                return item
        raise KeyError(node_id)

    def locks(self) -> Locks:
        nodes, params = [], {}
        for i in range(self.lock_tree.topLevelItemCount()):
            item = self.lock_tree.topLevelItem(i)
            nid = item.data(0, Qt.ItemDataRole.UserRole)
            if item.checkState(0) == Qt.CheckState.Checked:
                nodes.append(nid)
            names = [item.child(j).data(0, Qt.ItemDataRole.UserRole)
                     for j in range(item.childCount())
                     if item.child(j).checkState(0) == Qt.CheckState.Checked]
            if names:
                params[nid] = tuple(names)
        types = [self.type_list.item(i).text() for i in range(self.type_list.count())
                 if self.type_list.item(i).checkState() == Qt.CheckState.Checked]
        return Locks(tuple(nodes), params, tuple(types))

    # -- goals ----------------------------------------------------------------------------------
    def _build_goals(self) -> QWidget:
        page = QWidget()
        lay = QHBoxLayout(page)
        left = QVBoxLayout()
        left.addWidget(QLabel("Goals, in the order students see them"))
        self.goal_list = QListWidget()
        self.goal_list.setObjectName("goal_list")
        self.goal_list.setWordWrap(True)
        left.addWidget(self.goal_list, 1)
        self.remove_goal_button = QPushButton("Remove Goal")
        self.remove_goal_button.setObjectName("remove_goal")
        self.remove_goal_button.clicked.connect(self.remove_selected_goal)
        left.addWidget(self.remove_goal_button)
        lay.addLayout(left, 1)
        right = QVBoxLayout()
        right.addWidget(QLabel("A new goal"))
        self.goal_form = GoalForm()
        self.goal_form.set_defaults(self.doc.project.training)
        right.addWidget(self.goal_form)
        self.add_goal_button = QPushButton("Add Goal")
        self.add_goal_button.setObjectName("add_goal")
        self.add_goal_button.setDefault(False)
        self.add_goal_button.setAutoDefault(False)
        self.add_goal_button.clicked.connect(self.add_goal_from_form)
        right.addWidget(self.add_goal_button)
        right.addSpacing(12)
        seed_row = QHBoxLayout()
        self.hidden_seed_box = QCheckBox("The grader trains with another seed:")
        self.hidden_seed_box.setObjectName("hidden_seed_box")
        self.hidden_seed_box.setToolTip(
            "Kept from students: Save also writes a copy for students without it, so a "
            "network tuned to the seed they check with gains nothing")
        self.hidden_seed = QSpinBox()
        self.hidden_seed.setObjectName("hidden_seed")
        self.hidden_seed.setRange(0, 2_000_000_000)
        self.hidden_seed.setValue(7)
        self.hidden_seed.setEnabled(False)
        self.hidden_seed_box.toggled.connect(self.hidden_seed.setEnabled)
        seed_row.addWidget(self.hidden_seed_box)
        seed_row.addWidget(self.hidden_seed)
        right.addLayout(seed_row)
        right.addStretch(1)
        lay.addLayout(right, 1)
        return page

    def add_goal_from_form(self) -> Goal | None:
        try:
            goal = self.goal_form.goal(self.doc.graph)
        except AssignmentFileError:
            return None
        self.add_goal(goal)
        return goal

    def add_goal(self, goal: Goal) -> None:
        self.goals.append(goal)
        points = "" if goal.points == 1 else f"  ({goal.points:g} points)"
        self.goal_list.addItem(goal.label + points)

    def remove_selected_goal(self) -> None:
        row = self.goal_list.currentRow()
        if 0 <= row < len(self.goals):
            del self.goals[row]
            self.goal_list.takeItem(row)

    # -- instructions ---------------------------------------------------------------------------
    def _build_instructions(self) -> QWidget:
        split = QSplitter(Qt.Orientation.Horizontal)
        self.instructions = QPlainTextEdit(
            INSTRUCTIONS_TEMPLATE.format(name=self.doc.graph.name))
        self.instructions.setObjectName("instructions_edit")
        self.instructions.setPlaceholderText("Instructions in Markdown: # Heading, **bold**, "
                                             "- lists")
        self.rendered = QTextBrowser()
        self.rendered.setObjectName("instructions_preview")
        for title, widget in (("Markdown", self.instructions),
                              ("As students see it", self.rendered)):
            pane = QWidget()
            pl = QVBoxLayout(pane)
            pl.setContentsMargins(0, 0, 0, 0)
            pl.addWidget(QLabel(title))
            pl.addWidget(widget, 1)
            split.addWidget(pane)
        self._render_timer = QTimer(self, singleShot=True, interval=150)
        self._render_timer.timeout.connect(self._render)
        self.instructions.textChanged.connect(self._render_timer.start)
        self._render()
        return split

    def _render(self) -> None:
        show_markdown(self.rendered, self.instructions.toPlainText())

    # -- the assignment -------------------------------------------------------------------------
    def assignment(self) -> Assignment:
        """The assignment as the dialog describes it, read back through the file reader
        (AssignmentFileError says what is wrong)."""
        project = project_from_dict(project_to_dict(self.doc.project))
        project.assignment = None              # not a submission, nor a student's work
        project.ui.pop(UI_KEY, None)
        hidden = Hidden(self.hidden_seed.value()) if self.hidden_seed_box.isChecked() \
            else Hidden()
        a = Assignment(self.title.text().strip(), self.instructions.toPlainText(), project,
                       self.locks(), list(self.goals), hidden)
        return assignment_from_dict(json.loads(json.dumps(assignment_to_dict(a))))

    def _checked_assignment(self) -> Assignment | None:
        try:
            a = self.assignment()
        except AssignmentFileError as e:
            self.error.setText(f"Cannot make the assignment: {e}")
            return None
        self.error.setText("")
        return a

    def show_preview(self) -> QDialog | None:
        """What a student sees on opening it: the instructions and the checklist for the
        starting network (its training goals wait for Check my work)."""
        a = self._checked_assignment()
        if a is None:
            return None
        dialog = QDialog(self)
        dialog.setObjectName("assignment_preview_dialog")
        dialog.setWindowTitle(f"Preview as a student: {a.title}")
        lay = QVBoxLayout(dialog)
        panel = AssignmentPanel(dialog, preview=True)
        panel.set_assignment(a.title, a.instructions)
        panel.set_results(evaluate_graph_goals(a, a.project.graph))
        lay.addWidget(panel)
        dialog.resize(460, 640)
        dialog.show()
        self.preview = dialog
        self.preview_panel = panel
        return dialog

    def save_dialog(self) -> bool:
        a = self._checked_assignment()
        if a is None:
            return False
        stem = re.sub(r"[^\w-]+", "-", a.title).strip("-").lower() or "assignment"
        start = Path.home() / f"{stem}.json"
        path, _ = QFileDialog.getSaveFileName(self, "Save assignment", str(start),
                                              "netbuilder assignments (*.json)")
        if not path:
            return False
        p = Path(path)
        return self.save_to(p if p.suffix else p.with_suffix(".json"))

    @staticmethod
    def students_copy(path: str | Path) -> Path:
        """Where the copy without the grader's part goes: beside it, "-students" added."""
        p = Path(path)
        return p.with_name(f"{p.stem}-students{p.suffix or '.json'}")

    def save_to(self, path: str | Path) -> bool:
        """Write the assignment; with a part for the grader only, also the copy to hand out
        (``students_copy``), which has the same fingerprint."""
        a = self._checked_assignment()
        if a is None:
            return False
        try:
            save_assignment(a, path)
            if not a.hidden.is_empty:
                save_assignment(a, self.students_copy(path), hidden=False)
        except OSError as e:
            QMessageBox.warning(self, "Cannot save the assignment", f"{e}")
            return False
        shown = str(path)
        if not a.hidden.is_empty:
            shown += f" (hand out {self.students_copy(path).name}: it leaves out the grader's seed)"
        self.saved.emit(shown)
        return True
