"""A block use's card line says what its exposed values do, in a student's words: the
GoogLeNet branches read "96 ch, 1x1" and "128 ch, 3x3, pad 1", not "channels 96,
kernel_size 1"; a name the block chose itself (Inception's ch3x3) stays."""

from __future__ import annotations

from netbuilder.graph.examples import example_path
from netbuilder.graph.project import load_project


def describe(graph, nid: str) -> str:
    node = graph.nodes[nid]
    return graph.spec(node.type).describe(node.params)


def test_googlenet_convolutions_read_as_channels_and_kernel():
    g = load_project(example_path("googlenet")).graph
    assert describe(g, "conv1") == "64 ch, 7x7, stride 2, pad 3"
    assert describe(g, "conv2") == "64 ch, 1x1"        # stride 1 and pad 0 go without saying
    assert describe(g, "conv3") == "192 ch, 3x3, pad 1"
    # PyTorch's names stay what the parameters are called (the inspector shows them).
    assert g.spec("BasicConv2d").param_names() == ("channels", "kernel_size", "stride",
                                                   "padding", "repeat")


def test_every_inception_branch_shows_its_kernel():
    g = load_project(example_path("googlenet")).graph
    inner = g.blocks["Inception"].graph
    assert {nid: describe(inner, nid) for nid in inner.nodes if nid.startswith("branch")} == {
        "branch1": "64 ch, 1x1",
        "branch2_reduce": "96 ch, 1x1",
        "branch2": "128 ch, 3x3, pad 1",
        "branch3_reduce": "16 ch, 1x1",
        "branch3": "32 ch, 3x3, pad 1",
        "branch4_pool": "3x3, stride 1, pad 1, ceil",
        "branch4": "32 ch, 1x1",
    }


def test_names_a_block_chose_stay_and_nested_blocks_are_followed():
    g = load_project(example_path("googlenet")).graph
    # Inception's ch3x3 sets branch2.channels, itself BasicConv2d's conv.out_channels.
    assert describe(g, "inception3a") == ("ch1x1 64, ch3x3red 96, ch3x3 128, ch5x5red 16, "
                                          "ch5x5 32, pool_proj 32")


def test_resnet_blocks_say_channels_and_repeat():
    g = load_project(example_path("resnet18")).graph
    assert describe(g, "layer1") == "64 ch, x2"
    assert describe(g, "layer2_0") == "128 ch"
