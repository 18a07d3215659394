"""The Problems tab: every diagnostic of the latest analysis; a click finds its layer.

Errors and warnings differ by icon shape and by the words in the first column, not by colour
alone. Activating a row (click, Enter) emits ``node_activated(node_id)``; the window selects
and centres that node on the canvas.

A problem inside a block names the use and the inner layer, "layer2_1 › add": a click
selects the use; a double-click (or Enter) emits ``inner_activated(use, path)`` so the window
opens the block and selects the layer at fault.

A problem netbuilder knows how to fix has a "Fix" button beside it: one fix is applied by a
click (``fix_requested(fix)``; the window pushes it as one undo step), several open a menu
whose entries say what each gives. The tooltip previews the shapes after the fix.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QStackedWidget,
    QStyle,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..graph.analysis import SEVERITY_ERROR
from ..graph.document import Change, Document
from ..graph.tensor import fmt_shape
from .doc_link import DocumentLink
from .fixes import entry_text, fix_menu, fixes_on

NODE_ROLE = Qt.ItemDataRole.UserRole + 1
INNER_ROLE = Qt.ItemDataRole.UserRole + 2
PATH_SEPARATOR = " › "


class ProblemsView(QWidget):
    node_activated = Signal(str)
    inner_activated = Signal(str, object)  # a block use, the inner node ids down to the fault
    counts_changed = Signal(int, int)      # errors, warnings
    fix_requested = Signal(object)         # a graph.fixes.Fix chosen with a Fix button

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.tree = QTreeWidget()
        self.tree.setObjectName("problems_list")
        self.tree.setColumnCount(5)
        self.tree.setHeaderLabels(["Severity", "Layer", "Type", "Problem", ""])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(False)
        header = self.tree.header()
        header.setStretchLastSection(False)
        for col in (0, 1, 2, 4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.moveSection(4, 3)   # the Fix button is shown just before the problem's words
        self.tree.itemClicked.connect(self._on_item)
        self.tree.itemActivated.connect(self._on_activated)

        self.all_clear = QLabel()
        self.all_clear.setObjectName("problems_all_clear")
        self.all_clear.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.all_clear.setWordWrap(True)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.all_clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        style = self.style()
        self._icons = {
            "error": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
            "warning": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
        }
        self._link = DocumentLink(self, document, self._on_change)
        self.refresh()

    def _on_change(self, change: Change) -> None:
        if change.structure or change.nodes or change.reset or change.meta:
            self.refresh()

    def refresh(self) -> None:
        doc = self.document
        analysis = doc.analysis
        self.tree.clear()
        ordered = analysis.errors + analysis.warnings
        for d in ordered:
            error = d.severity == SEVERITY_ERROR
            node = doc.graph.nodes.get(d.node) if d.node else None
            where = PATH_SEPARATOR.join((d.node, *d.inner)) if d.node else "(network)"
            item = QTreeWidgetItem(["Error" if error else "Warning", where,
                                    node.type if node else "", d.message])
            item.setIcon(0, self._icons["error" if error else "warning"])
            item.setData(0, NODE_ROLE, d.node or "")
            item.setData(0, INNER_ROLE, list(d.inner))
            item.setToolTip(3, d.message)
            if node is not None and d.inner:
                item.setToolTip(1, f"Inside the block {node.type}: click to show the block, "
                                "double-click to open it at the layer")
            elif node is not None:
                item.setToolTip(1, "Click to show this layer on the canvas")
            self.tree.addTopLevelItem(item)
            fixes = fixes_on(doc, d)
            if fixes:
                self.tree.setItemWidget(item, 4, self._fix_button(fixes))
        n_err, n_warn = len(analysis.errors), len(analysis.warnings)
        if ordered:
            self.stack.setCurrentWidget(self.tree)
        else:
            self.all_clear.setText(self._all_clear_text())
            self.stack.setCurrentWidget(self.all_clear)
        self.counts_changed.emit(n_err, n_warn)

    def _fix_button(self, fixes: list) -> QToolButton:
        button = QToolButton()
        button.setObjectName("fix_button")
        if len(fixes) == 1:
            button.setText("Fix")
            button.setToolTip(entry_text(fixes[0]))
            button.clicked.connect(lambda _=False, f=fixes[0]: self.fix_requested.emit(f))
        else:
            button.setText(f"Fix ({len(fixes)})")
            button.setToolTip(f"{len(fixes)} ways to fix this: choose one")
            button.setMenu(fix_menu(fixes, self.fix_requested.emit, button))
            button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        return button

    def fix_buttons(self) -> dict[int, QToolButton]:
        """Row -> its Fix button (rows without a known fix have none)."""
        out = {}
        for i in range(self.tree.topLevelItemCount()):
            w = self.tree.itemWidget(self.tree.topLevelItem(i), 4)
            if isinstance(w, QToolButton):
                out[i] = w
        return out

    def _all_clear_text(self) -> str:
        analysis = self.document.analysis
        outs = [f"{o} → {fmt_shape(analysis.nodes[o].output.shape)}" for o in analysis.outputs
                if o in analysis.nodes and analysis.nodes[o].output is not None]
        text = "✓  No problems: every layer fits."
        if outs:
            text += "  Output: " + ", ".join(outs)
        return text

    def _on_item(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        node = item.data(0, NODE_ROLE)
        if node and node in self.document.graph.nodes:
            self.node_activated.emit(node)

    def _on_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        node = item.data(0, NODE_ROLE)
        inner = item.data(0, INNER_ROLE) or []
        if node and inner and node in self.document.graph.nodes:
            self.inner_activated.emit(node, list(inner))
        else:
            self._on_item(item)

    def rows(self) -> list[tuple[str, str, str, str]]:
        """What the list shows (severity, layer, type, message), for tests and reports."""
        return [tuple(self.tree.topLevelItem(i).text(c) for c in range(4))
                for i in range(self.tree.topLevelItemCount())]

    def detach(self) -> None:
        self._link.detach()
