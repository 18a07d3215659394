"""An assignment's locks enforced by the Document: each edit that breaks one is refused with
the reason, the document unchanged; compound edits (blocks, restoring a snapshot) too."""

from __future__ import annotations

import pytest

from netbuilder.graph.block_document import BlockDocument
from netbuilder.graph.document import Document
from netbuilder.graph.edit_locks import EditLocks
from netbuilder.graph.errors import GraphEditError
from netbuilder.graph.examples import example_path
from netbuilder.graph.locks import Locks
from netbuilder.graph.model import Node
from netbuilder.graph.project import fingerprint, load_project


@pytest.fixture
def doc() -> Document:
    d = Document()
    project = load_project(example_path("lenet5"))
    locks = EditLocks(Locks(nodes=("input", "fc3"),
                            params={"fc3": ("out_features",), "conv1": ("kernel_size",)},
                            no_new_types=("Dropout", "ReLU")), project.graph)
    d.replace_project(project, None, locks)
    return d


def test_locked_node_cannot_be_deleted(doc: Document) -> None:
    before = fingerprint(doc.graph)
    with pytest.raises(GraphEditError, match="'fc3' is locked by the assignment: it cannot be "
                                             "deleted or replaced"):
        doc.remove_node("fc3")
    assert "fc3" in doc.graph.nodes and fingerprint(doc.graph) == before
    with pytest.raises(GraphEditError, match="'conv1' is locked by the assignment: "
                                             "kernel_size must keep its value, so it cannot be "
                                             "deleted"):
        doc.remove_node("conv1")     # the grader would count that as kernel_size changed
    doc.remove_node("relu4")        # an unlocked layer goes
    assert "relu4" not in doc.graph.nodes


def test_locked_parameter_keeps_its_value(doc: Document) -> None:
    with pytest.raises(GraphEditError, match=r"out_features of 'fc3' is locked by the assignment: "
                                             r"keep the value it was given \(10\)"):
        doc.set_param("fc3", "out_features", 12)
    with pytest.raises(GraphEditError, match=r"kernel_size of 'conv1' .* given \(5\)$"):
        doc.set_param("conv1", "kernel_size", 3)
    with pytest.raises(GraphEditError, match="kernel_size of 'conv1'"):
        doc.unset_param("conv1", "kernel_size")       # the default (none) is not 5
    assert doc.graph.nodes["fc3"].params["out_features"] == 10
    doc.set_param("fc3", "out_features", 10)          # the same value: nothing broken
    doc.set_param("conv1", "out_channels", 4)         # another parameter of a locked node
    doc.set_param("fc3", "bias", False)
    assert doc.graph.nodes["conv1"].params["out_channels"] == 4


def test_forbidden_type_cannot_be_added_but_a_deleted_one_comes_back(doc: Document) -> None:
    with pytest.raises(GraphEditError, match="The assignment allows no new Dropout layers"):
        doc.add_node(Node("drop", "Dropout"))
    with pytest.raises(GraphEditError, match="no new ReLU layers"):
        doc.add_node(Node("relu5", "ReLU"))
    node, _ = doc.remove_node("relu4")                # one of the four starting ReLUs
    doc.add_node(node)                                # putting it back is allowed
    doc.add_node(Node("bn", "BatchNorm2d"))           # other types are free
    assert {"relu4", "bn"} <= set(doc.graph.nodes)


def test_restoring_a_snapshot_that_breaks_a_lock_is_refused(doc: Document) -> None:
    state = doc.snapshot()
    state["nodes"] = [n for n in state["nodes"] if n["id"] != "input"]
    state["edges"] = [e for e in state["edges"] if e["source"] != "input"]
    with pytest.raises(GraphEditError, match="The locked layer 'input' \\(Input\\) was deleted"):
        doc.restore(state)
    assert "input" in doc.graph.nodes


def test_locked_layers_cannot_be_grouped_and_a_block_cannot_smuggle_a_forbidden_type(
        doc: Document) -> None:
    with pytest.raises(GraphEditError, match="'fc3' is locked by the assignment: it cannot be "
                                             "grouped"):
        doc.make_block(["fc2", "relu4", "fc3"], "Head")
    # the grader opens block uses: a new use holding a starting ReLU counts as a new ReLU
    with pytest.raises(GraphEditError, match="holds a new ReLU layer inside its block"):
        doc.make_block(["fc2", "relu4"], "Head")
    assert "relu4" in doc.graph.nodes and "Head" not in doc.graph.blocks
    use = doc.make_block(["fc2"], "Head")
    inside = BlockDocument(doc, "Head", use)
    with pytest.raises(GraphEditError, match="The assignment allows no new ReLU layers"):
        inside.add_node(Node("relu9", "ReLU"))
    assert "relu9" not in doc.graph.blocks["Head"].graph.nodes
    inside.add_node(Node("bn", "BatchNorm1d"))
    assert "bn" in doc.graph.blocks["Head"].graph.nodes


def test_the_inside_of_a_locked_block_use_cannot_change() -> None:
    from netbuilder.graph.blocks import make_block

    project = load_project(example_path("lenet5"))
    make_block(project.graph, ["fc2", "relu4"], "Head")
    use = next(nid for nid, n in project.graph.nodes.items() if n.type == "Head")
    d = Document()
    d.replace_project(project, None, EditLocks(Locks(nodes=(use,)), project.graph))
    inside = BlockDocument(d, "Head", use)
    with pytest.raises(GraphEditError, match=f"'{use}' is locked by the assignment: its block "
                                             "Head cannot be changed inside"):
        inside.set_param("fc2", "out_features", 40)
    with pytest.raises(GraphEditError, match="cannot be changed inside"):
        inside.add_node(Node("bn", "BatchNorm1d"))
    assert d.graph.blocks["Head"].graph.nodes["fc2"].params["out_features"] == 84


def test_a_plain_project_has_no_locks(doc: Document) -> None:
    doc.replace_project(load_project(example_path("lenet5")), None)
    doc.remove_node("fc3")
    doc.add_node(Node("drop", "Dropout"))
    assert doc.edit_locks is None


def test_problems_names_each_broken_lock(doc: Document) -> None:
    g = doc.graph.copy()
    g.remove_node("input")
    g.nodes["fc3"].params["out_features"] = 3
    g.add_node(Node("d1", "Dropout"))
    assert doc.edit_locks is not None
    problems = doc.edit_locks.problems(g)
    assert problems == ["The locked layer 'input' (Input) was deleted",
                        "out_features of the locked layer 'fc3' was changed from 10 to 3",
                        "'d1' is a new Dropout layer; the assignment allows no new Dropout "
                        "layers"]
