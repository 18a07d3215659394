"""reflow_rows: a layout in rows (the examples) wraps sooner for a narrow view, in the same
reading order; any other layout is left alone."""

from __future__ import annotations

from netbuilder.graph.examples import example_path
from netbuilder.graph.layout import reflow_rows
from netbuilder.graph.project import load_project


def _positions(graph):
    return {nid: n.position for nid, n in graph.nodes.items()}


def _reading_order(pos):
    return sorted(pos, key=lambda n: (pos[n][1], pos[n][0]))


def test_an_example_in_rows_wraps_to_three_a_row_in_the_same_order():
    graph = load_project(example_path("resnet18")).graph
    pos = _positions(graph)
    laid = reflow_rows(graph, pos, 3, min_dx=300, max_dy=200)
    assert laid is not None
    assert _reading_order(laid) == _reading_order(pos)
    rows = {}
    for x, y in laid.values():
        rows.setdefault(y, []).append(x)
    assert sorted(rows) == [0, 200, 400, 600, 800]
    assert all(sorted(xs) == [0, 300, 600] for xs in rows.values())
    # every wire still goes to a later card: the data reads left to right, row after row
    rank = {n: i for i, n in enumerate(_reading_order(laid))}
    assert all(rank[e.source] < rank[e.target] for e in graph.edges)


def test_layouts_that_are_not_rows_or_already_fit_are_left_alone():
    flat = load_project(example_path("resnet18_flat")).graph      # branches stacked
    assert reflow_rows(flat, _positions(flat), 3) is None
    lenet = load_project(example_path("lenet5")).graph
    assert reflow_rows(lenet, _positions(lenet), 5) is None       # five a row: it fits
    pos = _positions(lenet)
    pos["conv1"], pos["relu1"] = pos["relu1"], pos["conv1"]       # a wire going back
    assert reflow_rows(lenet, pos, 3) is None
