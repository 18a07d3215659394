"""``MakeBlockDialog``: name a new block, describe it, choose the settings each use keeps.

The name is checked as it is typed (``graph.blocks.name_problem``). Below it, one row per
setting of the selected layers: tick the ones each use of the block should choose for itself
and give each a name. Rows with the same name become one setting of the block: tick both
convolutions' ``out_channels`` and call them ``channels``, and one value sets both. The
dialog only collects plain data; the caller pushes the ``MakeBlock`` command.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...graph.blocks import REPEAT, name_problem
from ...graph.model import Graph
from ..inspector.param_fields import format_value
from ..theme import Theme, error_color

_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
COL_LAYER, COL_PARAM, COL_VALUE, COL_NAME = range(4)


def suggest_name(taken: set[str]) -> str:
    i = 1
    while f"Block{i}" in taken:
        i += 1
    return f"Block{i}"


class MakeBlockDialog(QDialog):
    def __init__(self, graph: Graph, ids: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Make Block")
        self.setObjectName("make_block_dialog")
        self.graph = graph
        self.ids = [i for i in graph.nodes if i in set(ids)]
        self.taken = set(graph.blocks)

        intro = QLabel(f"Put the {len(self.ids)} selected layers into a reusable block. The "
                       "block appears under <b>My blocks</b> in the palette; every use of it "
                       "changes when you edit its inside.")
        intro.setWordWrap(True)
        self.name_edit = QLineEdit(suggest_name(self.taken))
        self.name_edit.setObjectName("block_name")
        self.name_edit.setPlaceholderText("e.g. BasicBlock")
        self.name_edit.selectAll()
        self.description_edit = QLineEdit()
        self.description_edit.setObjectName("block_description")
        self.description_edit.setPlaceholderText("optional: what the block does, in one line")
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Description", self.description_edit)

        hint = QLabel("<b>Settings each use chooses</b> (optional): tick a setting to expose "
                      "it on the block. Rows with the same name become one setting, e.g. "
                      "both convolutions' <i>out_channels</i> named <i>channels</i>. Every "
                      "block also gets <i>repeat</i> (chain copies).")
        hint.setWordWrap(True)
        self.table = self._build_table()
        self.show_all = QCheckBox("Show every setting (not only those set on the layers)")
        self.show_all.setObjectName("block_show_all")
        self.show_all.toggled.connect(self._filter_rows)
        self.preview = QLabel()
        self.preview.setObjectName("block_preview")
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.RichText)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("block_problem")
        self.problem_label.setWordWrap(True)
        dark = Theme.dark_for(self.palette())
        self.problem_label.setStyleSheet(f"color: {error_color(dark).name()};")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Make Block")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addSpacing(6)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.show_all)
        layout.addWidget(self.preview)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self.resize(560, 520)

        self.name_edit.textChanged.connect(self._validate)
        self.table.itemChanged.connect(self._filter_rows)
        self.table.itemChanged.connect(self._validate)
        self._filter_rows()
        self._validate()
        self.table.setCurrentItem(None)
        self.name_edit.setFocus()

    def _build_table(self) -> QTableWidget:
        rows = []
        self._key_rows: list[bool] = []     # set on the layer: shown without "every setting"
        for nid in self.ids:
            node = self.graph.nodes[nid]
            spec = self.graph.spec(node.type)
            for p in spec.params:
                rows.append((nid, node.type, p, node.params.get(p.name, p.default)))
                self._key_rows.append(p.name in node.params)
        table = QTableWidget(len(rows), 4, self)
        table.setObjectName("block_params")
        table.setHorizontalHeaderLabels(["Layer", "Setting", "Value", "Name on the block"])
        table.verticalHeader().setVisible(False)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self._rows: list[tuple[str, str]] = []
        self.ticks: list[QCheckBox] = []
        dark = Theme.dark_for(self.palette())
        for r, (nid, type_, p, value) in enumerate(rows):
            layer = QTableWidgetItem(nid)
            layer.setFlags(Qt.ItemFlag.ItemIsEnabled)
            layer.setToolTip(f"{nid} ({type_})")
            param = QTableWidgetItem("")
            param.setFlags(Qt.ItemFlag.ItemIsEnabled)
            tick = QCheckBox(p.name)
            tick.setToolTip(f"{p.help}. Tick to let each use of the block choose it.")
            tick.setStyleSheet("QCheckBox { margin-left: 4px; margin-right: 4px; }")
            if dark:   # the box is drawn in the Base colour: lift it off the table's Base
                pal = tick.palette()
                pal.setColor(QPalette.ColorRole.Base, pal.color(QPalette.ColorRole.Button))
                tick.setPalette(pal)
            tick.toggled.connect(self._on_tick)
            self.ticks.append(tick)
            val = QTableWidgetItem(format_value(p, value) if value is not None else "none")
            val.setFlags(Qt.ItemFlag.ItemIsEnabled)
            name = QTableWidgetItem(p.name)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsEditable)
            name.setToolTip("The setting's name on the block; the same name on several rows "
                            "makes one setting")
            for c, item in enumerate((layer, param, val, name)):
                table.setItem(r, c, item)
            table.setCellWidget(r, COL_PARAM, tick)
            self._rows.append((nid, p.name))
        header = table.horizontalHeader()
        for c in (COL_LAYER, COL_PARAM, COL_VALUE):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        return table

    # -- what the dialog says ---------------------------------------------------------------
    def name(self) -> str:
        return self.name_edit.text().strip()

    def description(self) -> str:
        return self.description_edit.text().strip()

    def set_exposed(self, node_id: str, param: str, name: str | None = None,
                    checked: bool = True) -> None:
        """Tick (or untick) the row of ``node_id.param`` and name it (for tests and scripts)."""
        r = self._rows.index((node_id, param))
        if name is not None:
            self.table.item(r, COL_NAME).setText(name)
        self.ticks[r].setChecked(checked)

    def exposed(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """(name on the block, [(layer, setting), ...]) in the order names first appear."""
        out: dict[str, list[tuple[str, str]]] = {}
        for r, target in enumerate(self._rows):
            if self.ticks[r].isChecked():
                name = self.table.item(r, COL_NAME).text().strip()
                out.setdefault(name, []).append(target)
        return list(out.items())

    def problem(self) -> str | None:
        problem = name_problem(self.name(), self.taken)
        if problem:
            return problem[:1].upper() + problem[1:]
        for name, targets in self.exposed():
            if not _IDENT.match(name) or name == REPEAT:
                return (f"The setting name {name!r} must start with a letter, hold only "
                        "letters, digits and _, and not be 'repeat'")
            kinds = {self.graph.spec(self.graph.nodes[n].type).param(p).kind for n, p in targets}
            if len(kinds) > 1:
                where = ", ".join(f"{n}.{p}" for n, p in targets)
                return (f"'{name}' would set settings of different kinds ({where}): give "
                        "them different names")
        return None

    def _on_tick(self, _checked: bool) -> None:
        self._filter_rows()
        self._validate()

    def _filter_rows(self, *_args) -> None:
        """Only the settings written on the layers (and ticked ones), unless all are asked;
        the layer's name only on its first shown row."""
        every = self.show_all.isChecked()
        last = None
        for r, (nid, _p) in enumerate(self._rows):
            ticked = self.ticks[r].isChecked()
            hidden = not (every or self._key_rows[r] or ticked)
            self.table.setRowHidden(r, hidden)
            if not hidden:
                layer = self.table.item(r, COL_LAYER)
                text = nid if nid != last else ""
                if layer.text() != text:
                    layer.setText(text)
                last = nid

    def _validate(self, *_args) -> None:
        exposed = self.exposed()
        if exposed:
            lines = [f"<b>{name}</b> → {', '.join(f'{n}.{p}' for n, p in targets)}"
                     for name, targets in exposed]
            self.preview.setText("The block's settings: " + "; ".join(lines) + "; <b>repeat</b>")
        else:
            self.preview.setText("The block's settings: <b>repeat</b> only")
        problem = self.problem()
        self.problem_label.setText(problem or "")
        self.problem_label.setVisible(bool(problem))
        self.ok_button.setEnabled(problem is None)

    def accept(self) -> None:
        if self.problem() is None:
            super().accept()
