"""Wires never run across a card that is not one of their ends: in a network wrapped into
rows, a skip connection that drops past a whole row runs in a gap, not along that row's
cards (where it would hide their shapes and read as a wire into them)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QUndoStack

from netbuilder.graph.document import Document
from netbuilder.graph.examples import example_path
from netbuilder.graph.project import load_project
from netbuilder.ui.canvas import EditorCanvas
from netbuilder.ui.commands import MoveNodes


def crossings(canvas: EditorCanvas) -> list[tuple[str, str, str]]:
    """(source, target, card crossed) for every wire that passes over another card."""
    scene = canvas.graph_scene
    cards = {nid: item.mapRectToScene(item.card_rect()) for nid, item in scene.nodes.items()}
    found = []
    for edge, wire in scene.wires.items():
        path = wire.mapToScene(wire.route())
        for i in range(1, 400):
            point = path.pointAtPercent(i / 400)
            hit = [n for n, r in cards.items() if n not in (edge.source, edge.target)
                   and r.contains(point)]
            if hit:
                found.append((edge.source, edge.target, hit[0]))
                break
    return found


def canvas_for(qtbot, name: str) -> tuple[EditorCanvas, Document]:
    doc = Document(load_project(example_path(name)))
    canvas = EditorCanvas(doc, QUndoStack())
    qtbot.addWidget(canvas)
    canvas.resize(1200, 800)
    canvas.show()
    return canvas, doc


@pytest.mark.parametrize("name", ["resnet18_flat", "resnet18", "googlenet", "mobilenetv2",
                                  "lenet5", "vgg16"])
def test_no_wire_of_an_example_runs_across_a_card(qtbot, name):
    canvas, _doc = canvas_for(qtbot, name)
    assert crossings(canvas) == []


def test_a_skip_wire_dropping_two_rows_runs_in_a_gap_and_follows_moves(qtbot):
    canvas, doc = canvas_for(qtbot, "resnet18_flat")
    scene = canvas.graph_scene
    wire = next(w for e, w in scene.wires.items()
                if (e.source, e.target) == ("maxpool", "layer1_0_add"))
    middle_row = scene.nodes["layer1_0_relu1"].mapRectToScene(scene.nodes["layer1_0_relu1"].card_rect())
    path = wire.mapToScene(wire.route())
    assert not any(middle_row.contains(path.pointAtPercent(i / 400)) for i in range(401))
    # the student drags the middle row down: the wire finds the new gap
    stack = canvas.undo_stack
    before = {n: doc.graph.nodes[n].position for n in doc.graph.nodes if n.startswith("layer1_0_")
              and n != "layer1_0_add"}
    after = {n: (x, y + 60) for n, (x, y) in before.items()}
    stack.push(MoveNodes(doc, before, after))
    qtbot.waitUntil(lambda: crossings(canvas) == [], timeout=2000)
