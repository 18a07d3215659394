"""The layered layout keeps cards apart whatever their sizes: given each node's real size,
a column is as wide as its widest card plus a gap and rows as tall as the tallest."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netbuilder.graph.examples import example_path
from netbuilder.graph.layout import GAP, layered_layout
from netbuilder.graph.project import load_project


def overlapping(pos, sizes) -> list[tuple[str, str]]:
    boxes = {n: (x, y, x + sizes[n][0], y + sizes[n][1]) for n, (x, y) in pos.items()}
    ids = sorted(boxes)
    return [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]
            if boxes[a][0] < boxes[b][2] and boxes[b][0] < boxes[a][2]
            and boxes[a][1] < boxes[b][3] and boxes[b][1] < boxes[a][3]]


@pytest.mark.parametrize("name", ["googlenet", "resnet18_flat", "lenet5", "mobilenetv2"])
@settings(max_examples=25, deadline=None)
@given(data=st.data(), wrap=st.sampled_from([None, 3, 5]))
def test_cards_of_any_size_never_overlap(name, data, wrap):
    graph = load_project(example_path(name)).graph
    sizes = {n: (data.draw(st.floats(120, 420)), data.draw(st.floats(50, 260)))
             for n in graph.nodes}
    assert overlapping(layered_layout(graph, 260, 140, wrap=wrap, sizes=sizes), sizes) == []


def test_a_wide_column_spreads_only_what_follows_it():
    graph = load_project(example_path("lenet5")).graph
    plain = layered_layout(graph, 260, 140)
    sizes = {n: (180.0, 74.0) for n in graph.nodes}
    assert layered_layout(graph, 260, 140, sizes=sizes) == plain   # default cards: as before
    sizes["conv1"] = (300.0, 74.0)
    wide = layered_layout(graph, 260, 140, sizes=sizes)
    assert wide["conv1"] == plain["conv1"]
    assert wide["relu1"][0] == plain["conv1"][0] + 300 + GAP[0]   # the gap after conv1 stays
    assert wide["relu1"][0] - wide["conv1"][0] > plain["relu1"][0] - plain["conv1"][0]


def test_best_wrap_counts_columns_not_pixels():
    """A chain of 12 layers has 12 columns: the best wrap for a wide, short view is all of
    them in one band (None), and for a square view a band of a few columns, never more
    columns than the chain has (the gap between cards once made it count 80 per column)."""
    from netbuilder.graph.builder import GraphBuilder
    from netbuilder.graph.layout import best_wrap

    b = GraphBuilder()
    x = b.input((4,))
    for i in range(11):
        x = b.layer("ReLU", x, id=f"relu{i}")
    assert best_wrap(b.graph, 12 * 240, 200, 240, 130) is None
    wrap = best_wrap(b.graph, 1000, 1000, 240, 130)
    assert wrap is not None and 3 <= wrap < 12
