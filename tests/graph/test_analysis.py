"""Analysis, as the student sees it: each problem reported once where it happens, in plain
words with the shapes received, the layers after it blocked (not blamed), warnings apart."""

from __future__ import annotations

from netbuilder.graph.analysis import BLOCKED, ERROR, INCOMPLETE, OK, analyze
from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.model import Graph, Node


def diags_of(a, nid: str) -> list[str]:
    return [d.message for d in a.nodes[nid].diagnostics]


def test_unconnected_port_is_incomplete_and_downstream_blocked() -> None:
    b = GraphBuilder()
    b.input((1, 28, 28))
    conv = b.layer("Conv2d", None, out_channels=4, kernel_size=3, id="conv")
    relu = b.layer("ReLU", conv, id="relu")
    b.layer("Linear", b.layer("Flatten", relu, id="flat"), out_features=10, id="fc")
    a = analyze(b.graph)
    assert a.nodes["conv"].status == INCOMPLETE
    assert diags_of(a, "conv") == ["its input is not connected: wire a layer's output into it"]
    for nid in ("relu", "flat", "fc"):
        assert a.nodes[nid].status == BLOCKED
        assert a.nodes[nid].diagnostics == [] and a.nodes[nid].output is None
    assert [(d.node, d.code) for d in a.errors] == [("conv", "unconnected")]
    assert not a.valid


def test_merge_with_one_input_is_incomplete() -> None:
    b = GraphBuilder()
    x = b.input((4,))
    b.layer("Add", [x], id="add")
    a = analyze(b.graph)
    assert a.nodes["add"].status == INCOMPLETE
    assert diags_of(a, "add") == ["Add needs at least 2 inputs; only 1 is connected"]


def test_an_error_is_reported_once_where_it_happens() -> None:
    b = GraphBuilder()
    x = b.input((1, 4, 4))
    x = b.layer("Conv2d", x, out_channels=4, kernel_size=5, id="conv")
    x = b.layer("ReLU", x, id="relu")
    b.layer("Linear", b.layer("Flatten", x, id="flat"), out_features=3, id="fc")
    a = analyze(b.graph)
    assert a.nodes["input"].status == OK
    assert a.nodes["conv"].status == ERROR
    assert [d.node for d in a.errors] == ["conv"]
    assert a.errors[0].message == ("the kernel (5) is larger than the input along H (4): use a "
                                   "smaller kernel_size or more padding")
    assert all(a.nodes[n].status == BLOCKED for n in ("relu", "flat", "fc"))


def test_out_of_range_parameter_is_a_diagnostic_not_an_exception() -> None:
    b = GraphBuilder()
    b.layer("Linear", b.input((4,)), out_features=0, id="fc")
    a = analyze(b.graph)
    assert a.nodes["fc"].status == ERROR
    assert diags_of(a, "fc") == ["out_features must be at least 1; received 0"]


def test_add_with_different_shapes_says_what_it_received() -> None:
    b = GraphBuilder()
    x = b.input((1, 32, 32))
    a3 = b.layer("Conv2d", x, out_channels=8, kernel_size=3, id="conv3")
    a5 = b.layer("Conv2d", x, out_channels=8, kernel_size=5, id="conv5")
    b.layer("Add", [a3, a5], id="add")
    a = analyze(b.graph)
    assert a.nodes["add"].status == ERROR
    assert diags_of(a, "add") == ["Add needs inputs of equal shape; received 8x30x30 and 8x28x28"]


def test_unused_input_is_a_warning() -> None:
    b = GraphBuilder()
    b.layer("ReLU", b.input((4,)), id="relu")
    b.input((3,), id="spare")
    a = analyze(b.graph)
    assert a.valid
    assert [(d.node, d.code, d.message) for d in a.warnings] == [
        ("spare", "unused", "this Input is not connected to any layer")]
    # A lone Input is a network being started, not an unused one.
    lone = GraphBuilder()
    lone.input((4,))
    assert analyze(lone.graph).warnings == []


def test_empty_graph_and_no_input() -> None:
    a = analyze(Graph())
    assert not a.valid and a.nodes == {} and a.total_params == 0
    assert [(d.code, d.node) for d in a.errors] == [("empty", None)]
    g = Graph()
    g.add_node(Node("relu", "ReLU"))
    a = analyze(g)
    assert {d.code for d in a.errors} == {"no-input", "unconnected"}


def test_token_ids_into_a_convolution() -> None:
    b = GraphBuilder()
    x = b.input((1, 28, 28), dtype="int64")
    b.layer("Conv2d", x, out_channels=4, kernel_size=3, id="conv")
    a = analyze(b.graph)
    assert a.nodes["conv"].status == ERROR
    assert diags_of(a, "conv") == ["Conv2d needs real numbers but receives integer token ids "
                                   "from 'input': add an Embedding layer first"]
    # ...and Embedding is where they belong.
    b = GraphBuilder()
    b.layer("Embedding", b.input((12,), dtype="int64"), num_embeddings=50, embedding_dim=8,
            id="emb")
    a = analyze(b.graph)
    assert a.valid and a.nodes["emb"].output.shape == (12, 8)


def test_warning_codes_are_declared_by_the_rule_not_read_from_the_words() -> None:
    # the floor dropping a row is "inexact" (a fix offers the padding); Linear on a 2-D
    # input is a plain warning even though its words say nothing the other does not
    b = GraphBuilder()
    x = b.input((3, 224, 224))
    conv = b.layer("Conv2d", x, out_channels=4, kernel_size=11, stride=4, id="conv")
    b.layer("Linear", conv, out_features=5, id="fc")
    a = analyze(b.graph)
    codes = {(d.node, d.code) for d in a.warnings}
    assert ("conv", "inexact") in codes
    assert ("fc", "warning") in codes and ("fc", "inexact") not in codes


def test_integer_ids_are_refused_by_every_layer_but_the_one_that_declares_an_id_limit() -> None:
    from netbuilder.graph.catalogue import CATALOGUE

    takes_ids = {t for t, spec in CATALOGUE.items() if spec.id_limit_param is not None}
    assert takes_ids == {"Embedding"}
    b = GraphBuilder()
    ids = b.input((12,), dtype="int64")
    b.layer("Linear", ids, out_features=4, id="fc")
    a = analyze(b.graph)
    assert [d.code for d in a.nodes["fc"].diagnostics] == ["dtype"]


def test_softmax_layers_declare_what_their_output_holds() -> None:
    from netbuilder.graph.catalogue import CATALOGUE

    kinds = {t: spec.output_kind for t, spec in CATALOGUE.items() if spec.output_kind}
    assert kinds == {"Softmax": "probabilities", "LogSoftmax": "log_probabilities"}
