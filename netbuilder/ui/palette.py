"""``Palette``: the layer catalogue as a searchable, collapsible list to drag or double-click.

Each entry shows a small card icon in its category colour (drawn with QPainter), the layer
name, and the layer's help as its tooltip. Dragging carries the type name with the mime type
``application/x-netbuilder-layer`` (the canvas accepts it at the drop position);
double-click or Enter emits ``add_requested(type)``, which the window sends to the canvas.

"My blocks" (gold, first) lists the project's blocks (``set_blocks``); they drag and add
exactly like layers, carrying the block's name. A block's right-click menu (``block_menu``)
and F2 ask for a rename or a delete (``rename_block_requested``, ``delete_block_requested``);
the window decides what happens.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..graph.catalogue import by_category, get_spec
from ..graph.words import plural
from .canvas.view import LAYER_MIME
from .theme import Theme, category_color

TYPE_ROLE = Qt.ItemDataRole.UserRole
BLOCKS = "My blocks"
BLOCK_HINT = "Select layers, Ctrl+G"


def layer_icon(category: str, dark: bool, size: int = 20) -> QIcon:
    """A tiny layer card: a header strip in the category colour over a light body."""
    ratio = 2
    pm = QPixmap(size * ratio, size * ratio)
    pm.setDevicePixelRatio(ratio)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = category_color(category, dark)
    card = QRectF(1.5, 3.5, size - 3, size - 7)
    path = QPainterPath()
    path.addRoundedRect(card, 3, 3)
    p.fillPath(path, QColor("#3f3f46") if dark else QColor("#ffffff"))
    p.save()
    p.setClipPath(path)
    p.fillRect(QRectF(card.left(), card.top(), card.width(), card.height() * 0.45), color)
    p.restore()
    p.setPen(color)
    p.drawPath(path)
    line = QColor(color)
    line.setAlphaF(0.6)
    p.setPen(line)
    y = card.top() + card.height() * 0.72
    p.drawLine(int(card.left() + 3), int(y), int(card.right() - 5), int(y))
    p.end()
    return QIcon(pm)


class LayerTree(QTreeWidget):
    """The list itself: categories with their layers; layers drag out as mime data."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformRowHeights(True)
        self.setIconSize(QSize(20, 20))
        self.setIndentation(14)

    def mimeTypes(self) -> list[str]:
        return [LAYER_MIME]

    def mimeData(self, items) -> QMimeData:
        mime = QMimeData()
        types = [it.data(0, TYPE_ROLE) for it in items if it.data(0, TYPE_ROLE)]
        if types:
            mime.setData(LAYER_MIME, types[0].encode("utf-8"))
            mime.setText(types[0])
        return mime

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction


class Palette(QWidget):
    add_requested = Signal(str)
    rename_block_requested = Signal(str)
    delete_block_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search layers (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setObjectName("palette_search")
        self.tree = LayerTree(self)
        self.tree.setObjectName("palette_tree")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._categories: dict[str, QTreeWidgetItem] = {}
        self._blocks: dict[str, QTreeWidgetItem] = {}
        self.forbidden: dict[str, str] = {}   # an assignment's forbidden types (set_forbidden)
        self._build()
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._add_first_match)
        self.search.installEventFilter(self)
        self.tree.installEventFilter(self)
        self.tree.itemActivated.connect(self._on_activated)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_context_menu)
        Theme.changed.connect(self._refresh_icons)

    def _build(self) -> None:
        dark = Theme.dark_for(self.palette())
        bold = self.tree.font()
        bold.setBold(True)
        self._block_cat = QTreeWidgetItem([BLOCKS])
        self._block_cat.setFont(0, bold)
        self._block_cat.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self._block_cat.setForeground(0, category_color("Blocks", dark))
        self.tree.addTopLevelItem(self._block_cat)
        self.set_blocks({})
        for category, specs in by_category().items():
            if not specs:
                continue
            cat = QTreeWidgetItem([category])
            cat.setFont(0, bold)
            cat.setFlags(Qt.ItemFlag.ItemIsEnabled)
            cat.setToolTip(0, f"{plural(len(specs), 'layer')}")
            self.tree.addTopLevelItem(cat)
            self._categories[category] = cat
            for spec in specs:
                item = QTreeWidgetItem([spec.type])
                item.setData(0, TYPE_ROLE, spec.type)
                item.setIcon(0, layer_icon(category, dark))
                item.setToolTip(0, spec.help)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                              | Qt.ItemFlag.ItemIsDragEnabled)
                cat.addChild(item)
                self._items[spec.type] = item
            cat.setExpanded(True)

    def set_blocks(self, blocks: dict) -> None:
        """Show these blocks (name -> BlockDef) under My blocks; a hint when there are none."""
        cat = self._block_cat
        dark = Theme.dark_for(self.palette())
        current = self.tree.currentItem()
        current_type = current.data(0, TYPE_ROLE) if current is not None else None
        for name in self._blocks:
            self._items.pop(name, None)
        self._blocks = {}
        cat.takeChildren()
        for name, defn in blocks.items():
            item = QTreeWidgetItem([name])
            item.setData(0, TYPE_ROLE, name)
            item.setIcon(0, layer_icon("Blocks", dark))
            spec = defn.spec()
            item.setToolTip(0, f"{spec.help}\nSettings: {', '.join(spec.param_names())}. "
                            "Drag onto the canvas or double-click to add a use; right-click "
                            "to rename or delete the block.")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                          | Qt.ItemFlag.ItemIsDragEnabled)
            cat.addChild(item)
            self._blocks[name] = self._items[name] = item
        if not blocks:
            hint = QTreeWidgetItem([BLOCK_HINT])
            hint.setFlags(Qt.ItemFlag.NoItemFlags)
            font = hint.font(0)
            font.setItalic(True)
            hint.setFont(0, font)
            hint.setToolTip(0, "A block is a group of layers you reuse like one layer: select "
                            "them on the canvas, then Edit > Make Block (Ctrl+G)")
            cat.addChild(hint)
        cat.setToolTip(0, f"{plural(len(blocks), 'block')} in this project")
        cat.setExpanded(True)
        if current_type in self._blocks:
            self.tree.setCurrentItem(self._blocks[current_type])
        if self.search.text():
            self.filter(self.search.text())

    def block_names(self) -> list[str]:
        return list(self._blocks)

    def _refresh_icons(self) -> None:
        dark = Theme.dark_for(self.palette())
        self._block_cat.setForeground(0, category_color("Blocks", dark))
        for item in self._blocks.values():
            item.setIcon(0, layer_icon("Blocks", dark))
        for category, cat in self._categories.items():
            for i in range(cat.childCount()):
                cat.child(i).setIcon(0, layer_icon(category, dark))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._refresh_icons()
        super().changeEvent(event)

    # -- public API ------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def set_forbidden(self, reasons: dict[str, str]) -> None:
        """Layer types an assignment does not allow (type -> the reason): struck through and
        greyed, the reason as their tooltip. Choosing one still asks the document, which
        refuses and says why in the status bar."""
        muted = self.palette().color(self.palette().ColorRole.PlaceholderText)
        for t, item in self._items.items():
            font = item.font(0)
            font.setStrikeOut(t in reasons)
            item.setFont(0, font)
            if t in reasons:
                item.setForeground(0, muted)
                item.setToolTip(0, reasons[t])
            else:
                item.setData(0, Qt.ItemDataRole.ForegroundRole, None)
                item.setToolTip(0, get_spec(t).help)
        self.forbidden = dict(reasons)

    def item_for(self, type_name: str) -> QTreeWidgetItem | None:
        return self._items.get(type_name)

    def visible_types(self) -> list[str]:
        return [t for t, it in self._items.items() if not it.isHidden()]

    def filter(self, text: str) -> None:
        """Show the layers whose name (or category) contains ``text``; if none, search help."""
        needle = text.strip().lower()

        def name_hit(t: str, it: QTreeWidgetItem) -> bool:
            cat = it.parent().text(0).lower()
            return needle in t.lower() or needle in cat

        hits = {t for t, it in self._items.items() if not needle or name_hit(t, it)}
        if needle and not hits:
            hits = {t for t, it in self._items.items() if needle in it.toolTip(0).lower()}
        for t, it in self._items.items():
            it.setHidden(t not in hits)
        for cat in [*self._categories.values(), self._block_cat]:
            shown = any(not cat.child(i).isHidden() for i in range(cat.childCount())
                        if cat.child(i).data(0, TYPE_ROLE))
            shown = shown or (cat is self._block_cat and not needle)   # keep the hint
            cat.setHidden(not shown)
            if needle and shown:
                cat.setExpanded(True)
        first = next((self._items[t] for t in self._items if t in hits), None)
        if needle and first is not None:
            self.tree.setCurrentItem(first)

    # -- adding ------------------------------------------------------------------------------
    def _on_activated(self, item: QTreeWidgetItem, column: int = 0) -> None:
        type_name = item.data(0, TYPE_ROLE)
        if type_name:
            self.add_requested.emit(type_name)

    def _add_first_match(self) -> None:
        item = self.tree.currentItem()
        if item is None or item.isHidden() or not item.data(0, TYPE_ROLE):
            visible = self.visible_types()
            item = self._items[visible[0]] if visible else None
        if item is not None:
            self._on_activated(item)

    def eventFilter(self, obj, event) -> bool:
        # Down arrow from the search box walks into the list, as in a launcher.
        if obj is self.search and event.type() == QEvent.Type.KeyPress and \
                event.key() == Qt.Key.Key_Down:
            self.tree.setFocus()
            return True
        # F2 renames, as in file managers.
        if obj is self.tree and event.type() == QEvent.Type.KeyPress and \
                event.key() == Qt.Key.Key_F2:
            name = self._block_at(self.tree.currentItem())
            if name:
                self.rename_block_requested.emit(name)
                return True
        return super().eventFilter(obj, event)

    # -- managing blocks ---------------------------------------------------------------------
    def _block_at(self, item: QTreeWidgetItem | None) -> str | None:
        name = item.data(0, TYPE_ROLE) if item is not None else None
        return name if name in self._blocks else None

    def block_menu(self, name: str) -> QMenu:
        """The right-click menu of block ``name`` under My blocks."""
        menu = QMenu(self)
        menu.setObjectName("palette_block_menu")
        menu.addAction("Add to Canvas", lambda: self.add_requested.emit(name))
        menu.addSeparator()
        rename = menu.addAction("Rename Block...", lambda: self.rename_block_requested.emit(name))
        rename.setShortcut(Qt.Key.Key_F2)      # shown in the menu; handled by eventFilter
        menu.addAction("Delete Block", lambda: self.delete_block_requested.emit(name))
        return menu

    def _on_context_menu(self, pos) -> None:
        item = self.tree.itemAt(pos)
        name = self._block_at(item)
        if name is None:
            return
        self.tree.setCurrentItem(item)
        self.block_menu(name).exec(self.tree.viewport().mapToGlobal(pos))
