"""Reusable blocks in the graph core: inference per use, files, grouping and ungrouping."""

import json

import pytest

from netbuilder.graph.analysis import analyze
from netbuilder.graph.blocks import make_block, ungroup
from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.document import Document
from netbuilder.graph.errors import GraphEditError, ProjectFileError
from netbuilder.graph.examples import example_path
from netbuilder.graph.project import (
    Project,
    dumps_project,
    fingerprint,
    load_project,
    loads_project,
)


def resnet18_blocks():
    return load_project(example_path("resnet18")).graph


def _signature(graph):
    """What makes two graphs the same network, whatever the node ids are."""
    a = analyze(graph)
    return (sorted((n.type, sorted(n.params.items())) for n in graph.nodes.values()),
            len(graph.edges), a.total_params, a.total_macs,
            [a.nodes[o].output.shape for o in a.outputs])


def test_resnet18_from_blocks_matches_the_flat_count():
    a = analyze(resnet18_blocks())
    assert a.valid
    assert a.total_params == 11_689_512
    assert a.nodes["fc"].output.shape == (1000,)


def test_one_definition_infers_different_shapes_per_use():
    a = analyze(resnet18_blocks())
    assert a.nodes["layer1"].output.shape == (64, 56, 56)
    assert a.nodes["layer2_1"].output.shape == (128, 28, 28)
    assert a.nodes["layer4_1"].output.shape == (512, 7, 7)
    assert a.nodes["layer2_1"].params != a.nodes["layer4_1"].params


def test_repeat_chains_copies():
    g = resnet18_blocks()
    one = analyze(g).nodes["layer1"].params
    g.nodes["layer1"].params["repeat"] = 3
    a = analyze(g)
    assert a.nodes["layer1"].params == one // 2 * 3
    assert len(a.nodes["layer1"].result.inner) == 3


def test_problem_inside_a_block_names_the_use_and_the_inner_node():
    g = resnet18_blocks()
    g.nodes["layer2_1"].params["channels"] = 100
    errors = analyze(g).errors
    assert len(errors) == 1
    d = errors[0]
    assert d.node == "layer2_1" and d.inner == ("add",)
    assert "inside BasicBlock" in d.message and "100x28x28 and 128x28x28" in d.message


def test_file_round_trip_is_stable_and_counts_the_same(tmp_path):
    text = dumps_project(Project(resnet18_blocks()))
    again = loads_project(text)
    assert dumps_project(again) == text
    assert analyze(again.graph).total_params == 11_689_512
    assert fingerprint(again.graph) == fingerprint(resnet18_blocks())


def test_flat_files_stay_exactly_as_they_were():
    from netbuilder.graph.examples import example_path

    path = example_path("lenet5")
    assert dumps_project(load_project(path)) == path.read_text(encoding="utf-8")
    assert "blocks" not in path.read_text(encoding="utf-8")


def test_editing_the_definition_changes_every_use():
    g = resnet18_blocks()
    before = analyze(g).total_params
    g.blocks["BasicBlock"].graph.nodes["conv2"].params["bias"] = True
    g.blocks["BasicBlock"].touch()
    after = analyze(g)
    uses = 2 + 3  # layer1 repeats twice, then one BasicBlock per later stage
    assert after.total_params > before
    assert after.total_params - before == 64 * 2 + 128 + 256 + 512
    assert uses == 5


def _chain():
    b = GraphBuilder("chain")
    x = b.input((3, 16, 16))
    x = b.layer("Conv2d", x, id="c1", out_channels=8, kernel_size=3, padding=1)
    y = b.layer("ReLU", x, id="r1")
    y = b.layer("Conv2d", y, id="c2", out_channels=8, kernel_size=3, padding=1)
    s = b.layer("Add", [y, x], id="add")
    s = b.layer("ReLU", s, id="r2")
    f = b.layer("Flatten", s, id="flat")
    b.layer("Linear", f, id="fc", out_features=10)
    return b.graph


def test_group_then_ungroup_gives_the_same_network():
    g = _chain()
    before = _signature(g)
    use = make_block(g, ["r1", "c2", "add", "r2"], "Residual")
    assert analyze(g).valid
    assert set(g.nodes) == {"input", "c1", use, "flat", "fc"}
    assert _signature(g)[2:] == before[2:]
    ungroup(g, use)
    assert _signature(g) == before


def test_grouping_refuses_two_outputs_and_the_input():
    g = _chain()
    with pytest.raises(GraphEditError, match="one output"):
        make_block(g, ["c1", "r1"], "Two")  # c1 feeds r1 (inside) and add (outside), r1 feeds c2
    with pytest.raises(GraphEditError, match="Input"):
        make_block(g, ["input", "c1"], "WithInput")
    with pytest.raises(GraphEditError, match="layer type"):
        make_block(g, ["r1"], "Conv2d")


def test_document_grouping_is_undoable_through_snapshots():
    d = Document(Project(_chain()))
    snap = d.snapshot()
    seen = []
    d.subscribe(seen.append)
    use = d.make_block(["r1", "c2"], "Pair")
    assert d.analysis.valid and use in d.graph.nodes and seen
    d.restore(snap)
    assert "Pair" not in d.graph.blocks and "r1" in d.graph.nodes
    assert d.analysis.total_params == analyze(_chain()).total_params


def _with_blocks(mutate):
    data = json.loads(dumps_project(Project(resnet18_blocks())))
    mutate(data)
    return json.dumps(data)


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["blocks"][0].update(output="nope"), "output 'nope' is not a node"),
    (lambda d: d["blocks"][0].update(name="Conv2d"), "is a layer type already"),
    (lambda d: d["blocks"][0]["params"][0]["targets"].append(["ghost", "out_channels"]),
     "targets 'ghost'"),
    (lambda d: d["blocks"][0].update(params=[{"name": "x"}]), "blocks[0] ('BasicBlock').params[0]"),
    (lambda d: d["blocks"][0]["nodes"].append({"id": "self", "type": "BasicBlock"}),
     "cannot contain itself"),
    (lambda d: d["blocks"][0].update(extra=1), "unknown key 'extra'"),
])
def test_bad_block_definitions_are_refused_with_the_place(mutate, message):
    with pytest.raises(ProjectFileError) as info:
        loads_project(_with_blocks(mutate))
    assert message in str(info.value)


def test_editing_a_block_used_inside_another_block_rechecks_the_outer_uses():
    doc = Document(load_project(example_path("resnet18")))
    outer = doc.make_block(["layer1", "layer2_0"], "Stage")
    assert doc.analysis.nodes[outer].output.shape == (128, 28, 28)
    doc.graph.blocks["BasicBlock"].graph.nodes["conv1"].params["stride"] = 2
    doc.block_changed("BasicBlock")
    info = doc.analysis.nodes[outer]
    assert info.status == "error" and info.diagnostics[0].inner[:2] == ("layer1", "add")
    doc.graph.blocks["BasicBlock"].graph.nodes["conv1"].params["stride"] = 1
    doc.block_changed("BasicBlock")
    assert doc.analysis.nodes[outer].output.shape == (128, 28, 28)


def test_a_deep_copy_never_shares_the_block_table():
    g = GraphBuilder("plain").graph
    copy = g.copy(deep_blocks=True)
    copy.blocks["X"] = None
    assert g.blocks == {}
