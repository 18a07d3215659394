"""One editor widget per ``ParamSpec`` kind, for the inspector.

A field shows a value, turns what the user types into a typed value and emits
``edited(value)``; it never touches the document. A wrong type (``3, x`` for a kernel
size) stays in the field with a red border and the reason under it, and nothing is emitted.
Integers use a spin box limited to the parameter's range; floats use a text box, so small
values such as ``1e-5`` can be typed as written.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QRectF, Signal
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...graph.errors import ParamError
from ...graph.params import BOOL, CHOICE, FLOAT, INT, INTS, PADDING, SHAPE, ParamSpec
from ..canvas.node_item import draw_icon

ERROR_STYLE = "border: 2px solid #dc2626; border-radius: 3px; padding: 1px;"


def problem_pixmap(kind: str, size: int = 16, dark: bool = False) -> QPixmap:
    """The canvas's warning / incomplete icon as a pixmap for labels."""
    ratio = 2
    pm = QPixmap(size * ratio, size * ratio)
    pm.setDevicePixelRatio(ratio)
    pm.fill(QColor(0, 0, 0, 0))
    p = QPainter(pm)
    draw_icon(p, kind, QRectF(0.5, 0.5, size - 1, size - 1), dark)
    p.end()
    return pm


def format_value(spec: ParamSpec, value: Any) -> str:
    if value is None:
        return ""
    if spec.kind == FLOAT:
        return repr(float(value))
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


def parse_value(spec: ParamSpec, text: str) -> Any:
    """Typed value from what the user typed; ParamError (with the expected type) if wrong."""
    t = text.strip()
    if spec.kind == FLOAT:
        try:
            return spec.coerce(float(t))
        except ValueError:
            raise ParamError(f"expected {spec.expected()}, e.g. 0.5 or 1e-5; received "
                             f"{t!r}") from None
    if spec.kind == PADDING and t.strip("'\"").lower() in spec.choices:
        return spec.coerce(t.strip("'\"").lower())
    parts = [p for p in re.split(r"[,x×\s()\[\]]+", t) if p]
    if not parts:
        raise ParamError(f"expected {spec.expected()}; the box is empty")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        raise ParamError(f"expected {spec.expected()}; received {t!r}") from None
    if spec.kind == SHAPE:
        return spec.coerce(nums)
    return spec.coerce(nums[0] if len(nums) == 1 else nums)


class ParamField(QWidget):
    """Label-less editor of one parameter, with its inline error line under it."""

    edited = Signal(object)

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.shown: Any = object()   # the model value last shown or sent
        self._updating = False
        self.fallback = None   # callable giving the value a None stands for ("same as ...")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        row = QHBoxLayout()
        row.setSpacing(4)
        outer.addLayout(row)
        self.none_box: QComboBox | None = None
        if spec.optional:
            self.none_box = QComboBox(self)
            meaning = spec.none_means if spec.none_means not in ("", "none") else ""
            self.none_box.addItems([f"None ({meaning})" if meaning else "None", "Set a value"])
            self.none_box.activated.connect(self._on_none_choice)
            row.addWidget(self.none_box)
        self.editor = self._make_editor()
        if self.none_box is not None:   # the value box goes under the None/Set choice
            outer.addWidget(self.editor)
        else:
            row.addWidget(self.editor, 1)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #dc2626;")
        self.error_label.hide()
        outer.addWidget(self.error_label)
        if spec.help:
            self.editor.setToolTip(spec.help)

    # -- editors -----------------------------------------------------------------------------
    def _make_editor(self) -> QWidget:
        s = self.spec
        if s.kind == INT:
            box = QSpinBox(self)
            box.setRange(int(s.min) if s.min is not None else -1_000_000,
                         int(s.max) if s.max is not None else 1_000_000_000)
            box.setKeyboardTracking(True)
            box.valueChanged.connect(lambda v: self._emit(int(v)))
            return box
        if s.kind == BOOL:
            box = QCheckBox(self)
            box.toggled.connect(lambda on: self._emit(bool(on)))
            return box
        if s.kind == CHOICE:
            box = QComboBox(self)
            box.addItems(list(s.choices))
            box.activated.connect(lambda i: self._emit(box.itemText(i)))
            return box
        edit = QLineEdit(self)
        edit.setPlaceholderText({FLOAT: "a number, e.g. 0.5 or 1e-5",
                                 INTS: "3  or  3, 5" if s.n > 1 else "a whole number",
                                 PADDING: "1  or  1, 2  or  same",
                                 SHAPE: "e.g. 1, 28, 28"}.get(s.kind, ""))
        edit.textEdited.connect(self._on_text)
        edit.editingFinished.connect(lambda: self._on_text(edit.text()))
        return edit

    def _on_text(self, text: str) -> None:
        if self._updating:
            return
        try:
            value = parse_value(self.spec, text)
        except ParamError as exc:
            self.show_error(str(exc))
            return
        self._emit(value)

    def _on_none_choice(self, index: int) -> None:
        if index == 0:
            self.editor.setVisible(False)
            self._emit(None)
        else:
            self.editor.setVisible(True)
            value = self.current_editor_value()
            if value is None:
                value = self.fallback() if self.fallback is not None else None
                if value is None:
                    value = self.spec.default if self.spec.default is not None else 1
                self._set_editor(value)
            self._emit(value)

    def current_editor_value(self) -> Any:
        e = self.editor
        if isinstance(e, QSpinBox):
            return e.value()
        if isinstance(e, QCheckBox):
            return e.isChecked()
        if isinstance(e, QComboBox):
            return e.currentText()
        try:
            return parse_value(self.spec, e.text())
        except ParamError:
            return None

    def _emit(self, value: Any) -> None:
        if self._updating:
            return
        self.clear_error()
        problems = self.spec.range_problems(value)
        if problems:
            self.show_error(problems[0], hard=False)
        if value != self.shown:
            self.shown = value
            self.edited.emit(value)

    # -- showing -----------------------------------------------------------------------------
    def set_value(self, value: Any) -> None:
        """Show the model's value (without emitting), unless it is already shown."""
        if value == self.shown:
            return
        self.shown = value
        self._updating = True
        try:
            if self.none_box is not None:
                self.none_box.setCurrentIndex(0 if value is None else 1)
                self.editor.setVisible(value is not None)
            if value is not None:
                self._set_editor(value)
            elif isinstance(self.editor, QLineEdit):
                self.editor.setText("")
            self.clear_error()
            problems = self.spec.range_problems(value)
            if problems:
                self.show_error(problems[0], hard=False)
        finally:
            self._updating = False

    def _set_editor(self, value: Any) -> None:
        e = self.editor
        was = e.blockSignals(True)
        try:
            if isinstance(e, QSpinBox):
                e.setValue(int(value))
            elif isinstance(e, QCheckBox):
                e.setChecked(bool(value))
            elif isinstance(e, QComboBox):
                e.setCurrentText(str(value))
            else:
                e.setText(format_value(self.spec, value))
        finally:
            e.blockSignals(was)

    def show_error(self, message: str, hard: bool = True) -> None:
        """Red border and the reason under the box. ``hard``: the value was not accepted."""
        text = message[:1].upper() + message[1:]
        self.error_label.setText(("⚠ " if hard else "") + text)
        self.error_label.show()
        self.editor.setStyleSheet(ERROR_STYLE if hard else "")
        self.editor.setProperty("invalid", hard)

    def clear_error(self) -> None:
        self.error_label.hide()
        self.error_label.setText("")
        self.editor.setStyleSheet("")
        self.editor.setProperty("invalid", False)

    def has_error(self) -> bool:
        return bool(self.editor.property("invalid"))
