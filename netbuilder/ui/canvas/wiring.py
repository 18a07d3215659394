"""``WireDrag``: drawing a new wire from a port, with live hints and a plain-data result.

Dragging from an output looks for an input (or a node body: its first free input); dragging
from a free input looks for an output. While dragging, ports that would accept the wire
grow green and the others fade; an input already wired accepts it too (the new wire
replaces the old one, in one undo step), one whose layer feeds the wire's source does not
(a loop). The drag ends in a ``ConnectRequest`` (the view pushes a ``Connect`` command,
whose refusal the Document explains), a message, or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QTransform

from ...graph.walk import reachable
from .node_item import NodeItem
from .port_item import HINT_NONE, HINT_OK, HINT_REFUSED, PortItem
from .scene import GraphScene
from .wire_item import DragWire

SNAP = 22.0  # scene pixels: a drop this close to a port lands on it


@dataclass(frozen=True)
class ConnectRequest:
    source: str
    target: str
    port: int | None


class WireDrag:
    def __init__(self, scene: GraphScene, port: PortItem) -> None:
        self.scene = scene
        self.port = port
        self.from_output = not port.is_input
        edges = scene.doc.graph.edges
        # A wire source -> target makes a loop when target already reaches source.
        if self.from_output:
            banned = reachable(edges, port.node_id, forward=False)
        else:
            banned = reachable(edges, port.node_id, forward=True)
        self.allowed: set[PortItem] = set()
        for nid, item in scene.nodes.items():
            if self.from_output:
                for p in item.inputs:
                    ok = nid not in banned and self._replaceable(p)
                    p.set_hint(HINT_OK if ok else HINT_REFUSED)
                    if ok:
                        self.allowed.add(p)
                item.output.set_hint(HINT_REFUSED if item.output is not port else HINT_NONE)
            else:
                ok = nid not in banned
                item.output.set_hint(HINT_OK if ok else HINT_REFUSED)
                if ok:
                    self.allowed.add(item.output)
                for p in item.inputs:
                    p.set_hint(HINT_NONE if p is port else HINT_REFUSED)
        self.preview = DragWire(port.scenePos(), self.from_output, scene.dark)
        scene.addItem(self.preview)

    def _replaceable(self, port: PortItem) -> bool:
        """A free input, or one wired from another output (the new wire replaces it)."""
        if port.index not in self.scene.nodes[port.node_id].view.connected:
            return True
        return not any(e.target == port.node_id and e.target_port == port.index
                       and e.source == self.port.node_id for e in self.scene.doc.graph.edges)

    # -- following the mouse -------------------------------------------------------------
    def _port_near(self, pos: QPointF) -> PortItem | None:
        area = QRectF(pos.x() - SNAP, pos.y() - SNAP, 2 * SNAP, 2 * SNAP)
        want_input = self.from_output
        best, best_d = None, SNAP * SNAP
        for item in self.scene.items(area):
            if isinstance(item, PortItem) and item.is_input == want_input and item is not self.port:
                d = item.scenePos() - pos
                dist = d.x() ** 2 + d.y() ** 2
                if dist <= best_d:
                    best, best_d = item, dist
        return best

    def _node_at(self, pos: QPointF) -> NodeItem | None:
        for item in self.scene.items(pos, deviceTransform=QTransform()):
            if isinstance(item, PortItem):
                item = item.parentItem()
            if isinstance(item, NodeItem):
                return item
        return None

    def move(self, pos: QPointF) -> None:
        port = self._port_near(pos)
        if port is not None and port in self.allowed:
            self.preview.follow(port.scenePos(), True)
        else:
            self.preview.follow(pos, False)

    # -- ending ------------------------------------------------------------------------------
    def finish(self, pos: QPointF) -> ConnectRequest | str | None:
        """What the drop means: a request to connect, a refusal in words, or nothing."""
        self.cancel()
        me = self.port.node_id
        port = self._port_near(pos)
        if port is not None:
            other, index = port.node_id, port.index
        else:
            node = self._node_at(pos)
            if node is None:
                return ("Drop the wire on a layer (or one of its ports) to connect it"
                        if self.from_output else "Drop the wire on a layer's output port (right side)")
            other, index = node.node_id, None
        if other == me:
            return "a layer cannot take its own output as input: networks here flow one way"
        if self.from_output:   # port None (a drop on the body): Connect takes the first free
            return ConnectRequest(me, other, index)
        return ConnectRequest(other, me, self.port.index)

    def cancel(self) -> None:
        if self.preview.scene() is not None:
            self.scene.removeItem(self.preview)
        for item in self.scene.nodes.values():
            item.output.set_hint(HINT_NONE)
            for p in item.inputs:
                p.set_hint(HINT_NONE)
