"""graph.walk, the one place for "what comes after what": checked against networkx."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from netbuilder.graph.model import Edge
from netbuilder.graph.walk import reachable, topological_order


@st.composite
def wired(draw, acyclic: bool = True):
    n = draw(st.integers(1, 12))
    ids = [f"n{i}" for i in draw(st.permutations(range(n)))]
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=25))
    edges = [Edge(ids[a], ids[b]) for a, b in pairs if not acyclic or a < b]
    return ids, edges


@settings(max_examples=200, deadline=None)
@given(wired())
def test_order_puts_every_node_after_its_inputs_and_prefers_the_file_order(graph):
    ids, edges = graph
    order = topological_order(ids, edges)
    assert sorted(order) == sorted(ids)
    place = {n: i for i, n in enumerate(order)}
    assert all(place[e.source] < place[e.target] for e in edges)
    # networkx's lexicographic order with the file position as the key is the same order
    g = nx.DiGraph()
    g.add_nodes_from(ids)
    g.add_edges_from((e.source, e.target) for e in edges)
    assert order == list(nx.lexicographical_topological_sort(g, key=ids.index))


@settings(max_examples=200, deadline=None)
@given(wired(acyclic=False))
def test_loops_give_none_and_reach_matches_networkx(graph):
    ids, edges = graph
    g = nx.DiGraph()
    g.add_nodes_from(ids)
    g.add_edges_from((e.source, e.target) for e in edges)
    assert (topological_order(ids, edges) is None) == (not nx.is_directed_acyclic_graph(g))
    for start in ids:
        assert reachable(edges, start) == nx.descendants(g, start) | {start}
        assert reachable(edges, start, forward=False) == nx.ancestors(g, start) | {start}
