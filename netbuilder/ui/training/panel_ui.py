"""The Training panel's widgets and their look; the behaviour lives in ``panel.py``.

Left: the settings form and the check's messages (in a scroll area, so a short dock still
reaches them). Right: the plots. Below them the status line, the outcome of the last run
and, after a run, why Continue is off; then, the panel's last row, always in view however
short the dock and never moved by what appears above it: Start / Continue / Pause / Stop,
the progress bar and the checkpoint buttons, each of a fixed width. When presenting, the settings column gives way to a one-line summary above
the plots (it comes back while a problem blocks training), only problems and warnings are
boxed, and text and lines grow.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ...graph.words import plural
from ..theme import Theme
from .notice import Notice
from .plots import TrainingPlots
from .settings_form import SettingsForm

SP = QStyle.StandardPixmap


def _button(panel: Any, text: str, icon: SP, slot: Any, tip: str, name: str) -> QPushButton:
    button = QPushButton(panel.style().standardIcon(icon), text)
    button.setObjectName(name)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


def build_ui(panel: Any) -> None:
    """Create the panel's widgets as attributes of ``panel`` and lay them out."""
    p = panel
    p.form = SettingsForm()
    p.summary = QLabel(objectName="training_summary", wordWrap=True)
    p.summary.hide()
    p.problems = Notice("training_problems")
    p.start_button = _button(p, "Start", SP.SP_MediaPlay, p.start,
                             "Train the network with these settings (F5)", "training_start")
    p.continue_button = _button(p, "Continue", SP.SP_MediaSeekForward, p.continue_training,
                                "", "training_continue")
    p.pause_button = _button(p, "Pause", SP.SP_MediaPause, p.toggle_pause,
                             "Pause after the current batch; press again to resume",
                             "training_pause")
    p.stop_button = _button(p, "Stop", SP.SP_MediaStop, p.stop,
                            "Stop after the current batch; the weights so far are kept",
                            "training_stop")
    p.save_button = _button(p, "Save checkpoint…", SP.SP_DialogSaveButton,
                            p.save_checkpoint_dialog,
                            "Save the trained weights to a checkpoint file", "training_save")
    p.load_button = _button(p, "Load checkpoint…", SP.SP_DialogOpenButton,
                            p.load_checkpoint_dialog,
                            "Load weights for this network (Export ONNX and Continue then use "
                            "them)",
                            "training_load")
    p.left = QWidget()
    column = QVBoxLayout(p.left)
    column.setContentsMargins(6, 4, 6, 4)
    column.setSpacing(6)
    for w in (p.form, p.problems):
        column.addWidget(w)
    column.addStretch(1)
    p.scroll = QScrollArea()
    p.scroll.setWidget(p.left)
    p.scroll.setWidgetResizable(True)
    p.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    p.scroll.setFrameShape(QScrollArea.Shape.NoFrame)

    p.plots = TrainingPlots()
    right = QWidget()
    right_column = QVBoxLayout(right)
    right_column.setContentsMargins(0, 0, 0, 0)
    right_column.setSpacing(2)
    right_column.addWidget(p.summary)
    right_column.addWidget(p.plots, 1)
    p.splitter = QSplitter(Qt.Orientation.Horizontal)
    p.splitter.addWidget(p.scroll)
    p.splitter.addWidget(right)
    p.splitter.setStretchFactor(0, 0)
    p.splitter.setStretchFactor(1, 1)
    p.splitter.setChildrenCollapsible(False)

    p.progress = QProgressBar(objectName="training_progress")
    p.progress.setRange(0, 1000)
    p.progress.setTextVisible(True)
    p.status = QLabel(objectName="training_status")
    p.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    p.status.setWordWrap(True)
    p.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    p.outcome = Notice("training_outcome")
    p.continue_note = QLabel(objectName="training_continue_note", wordWrap=True)
    p.continue_note.setStyleSheet("color: palette(placeholder-text);")
    p.continue_note.hide()
    # The buttons' row is the panel's last: whatever appears above it (the status growing a
    # line, the Done / Stopped box, why Continue is off) takes the plots' room and never
    # moves a button. Each button is as wide as the widest text it can show (fix_widths).
    bottom = QHBoxLayout()
    bottom.setContentsMargins(6, 0, 6, 0)
    for b in (p.start_button, p.continue_button, p.pause_button, p.stop_button):
        bottom.addWidget(b)
    bottom.addSpacing(6)
    bottom.addWidget(p.progress)
    bottom.addStretch(1)
    p.file_row = QWidget()
    file_row = QHBoxLayout(p.file_row)
    file_row.setContentsMargins(0, 0, 0, 0)
    file_row.addWidget(p.save_button)
    file_row.addWidget(p.load_button)
    bottom.addWidget(p.file_row)

    status_row = QHBoxLayout()
    status_row.setContentsMargins(6, 0, 6, 0)
    status_row.addWidget(p.status, 1)

    root = QVBoxLayout(p)
    root.setContentsMargins(0, 0, 0, 4)
    root.setSpacing(4)
    root.addWidget(p.splitter, 1)
    root.addLayout(status_row)
    root.addWidget(p.outcome)
    root.addWidget(p.continue_note)
    root.addLayout(bottom)


