"""``Inspector``: the selected layer's settings, shapes and cost; the network's totals otherwise.

Generated from the layer's ParamSpecs (one ``ParamField`` each). Edits become ``SetParam``
and ``SetLabel`` commands (typing into one box merges into one undo step); the inspector
then refreshes from the Document's Change, like every view, so undo lands here too.

Sections, top to bottom: header (type on a category-colour strip), problems (red, with an
icon), then at once the shapes (input and output) and the formula with the user's numbers
(``formula.py``: broken only between terms) with its warnings, then the category
and help, the settings (with the sizes inferred from the input, read-only) and Cost
(parameters, multiply-accumulates, activation memory). With nothing selected: the network's
name (editable; the exported class follows it), its description and totals.

While training runs the inspector is locked (the document's lock); each rebuild applies it
to the fields it builds and forgets the widgets of the body it replaces.
"""

from __future__ import annotations

import html
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ...graph.analysis import SEVERITY_ERROR, activation_bytes
from ...graph.block_document import BlockDocument
from ...graph.document import Change, Document
from ...graph.model import UNTITLED
from ...graph.tensor import fmt_shape
from ...graph.words import plural
from ..commands import SetDescription, SetLabel, SetName, SetParam, SetTrainable, push
from ..doc_link import DocumentLink
from ..theme import Theme, category_color, error_color, header_text_color, warning_color
from .blocks import add_use_section, inside_notes
from .description import DescriptionDialog, DescriptionSection
from .formula import FormulaLabel
from .param_fields import ParamField, problem_pixmap

HINT = "Select a layer to see its settings"


def _bytes(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 ** 2:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 ** 2:.2f} MB"


def _split_text(graph, analysis) -> str:
    """' (trainable 5,000, frozen 2,572)' when layers are frozen, else ''."""
    from ...graph.transfer import parameter_split

    counts = {nid: info.params for nid, info in analysis.nodes.items()}
    trainable, frozen = parameter_split(graph, counts)
    return f" (trainable {trainable:,}, frozen {frozen:,})" if frozen else ""


def _section(title: str) -> QLabel:
    label = QLabel(title)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    label.setContentsMargins(0, 8, 0, 2)
    return label


class ProblemLine(QWidget):
    """An icon and a wrapped message: errors red, warnings amber."""

    def __init__(self, kind: str, text: str, dark: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 1, 0, 1)
        icon = QLabel(self)
        icon.setPixmap(problem_pixmap(kind, 16, dark))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = QLabel(text[:1].upper() + text[1:], self)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        color = error_color(dark) if kind == "error" else warning_color(dark)
        self.text.setStyleSheet(f"color: {color.name()};")
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.text, 1)


