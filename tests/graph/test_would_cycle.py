"""``Graph.would_cycle`` (asked on every wire the student drags) against networkx.

The check walks forward from the wire's target without networkx, so the window does not
import networkx at start-up; this property test holds it to networkx's answer on random
graphs, loops included."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from netbuilder.graph.model import Edge, Graph, Node


@st.composite
def wired_graphs(draw):
    n = draw(st.integers(1, 12))
    ids = [f"n{i}" for i in range(n)]
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=30))
    return ids, pairs, draw(st.sampled_from(ids)), draw(st.sampled_from(ids))


@settings(max_examples=300, deadline=None)
@given(wired_graphs())
def test_would_cycle_agrees_with_networkx(case):
    ids, pairs, source, target = case
    g = Graph("random")
    for nid in ids:
        g.nodes[nid] = Node(nid, "ReLU")
    # raw edges, loops and repeats included (a file may hold them; connect() refuses them)
    g.edges.extend(Edge(a, b, port) for port, (a, b) in enumerate(pairs))
    reference = nx.DiGraph()
    reference.add_nodes_from(ids)
    reference.add_edges_from(pairs)
    expected = source == target or nx.has_path(reference, target, source)
    assert g.would_cycle(source, target) == expected
