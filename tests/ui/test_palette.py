"""The layer palette: every layer findable, searchable, draggable and addable."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from netbuilder.graph.catalogue import CATALOGUE, CATEGORIES
from netbuilder.ui.canvas import LAYER_MIME
from netbuilder.ui.palette import Palette


def make(qtbot) -> Palette:
    p = Palette()
    qtbot.addWidget(p)
    p.resize(260, 700)
    p.show()
    qtbot.waitExposed(p)
    p.activateWindow()
    assert QTest.qWaitForWindowActive(p)
    return p


def test_every_layer_is_listed_under_its_category_with_icon_and_help(qtbot):
    p = make(qtbot)
    assert set(p.visible_types()) == set(CATALOGUE)
    cats = [p.tree.topLevelItem(i).text(0) for i in range(p.tree.topLevelItemCount())]
    assert cats == ["My blocks"] + [c for c in CATEGORIES
                                    if any(s.category == c for s in CATALOGUE.values())]
    for t, spec in CATALOGUE.items():
        item = p.item_for(t)
        assert item.parent().text(0) == spec.category
        assert item.toolTip(0) == spec.help
        assert not item.icon(0).isNull()


def test_icons_use_the_category_colour(qtbot):
    p = make(qtbot)
    img = p.item_for("Conv2d").icon(0).pixmap(20, 20).toImage()
    other = p.item_for("ReLU").icon(0).pixmap(20, 20).toImage()
    y = int(img.height() * 0.3)
    assert img.pixelColor(img.width() // 2, y) != other.pixelColor(other.width() // 2, y)


def test_search_filters_and_enter_adds_the_first_match(qtbot):
    p = make(qtbot)
    requested: list[str] = []
    p.add_requested.connect(requested.append)
    p.focus_search()
    assert p.search.hasFocus()
    QTest.keyClicks(p.search, "pool")
    shown = p.visible_types()
    assert shown and all("Pool" in t for t in shown)
    assert p._categories["Convolution"].isHidden() and not p._categories["Pooling"].isHidden()
    QTest.keyClick(p.search, Qt.Key.Key_Return)
    assert requested == [shown[0]]
    p.search.clear()
    assert set(p.visible_types()) == set(CATALOGUE)


def test_search_falls_back_to_the_help_text(qtbot):
    p = make(qtbot)
    p.filter("skip connection")
    assert "Add" in p.visible_types()


def test_categories_collapse(qtbot):
    p = make(qtbot)
    cat = p._categories["Activation"]
    assert cat.isExpanded()
    cat.setExpanded(False)
    assert not p.tree.visualItemRect(p.item_for("ReLU")).isValid()


def test_double_click_requests_the_layer(qtbot):
    p = make(qtbot)
    requested: list[str] = []
    p.add_requested.connect(requested.append)
    item = p.item_for("Linear")
    centre = p.tree.visualItemRect(item).center()
    QTest.mouseClick(p.tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    QTest.mouseDClick(p.tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    assert requested == ["Linear"]


def test_dragged_entries_carry_the_type_name(qtbot):
    p = make(qtbot)
    mime = p.tree.mimeData([p.item_for("Dropout")])
    assert mime.hasFormat(LAYER_MIME) and bytes(mime.data(LAYER_MIME).data()) == b"Dropout"
    assert p.item_for("Dropout").flags() & Qt.ItemFlag.ItemIsDragEnabled
    assert not p._categories["Merge"].flags() & Qt.ItemFlag.ItemIsDragEnabled
