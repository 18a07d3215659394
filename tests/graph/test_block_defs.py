"""Renaming and deleting block definitions in the graph core: every use follows a rename,
a delete ungroups every use (also inside other blocks), and the file keeps the result."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netbuilder.graph.analysis import analyze
from netbuilder.graph.block_defs import delete_block, delete_problem, find_uses, rename_block
from netbuilder.graph.blocks import BlockParam, definition_problems, make_block, name_problem
from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.document import Document
from netbuilder.graph.errors import GraphEditError
from netbuilder.graph.examples import example_path
from netbuilder.graph.project import (
    Project,
    dumps_project,
    load_project,
    loads_project,
    project_to_dict,
    save_project,
)

RESNET18_PARAMS = 11_689_512


def example(name: str) -> Project:
    return load_project(example_path(name))


def types(graph) -> list[str]:
    return [n.type for n in graph.nodes.values()]


def inner_types(graph, block: str) -> list[str]:
    return [n.type for n in graph.blocks[block].graph.nodes.values()]


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


# -- where a block is used ----------------------------------------------------------------------

def test_uses_are_counted_in_the_network_and_inside_other_blocks():
    g = example("googlenet").graph
    uses = find_uses(g, "BasicConv2d")
    assert uses.top == ["conv1", "conv2", "conv3"]
    assert list(uses.inside) == ["Inception"] and len(uses.inside["Inception"]) == 6
    assert uses.describe() == ("used 9 times: 3 in the network (conv1, conv2, conv3) "
                               "and 6 inside Inception")
    assert find_uses(g, "Inception").describe().startswith("used 9 times: 9 in the network (")
    with pytest.raises(GraphEditError, match="no block named 'Nope'"):
        find_uses(g, "Nope")


# -- rename -------------------------------------------------------------------------------------

def test_rename_changes_every_use_and_nested_use_and_nothing_else():
    g = example("googlenet").graph
    before = analyze(g)
    order = list(g.blocks)
    ids = list(g.nodes)
    rename_block(g, "BasicConv2d", "ConvBNReLU")
    assert list(g.blocks) == ["ConvBNReLU", "Inception"] == [order[0].replace(
        "BasicConv2d", "ConvBNReLU"), order[1]]
    assert list(g.nodes) == ids                         # ids stay
    assert "BasicConv2d" not in types(g) and types(g).count("ConvBNReLU") == 3
    assert inner_types(g, "Inception").count("ConvBNReLU") == 6
    assert g.blocks["ConvBNReLU"].name == "ConvBNReLU"
    assert g.blocks["ConvBNReLU"].spec().type == "ConvBNReLU"
    after = analyze(g)
    assert after.valid and after.total_params == before.total_params
    assert after.nodes["fc"].output == before.nodes["fc"].output


def test_rename_back_restores_the_project_exactly():
    p = example("resnet18")
    text = dumps_project(p)
    rename_block(p.graph, "BasicBlock", "Residual")
    assert dumps_project(p) != text
    rename_block(p.graph, "Residual", "BasicBlock")
    assert dumps_project(p) == text


@pytest.mark.parametrize("new, reason", [
    ("Conv2d", "is a layer type already"),
    ("Block", "is a layer type already"),
    ("DownBlock", "there is already a block named 'DownBlock'"),
    ("2fast", "must start with a letter"),
    ("with space", "must start with a letter"),
    ("class", "must start with a letter"),
    ("Residual\n", "must start with a letter"),       # no identifier ends in a newline
])
def test_rename_refuses_a_name_that_make_block_refuses(new, reason):
    p = example("resnet18")
    text = dumps_project(p)
    with pytest.raises(GraphEditError, match=reason):
        rename_block(p.graph, "BasicBlock", new)
    assert dumps_project(p) == text                     # nothing changed


def test_rename_of_a_missing_block_is_refused_and_to_itself_changes_nothing():
    p = example("resnet18")
    text = dumps_project(p)
    with pytest.raises(GraphEditError, match="no block named 'Ghost'"):
        rename_block(p.graph, "Ghost", "Other")
    rename_block(p.graph, "BasicBlock", "BasicBlock")
    assert dumps_project(p) == text


names = st.one_of(
    st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,70}", fullmatch=True),
    st.sampled_from(["Conv2d", "Linear", "ReLU", "Block", "DownBlock", "BasicBlock", "def",
                     "None", "", "_x", "a-b"]),
    st.text(max_size=12),
)


@settings(max_examples=150, deadline=None)
@given(new=names)
def test_any_name_is_taken_exactly_when_make_block_would_take_it(new):
    p = example("resnet_small")
    text = dumps_project(p)
    allowed = name_problem(new, {"DownBlock"}) is None or new == "BasicBlock"
    try:
        rename_block(p.graph, "BasicBlock", new)
    except GraphEditError:
        assert not allowed
        assert dumps_project(p) == text
        return
    assert allowed
    again = loads_project(dumps_project(p))             # the file keeps the new name
    assert set(again.graph.blocks) == {new, "DownBlock"}
    assert types(again.graph).count(new) == types(p.graph).count(new) >= 1
    rename_block(p.graph, new, "BasicBlock")
    assert dumps_project(p) == text


def test_document_rename_is_one_change_and_logged_for_open_views():
    d = Document(example("resnet18"))
    seen = []
    d.subscribe(seen.append)
    d.rename_block("BasicBlock", "Residual")
    assert len(seen) == 1 and seen[0].structure
    assert seen[0].nodes == {nid for nid, n in d.graph.nodes.items() if n.type == "Residual"}
    assert d.block_renames == [("BasicBlock", "Residual")]
    assert d.analysis.valid and d.analysis.total_params == RESNET18_PARAMS
    d.set_locked("training is running")
    with pytest.raises(GraphEditError, match="locked"):
        d.rename_block("Residual", "Other")
    assert "Residual" in d.graph.blocks


# -- delete -------------------------------------------------------------------------------------

def test_delete_an_unused_block_removes_only_the_definition():
    g = _chain()
    use = make_block(g, ["r1", "c2"], "Pair")
    make_block(g, ["r2"], "Act")
    from netbuilder.graph.blocks import ungroup

    ungroup(g, use)
    before = analyze(g).total_params
    assert find_uses(g, "Pair").count == 0
    assert delete_block(g, "Pair") == {}
    assert list(g.blocks) == ["Act"] and analyze(g).total_params == before


def test_delete_a_used_block_is_refused_unless_its_uses_are_ungrouped():
    g = example("resnet18").graph
    with pytest.raises(GraphEditError, match=r"BasicBlock is used 4 times: 4 in the network "
                                             r"\(layer1, layer2_1, layer3_1, layer4_1\)"):
        delete_block(g, "BasicBlock")
    assert "BasicBlock" in g.blocks


def test_delete_with_ungroup_keeps_the_network_the_same():
    g = example("resnet18").graph
    before = analyze(g)
    replaced = delete_block(g, "BasicBlock", ungroup_uses=True)
    assert list(replaced) == ["layer1", "layer2_1", "layer3_1", "layer4_1"]
    assert len(replaced["layer1"]) == 2 * len(replaced["layer2_1"])   # layer1 repeats twice
    assert list(g.blocks) == ["DownBlock"] and "BasicBlock" not in types(g)
    after = analyze(g)
    assert after.valid and after.total_params == before.total_params == RESNET18_PARAMS
    assert after.total_macs == before.total_macs
    assert after.nodes["fc"].output == before.nodes["fc"].output


def test_delete_a_block_used_inside_another_block_rewires_the_outer_settings():
    g = example("googlenet").graph
    before = analyze(g)
    delete_block(g, "BasicConv2d", ungroup_uses=True)
    inception = g.blocks["Inception"]
    assert list(g.blocks) == ["Inception"]
    assert "BasicConv2d" not in inner_types(g, "Inception") + types(g)
    assert definition_problems(inception) == []
    # ch1x1 set BasicConv2d's channels on branch1; now it sets the conv that replaced it.
    ch1x1 = next(p for p in inception.params if p.name == "ch1x1")
    assert ch1x1.targets == (("branch1_conv", "out_channels"),)
    after = analyze(g)
    assert after.valid and after.total_params == before.total_params
    assert after.total_macs == before.total_macs


def test_the_output_of_the_outer_block_follows_the_ungrouped_use():
    g = _chain()
    make_block(g, ["r1", "c2"], "Inner")
    outer_use = make_block(g, ["inner", "add"], "Outer")
    assert g.blocks["Outer"].output == "add"
    g2 = _chain()
    make_block(g2, ["r1", "c2"], "Inner")
    make_block(g2, ["inner"], "Outer")                  # the use of Inner is Outer's output
    assert g2.blocks["Outer"].output == "inner"
    before = analyze(g2).total_params
    delete_block(g2, "Inner", ungroup_uses=True)
    assert g2.blocks["Outer"].output == "inner_c2"
    assert analyze(g2).valid and analyze(g2).total_params == before
    assert outer_use in g.nodes


def test_an_outer_setting_on_a_use_s_repeat_is_explained_not_broken():
    g = _chain()
    make_block(g, ["r1", "c2"], "Inner")
    make_block(g, ["inner", "add"], "Outer")
    g.blocks["Outer"].params = [BlockParam("times", (("inner", "repeat"),))]
    problem = delete_problem(g, "Inner")
    assert "Outer's setting 'times' sets how often inner" in problem
    with pytest.raises(GraphEditError, match="repeat"):
        delete_block(g, "Inner", ungroup_uses=True)
    assert "Inner" in g.blocks and "inner" in g.blocks["Outer"].graph.nodes


def test_document_delete_is_undone_by_its_snapshot():
    d = Document(example("googlenet"))
    snap = d.snapshot()
    seen = []
    d.subscribe(seen.append)
    d.delete_block("BasicConv2d", ungroup_uses=True)
    assert len(seen) == 1 and seen[0].structure and seen[0].blocks == {"Inception"}
    assert d.analysis.valid
    d.restore(snap)
    assert d.snapshot() == snap


# -- the project file ---------------------------------------------------------------------------

def test_the_file_saves_the_renamed_and_deleted_state(tmp_path):
    p = example("googlenet")
    rename_block(p.graph, "Inception", "InceptionV1")
    delete_block(p.graph, "BasicConv2d", ungroup_uses=True)
    path = tmp_path / "net.json"
    save_project(p, path)
    again = load_project(path)
    assert list(again.graph.blocks) == ["InceptionV1"]
    assert types(again.graph).count("InceptionV1") == 9
    assert "BasicConv2d" not in path.read_text(encoding="utf-8")
    assert project_to_dict(again) == project_to_dict(p)
    assert analyze(again.graph).total_params == analyze(p.graph).total_params
