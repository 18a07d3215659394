"""The document's batching: one analysis and one Change per gesture, whatever it contains.

Views redraw once per Change, so a compound gesture (paste, delete a selection, undo of a
macro) that sent one Change per primitive would redraw the canvas many times; an analysis
that lagged behind the graph would show shapes of a network that is no longer there.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netbuilder.graph.analysis import analyze
from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.document import Change, Document
from netbuilder.graph.errors import GraphEditError
from netbuilder.graph.model import Node
from netbuilder.graph.project import Project


def mlp_document() -> tuple[Document, list[Change]]:
    b = GraphBuilder()
    x = b.layer("Linear", b.input((4,)), out_features=8, id="fc1")
    x = b.layer("ReLU", x, id="relu")
    b.layer("Linear", x, out_features=3, id="fc2")
    doc = Document(Project(b.graph))
    changes: list[Change] = []
    doc.subscribe(changes.append)
    return doc, changes


def shapes(doc: Document) -> dict[str, tuple | None]:
    return {n: (r.output.shape if r.output is not None else None)
            for n, r in doc.analysis.nodes.items()}


def test_a_batch_of_edits_sends_one_change_with_everything_it_touched():
    doc, changes = mlp_document()
    with doc.batch():
        doc.set_param("fc1", "out_features", 16)
        doc.add_node(Node("drop", "Dropout"))
        doc.disconnect(next(e for e in doc.graph.edges if e.target == "relu"))
        doc.connect("fc1", "drop")
        doc.connect("drop", "relu")
        doc.move_nodes({"fc2": (400.0, 0.0)})
        assert changes == []                       # nothing goes out half-way
    assert len(changes) == 1
    change = changes[0]
    assert change.structure and {"fc1", "drop", "relu"} <= change.nodes
    assert change.moved == {"fc2"}
    # the analysis is of the graph as it now is
    assert shapes(doc) == shapes(Document(doc.project))
    assert doc.analysis.nodes["drop"].output.shape == (16,)


def test_nested_batches_send_one_change_at_the_end_of_the_outermost():
    doc, changes = mlp_document()
    with doc.batch():
        with doc.batch():
            doc.set_param("fc1", "out_features", 5)
        assert changes == []
        doc.set_param("fc2", "out_features", 2)
    assert len(changes) == 1 and changes[0].nodes == {"fc1", "fc2"}
    assert doc.analysis.nodes["fc2"].output.shape == (2,)


def test_moves_alone_do_not_rerun_the_analysis_and_empty_batches_send_nothing():
    doc, changes = mlp_document()
    before = doc.analysis
    with doc.batch():
        pass
    assert changes == []
    doc.move_nodes({"fc1": (10.0, 20.0)})
    assert len(changes) == 1 and changes[0].moved == {"fc1"} and not changes[0].structure
    assert doc.analysis is before
    doc.set_param("fc1", "out_features", 7)
    assert doc.analysis is not before and doc.analysis.nodes["fc1"].output.shape == (7,)


def test_an_edit_refused_inside_a_batch_still_announces_the_edits_before_it():
    doc, changes = mlp_document()
    with pytest.raises(GraphEditError, match="is already wired to .input."), doc.batch():
        doc.set_param("fc1", "out_features", 6)
        doc.connect("fc2", "fc1")                  # its input is taken: refused
    assert len(changes) == 1 and changes[0].nodes == {"fc1"}
    assert doc.analysis.nodes["fc1"].output.shape == (6,)
    assert ("fc2", "fc1") not in {(e.source, e.target) for e in doc.graph.edges}


def test_a_locked_document_refuses_edits_with_the_reason_and_sends_nothing():
    doc, changes = mlp_document()
    doc.set_locked("training is running; stop it to edit")
    doc.set_locked("training is running; stop it to edit")     # no news: no second event
    assert [c.lock for c in changes] == [True] and not changes[0].structure
    del changes[:]
    with pytest.raises(GraphEditError, match="^editing is locked: training is running; stop it"):
        doc.set_param("fc1", "out_features", 9)
    assert changes == [] and doc.graph.nodes["fc1"].params["out_features"] == 8
    doc.move_nodes({"fc1": (1.0, 1.0)})            # moving never changes the network
    doc.set_description("allowed while training")
    assert len(changes) == 2
    doc.set_locked(None)
    assert changes[-1].lock and doc.locked_reason is None
    doc.set_param("fc1", "out_features", 9)
    assert doc.analysis.nodes["fc1"].output.shape == (9,)


EDITS = st.lists(st.one_of(
    st.tuples(st.just("width"), st.sampled_from(["fc1", "fc2"]), st.integers(1, 32)),
    st.tuples(st.just("move"), st.sampled_from(["fc1", "relu", "fc2"]), st.integers(-500, 500)),
    st.tuples(st.just("rewire"), st.just("relu"), st.integers(0, 1)),
    st.tuples(st.just("name"), st.just(""), st.integers(0, 9)),
), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(EDITS)
def test_any_batch_sends_one_change_and_leaves_an_analysis_of_the_final_graph(edits):
    doc, changes = mlp_document()
    with doc.batch():
        for kind, nid, value in edits:
            if kind == "width":
                doc.set_param(nid, "out_features", value)
            elif kind == "move":
                doc.move_nodes({nid: (float(value), 0.0)})
            elif kind == "rewire":
                wire = next((e for e in doc.graph.edges if e.target == "relu"), None)
                if wire is not None:
                    doc.disconnect(wire)
                if value:
                    doc.connect("fc1", "relu")
            else:
                doc.set_name(f"net{value}")
    assert len(changes) == 1
    fresh = analyze(doc.graph)
    assert shapes(doc) == {n: (r.output.shape if r.output is not None else None)
                           for n, r in fresh.nodes.items()}
    assert doc.analysis.valid == fresh.valid
