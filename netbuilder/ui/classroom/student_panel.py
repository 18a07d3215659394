"""The student's Assignment panel: the title, the instructions (Markdown, rendered), the goals
as a live checklist, "Check my work" (the training goals) and "Save submission...".

The panel shows what it is given and emits what was pressed; ``StudentSession`` (session.py)
decides. It never touches the document.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...graph.goals import GoalResult
from ...graph.words import plural
from .checklist import GoalChecklist

MARKDOWN = (QTextDocument.MarkdownFeature.MarkdownDialectGitHub
            | QTextDocument.MarkdownFeature.MarkdownNoHTML)


def show_markdown(browser: QTextBrowser, text: str) -> None:
    """Markdown rendered, GitHub's dialect without raw HTML: HTML in a file shows as the
    text it is (nothing from a file is interpreted beyond Markdown)."""
    browser.document().setMarkdown(text, MARKDOWN)
    browser.moveCursor(QTextCursor.MoveOperation.Start)     # read from the top
    browser.verticalScrollBar().setValue(0)


class AssignmentPanel(QWidget):
    check_requested = Signal()
    stop_requested = Signal()
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, preview: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("assignment_panel")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 8)
        outer.setSpacing(6)
        self.title = QLabel()
        self.title.setObjectName("assignment_title")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)   # a title is text, never markup
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.title.setFont(font)
        outer.addWidget(self.title)

        self.instructions = QTextBrowser()
        self.instructions.setObjectName("assignment_instructions")
        self.instructions.setOpenExternalLinks(True)
        goals = QWidget()
        gl = QVBoxLayout(goals)
        gl.setContentsMargins(0, 0, 0, 0)
        gl.setSpacing(4)
        self.summary = QLabel()
        self.summary.setObjectName("assignment_summary")
        bold = QFont(self.summary.font())
        bold.setBold(True)
        self.summary.setFont(bold)
        gl.addWidget(self.summary)
        self.checklist = GoalChecklist()
        gl.addWidget(self.checklist, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(self.instructions)
        split.addWidget(goals)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 5)
        split.setSizes([400, 500])
        outer.addWidget(split, 1)
        self.split = split

        self.progress = QProgressBar()
        self.progress.setObjectName("assignment_check_progress")
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.hide()
        outer.addWidget(self.progress)
        self.status = QLabel()
        self.status.setObjectName("assignment_status")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setStyleSheet("color: palette(placeholder-text);")
        outer.addWidget(self.status)

        row = QHBoxLayout()
        self.check_button = QPushButton("Check my work")
        self.check_button.setObjectName("assignment_check")
        self.check_button.setToolTip("Train the network with the assignment's budget (in the "
                                     "background) and judge the training goals")
        self.check_button.clicked.connect(self._on_check)
        fm = self.check_button.fontMetrics()     # room for both of its texts, never cut
        self.check_button.setMinimumWidth(
            max(fm.horizontalAdvance(t) for t in ("Check my work", "Stop check")) + 28)
        self.save_button = QPushButton("Save submission...")
        self.save_button.setObjectName("assignment_save_submission")
        self.save_button.setToolTip("Save your network as a submission for this assignment, "
                                    "with your name")
        self.save_button.clicked.connect(self.save_requested)
        row.addWidget(self.check_button)
        row.addWidget(self.save_button)
        row.addStretch(1)
        outer.addLayout(row)
        self._checking = False
        if preview:               # the instructor's preview: what students see, nothing to run
            self.check_button.setEnabled(False)
            self.save_button.setEnabled(False)
            self.status.setText("Preview: this is what a student sees.")

    # -- what it shows ------------------------------------------------------------------------
    def set_assignment(self, title: str, instructions: str) -> None:
        self.title.setText(title)
        show_markdown(self.instructions, instructions or "*No instructions.*")

    def set_results(self, results: list[GoalResult]) -> None:
        self.checklist.set_results(results)
        n, met = len(results), self.checklist.done()
        if not n:
            self.summary.setText("No goals")
        elif met == n:
            self.summary.setText(f"All {plural(n, 'goal')} met")
        else:
            self.summary.setText(f"Goals: {met} of {n} met")
        self.check_button.setVisible(any(r.goal.needs_training for r in results)
                                     or self._checking)

    def set_checking(self, on: bool, text: str = "") -> None:
        self._checking = on
        self.check_button.setText("Stop check" if on else "Check my work")
        self.progress.setVisible(on)
        if not on:
            self.progress.setValue(0)
        if text:
            self.status.setText(text)

    def set_progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(round(100 * max(0.0, min(1.0, fraction))))
        self.status.setText(text)

    def is_checking(self) -> bool:
        return self._checking

    def _on_check(self) -> None:
        (self.stop_requested if self._checking else self.check_requested).emit()
