"""The Summary tab: a torchinfo-style table (layer, type, output shape, params, MACs) and totals.

The totals line gives parameters, MACs per sample and the forward activation memory for a
batch size the student picks in a spin box (float32). Clicking a row finds the layer.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..graph.analysis import OK
from ..graph.document import Change, Document
from ..graph.report import summary_rows
from ..graph.transfer import parameter_split
from .doc_link import DocumentLink

HEADERS = ("Layer", "Type", "Output shape", "Params", "MACs")
BYTES_PER_VALUE = 4   # float32


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.2f} {unit}"
        n /= 1024
    return f"{n:,.2f} TB"


def human_count(n: int) -> str:
    """61706 -> '61,706'; big numbers also in words: 11,689,512 (11.7 M)."""
    text = f"{n:,}"
    if n >= 1_000_000_000:
        text += f" ({n / 1e9:.2f} G)"
    elif n >= 1_000_000:
        text += f" ({n / 1e6:.1f} M)"
    return text


class SummaryModel(QAbstractTableModel):
    def __init__(self, document: Document) -> None:
        super().__init__()
        self.document = document
        self.rows: list[tuple[str, str, str, int, int]] = []
        self.status: dict[str, str] = {}

    def refresh(self) -> None:
        self.beginResetModel()
        doc = self.document
        self.rows = summary_rows(doc.graph, doc.analysis)
        self.status = {nid: info.status for nid, info in doc.analysis.nodes.items()}
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section >= 3:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            value = row[col]
            if col >= 3:
                return f"{value:,}" if self.status.get(row[0]) == OK else "–"
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and self.status.get(row[0]) != OK:
            return f"{row[0]} is {self.status.get(row[0])}: see the Problems tab"
        if role == Qt.ItemDataRole.FontRole and self.status.get(row[0]) != OK:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and self.status.get(row[0]) != OK:
            return QPalette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        return None


class SummaryView(QWidget):
    node_activated = Signal(str)
    batch_changed = Signal(int)

    def __init__(self, document: Document, parent: QWidget | None = None,
                 batch_size: int = 64) -> None:
        super().__init__(parent)
        self.document = document
        self.model = SummaryModel(document)
        self.table = QTableView()
        self.table.setObjectName("summary_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)     # compact columns, read left to right
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(70)
        self.table.clicked.connect(self._on_clicked)

        self.totals = QLabel()
        self.totals.setObjectName("summary_totals")
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.totals.setWordWrap(True)          # narrow docks and 1024x768 projectors
        self.batch = QSpinBox()
        self.batch.setObjectName("summary_batch")
        self.batch.setRange(1, 1_000_000)
        self.batch.setValue(batch_size)
        self.batch.setAccelerated(True)
        self.batch.setToolTip("Batch size for the activation memory estimate")
        self.batch.valueChanged.connect(self._on_batch)

        footer = QHBoxLayout()
        footer.addWidget(self.totals, 1)
        footer.addWidget(QLabel("Batch size:"))
        footer.addWidget(self.batch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)

        self._link = DocumentLink(self, document, self._on_change)
        self.refresh()

    def _on_change(self, change: Change) -> None:
        if change.structure or change.nodes or change.reset:
            self.refresh()

    def _on_batch(self, value: int) -> None:
        self._update_totals()
        self.batch_changed.emit(value)

    def refresh(self) -> None:
        self.model.refresh()
        self._update_totals()

    def totals_values(self) -> dict[str, int]:
        a = self.document.analysis
        batch = self.batch.value()
        trainable, frozen = parameter_split(self.document.graph,
                                            {nid: i.params for nid, i in a.nodes.items()})
        return {
            "params": a.total_params,
            "trainable": trainable,   # as torchinfo: Trainable / Non-trainable params
            "frozen": frozen,
            "macs": a.total_macs,
            "param_bytes": a.total_params * BYTES_PER_VALUE,
            "activation_bytes": a.activation_count() * batch * BYTES_PER_VALUE,
            "batch": batch,
        }

    def _update_totals(self) -> None:
        t = self.totals_values()
        incomplete = "" if self.document.analysis.valid else \
            "  <i>(layers with problems are not counted)</i>"
        self.totals.setText(
            f"<b>Total params:</b> {human_count(t['params'])} "
            f"({human_bytes(t['param_bytes'])})&nbsp;&nbsp; "
            f"<b>Trainable:</b> {human_count(t['trainable'])}, <b>frozen:</b> "
            f"{human_count(t['frozen'])}&nbsp;&nbsp; "
            f"<b>MACs:</b> {human_count(t['macs'])} per sample&nbsp;&nbsp; "
            f"<b>Activations:</b> {human_bytes(t['activation_bytes'])} for a batch of "
            f"{t['batch']:,} (forward, float32){incomplete}")

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.node_activated.emit(self.model.rows[index.row()][0])

    def detach(self) -> None:
        self._link.detach()
