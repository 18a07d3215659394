"""The network's picture for the report: a card per node where the student put it on the
canvas (type, name, output shape) and an arrow per wire, drawn with matplotlib (no Qt).

Positions are the canvas's top-left corners; nodes without one get the automatic layered
layout for the whole graph. The figure grows with the network up to a page width, and the
text shrinks only when it must (a ResNet-18 stays readable when zoomed).
"""

from __future__ import annotations

from netbuilder.graph.analysis import Analysis
from netbuilder.graph.model import Graph
from netbuilder.graph.tensor import fmt_shape
from netbuilder.runtime.report.figures import new_figure, to_png

CARD_W, CARD_H = 200.0, 84.0          # canvas units
UNITS_PER_INCH = 140.0
MAX_WIDTH_IN = 16.0
# The canvas's light-theme category colours (ui/theme.CATEGORY_COLORS, which runtime/ may not
# import; a test keeps the two equal), so a card in the report looks like its card on screen.
CATEGORY_COLOURS = {
    "Input/Output": "#475569", "Linear": "#1d4ed8", "Convolution": "#4338ca",
    "Pooling": "#0f766e", "Normalisation": "#b45309", "Activation": "#be185d",
    "Regularisation": "#57534e", "Recurrent": "#6d28d9", "Attention": "#a21caf",
    "Merge": "#15803d", "Reshape": "#7c4a1e", "Blocks": "#a16207",
}
FALLBACK_COLOUR = "#52525b"


def positions_of(graph: Graph) -> dict[str, tuple[float, float]]:
    if all(n.position is not None for n in graph.nodes.values()):
        return {nid: (float(n.position[0]), float(n.position[1])) for nid, n in graph.nodes.items()}
    from netbuilder.graph.layout import layered_layout

    return layered_layout(graph)


def network_picture(graph: Graph, analysis: Analysis) -> bytes:
    """PNG bytes of the graph as laid out on the canvas."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    pos = positions_of(graph)
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    x0, x1 = min(xs) - 30, max(xs) + CARD_W + 30
    y0, y1 = min(ys) - 30, max(ys) + CARD_H + 30
    width_in = (x1 - x0) / UNITS_PER_INCH
    scale = min(1.0, MAX_WIDTH_IN / width_in) if width_in else 1.0
    fig = new_figure(max(4.0, width_in * scale), max(1.6, (y1 - y0) / UNITS_PER_INCH * scale))
    fig.set_layout_engine("none")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y1, y0)                   # the canvas's y grows downwards
    ax.axis("off")
    font = max(5.0, 10.0 * scale)
    for e in graph.edges:
        if e.source not in pos or e.target not in pos:
            continue
        (sx, sy), (tx, ty) = pos[e.source], pos[e.target]
        start = (sx + CARD_W, sy + CARD_H / 2)
        end = (tx, ty + CARD_H / 2)
        if tx <= sx:                       # a wire going back (to a new row): leave from below
            start, end = (sx + CARD_W / 2, sy + CARD_H), (tx + CARD_W / 2, ty)
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12 * scale + 4,
                                     color="#475569", linewidth=1.2,
                                     connectionstyle="arc3,rad=0.0"))
    for nid, node in graph.nodes.items():
        x, y = pos[nid]
        info = analysis.nodes.get(nid)
        shape = fmt_shape(info.output.shape) if info is not None and info.output is not None else "?"
        try:
            category = graph.spec(node.type).category
        except Exception:  # noqa: BLE001 - an unknown type still gets a card
            category = ""
        colour = CATEGORY_COLOURS.get(category, FALLBACK_COLOUR)
        head = CARD_H * 0.38
        ax.add_patch(FancyBboxPatch((x, y), CARD_W, CARD_H, boxstyle="round,pad=0,rounding_size=10",
                                    facecolor="white", edgecolor=colour, linewidth=1.4))
        ax.add_patch(FancyBboxPatch((x, y), CARD_W, head, boxstyle="round,pad=0,rounding_size=10",
                                    facecolor=colour, edgecolor=colour, linewidth=1.4))
        name = node.label or nid
        ax.text(x + CARD_W / 2, y + head / 2, node.type, ha="center", va="center",
                fontsize=font * min(1.0, 15 / max(len(node.type), 1)), fontweight="bold", color="white", clip_on=True)
        ax.text(x + CARD_W / 2, y + head + (CARD_H - head) * 0.3, _short(name, 21), ha="center",
                va="center", fontsize=font * 0.9, color="#334155", clip_on=True)
        ax.text(x + CARD_W / 2, y + head + (CARD_H - head) * 0.72, shape, ha="center",
                va="center", fontsize=font * 0.9, family="monospace", color="#111827",
                clip_on=True)
    return to_png(fig)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