def _texts_of(panel: Any) -> dict[QPushButton, list[str]]:
    """Every text each button of the row can show."""
    top = panel.form.epochs.maximum()
    return {panel.start_button: ["Start"],
            panel.continue_button: [continue_text(n) for n in (1, 8, top, int("8" * len(str(top))))],
            panel.pause_button: ["Pause", "Resume"],
            panel.stop_button: ["Stop"],
            panel.save_button: [panel.save_button.text()],
            panel.load_button: [panel.load_button.text()]}


def fix_widths(panel: Any) -> None:
    """Each button as wide as its widest text (Pause/Resume, Continue +1 / +100000 epochs)
    and as tall as the tallest, so a press always lands on the button it aimed at."""
    texts = _texts_of(panel)
    height = 0
    for button, options in texts.items():
        shown = button.text()
        width = 0
        for text in options:
            button.setText(text)
            hint = button.sizeHint()
            width, height = max(width, hint.width()), max(height, hint.height())
        button.setText(shown)
        button.setFixedWidth(width)
    for button in texts:
        button.setFixedHeight(height)


def continue_text(more: int) -> str:
    return f"Continue +{plural(more, 'epoch')}"


def apply_look(panel: Any) -> None:
    """Fonts, sizes and what shows, for the ordinary look or presentation mode."""
    p = panel
    presenting = Theme.presentation
    status_font = QFont(p.font())
    status_font.setPointSizeF(Theme.widget_point_size(10.5))
    status_font.setBold(True)
    p.status.setFont(status_font)
    p.progress.setFont(status_font)
    p.summary.setFont(status_font)
    p.form.setVisible(not presenting)
    p.file_row.setVisible(not presenting)
    p.summary.setVisible(presenting)
    if presenting:
        p.summary.setText(p.form.summary())
    p.problems.set_quiet(presenting)
    p.outcome.set_quiet(presenting)
    show_left(p)
    scale = Theme.widget_point_size(10) / 10
    p.progress.setFixedSize(round(200 * scale), round(26 * scale))
    fix_widths(p)
    p.plots.apply_theme()
    # the settings column is as wide as its content needs (never cut off), the plots take
    # the rest; presenting, the column only holds buttons and messages
    p.left.adjustSize()
    bar = p.scroll.verticalScrollBar().sizeHint().width()
    width = (round(300 * scale) if presenting
             else p.left.minimumSizeHint().width() + bar + 4)
    p.scroll.setMinimumWidth(width)
    p.scroll.setMaximumWidth(width if presenting else 16777215)
    sizes = p.splitter.sizes()
    total = sum(sizes) or p.width() or 1200
    p.splitter.setSizes([width, max(200, total - width)])


def show_left(panel: Any) -> None:
    """Presenting, the settings column shows only while something blocks or warns."""
    panel.scroll.setVisible(not Theme.presentation or panel.problems.has_problems())


def set_pause_label(panel: Any, paused: bool) -> None:
    """The one button pauses and resumes: its word and icon say what a press does."""
    icon = SP.SP_MediaPlay if paused else SP.SP_MediaPause
    panel.pause_button.setText("Resume" if paused else "Pause")
    panel.pause_button.setIcon(panel.style().standardIcon(icon))


def update_buttons(panel: Any) -> None:
    """Start only when the check passed (or is still running: Start then waits for it);
    Continue when, besides, the held weights can go on (its tooltip says why not);
    Pause/Stop only during a run; the checkpoint buttons only between runs."""
    p = panel
    active = p.running
    plan_ok = p.plan is not None and p.plan.ok
    p.start_button.setEnabled(not active and not p._closed and (plan_ok or p._check_pending))
    blocker = None if p._closed else p.continue_blocker()
    p.continue_button.setEnabled(not p._closed and blocker is None)
    more = p.form.epochs.value()      # the button says how far a press goes, without hovering
    p.continue_button.setText(continue_text(more))
    p.continue_button.setToolTip("Continue is not possible now: " + blocker if blocker
                                 else p.continue_tip())
    # after a run (or a loaded file) the student expects to go on: say why not, in view
    ended = p._weights is not None or p.state.phase in ("finished", "stopped", "failed")
    note = bool(blocker) and not active and not p._closed and ended
    p.continue_note.setText(f"Continue is off: {blocker}" if note else "")
    p.continue_note.setVisible(note)
    p.pause_button.setEnabled(active and p.state.phase in ("starting", "running", "paused"))
    p.stop_button.setEnabled(active and p.state.phase != "stopping")
    p.save_button.setEnabled(not active and p._weights is not None)
    p.load_button.setEnabled(not active)
