"""Wires never run across a card that is not one of their ends: in a network wrapped into
rows, a skip connection that drops past a whole row runs in a gap, not along that row's
cards (where it would hide their shapes and read as a wire into them)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QUndoStack

from netbuilder.graph.document import Document
from netbuilder.graph.examples import example_path
from netbuilder.graph.project import load_project
from netbuilder.ui.canvas import EditorCanvas
from netbuilder.ui.commands import MoveNodes


def route_points(wire, step: float = 4.0) -> np.ndarray:
    """Points along a wire's route in scene coordinates, at most `step` pixels apart (Qt
    flattens the curves into polygons; each straight piece is sampled in between)."""
    points = []
    for polygon in wire.mapToScene(wire.route()).toSubpathPolygons():
        corners = np.array([(p.x(), p.y()) for p in polygon])
        for a, b in zip(corners[:-1], corners[1:], strict=True):
            n = max(2, int(np.hypot(*(b - a)) / step) + 1)
            points.append(a + np.linspace(0.0, 1.0, n)[:, None] * (b - a))
    return np.concatenate(points)


def crossings(canvas: EditorCanvas) -> list[tuple[str, str, str]]:
    """(source, target, card crossed) for every wire that passes over another card (its
    first and last 1/400 are its ends, which touch their own cards' ports)."""
    scene = canvas.graph_scene
    cards = {nid: item.mapRectToScene(item.card_rect()) for nid, item in scene.nodes.items()}
    found = []
    for edge, wire in scene.wires.items():
        points = route_points(wire)
        cut = max(1, len(points) // 400)
        points = points[cut:-cut]
        for nid, r in cards.items():
            if nid in (edge.source, edge.target):
                continue
            inside = ((points[:, 0] > r.left()) & (points[:, 0] < r.right())
                      & (points[:, 1] > r.top()) & (points[:, 1] < r.bottom()))
            if inside.any():
                found.append((edge.source, edge.target, nid))
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
    assert not any(middle_row.contains(x, y) for x, y in route_points(wire))
    # the student drags the middle row down: the wire finds the new gap
    stack = canvas.undo_stack
    before = {n: doc.graph.nodes[n].position for n in doc.graph.nodes if n.startswith("layer1_0_")
              and n != "layer1_0_add"}
    after = {n: (x, y + 60) for n, (x, y) in before.items()}
    # the routing runs once control returns to the event loop: wait for it, not for a time
    with qtbot.waitSignal(scene.wires_rerouted, timeout=None):
        stack.push(MoveNodes(doc, before, after))
    assert crossings(canvas) == []
