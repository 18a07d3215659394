"""The graph editor canvas: cards for layers, curves for wires, gestures that push commands.

Modules: ``view`` (EditorCanvas, the QGraphicsView and its gestures), ``navigation`` (zoom,
pan, export), ``scene`` (GraphScene, items kept in step with Document changes),
``node_item``, ``port_item``, ``wire_item`` (the items), ``wiring`` (drawing a new wire),
``scopes`` and ``breadcrumbs`` (opening blocks, make and ungroup) and ``menus`` (right-click).
"""

from .node_item import NodeItem, NodeView
from .port_item import PortItem
from .scene import GraphScene
from .view import LAYER_MIME, EditorCanvas
from .wire_item import WireItem

__all__ = ["EditorCanvas", "GraphScene", "LAYER_MIME", "NodeItem", "NodeView", "PortItem",
           "WireItem"]
