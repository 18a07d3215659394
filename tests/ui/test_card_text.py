"""Cards show what they are there to teach, whole: the type, the name, the key parameters
and the footer fit the card, which grows to its text within limits (taller first, then
wider); only past the widest card is anything cut, and then the tooltip holds it all.
The parameter count is never cut."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QUndoStack

from netbuilder.graph.catalogue import CATALOGUE
from netbuilder.graph.document import Document
from netbuilder.graph.examples import example_path, list_examples
from netbuilder.graph.project import load_project
from netbuilder.graph.tensor import fmt_shape
from netbuilder.ui.canvas import EditorCanvas, NodeItem, NodeView
from netbuilder.ui.canvas.node_item import CARD_MAX_WIDTH, CARD_WIDTH
from netbuilder.ui.canvas.scene import count_text
from netbuilder.ui.theme import Theme

PAD = 9


def conv_view(params: dict, name: str, params_count: int, shape: tuple[int, ...]) -> NodeView:
    spec = CATALOGUE["Conv2d"]
    return NodeView("conv1", "Conv2d", spec.category, name, spec.describe(params), False,
                    fmt_shape(shape), count_text(params_count), "ok", "", "", 1, False,
                    frozenset({0}), f"Conv2d 'conv1'\n{spec.help}")


def check_card(item: NodeItem) -> None:
    """What a student sees on the card: every piece fits, the footer whole."""
    v, shown, w = item.view, item.shown_texts(), item.width()
    small, shape_font = Theme.metrics("small"), Theme.metrics("shape")
    assert shown["cost"] == v.cost and shown["shape"] == v.shape
    footer = PAD + shape_font.horizontalAdvance(v.shape) + 8 + small.horizontalAdvance(v.cost) + PAD
    assert footer <= w + 0.5                       # the shape and the count never overlap
    assert w >= CARD_WIDTH
    assert w <= max(CARD_MAX_WIDTH, footer + 1.5)  # wider than the maximum only for the footer
    body = Theme.metrics("italic" if v.params_is_help else "body")
    for line in shown["body"]:
        assert body.horizontalAdvance(line) <= w - 2 * PAD + 0.5
    if shown["name"]:
        assert small.horizontalAdvance(shown["name"]) <= w - 2 * PAD + 0.5
    if item.is_cut():
        assert w >= CARD_MAX_WIDTH - 0.5          # cut only when the card can grow no more
        tip = item.tooltip()
        assert v.name in tip and v.type in tip and (v.params_is_help or v.params_line in tip)
    else:
        assert shown["type"] == v.type and shown["name"] == v.name
        if not v.params_is_help:
            assert " ".join(shown["body"]) == " ".join(v.params_line.split())


sizes = st.one_of(st.integers(1, 15), st.tuples(st.integers(1, 15), st.integers(1, 15)))


@settings(max_examples=150, deadline=None)
@given(channels=st.integers(1, 10**6), kernel=sizes, stride=sizes,
       padding=st.one_of(st.integers(0, 12), st.just("same")),
       dilation=st.integers(1, 4), groups=st.integers(1, 512),
       name=st.from_regex(r"[a-z][a-z0-9_]{0,40}", fullmatch=True),
       params_count=st.integers(0, 10**10),
       shape=st.lists(st.integers(1, 100_000), min_size=1, max_size=4).map(tuple))
def test_any_convolution_card_fits_its_text(qapp, channels, kernel, stride, padding, dilation,
                                            groups, name, params_count, shape):
    params = {"out_channels": channels, "kernel_size": kernel, "stride": stride,
              "padding": padding, "dilation": dilation, "groups": groups}
    check_card(NodeItem(conv_view(params, name, params_count, shape)))


def test_a_card_narrow_enough_for_its_text_stays_the_narrowest(qapp):
    item = NodeItem(conv_view({"out_channels": 6, "kernel_size": 5, "padding": 2}, "conv1",
                              156, (6, 28, 28)))
    assert item.width() == CARD_WIDTH
    assert item.shown_texts()["body"] == ["6 filters, 5x5, pad 2"]
    assert not item.is_cut() and item.tooltip() == item.view.tooltip


def test_a_name_too_long_for_any_card_is_cut_and_told_in_the_tooltip(qapp):
    name = "the_first_convolution_of_the_network_that_reads_the_digits"
    item = NodeItem(conv_view({"out_channels": 6, "kernel_size": 5}, name, 156, (6, 24, 24)))
    assert item.is_cut() and item.width() == CARD_MAX_WIDTH
    assert item.shown_texts()["name"].endswith("…")
    assert name in item.tooltip()
    check_card(item)


@pytest.mark.parametrize("name", [e.name for e in list_examples()])
def test_no_card_of_an_example_cuts_its_text(qtbot, name):
    """Every card of every shipped example, and of every block inside it opened as the app
    does: the type, the name and the key parameters whole (a layer without settings has a
    one-line reminder of what it does instead, which may be cut: its tooltip holds it)."""
    doc = Document(load_project(example_path(name)))
    canvas = EditorCanvas(doc, QUndoStack())
    qtbot.addWidget(canvas)
    scopes = [None] + sorted({nid for nid, n in doc.graph.nodes.items() if n.type in doc.graph.blocks},
                             key=lambda nid: doc.graph.nodes[nid].type)
    seen = set()
    for use in scopes:
        if use is not None:
            if doc.graph.nodes[use].type in seen:
                continue
            seen.add(doc.graph.nodes[use].type)
            canvas.open_block(use)
        for item in canvas.graph_scene.nodes.values():
            check_card(item)
            assert not item.is_cut(), item.shown_texts()
        if use is not None:
            canvas.go_up()


def test_inception_branches_show_their_kernels_and_whole_names(qtbot):
    doc = Document(load_project(example_path("googlenet")))
    canvas = EditorCanvas(doc, QUndoStack())
    qtbot.addWidget(canvas)
    canvas.open_block("inception3a")
    shown = {nid: item.shown_texts() for nid, item in canvas.graph_scene.nodes.items()}
    assert shown["branch2_reduce"]["name"] == "branch2_reduce"
    assert shown["branch2_reduce"]["body"] == ["96 ch, 1x1"]
    assert shown["branch2"]["body"] == ["128 ch, 3x3, pad 1"]
    assert shown["branch3"]["body"] == ["32 ch, 3x3, pad 1"]
    assert shown["branch2"]["cost"] == "110.8k params"
    canvas.go_up()
    inception = canvas.graph_scene.nodes["inception3a"].shown_texts()
    assert " ".join(inception["body"]).startswith("ch1x1 64, ch3x3red 96, ch3x3 128")
    assert "pool_proj 32" in inception["body"][-1]
