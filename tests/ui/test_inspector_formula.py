"""The output-size formula, the feature the README leads with: at the top of the inspector
(right under the layer's name) in a 1400x900 window, and broken only between terms however
narrow the inspector is."""

from __future__ import annotations

from mainwindow_support import isolated_fixture, make_window_fixture  # noqa: F401
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontMetricsF

from netbuilder.ui.inspector.formula import OPERATORS, layout_line

COURSE = "   (course form: H_out = (H - F + 2P)/S + 1 = (28 - 5 + 2*2)/1 + 1 = 28)"


def _visible_rect(inspector, widget) -> QRect:
    viewport = inspector._scroll.viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return QRect(top_left, widget.size())


def _check_breaks(formula) -> None:
    """Each analysis line is its shown lines joined again; every continuation line starts
    with an operator (a new term) and fits the box; no line ends with an operator."""
    metrics = QFontMetricsF(formula.font())
    groups = formula.shown_groups()
    assert [s for g in groups for s in g] == formula.shown_lines()
    assert len(groups) == len(formula.lines())
    for line, parts in zip(formula.lines(), groups, strict=True):
        assert " ".join(p.strip() for p in parts) == line.strip()
        for cont in parts[1:]:
            assert cont.split()[0] in OPERATORS, (line, parts)
        for p in parts:
            assert p.split()[-1] not in OPERATORS, (line, parts)
            assert metrics.horizontalAdvance(p) <= formula.text_width(), (p, formula.width())


def test_the_conv_formula_is_in_view_under_the_name_at_1400x900(make_window, qtbot):
    w = make_window("lenet5", (1400, 900))
    w.canvas.select_node("conv1")
    insp = w.inspector
    formula = insp.formula
    qtbot.waitUntil(lambda: formula.isVisible() and formula.text_width() > 0)
    assert any(line.startswith("H_out = floor((28 + 2*2") for line in formula.lines())
    viewport = insp._scroll.viewport().rect()
    box = _visible_rect(insp, formula)
    assert viewport.contains(box), (box, viewport)      # all of it, without scrolling
    title = _visible_rect(insp, insp.title)
    settings = _visible_rect(insp, insp.fields["kernel_size"])
    assert title.bottom() < box.top() < settings.top()   # right after the name, before settings
    _check_breaks(formula)


def test_the_formula_breaks_only_between_terms_however_narrow(make_window, qtbot):
    w = make_window("alexnet", (1400, 900))
    w.canvas.select_node("conv1")
    formula = w.inspector.formula
    qtbot.waitUntil(lambda: formula.text_width() > 0)
    counts = []
    for width in (520, 360, 300, 240):
        w.resizeDocks([w.inspector_dock], [width], Qt.Orientation.Horizontal)
        qtbot.waitUntil(lambda width=width: abs(w.inspector_dock.width() - width) < 30)
        qtbot.waitUntil(lambda: formula._laid_for == formula.text_width())
        _check_breaks(formula)
        counts.append(len(formula.shown_lines()))
    assert counts == sorted(counts) and counts[0] < counts[-1]   # narrower: more lines


def test_layout_keeps_equation_sides_whole_and_opens_parentheses_only_when_needed():
    chars = 7.0
    measure = lambda s: chars * len(s)   # noqa: E731  (a monospaced font)
    line = "H_out = floor((28 + 2*2 - 1*(5-1) - 1) / 1) + 1 = 28"
    assert layout_line(line, chars * 60, measure) == [line]
    assert layout_line(line, chars * 41, measure) == [
        "H_out", "  = floor((28 + 2*2 - 1*(5-1) - 1) / 1)", "  + 1 = 28"]
    assert layout_line(line, chars * 35, measure) == [
        "H_out", "  = floor((28 + 2*2 - 1*(5-1) - 1)", "  / 1) + 1 = 28"]
    assert layout_line(COURSE, chars * 41, measure) == [
        "   (course form: H_out", "     = (H - F + 2P)/S + 1", "     = (28 - 5 + 2*2)/1 + 1 = 28)"]
    prose = "4 heads of 16 features each; every token attends to all 10 tokens"
    assert layout_line(prose, chars * 36, measure) == [
        "4 heads of 16 features each; every", "  token attends to all 10 tokens"]
