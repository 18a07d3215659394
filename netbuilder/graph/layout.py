"""Automatic layered layout (left to right) for imported or messy graphs.

Sugiyama in miniature: each node's column is its longest distance from a source; rows within
a column follow the average row of the node's inputs, so branches sit beside each other and
wires cross little. Pure arithmetic on ids; the canvas decides what the units mean, and may
give each node's real size (``sizes``): a column then is as wide as its widest card plus
a gap, and rows as tall as the tallest card plus a gap, so cards sized to their text never
overlap however wide they grow.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from .model import Graph

GAP = (80.0, 40.0)   # the least room between two columns, and between two rows, with sizes


def layered_layout(graph: Graph, dx: float = 240.0, dy: float = 130.0,
                   wrap: int | None = None,
                   sizes: Mapping[str, tuple[float, float]] | None = None,
                   gap: tuple[float, float] = GAP) -> dict[str, tuple[float, float]]:
    """Positions (top-left corners) for every node. ``wrap`` starts a new band of columns
    after that many. ``dx``/``dy`` are the spacing of columns and rows; with ``sizes``
    (width, height per node id) a column or a row spreads further where its cards need
    it, keeping at least ``gap`` between them."""
    import networkx as nx  # loaded on first layout, not at start-up

    g = nx.DiGraph()
    g.add_nodes_from(graph.nodes)
    g.add_edges_from((e.source, e.target) for e in graph.edges if e.source != e.target)
    if not nx.is_directed_acyclic_graph(g):
        g = nx.DiGraph(e for e in nx.dfs_edges(g)) if g.number_of_edges() else g
        g.add_nodes_from(graph.nodes)
    column: dict[str, int] = {}
    for nid in nx.topological_sort(g):
        preds = list(g.predecessors(nid))
        column[nid] = 1 + max(column[p] for p in preds) if preds else 0
    layers: dict[int, list[str]] = defaultdict(list)
    for nid in graph.nodes:  # graph order breaks ties, so hand-made order is kept
        layers[column[nid]].append(nid)
    row: dict[str, float] = {}
    for c in sorted(layers):
        ids = layers[c]
        def bary(n: str) -> float:
            ps = [row[p] for p in g.predecessors(n) if p in row]
            return sum(ps) / len(ps) if ps else 0.0
        ids.sort(key=bary)
        # Spread around the barycentre of the inputs, one row apart.
        centre = sum(bary(n) for n in ids) / len(ids)
        start = centre - (len(ids) - 1) / 2
        for i, n in enumerate(ids):
            row[n] = start + i
    top = min(row.values(), default=0.0)
    height = (max(row.values(), default=0.0) - top) + 1
    placed = {n: (divmod(c, wrap) if wrap else (0, c)) for n, c in column.items()}
    widest: dict[int, float] = defaultdict(float)
    tallest = 0.0
    for n, (_band, col) in placed.items():
        w, h = sizes.get(n, (0.0, 0.0)) if sizes else (0.0, 0.0)
        widest[col] = max(widest[col], w)
        tallest = max(tallest, h)
    x_of, x = {}, 0.0
    for col in range(max(widest, default=-1) + 1):
        x_of[col] = x
        x += max(dx, widest[col] + gap[0])
    pitch = max(dy, tallest + gap[1])
    return {n: (x_of[col], (row[n] - top + band * (height + 1)) * pitch)
            for n, (band, col) in placed.items()}


def apply_layout(graph: Graph, **kw) -> None:
    """Store ``layered_layout``'s positions in the nodes."""
    for nid, p in layered_layout(graph, **kw).items():
        graph.nodes[nid].position = p


def best_wrap(graph: Graph, width: float, height: float, dx: float = 240.0,
              dy: float = 130.0) -> int | None:
    """The band width (in columns) that shows the whole graph largest in a width x height view.

    None means one band (no wrapping) is best.
    """
    if not graph.nodes:
        return None
    flat = layered_layout(graph, dx=1.0, dy=1.0, gap=(0.0, 0.0))   # column and row numbers
    cols = int(max(p[0] for p in flat.values())) + 1
    rows = int(max(p[1] for p in flat.values())) + 1
    best, best_zoom = None, 0.0
    for wrap in range(min(cols, 3), cols + 1):
        bands = -(-cols // wrap)
        zoom = min(width / (wrap * dx), height / ((bands * (rows + 1) - 1) * dy))
        if zoom > best_zoom + 1e-9:
            best, best_zoom = wrap, zoom
    return None if best == cols else best


def reflow_rows(graph: Graph, positions: dict[str, tuple[float, float]], per_row: int,
                min_dx: float | None = None, max_dy: float | None = None
                ) -> dict[str, tuple[float, float]] | None:
    """The same layout with at most ``per_row`` cards a row, or None when it is not one.

    A layout "in rows" (what the examples and a wrapped Auto Layout give) has its cards on
    rows one ``dy`` apart, one card per column slot ``dx`` apart within a row, and reads in
    the order data flows: left to right, row after row, every wire going to a later card.
    Such a layout keeps that reading order and its spacing, only wrapping sooner, for a
    narrow view (a projector at 1024x768); ``min_dx`` sets the cards further apart (room for
    the shape on the wire between them), ``max_dy`` draws the rows closer. Any other layout (branches stacked in a row,
    hand-placed cards) is left as it is.
    """
    ids = [n for n in graph.nodes if n in positions]
    if len(ids) < 2 or per_row < 1:
        return None
    order = sorted(ids, key=lambda n: (positions[n][1], positions[n][0]))
    rank = {n: i for i, n in enumerate(order)}
    if any(e.source in rank and e.target in rank and rank[e.source] >= rank[e.target]
           for e in graph.edges):
        return None
    rows: dict[float, list[str]] = defaultdict(list)
    for n in order:
        rows[round(positions[n][1], 3)].append(n)
    ys = sorted(rows)
    xs = sorted({round(positions[n][0], 3) for n in ids})
    if len(xs) < 2:
        return None
    dx = min(b - a for a, b in zip(xs, xs[1:], strict=False))
    dy = min((b - a for a, b in zip(ys, ys[1:], strict=False)), default=dx)
    if dx <= 0 or dy <= 0:
        return None
    row_dy = min(dy, max_dy) if max_dy else dy
    col_dx = max(dx, min_dx) if min_dx else dx
    x0, y0 = xs[0], ys[0]
    for y in ys:          # each row: cards on consecutive column slots from the left edge
        slots = [(positions[n][0] - x0) / dx for n in rows[y]]
        if any(abs(s - round(s)) > 1e-6 for s in slots) or \
                [round(s) for s in slots] != list(range(len(slots))):
            return None
    widest = max(len(r) for r in rows.values())
    if per_row >= widest and col_dx == dx:
        return None           # it already fits
    return {n: (x0 + (i % per_row) * col_dx, y0 + (i // per_row) * row_dy)
            for i, n in enumerate(order)}
