"""The canvas as a student uses it: drop layers, draw wires with the mouse, move, delete,
copy and paste, undo everything; cards and wires always show shapes and problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QImage,
    QUndoStack,
    QWheelEvent,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.document import Document
from netbuilder.graph.model import Edge
from netbuilder.graph.project import Project, project_to_dict
from netbuilder.ui.canvas import EditorCanvas, NodeItem
from netbuilder.ui.commands import SetParam
from netbuilder.ui.palette import Palette
from netbuilder.ui.theme import Theme


def make_canvas(qtbot, doc: Document, stack: QUndoStack, fit: bool = True) -> EditorCanvas:
    canvas = EditorCanvas(doc, stack)
    qtbot.addWidget(canvas)
    canvas.resize(1200, 800)
    canvas.show()
    qtbot.waitExposed(canvas)
    if fit:
        canvas.fit_all()
    return canvas


def snapshot(doc: Document) -> dict:
    """The network as plain data, independent of node order."""
    d = project_to_dict(doc.project)
    return {"nodes": sorted(d["nodes"], key=lambda n: n["id"]),
            "edges": sorted(d["edges"], key=lambda e: (e["source"], e["target"]))}


def wire_label(canvas: EditorCanvas, source: str, target: str) -> str:
    (wire,) = [w for e, w in canvas.graph_scene.wires.items() if (e.source, e.target) == (source, target)]
    return wire.text


def card(canvas: EditorCanvas, nid: str):
    return canvas.graph_scene.nodes[nid].view


def port_point(canvas: EditorCanvas, nid: str, side: str = "out", index: int = 0) -> QPoint:
    item = canvas.graph_scene.nodes[nid]
    port = item.output if side == "out" else item.inputs[index]
    return canvas.mapFromScene(port.scenePos())


def mouse_drag(canvas: EditorCanvas, a: QPoint, b: QPoint, steps: int = 6) -> None:
    vp = canvas.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, steps + 1):
        QTest.mouseMove(vp, a + (b - a) * (i / steps))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)


def two_node_doc() -> Document:
    b = GraphBuilder("two")
    b.input((1, 28, 28))
    b.layer("Flatten", None, id="flatten")
    b.graph.nodes["input"].position = (0.0, 0.0)
    b.graph.nodes["flatten"].position = (300.0, 40.0)
    return Document(Project(b.graph))


# -- adding layers --------------------------------------------------------------------------

def test_dropping_a_palette_layer_adds_it_where_dropped_with_its_shape(qtbot, undo_stack):
    doc = Document()
    canvas = make_canvas(qtbot, doc, undo_stack)
    palette = Palette()
    qtbot.addWidget(palette)
    mime = palette.tree.mimeData([palette.item_for("Input")])
    drop_at = QPoint(400, 300)
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    # What a real drag delivers: enter, move, drop.
    enter = QDragEnterEvent(drop_at, *args)
    assert QApplication.sendEvent(canvas.viewport(), enter) and enter.isAccepted()
    QApplication.sendEvent(canvas.viewport(), QDragMoveEvent(drop_at, *args))
    QApplication.sendEvent(canvas.viewport(), QDropEvent(QPointF(drop_at), *args))
    assert list(doc.graph.nodes) == ["input"]
    item = canvas.graph_scene.nodes["input"]
    assert item.view.shape == "1x28x28"
    assert item.sceneBoundingRect().contains(canvas.mapToScene(drop_at))
    assert undo_stack.undoText() == "Add Input"
    undo_stack.undo()
    assert not doc.graph.nodes and not canvas.graph_scene.nodes
    undo_stack.redo()
    assert canvas.graph_scene.nodes["input"].view.shape == "1x28x28"


def test_double_click_in_palette_chains_after_the_selected_layer(qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack)
    palette = Palette()
    qtbot.addWidget(palette)
    palette.show()
    palette.add_requested.connect(canvas.add_layer)
    before = snapshot(lenet)
    canvas.select_node("fc3")
    tree = palette.tree
    item = palette.item_for("Softmax")
    tree.scrollToItem(item)
    centre = tree.visualItemRect(item).center()
    # A real double-click: press and release, then the double-click event.
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    QTest.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    assert "softmax" in lenet.graph.nodes
    assert wire_label(canvas, "fc3", "softmax") == "10"
    assert card(canvas, "softmax").shape == "10"
    assert canvas.selected_ids() == ["softmax"]       # the next double-click chains on
    assert undo_stack.count() == 1                    # add + wire: one step
    undo_stack.undo()
    assert snapshot(lenet) == before and "softmax" not in canvas.graph_scene.nodes
    undo_stack.redo()
    assert wire_label(canvas, "fc3", "softmax") == "10"


# -- wires ----------------------------------------------------------------------------------

def test_dragging_from_an_output_to_an_input_draws_a_wire_with_its_shape(qtbot, undo_stack):
    doc = two_node_doc()
    canvas = make_canvas(qtbot, doc, undo_stack)
    assert card(canvas, "flatten").status == "incomplete"
    mouse_drag(canvas, port_point(canvas, "input"), port_point(canvas, "flatten", "in"))
    assert doc.graph.edges == [Edge("input", "flatten", 0)]
    assert wire_label(canvas, "input", "flatten") == "1x28x28"
    assert card(canvas, "flatten").shape == "784"
    assert undo_stack.undoText() == "Connect input → flatten"
    undo_stack.undo()
    assert doc.graph.edges == [] and not canvas.graph_scene.wires
    assert card(canvas, "flatten").shape == "?"
    undo_stack.redo()
    assert wire_label(canvas, "input", "flatten") == "1x28x28"


def test_dropping_a_wire_on_a_card_uses_its_first_free_input(qtbot, undo_stack):
    doc = two_node_doc()
    canvas = make_canvas(qtbot, doc, undo_stack)
    body = canvas.mapFromScene(canvas.graph_scene.nodes["flatten"].sceneBoundingRect().center())
    mouse_drag(canvas, port_point(canvas, "input"), body)
    assert doc.graph.edges == [Edge("input", "flatten", 0)]


def test_refused_wires_are_explained_and_change_nothing(qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack)
    messages: list[str] = []
    canvas.status_message.connect(messages.append)
    before = snapshot(lenet)
    # relu1 -> conv1's input: conv1 feeds relu1, so replacing conv1's wire would loop.
    mouse_drag(canvas, port_point(canvas, "relu1"), port_point(canvas, "conv1", "in"))
    assert "loop" in messages[-1]
    assert lenet.graph.in_edges("conv1")[0].source == "input"
    # input -> conv1 again: that wire is there already.
    mouse_drag(canvas, port_point(canvas, "input"), port_point(canvas, "conv1", "in"))
    assert "already wired to 'input'" in messages[-1]
    # Onto the Input layer: data enters there.
    body = canvas.mapFromScene(canvas.graph_scene.nodes["input"].sceneBoundingRect().center())
    mouse_drag(canvas, port_point(canvas, "fc3"), body)
    assert "has no inputs" in messages[-1]
    assert snapshot(lenet) == before and undo_stack.count() == 0


def test_dropping_a_wire_on_a_wired_input_replaces_the_old_wire_in_one_undo_step(
        qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack)
    edges_before = list(lenet.graph.edges)
    assert card(canvas, "flatten").shape == "400"
    vp = canvas.viewport()
    start, target = port_point(canvas, "input"), port_point(canvas, "flatten", "in")
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(vp, target)
    # the wired input still accepts the wire (it will take the place of the old one)
    assert canvas.graph_scene.nodes["flatten"].inputs[0].hint == "ok"
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, target)
    assert [e.source for e in lenet.graph.in_edges("flatten")] == ["input"]
    assert wire_label(canvas, "input", "flatten") == "1x28x28"
    assert not [e for e in canvas.graph_scene.wires if (e.source, e.target) == ("pool2", "flatten")]
    assert card(canvas, "flatten").shape == "784"
    assert undo_stack.count() == 1
    assert undo_stack.undoText() == "Connect input → flatten (replacing pool2 → flatten)"
    undo_stack.undo()        # the old wire comes back, exactly where it was
    assert lenet.graph.edges == edges_before
    assert wire_label(canvas, "pool2", "flatten") == "16x5x5"
    assert not [e for e in canvas.graph_scene.wires if (e.source, e.target) == ("input", "flatten")]
    assert card(canvas, "flatten").shape == "400"
    undo_stack.redo()        # and the new one replaces it again
    assert [e.source for e in lenet.graph.in_edges("flatten")] == ["input"]
    assert card(canvas, "flatten").shape == "784"


def test_dropping_a_wire_on_a_full_layer_replaces_its_input(qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack)
    body = canvas.mapFromScene(canvas.graph_scene.nodes["pool1"].sceneBoundingRect().center())
    mouse_drag(canvas, port_point(canvas, "conv1"), body)     # skip relu1
    assert [e.source for e in lenet.graph.in_edges("pool1")] == ["conv1"]
    assert undo_stack.count() == 1
    undo_stack.undo()
    assert [e.source for e in lenet.graph.in_edges("pool1")] == ["relu1"]


def test_a_wire_that_would_make_a_loop_is_dimmed_then_refused(qtbot, undo_stack):
    b = GraphBuilder("loop")
    x = b.input((8,))
    add = b.layer("Add", [x], id="add")
    b.layer("ReLU", add, id="relu")
    for i, nid in enumerate(["input", "add", "relu"]):
        b.graph.nodes[nid].position = (i * 260.0, 0.0)
    doc = Document(Project(b.graph))
    canvas = make_canvas(qtbot, doc, undo_stack)
    add_ports = canvas.graph_scene.nodes["add"].inputs
    assert len(add_ports) == 2 and card(canvas, "add").numbered   # one free port more
    messages: list[str] = []
    canvas.status_message.connect(messages.append)
    vp = canvas.viewport()
    start, target = port_point(canvas, "relu"), port_point(canvas, "add", "in", 1)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(vp, target)
    assert add_ports[1].hint == "refused" and add_ports[1].opacity() < 0.5
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, target)
    assert "loop" in messages[-1]
    assert len(doc.graph.edges) == 2
    assert add_ports[1].hint == "" and add_ports[1].opacity() == 1.0


def test_compatible_ports_highlight_and_escape_cancels_the_wire(qtbot, undo_stack):
    doc = two_node_doc()
    canvas = make_canvas(qtbot, doc, undo_stack)
    vp = canvas.viewport()
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     port_point(canvas, "input"))
    QTest.mouseMove(vp, QPoint(600, 500))
    assert canvas.graph_scene.nodes["flatten"].inputs[0].hint == "ok"
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_Escape)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       port_point(canvas, "flatten", "in"))
    assert doc.graph.edges == []
    assert canvas.graph_scene.nodes["flatten"].inputs[0].hint == ""


def test_clicking_a_wire_selects_it_and_delete_removes_it(qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack)
    wire = next(w for e, w in canvas.graph_scene.wires.items() if e.source == "conv1")
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     canvas.mapFromScene(wire.label.scenePos()))
    assert wire.isSelected()
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_Delete)
    assert Edge("conv1", "relu1", 0) not in lenet.graph.edges
    assert card(canvas, "relu1").status == "incomplete"
    undo_stack.undo()
    assert wire_label(canvas, "conv1", "relu1") == "6x28x28"


# -- states ---------------------------------------------------------------------------------

def test_an_invalid_layer_writes_its_problem_under_the_card(qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack)
    undo_stack.push(SetParam(lenet, "conv2", "kernel_size", 20))
    conv2 = canvas.graph_scene.nodes["conv2"]
    assert conv2.view.status == "error" and conv2.view.message_kind == "error"
    message = lenet.analysis.nodes["conv2"].diagnostics[0].message
    assert conv2.view.message == message[:1].upper() + message[1:]
    assert conv2._message_lines and conv2._message_lines[0] in conv2.view.message
    assert conv2.boundingRect().bottom() > conv2.card_height() + 20   # text below the card
    assert card(canvas, "relu2").status == "blocked"
    assert wire_label(canvas, "conv2", "relu2") == "?"
    undo_stack.undo()
    assert conv2.view.status == "ok" and not conv2._message_lines
    assert wire_label(canvas, "conv2", "relu2") == "16x10x10"


def test_param_edit_updates_only_what_changed(qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack)
    views = {nid: item.view for nid, item in canvas.graph_scene.nodes.items()}
    undo_stack.push(SetParam(lenet, "fc2", "out_features", 50))
    changed = {nid for nid, item in canvas.graph_scene.nodes.items() if item.view is not views[nid]}
    assert changed == {"fc2", "relu4", "fc3"}
    assert wire_label(canvas, "fc2", "relu4") == "50"


# -- moving, deleting, clipboard ------------------------------------------------------------

def test_dragging_a_card_moves_it_in_one_undo_step(qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack)
    item = canvas.graph_scene.nodes["conv1"]
    start_pos = lenet.graph.nodes["conv1"].position
    grip = canvas.mapFromScene(item.mapToScene(QPointF(60, 10)))     # the header
    mouse_drag(canvas, grip, grip + QPoint(0, 80), steps=8)
    moved = lenet.graph.nodes["conv1"].position
    assert moved[1] > start_pos[1] + 40 and moved == (item.pos().x(), item.pos().y())
    assert undo_stack.count() == 1 and undo_stack.undoText() == "Move conv1"
    wire = next(w for e, w in canvas.graph_scene.wires.items() if e.target == "conv1")
    assert wire.boundingRect().contains(wire.mapFromScene(item.input_pos(0)))
    undo_stack.undo()
    assert lenet.graph.nodes["conv1"].position == start_pos
    assert (item.pos().x(), item.pos().y()) == start_pos
    undo_stack.redo()
    assert lenet.graph.nodes["conv1"].position == moved


@pytest.mark.parametrize("key", [Qt.Key.Key_Delete, Qt.Key.Key_Backspace])
def test_delete_key_removes_the_selection_and_undo_restores_it_exactly(qtbot, lenet, undo_stack, key):
    canvas = make_canvas(qtbot, lenet, undo_stack)
    before = snapshot(lenet)
    canvas.select_nodes(["conv2", "relu2"])
    canvas.setFocus()
    QTest.keyClick(canvas, key)
    assert "conv2" not in lenet.graph.nodes and "relu2" not in lenet.graph.nodes
    assert "conv2" not in canvas.graph_scene.nodes
    assert not [e for e in lenet.graph.edges if "conv2" in (e.source, e.target)]
    assert undo_stack.count() == 1 and undo_stack.undoText() == "Delete 2 layers"
    undo_stack.undo()
    assert snapshot(lenet) == before
    assert wire_label(canvas, "conv2", "relu2") == "16x10x10"
    undo_stack.redo()
    assert "conv2" not in canvas.graph_scene.nodes


def test_copy_paste_keeps_inner_wires_with_new_ids(qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack)
    canvas.select_nodes(["conv1", "relu1"])
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert '"netbuilder-clipboard"' in QApplication.clipboard().text()
    before = snapshot(lenet)
    QTest.keyClick(canvas, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert canvas.selected_ids() == ["conv1_2", "relu1_2"]
    assert Edge("conv1_2", "relu1_2", 0) in lenet.graph.edges
    assert lenet.graph.nodes["conv1_2"].params == lenet.graph.nodes["conv1"].params
    (x0, y0), (x1, y1) = lenet.graph.nodes["conv1"].position, lenet.graph.nodes["conv1_2"].position
    assert (x1 - x0, y1 - y0) == (40.0, 40.0)
    assert undo_stack.undoText() == "Paste 2 layers"
    undo_stack.undo()
    assert snapshot(lenet) == before
    undo_stack.redo()
    assert {"conv1_2", "relu1_2"} <= set(canvas.graph_scene.nodes)


def test_duplicate_and_select_all(qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack)
    canvas.select_node("fc1")
    canvas.setFocus()
    QTest.keyClick(canvas, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert canvas.selected_ids() == ["fc1_2"] and undo_stack.undoText() == "Duplicate fc1"
    QTest.keyClick(canvas, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(canvas.selected_ids()) == len(lenet.graph.nodes) == 14


def test_context_menu_disconnect_all_is_one_step(qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack)
    at = canvas.mapFromScene(canvas.graph_scene.nodes["pool1"].sceneBoundingRect().center())
    menu = canvas.context_menu_at(at)
    actions = {a.text(): a for a in menu.actions() if not a.isSeparator()}
    assert set(actions) == {"Delete", "Duplicate", "Copy", "Disconnect all", "Freeze up to here",
                            "Make Block..."}
    actions["Disconnect all"].trigger()
    assert not [e for e in lenet.graph.edges if "pool1" in (e.source, e.target)]
    assert undo_stack.count() == 1 and undo_stack.undoText() == "Disconnect 2 wires"
    wire = next(w for e, w in canvas.graph_scene.wires.items() if e.source == "conv1")
    menu = canvas.context_menu_at(canvas.mapFromScene(wire.label.scenePos()))
    assert [a.text() for a in menu.actions()] == ["Delete wire"]


# -- the view -------------------------------------------------------------------------------

def test_zoom_keys_wheel_fit_and_reset(qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack, fit=False)
    canvas.setFocus()
    assert canvas.zoom_level() == pytest.approx(1.0)
    QTest.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.zoom_level() > 1.1
    QTest.keyClick(canvas, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert canvas.zoom_level() == pytest.approx(1.0)
    centre = QPointF(600, 400)
    wheel = QWheelEvent(centre, canvas.mapToGlobal(centre.toPoint()), QPoint(0, 0), QPoint(0, -240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.ControlModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(canvas.viewport(), wheel)
    assert canvas.zoom_level() < 0.8
    QTest.keyClick(canvas, Qt.Key.Key_F)
    visible = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    assert visible.contains(canvas.graph_scene.content_rect())


def test_projects_without_positions_are_laid_out_and_auto_layout_undoes(qtbot, undo_stack):
    b = GraphBuilder("messy")
    x = b.input((3, 32, 32))
    a = b.layer("Conv2d", x, out_channels=8, padding=1)
    c = b.layer("Conv2d", x, out_channels=8, padding=1)
    b.layer("Add", [a, c])
    doc = Document(Project(b.graph))
    canvas = make_canvas(qtbot, doc, undo_stack)
    rects = [i.sceneBoundingRect() for i in canvas.graph_scene.nodes.values()]
    assert not any(r1.intersects(r2) for i, r1 in enumerate(rects) for r2 in rects[i + 1:])
    assert all(n.position is None for n in doc.graph.nodes.values())   # display only
    canvas.graph_scene.nodes["add"].setPos(5.0, 5.0)
    canvas.auto_layout()
    assert undo_stack.undoText() == "Auto layout"
    laid = {nid: n.position for nid, n in doc.graph.nodes.items()}
    assert len(set(laid.values())) == 4
    undo_stack.undo()
    assert doc.graph.nodes["add"].position == (5.0, 5.0)


def test_locked_canvas_refuses_edits_and_says_why(qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack)
    messages: list[str] = []
    canvas.status_message.connect(messages.append)
    lenet.set_locked("training is running; stop it to edit")
    before = snapshot(lenet)
    canvas.select_node("conv1")
    canvas.delete_selection()
    assert "locked" in messages[-1]
    assert canvas.add_layer("ReLU") is None
    undo_stack.push(SetParam(lenet, "conv1", "kernel_size", 3))   # e.g. from the inspector
    assert "locked" in messages[-1] and undo_stack.count() == 0
    assert snapshot(lenet) == before
    image = canvas.grab().toImage()
    assert image.pixelColor(600, 30) != image.pixelColor(600, 300)   # the banner is drawn


def test_presentation_mode_enlarges_text_lines_and_view(qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack, fit=False)
    item = canvas.graph_scene.nodes["conv1"]
    width, pen = item.width(), Theme.wire_pen(False).widthF()
    title, zoom = Theme.title_font().pixelSize(), canvas.zoom_level()
    canvas.set_presentation(True)
    assert Theme.title_font().pixelSize() > title and Theme.wire_pen(False).widthF() > pen
    assert canvas.zoom_level() > zoom
    assert item.width() == width          # saved layouts keep their spacing
    canvas.set_presentation(False)
    assert Theme.title_font().pixelSize() == title and canvas.zoom_level() == pytest.approx(zoom)


def test_export_png_and_svg(qtbot, lenet, undo_stack, tmp_path: Path):
    canvas = make_canvas(qtbot, lenet, undo_stack)
    png = canvas.export_png(tmp_path / "lenet.png")
    svg = canvas.export_svg(tmp_path / "lenet.svg")
    image = QImage(str(png))
    assert image.width() > 1000 and image.height() > 100
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text and "Conv2d" in text


def test_nodes_are_cards_with_type_params_shape_and_cost(qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack)
    conv1: NodeItem = canvas.graph_scene.nodes["conv1"]
    v = conv1.view
    assert (v.type, v.name, v.params_line, v.shape, v.cost) == (
        "Conv2d", "conv1", "6 filters, 5x5, pad 2", "6x28x28", "156 params")
    assert 170 <= conv1.width() <= 200
    assert conv1.output.pos().x() == conv1.width() and conv1.inputs[0].pos().x() == 0


def test_click_rubber_band_and_selection_signal(qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack)
    seen: list[list[str]] = []
    canvas.selection_changed.connect(seen.append)
    header = canvas.mapFromScene(canvas.graph_scene.nodes["relu1"].mapToScene(QPointF(40, 10)))
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, header)
    assert seen[-1] == ["relu1"]
    # A rubber band around input and conv1, starting on the empty canvas above them.
    a = canvas.graph_scene.nodes["input"].sceneBoundingRect()
    b = canvas.graph_scene.nodes["conv1"].sceneBoundingRect()
    start = canvas.mapFromScene(QPointF(a.left() - 20, a.top() - 30))
    end = canvas.mapFromScene(QPointF(b.right() + 5, b.bottom() + 5))
    mouse_drag(canvas, start, end)
    assert seen[-1] == ["input", "conv1"] and lenet.graph.nodes["input"].position == (0.0, 0.0)


def test_middle_drag_and_space_drag_pan(qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack, fit=False)
    vp, h = canvas.viewport(), canvas.horizontalScrollBar()
    before = h.value()
    QTest.mousePress(vp, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(600, 400))
    QTest.mouseMove(vp, QPoint(500, 400))
    QTest.mouseRelease(vp, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(500, 400))
    assert h.value() == before + 100
    canvas.setFocus()
    QTest.keyPress(canvas, Qt.Key.Key_Space)
    mouse_drag(canvas, QPoint(600, 400), QPoint(700, 400))
    QTest.keyRelease(canvas, Qt.Key.Key_Space)
    assert h.value() == before and undo_stack.count() == 0   # panned, nothing moved


def test_dark_scheme_recolours_the_cards(qtbot, lenet, undo_stack):
    canvas = make_canvas(qtbot, lenet, undo_stack)
    item = canvas.graph_scene.nodes["conv1"]
    assert not item.dark
    Theme.set_dark(True)
    try:
        assert item.dark and canvas.graph_scene.dark
    finally:
        Theme.set_dark(None)
    assert not item.dark


def test_deleting_layers_and_a_wire_is_one_step_named_for_both(qtbot, lenet, undo_stack):
    """A selection of a layer and an unrelated wire goes in one undo step whose label says
    both, and Undo puts the project back exactly, wire order included."""
    from netbuilder.graph.project import project_to_dict

    canvas = make_canvas(qtbot, lenet, undo_stack)
    before = project_to_dict(lenet.project)
    canvas.select_node("fc3")
    wire = next(w for e, w in canvas.graph_scene.wires.items()
                if (e.source, e.target) == ("relu1", "pool1"))
    wire.setSelected(True)
    canvas.delete_selection()
    assert undo_stack.count() == 1 and undo_stack.undoText() == "Delete fc3 and 1 wire"
    assert "fc3" not in lenet.graph.nodes
    assert not any((e.source, e.target) == ("relu1", "pool1") for e in lenet.graph.edges)
    undo_stack.undo()
    assert project_to_dict(lenet.project) == before
    undo_stack.redo()
    assert undo_stack.undoText() == "Delete fc3 and 1 wire" and "fc3" not in lenet.graph.nodes