class Inspector(QWidget):
    open_block_requested = Signal(str)     # a use's "Open Block" button
    ungroup_requested = Signal(str)        # a use's "Ungroup" button
    rename_block_requested = Signal(str)   # a use's "Rename..." button (the block's name)

    def __init__(self, document: Document, undo_stack: QUndoStack,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = document
        self.undo_stack = undo_stack
        self.node_id: str | None = None
        self._formula_lines: list[str] = []
        self.fields: dict[str, ParamField] = {}
        self._frozen: set[str] = set()      # inside a block: settings each use sets
        self._held: dict[str, str] = {}     # settings an assignment locks, with the reason
        self._buttons: list = []
        self._lockable: list[QWidget] = []   # editors of the body on screen, off while locked
        self.label_edit: QLineEdit | None = None
        self.trainable_box: QCheckBox | None = None
        self.name_edit: QLineEdit | None = None
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._scroll = scroll
        self._body: QWidget | None = None
        # the document followed now (the canvas may open a block)
        self._link = DocumentLink(self, document, self._on_document_changed)
        Theme.changed.connect(self._rebuild)
        self.show_node(None)

    def set_document(self, document: Document) -> None:
        """Follow another document: the main one, or the inside of a block being edited."""
        if document is self.doc:
            return
        self.doc = document
        self._link.follow(document)
        self.show_node(None)

    # -- public API ----------------------------------------------------------------------------
    def show_node(self, node_id: str | None) -> None:
        if node_id is not None and node_id not in self.doc.graph.nodes:
            node_id = None
        self.node_id = node_id
        self._rebuild()

    def is_locked(self) -> bool:
        """Whether the editors are greyed out: the document is locked (training runs).

        The lock is the document's, not the widgets': every rebuild (another layer selected,
        the network view, a theme change) applies it to the fields it builds, and a lock
        change re-applies it to the fields of the body on screen only."""
        return bool(self.doc.locked_reason)

    def _apply_lock(self) -> None:
        editable = not self.is_locked()
        for name, f in self.fields.items():
            f.setEnabled(editable and name not in self._frozen and name not in self._held)
        for w in self._lockable:
            w.setEnabled(editable)
        for b in self._buttons:     # a block can be opened (looked into) while training
            b.setEnabled(editable or b.objectName() == "inspector_open_block")

    # -- building ------------------------------------------------------------------------------
    def _dark(self) -> bool:
        return Theme.dark_for(self.palette())

    def _rebuild(self) -> None:
        # What belongs to the body being replaced is forgotten first: set_locked and the
        # refreshes must never reach a widget the scroll area has deleted.
        self.fields = {}
        self._frozen = set()
        self._held = {}
        self._buttons = []
        self._lockable = []
        self.label_edit = None
        self.trainable_box = None
        self.name_edit = None
        self.description: DescriptionSection | None = None
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(4)
        if self.node_id is None:
            self._build_totals(layout)
        else:
            self._build_node(layout)
        layout.addStretch(1)
        self._apply_lock()
        # Built completely before it is shown, so every child is visible at once.
        self._scroll.setWidget(body)  # deletes the previous body
        body.show()
        self._body = body

    def _build_totals(self, layout: QVBoxLayout) -> None:
        name = self.doc.graph.name or UNTITLED
        if isinstance(self.doc, BlockDocument):   # a block's inside: renamed from the palette
            self.title = QLabel(name)
        else:
            self.title = self.name_edit = QLineEdit(name)
            self.name_edit.setObjectName("inspector_network_name")
            self.name_edit.setPlaceholderText(UNTITLED)
            self.name_edit.setFrame(False)
            self.name_edit.setStyleSheet(
                "QLineEdit { background: transparent; border: 1px solid transparent; "
                "border-radius: 3px; padding: 1px 2px; }"
                " QLineEdit:hover, QLineEdit:focus { background: palette(base); "
                "border-color: palette(mid); }")
            self.name_edit.editingFinished.connect(
                lambda e=self.name_edit: self._on_name_edited(e))
            self.name_edit.installEventFilter(self)     # its tooltip names the class
            self._lockable.append(self.name_edit)
        self.title.setObjectName(self.title.objectName() or "inspector_title")
        f = self.title.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.25)
        self.title.setFont(f)
        layout.addWidget(self.title)
        if not isinstance(self.doc, BlockDocument):   # a block's inside has the block's own
            self.description = DescriptionSection(self.doc.project.description)
            self.description.edit_requested.connect(self.edit_description)
            layout.addWidget(self.description)
        self.hint = QLabel(HINT)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text); font-style: italic;")
        layout.addWidget(self.hint)
        layout.addWidget(_section("Network"))
        self.totals = QLabel()
        self.totals.setWordWrap(True)     # a short dock's scroll bar leaves it less room
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.totals)
        self.problems_box = QVBoxLayout()
        layout.addLayout(self.problems_box)
        self._refresh_totals()

    def _build_node(self, layout: QVBoxLayout) -> None:
        """The selected layer: its header and what it does to the shapes, what it is, its
        settings and its cost, in that order (the formula near the top, issue 13)."""
        node = self.doc.graph.nodes[self.node_id]
        spec = self.doc.graph.spec(node.type)
        self._build_header(layout, spec)
        self._build_about(layout, node, spec)
        self._build_settings(layout, node, spec)
        self._build_cost(layout)
        self._refresh_node()

    def _build_header(self, layout: QVBoxLayout, spec) -> None:
        """The type on its category colour, then at once what it does to the shapes (the
        formula with the student's numbers) and its problems and warnings."""
        color = category_color(spec.category, self._dark())
        self.title = QLabel(f"{spec.type}  ·  {self.node_id}")
        self.title.setObjectName("inspector_title")
        f = self.title.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.2)
        self.title.setFont(f)
        self.title.setStyleSheet(f"background: {color.name()}; color: "
                                 f"{header_text_color(color).name()}; padding: 6px 8px; "
                                 "border-radius: 4px;")
        self.title.setToolTip(spec.category)
        layout.addWidget(self.title)

        self.problems_box = QVBoxLayout()
        layout.addLayout(self.problems_box)
        self.shapes = QLabel()
        self.shapes.setObjectName("inspector_shapes")
        self.shapes.setTextFormat(Qt.TextFormat.RichText)
        self.shapes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.shapes.setWordWrap(True)
        layout.addWidget(self.shapes)
        self.formula = FormulaLabel()
        layout.addWidget(self.formula)
        self.warnings_box = QVBoxLayout()
        layout.addLayout(self.warnings_box)

    def _build_about(self, layout: QVBoxLayout, node, spec) -> None:
        """Its category and help text; for a block use, the block's section; inside a
        block, notes on the settings the block's uses set."""
        nid = self.node_id
        category = QLabel(spec.category)
        category.setStyleSheet("color: palette(placeholder-text);")
        category.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(category)
        help_label = QLabel(spec.help)
        help_label.setWordWrap(True)
        layout.addWidget(help_label)
        if node.type in self.doc.graph.blocks:
            self._buttons = add_use_section(layout, self.doc, nid, self.open_block_requested.emit,
                                            self.ungroup_requested.emit,
                                            self.rename_block_requested.emit)
        notes, self._frozen = inside_notes(self.doc, nid)
        for text in notes:
            note = QLabel(text)
            note.setWordWrap(True)
            note.setStyleSheet("color: palette(placeholder-text);")
            layout.addWidget(note)

    def _build_settings(self, layout: QVBoxLayout, node, spec) -> None:
        """The card's label, what is inferred, then one field per parameter."""
        nid = self.node_id
        layout.addWidget(_section("Settings"))
        locks = self.doc.edit_locks if self.doc.root is self.doc else None
        if locks and nid is not None and locks.node_locked(nid):
            note = QLabel(locks.node_reason(self.doc.graph, nid))
            note.setObjectName("inspector_locked_note")
            note.setWordWrap(True)
            note.setStyleSheet("color: palette(placeholder-text);")
            layout.addWidget(note)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.label_edit = QLineEdit(node.label or "")
        self.label_edit.setObjectName("inspector_label")
        self.label_edit.setPlaceholderText(f"(none: shown as {nid})")
        self.label_edit.setToolTip("A name of your own, shown on the card")
        self.label_edit.editingFinished.connect(
            lambda e=self.label_edit, n=nid: self._on_label_edited(e, n))
        self._lockable.append(self.label_edit)
        form.addRow("label", self.label_edit)
        if not isinstance(self.doc, BlockDocument):   # frozen is a layer of the network
            self.trainable_box = QCheckBox("trainable")
            self.trainable_box.setObjectName("inspector_trainable")
            self.trainable_box.setChecked(node.trainable)
            self.trainable_box.setToolTip(
                "Untick to freeze this layer for transfer learning: training leaves its "
                "weights (and a BatchNorm's running statistics) as they are")
            self.trainable_box.toggled.connect(
                lambda on, n=nid: self._on_trainable_toggled(n, on))
            self._lockable.append(self.trainable_box)
            form.addRow("", self.trainable_box)
        self.inferred = QLabel()
        self.inferred.setWordWrap(True)
        self.inferred.setStyleSheet("color: palette(placeholder-text);")
        form.addRow(self.inferred)
        for p in spec.params:
            field = ParamField(p)
            field.setObjectName(f"param_{p.name}")
            field.set_value(node.params.get(p.name, p.default))
            field.edited.connect(lambda v, name=p.name: self._on_param_edited(name, v))
            if p.none_means.startswith("same as "):
                other = p.none_means.removeprefix("same as ")
                if other in spec.param_names():
                    field.fallback = lambda o=other: self._current_param(o)
            name = QLabel(p.name)
            name.setToolTip(p.help)
            held = self._held_reason(nid, p.name)
            if held:          # an assignment keeps this value: shown, not editable
                self._held[p.name] = held
                name.setText(f"{p.name} (locked)")
                name.setToolTip(held)
                field.setToolTip(held)
            form.addRow(name, field)
            self.fields[p.name] = field
        if not spec.params:
            form.addRow(QLabel("This layer has no settings."))
        layout.addLayout(form)

    def _held_reason(self, node_id: str | None, name: str) -> str:
        """Why an assignment keeps parameter ``name`` of ``node_id`` as it is ("" if free)."""
        locks = self.doc.edit_locks if self.doc.root is self.doc else None
        if not locks or node_id is None:
            return ""
        return locks.locked_params(self.doc.graph, node_id).get(name, "")

    def _build_cost(self, layout: QVBoxLayout) -> None:
        layout.addWidget(_section("Cost"))
        self.cost = QLabel()
        self.cost.setWordWrap(True)
        self.cost.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.cost)

    # -- refreshing ----------------------------------------------------------------------------
    def _on_document_changed(self, change: Change) -> None:
        if change.lock:
            self._apply_lock()
        if change.reset:
            self.show_node(None)
            return
        if self.node_id is not None and self.node_id not in self.doc.graph.nodes:
            self.show_node(None)
            return
        if change.structure or change.nodes or change.meta:
            if self.node_id is None:
                self._refresh_totals()
            else:
                self._refresh_node()

    def _set_problems(self, box: QVBoxLayout, items: list[tuple[str, str]]) -> None:
        while box.count():
            w = box.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        dark = self._dark()
        for kind, text in items:
            box.addWidget(ProblemLine(kind, text, dark))

    def _refresh_totals(self) -> None:
        a, g = self.doc.analysis, self.doc.graph
        if not self.title.hasFocus() and self.title.text() != (g.name or UNTITLED):
            self.title.setText(g.name or UNTITLED)
        if self.description is not None:
            self.description.set_text(self.doc.project.description)
        n_err, n_warn = len(a.errors), len(a.warnings)
        state = ("Valid: ready to train" if a.valid else
                 f"{plural(n_err, 'error')}")
        if n_warn:
            state += f", {plural(n_warn, 'warning')}"
        lines = [f"{len(g.nodes)} layers, {len(g.edges)} wires",
                 f"Parameters: {a.total_params:,}" + _split_text(g, a),
                 f"MACs: {a.total_macs:,} per sample",
                 f"Activations: {_bytes(activation_bytes(a))} per sample (float32)",
                 state]
        self.totals.setText("\n".join(lines))
        self._set_problems(self.problems_box,
                           [("error", d.message) for d in a.errors[:5] if d.node is None])

    def _refresh_node(self) -> None:
        nid = self.node_id
        node = self.doc.graph.nodes[nid]
        spec = self.doc.graph.spec(node.type)
        info = self.doc.analysis.nodes.get(nid)
        self.title.setText(f"{spec.type}  ·  {node.label or nid}")
        if self.label_edit is not None and not self.label_edit.hasFocus() and \
                self.label_edit.text() != (node.label or ""):
            self.label_edit.setText(node.label or "")
        if self.trainable_box is not None and self.trainable_box.isChecked() != node.trainable:
            self.trainable_box.blockSignals(True)
            self.trainable_box.setChecked(node.trainable)
            self.trainable_box.blockSignals(False)
        # Settings each use sets (inside a block) show the value of the use being shown.
        shown = self.doc.shown_params(nid) if self._frozen else {}
        for name, field in self.fields.items():
            field.set_value(shown[name] if name in self._frozen and name in shown
                            else node.params.get(name, spec.param(name).default))

        diags = info.diagnostics if info else []
        self._set_problems(self.problems_box, [
            ("error" if info.status == "error" else "incomplete", d.message)
            for d in diags if d.severity == SEVERITY_ERROR])
        inferred = info.inferred if info else {}
        self.inferred.setText("\n".join(f"{k} = {v} (from the input)" for k, v in inferred.items()))
        self.inferred.setVisible(bool(inferred))

        ins = info.inputs if info else []
        lines = []
        if spec.inputs == 0:
            lines.append("Input: data enters here")
        elif len(ins) == 1:
            lines.append(f"Input: {fmt_shape(ins[0].shape) if ins[0] else '?'}")
        else:
            for i, t in enumerate(ins):
                lines.append(f"Input {i}: {fmt_shape(t.shape) if t else '?'}")
            if not ins:
                lines.append("Input: ?")
        out = info.output if info else None
        lines.append(f"Output: {fmt_shape(out.shape) if out is not None else '?'}"
                     + ("" if out is not None or info is None or info.status == "ok"
                        else "  (fix the problem above first)" if info.status != "blocked"
                        else "  (an earlier layer has a problem)"))
        self.shapes.setText("<br>".join(
            f"{html.escape(k)}: <b>{html.escape(v)}</b>" for k, v in (ln.split(": ", 1) for ln in lines)))
        formula = info.formula if info else []
        self._formula_lines = list(formula)
        self.formula.set_lines(formula)
        self.formula.setVisible(bool(formula))
        self._set_problems(self.warnings_box, [("warning", d.message) for d in diags
                                               if d.severity != SEVERITY_ERROR])
        if info is not None and info.result is not None:
            act = out.numel * 4 if out is not None else 0
            self.cost.setText(f"Parameters: {info.params:,}\nMACs: {info.macs:,} per sample\n"
                              f"Activation memory: {_bytes(act)} per sample "
                              f"({fmt_shape(out.shape) if out is not None else '?'} floats)")
        else:
            self.cost.setText("Unknown until the shapes are known")

    def name_tooltip(self) -> str:
        """What hovering the network's name says: the class its code exports."""
        from ...codegen.names import class_name_for  # not at start-up: codegen loads later

        name = self.doc.graph.name or UNTITLED
        return (f"The network's name (click to rename it). The exported PyTorch code names "
                f"its class {class_name_for(name)}.")

    def eventFilter(self, obj, event) -> bool:
        if obj is self.name_edit and event.type() == QEvent.Type.ToolTip:
            QToolTip.showText(event.globalPos(), self.name_tooltip(), obj)
            return True
        return super().eventFilter(obj, event)

    def _current_param(self, name: str) -> Any:
        node = self.doc.graph.nodes.get(self.node_id or "")
        if node is None:
            return None
        return self.doc.graph.spec(node.type).full_params(node.params).get(name)

    def formula_text(self) -> str:
        """The formula lines shown, as plain text (one line each, as analysis wrote them)."""
        return "\n".join(self._formula_lines) if self.node_id is not None else ""

    # -- edits ---------------------------------------------------------------------------------
    def edit_description(self) -> DescriptionDialog:
        """Open the description editor (window-modal); OK is one undo step."""
        dialog = DescriptionDialog(self.doc.project.description, self)
        dialog.chosen.connect(self._set_description)
        dialog.open()
        return dialog

    def _set_description(self, text: str) -> None:
        if text != self.doc.project.description:
            push(self.undo_stack, SetDescription(self.doc, text))

    def _on_param_edited(self, name: str, value: Any) -> None:
        if self.node_id is None:
            return
        error = push(self.undo_stack, SetParam(self.doc, self.node_id, name, value))
        if error:
            field = self.fields.get(name)
            if field is not None:
                field.shown = object()   # the model did not take it: show its value again
                node = self.doc.graph.nodes.get(self.node_id)
                if node is not None:
                    field.set_value(node.params.get(name, field.spec.default))
                field.show_error(error)

    def _on_trainable_toggled(self, node_id: str, on: bool) -> None:
        node = self.doc.graph.nodes.get(node_id)
        if node is not None and node.trainable != on:
            push(self.undo_stack, SetTrainable(self.doc, {node_id: on}))

    def _on_label_edited(self, edit: QLineEdit, node_id: str) -> None:
        if not shiboken6.isValid(edit) or node_id != self.node_id:
            return
        node = self.doc.graph.nodes.get(node_id)
        text = edit.text().strip() or None
        if node is not None and text != node.label:
            push(self.undo_stack, SetLabel(self.doc, node_id, text))

    def _on_name_edited(self, edit: QLineEdit) -> None:
        """The network's name (the exported class is named after it); one undo step."""
        if not shiboken6.isValid(edit) or edit is not self.name_edit:
            return
        text = edit.text().strip()
        if not text:
            edit.setText(self.doc.graph.name or UNTITLED)   # a network always has a name
            return
        if text != self.doc.graph.name:
            error = push(self.undo_stack, SetName(self.doc, text))
            if error:
                edit.setText(self.doc.graph.name or UNTITLED)
