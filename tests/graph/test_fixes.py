"""One-click fixes (graph/fixes.py): break valid networks the ways students do, and check that
every such problem offers a fix, that the first fix removes the problem, and that it never
makes a layer fail that was not failing before.

The valid networks are the shipped examples (those built of plain layers) and random stacks
of catalogue layers; the mistakes are those issue 15 lists: a kernel larger than its input,
a stride that does not divide exactly, a missing Flatten before Linear, branches of an Add or
a Concat that disagree, an input left unconnected.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from netbuilder.graph.analysis import OK, analyze
from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.convpool import conv_size
from netbuilder.graph.errors import ProjectFileError
from netbuilder.graph.examples import example_path
from netbuilder.graph.fixes import (
    Bypass,
    SetParam,
    apply_edit,
    fixes_for,
    output_size_fix,
    preview,
)
from netbuilder.graph.model import Graph
from netbuilder.graph.project import dumps_project, load_project, loads_project

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _flat_examples() -> list[str]:
    """Examples without blocks, valid as shipped (the fixes work on plain layers)."""
    names = []
    for path in sorted(example_path("lenet5").parent.glob("*.json")):
        try:
            g = load_project(path).graph
        except ProjectFileError:   # an example of layers this checkout does not have yet
            continue
        if not g.blocks and analyze(g).valid:
            names.append(path.stem)
    return names


FLAT = _flat_examples()
_GRAPHS = {n: load_project(example_path(n)).graph for n in FLAT}


@st.composite
def random_stack(draw) -> Graph:
    """Input, a few conv/pool/norm/activation layers, Flatten, Linear: valid by construction."""
    b = GraphBuilder("stack")
    size = draw(st.integers(8, 24))
    channels = draw(st.integers(1, 3))
    x = b.input((channels, size, size))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["Conv2d", "MaxPool2d", "ReLU", "BatchNorm2d", "AvgPool2d",
                                     "Residual"]))
        if kind == "Conv2d":
            k = draw(st.integers(1, min(5, size)))
            pad = draw(st.sampled_from([0, k // 2]))
            channels = draw(st.integers(1, 8))
            x = b.layer("Conv2d", x, out_channels=channels, kernel_size=k, padding=pad)
            size = size + 2 * pad - k + 1
        elif kind == "Residual":   # x + relu(conv3x3(x)), the size and channels kept
            y = b.layer("Conv2d", x, out_channels=channels, kernel_size=3, padding=1)
            y = b.layer("ReLU", y)
            x = b.layer("Add", [y, x])
        elif kind.endswith("Pool2d") and size >= 4:
            x = b.layer(kind, x, kernel_size=2)
            size //= 2
        elif kind in ("ReLU", "BatchNorm2d"):
            x = b.layer(kind, x)
    x = b.layer("Flatten", x)
    b.layer("Linear", x, out_features=draw(st.integers(1, 10)))
    return b.graph


@st.composite
def valid_graph(draw) -> Graph:
    if draw(st.booleans()) and FLAT:
        return _GRAPHS[draw(st.sampled_from(FLAT))].copy()
    return draw(random_stack())


# -- the mistakes ------------------------------------------------------------------------
# Each takes a valid graph (a copy it may change) and returns (layer, code) of the problem
# it should cause, or None when the graph has no place for it.

def _sized(g: Graph, types: tuple[str, ...]) -> list[str]:
    a = analyze(g)
    return [n for n, node in g.nodes.items() if node.type in types
            and a.nodes[n].inputs and a.nodes[n].inputs[0] is not None]


def kernel_too_large(g: Graph, data) -> tuple[str, str] | None:
    places = [n for n in _sized(g, ("Conv2d", "Conv1d", "MaxPool2d", "AvgPool2d"))
              if not isinstance(g.nodes[n].params.get("padding"), str)]
    if not places:
        return None
    nid = data.draw(st.sampled_from(places))
    x = analyze(g).nodes[nid].inputs[0]
    big = max(x.shape[1:]) + data.draw(st.integers(1, 4))
    g.set_param(nid, "kernel_size", big)
    if g.nodes[nid].type.endswith("Pool2d"):
        g.set_param(nid, "padding", 0)
    return nid, "shape"


def inexact_stride(g: Graph, data) -> tuple[str, str] | None:
    places = _sized(g, ("Conv2d", "Conv1d", "MaxPool2d", "AvgPool2d"))
    if not places:
        return None
    nid = data.draw(st.sampled_from(places))
    x = analyze(g).nodes[nid].inputs[0]
    k, p = (g.nodes[nid].params.get(a, 2 if a == "kernel_size" else 0)
            for a in ("kernel_size", "padding"))
    k, p = (v[0] if isinstance(v, (tuple, list)) else v for v in (k, p))
    # strides whose windows leave real rows uncovered (the warning's own arithmetic)
    strides = [s for s in range(2, 6) if not isinstance(p, str) and
               conv_size("H", x.shape[1], k, s, p, 1).warning] if x.shape[1] >= k else []
    if not strides:
        return None
    g.set_param(nid, "stride", data.draw(st.sampled_from(strides)))
    return nid, "inexact"


def missing_flatten(g: Graph, data) -> tuple[str, str] | None:
    a = analyze(g)
    places = [n for n, node in g.nodes.items() if node.type == "Flatten"
              and len(g.out_edges(n)) == 1 and g.nodes[g.out_edges(n)[0].target].type == "Linear"
              and a.nodes[n].inputs[0].ndim >= 3]
    if not places:
        return None
    nid = data.draw(st.sampled_from(places))
    linear = g.out_edges(nid)[0].target
    apply_edit(g, (Bypass(nid),))
    return linear, "warning"


def branch_channels(g: Graph, data) -> tuple[str, str] | None:
    def conv_above(nid: str) -> str | None:   # up through BatchNorm2d and activations
        while g.nodes[nid].type != "Conv2d":
            ins = g.in_edges(nid)
            if len(ins) != 1 or g.nodes[nid].type not in ("BatchNorm2d", "ReLU"):
                return None
            nid = ins[0].source
        return nid

    places = [(n, c) for n, node in g.nodes.items() if node.type in ("Add", "Multiply")
              for e in g.in_edges(n) if (c := conv_above(e.source)) is not None]
    if not places:
        return None
    merge, conv = data.draw(st.sampled_from(places))
    g.set_param(conv, "out_channels", g.nodes[conv].params.get("out_channels", 8)
                + data.draw(st.integers(1, 8)))
    return merge, "shape"


def unwired_input(g: Graph, data) -> tuple[str, str] | None:
    edges = [e for e in g.edges if not g.spec_of(e.target).variadic]
    if not edges:
        return None
    e = data.draw(st.sampled_from(edges))
    g.disconnect(e)
    return e.target, "unconnected"


MISTAKES = [kernel_too_large, inexact_stride, missing_flatten, branch_channels, unwired_input]


def _check_first_fix(g: Graph, where: tuple[str, str]) -> None:
    nid, code = where
    before = analyze(g)
    found = [d for d in before.diagnostics if d.node == nid and d.code == code]
    assume(found)   # e.g. a stride that happens to divide exactly
    d = found[0]
    event(f"fixing {code}")
    fixes = fixes_for(g, d, before)
    assert fixes, f"no fix offered for {nid}: {d.message}"
    for fix in fixes:
        assert fix.description and fix.preview and fix.label.startswith(f"Fix {nid}: ")
    g2, after = preview(g, fixes[0].edit)
    assert not [x for x in after.diagnostics if x.node == nid and x.code == code], \
        f"'{fixes[0].description}' left {d.message}"
    broken_before = {x.node for x in before.errors}
    for x in after.errors:
        assert x.node in broken_before and x.node != nid, \
            f"'{fixes[0].description}' made {x.node} fail: {x.message}"
    # the edit is plain data: the fixed graph saves and loads back the same
    text = dumps_project(_project(g2))
    assert dumps_project(loads_project(text)) == text
    # and its undo steps, run backwards, give back the file exactly
    original = dumps_project(_project(g))
    undo: list = []
    apply_edit(g, fixes[0].edit, on_step=undo.append)
    assert dumps_project(_project(g)) == text
    for step in reversed(undo):
        step()
    assert dumps_project(_project(g)) == original


def _project(g: Graph):
    from netbuilder.graph.project import Project
    return Project(g)


@SETTINGS
@given(valid_graph(), st.sampled_from(MISTAKES), st.data())
def test_every_mistake_offers_a_fix_that_removes_it(g, mistake, data):
    assert analyze(g).valid
    where = mistake(g, data)
    assume(where is not None)
    event(mistake.__name__)
    _check_first_fix(g, where)


@SETTINGS
@given(random_stack(), st.data())
def test_concat_of_branches_with_different_sizes_is_fixed_on_the_named_branch(g, data):
    """Two conv branches joined by Concat; one branch pads differently, so H x W differ."""
    a = analyze(g)
    last_conv = [n for n in g.nodes if g.nodes[n].type in ("ReLU", "Conv2d", "BatchNorm2d",
                                                          "MaxPool2d", "AvgPool2d", "Input")]
    src = last_conv[-1]
    x = a.nodes[src].output
    k = data.draw(st.integers(1, 3)) * 2 + 1
    assume(x.shape[1] > k)
    b1 = g.new_id("conv_a")
    g.nodes[b1] = type(g.nodes[src])(b1, "Conv2d", {"out_channels": 4, "kernel_size": k,
                                                     "padding": k // 2})
    g.connect(src, b1)
    b2 = g.new_id("conv_b")
    g.nodes[b2] = type(g.nodes[src])(b2, "Conv2d", {"out_channels": 4, "kernel_size": k})
    g.connect(src, b2)
    cat = g.new_id("concat")
    g.nodes[cat] = type(g.nodes[src])(cat, "Concat", {})
    g.connect(b1, cat, 0)
    g.connect(b2, cat, 1)
    _check_first_fix(g, (cat, "shape"))
    fixes = fixes_for(g, next(d for d in analyze(g).errors if d.node == cat))
    assert any(b1 in f.description or b2 in f.description for f in fixes)


# -- worked examples a student meets ------------------------------------------------------

def lenet() -> Graph:
    return load_project(example_path("lenet5")).graph


def test_lenet_without_flatten_is_offered_flatten_with_the_shape_it_gives():
    g = lenet()
    apply_edit(g, (Bypass("flatten"),))
    d = next(d for d in analyze(g).diagnostics if d.node == "fc1")
    fixes = fixes_for(g, d)
    assert fixes[0].description.startswith("Insert a Flatten before fc1")
    assert "fc1 → 120" in fixes[0].preview and fixes[0].valid_after
    g2, after = preview(g, fixes[0].edit)
    assert after.valid and not after.warnings
    assert [e.source for e in g2.in_edges("fc1")] == ["flatten"]


def test_kernel_larger_than_the_input_offers_padding_a_small_kernel_and_removing_the_pool():
    g = lenet()
    g.set_param("conv2", "kernel_size", 17)
    d = next(d for d in analyze(g).errors if d.node == "conv2")
    fixes = fixes_for(g, d)
    words = " | ".join(f.description for f in fixes)
    assert "padding to 8" in words and "keeps the size 14x14" in words
    assert "Use the usual kernel_size 3 with padding 1 (keeps the size)" in words
    assert "Remove the pooling 'pool1'" in words
    assert fixes[0].valid_after  # the best one leaves the network valid
    keep = next(f for f in fixes if "keeps the size" in f.description)
    assert "conv2 → 16x14x14" in keep.preview


def test_resnet_shortcut_with_other_channels_gets_a_projection():
    b = GraphBuilder("res")
    x = b.input((16, 8, 8))
    y = b.layer("Conv2d", x, out_channels=32, kernel_size=3, padding=1, stride=2, id="conv")
    y = b.layer("ReLU", y)
    b.layer("Add", [y, x], id="add")
    g = b.graph
    d = next(d for d in analyze(g).errors if d.node == "add")
    fixes = fixes_for(g, d)
    proj = next(f for f in fixes if "Project the shortcut from 'input'" in f.description)
    assert "1x1 Conv2d stride 2 + BatchNorm2d" in proj.description
    g2, after = preview(g, proj.edit)
    assert after.valid and after.nodes["add"].output.shape == (32, 4, 4)
    assert [g2.nodes[n].type for n in g2.nodes][-2:] == ["Conv2d", "BatchNorm2d"]


def test_a_sequence_layer_fed_an_image_gets_the_reshape_it_needs():
    b = GraphBuilder("seq")
    x = b.input((1, 28, 28))
    b.layer("LSTM", x, hidden_size=16, id="lstm")
    g = b.graph
    d = next(d for d in analyze(g).errors if d.node == "lstm")
    fixes = fixes_for(g, d)
    assert fixes and all(f.valid_after for f in fixes)
    assert any("Flatten(start_dim=2)" in f.description for f in fixes)


def test_a_problem_with_no_known_remedy_offers_nothing():
    g = lenet()
    g.set_param("fc1", "out_features", 0)   # out of range: the inspector's job, not a fix
    d = next(d for d in analyze(g).errors if d.node == "fc1")
    assert fixes_for(g, d) == []


@pytest.mark.parametrize("name", FLAT)
def test_shipped_examples_have_nothing_to_fix(name):
    g = _GRAPHS[name]
    a = analyze(g)
    assert all(fixes_for(g, d, a) == [] or d.severity == "warning" for d in a.diagnostics)
    assert all(info.status == OK for info in a.nodes.values())


def test_removing_the_pooling_is_undone_exactly_layer_order_and_wires_included():
    g = lenet()
    g.set_param("conv2", "kernel_size", 17)
    original = dumps_project(_project(g))
    d = next(d for d in analyze(g).errors if d.node == "conv2")
    fix = next(f for f in fixes_for(g, d) if "pool1" in f.description)
    undo: list = []
    apply_edit(g, fix.edit, on_step=undo.append)
    assert "pool1" not in g.nodes and [e.source for e in g.in_edges("conv2")] == ["relu1"]
    for step in reversed(undo):
        step()
    assert dumps_project(_project(g)) == original


@pytest.mark.parametrize("name, last", [("lenet5", "fc3"), ("mlp_iris", None), ("vgg16", "fc3")])
def test_the_last_linear_is_set_to_the_number_of_classes(name, last):
    g = load_project(example_path(name)).graph
    a = analyze(g)
    (out,) = a.outputs
    have = a.nodes[out].output.shape[0]
    assert output_size_fix(g, have) is None                  # already fits: nothing to do
    fix = output_size_fix(g, have + 3)
    assert fix is not None and fix.description.endswith(f"to {have + 3}, one output per class")
    if last:
        assert fix.node == last
    g2, after = preview(g, fix.edit)
    assert after.valid and after.nodes[out].output.shape == (have + 3,)


def test_no_output_fix_when_no_linear_decides_the_size():
    b = GraphBuilder("pool head")
    x = b.input((3, 8, 8))
    x = b.layer("AdaptiveAvgPool2d", x, output_size=1)
    b.layer("Flatten", x)
    assert output_size_fix(b.graph, 10) is None


def test_a_transposed_conv_whose_output_would_be_empty_gets_its_padding_removed():
    b = GraphBuilder("decoder")
    x = b.input((8, 2, 2))
    b.layer("ConvTranspose2d", x, out_channels=4, kernel_size=2, padding=3, id="up")
    g = b.graph
    d = next(d for d in analyze(g).errors if d.node == "up")
    (fix,) = fixes_for(g, d)
    assert fix.edit == (SetParam("up", "padding", 0),) and "up → 4x3x3" in fix.preview
