"""Graph edits the model refuses, with the reason in the student's words (loops, taken ports,
wires into an Input, unknown nodes)."""

from __future__ import annotations

import pytest

from netbuilder.graph.analysis import analyze
from netbuilder.graph.errors import GraphEditError
from netbuilder.graph.model import Edge, Graph, Node


def test_connect_refuses_cycles_and_taken_ports_with_reasons() -> None:
    g = Graph()
    for nid, t in [("in", "Input"), ("add", "Add"), ("a", "ReLU"), ("b", "ReLU"), ("c", "ReLU")]:
        g.add_node(Node(nid, t))
    g.connect("in", "add")
    g.connect("add", "a")
    g.connect("a", "b")
    with pytest.raises(GraphEditError, match=r"^wiring 'b' into 'add' would make a loop \('add' "
                       r"already feeds 'b'\); networks here flow one way$"):
        g.connect("b", "add")
    with pytest.raises(GraphEditError, match="would make a loop"):
        g.connect("c", "c")
    with pytest.raises(GraphEditError, match=r"^input 0 of 'b' is already wired to 'a': remove "
                       r"that wire first$"):
        g.connect("in", "b", 0)
    with pytest.raises(GraphEditError, match=r"^ReLU 'b' has no input port 1$"):
        g.connect("in", "b", 1)
    with pytest.raises(GraphEditError, match="has no inputs: data enters the network there"):
        g.connect("a", "in")
    with pytest.raises(GraphEditError, match="^there is no node 'zz'$"):
        g.connect("zz", "a")
    # Variadic: the next free port, and a taken port suggests another.
    with pytest.raises(GraphEditError, match="or use another port$"):
        g.connect("c", "add", 0)
    assert g.edges == [Edge("in", "add", 0), Edge("add", "a", 0), Edge("a", "b", 0)]
    g.connect("in", "c")
    assert g.connect("c", "add").target_port == 1
    assert analyze(g).valid


def test_dropping_a_wire_on_a_taken_single_input_names_the_wire() -> None:
    g = Graph()
    for nid, t in [("in", "Input"), ("a", "ReLU"), ("b", "ReLU")]:
        g.add_node(Node(nid, t))
    g.connect("in", "a")
    g.connect("in", "b")
    with pytest.raises(GraphEditError, match="already wired to 'in'"):
        g.connect("b", "a")
