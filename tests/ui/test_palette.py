"""The layer palette: every layer findable, searchable, draggable and addable."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from netbuilder.graph.catalogue import CATALOGUE, CATEGORIES
from netbuilder.ui.canvas import LAYER_MIME
from netbuilder.ui.palette import Palette
from netbuilder.ui.theme import category_color


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


def _header_colour(icon) -> tuple[int, int, int]:
    """The colour most pixels of the icon's header strip have (its top third, inside the card)."""
    img = icon.pixmap(20, 20).toImage()
    counts: dict[tuple[int, int, int], int] = {}
    for y in range(int(img.height() * 0.25), int(img.height() * 0.38)):
        for x in range(img.width() // 4, img.width() * 3 // 4):
            c = img.pixelColor(x, y)
            if c.alpha() == 255:
                key = (c.red(), c.green(), c.blue())
                counts[key] = counts.get(key, 0) + 1
    return max(counts, key=counts.get)


def test_icons_use_the_category_colour(qtbot):
    """Every layer's icon has a header in its category's colour (as its card on the canvas),
    so two layers share a header colour exactly when they share a category."""
    p = make(qtbot)
    for t, spec in CATALOGUE.items():
        want = category_color(spec.category, dark=False)
        assert _header_colour(p.item_for(t).icon(0)) == (want.red(), want.green(), want.blue()), t
    seen = {_header_colour(p.item_for(t).icon(0)) for t in CATALOGUE}
    assert len(seen) == len({s.category for s in CATALOGUE.values()})


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
    shown = p.visible_types()
    # no layer is called that: Add is found through its help text, and the others are hidden
    assert "Add" in shown and "skip connection" not in "".join(shown).lower()
    assert "Conv2d" not in shown and "Linear" not in shown
    assert len(shown) <= 3


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
