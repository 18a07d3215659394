"""What the course layers compute, through the generated code a student reads and trains.

* PositionalEncoding (sinusoidal) adds exactly the formula of "Attention is all you need";
  with it a transformer tells token orders apart, without it it cannot.
* Maxout after a Linear (or a Conv) with k times the outputs is the max over k separate
  Linear (or Conv) pieces.
* TransformerDecoderLayer's causal mask: changing a later token leaves every earlier
  output unchanged; without the mask it does not.
"""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.nn import functional as F  # noqa: N812 - torch's own name

from netbuilder.codegen import build_module
from netbuilder.codegen.source import generate_source
from netbuilder.graph.analysis import analyze
from netbuilder.graph.builder import GraphBuilder


def _net(shape, *layers, name="Net"):
    """Input ``shape`` followed by ``layers`` (type, params) in a chain; the built module."""
    b = GraphBuilder(name)
    x = b.input(shape)
    for i, (type_, params) in enumerate(layers):
        x = b.layer(type_, x, id=f"layer{i}", **params)
    return b.graph


# -- PositionalEncoding ------------------------------------------------------------------

def paper_encoding(steps: int, d: int) -> torch.Tensor:
    """PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d))."""
    pe = torch.zeros(steps, d, dtype=torch.float64)
    for pos in range(steps):
        for j in range(d):
            i = j // 2
            angle = pos / 10000 ** (2 * i / d)
            pe[pos, j] = math.sin(angle) if j % 2 == 0 else math.cos(angle)
    return pe


@settings(max_examples=25, deadline=None)
@given(steps=st.integers(1, 40), d=st.integers(1, 24))
def test_sinusoidal_encoding_is_the_papers_formula(steps, d):
    graph = _net((steps, d), ("PositionalEncoding", {}))
    model = build_module(graph).eval()
    x = torch.randn(2, steps, d)
    with torch.no_grad():
        added = model(x) - x
    assert analyze(graph).total_params == 0 == sum(p.numel() for p in model.parameters())
    expected = paper_encoding(steps, d).float()
    assert torch.allclose(added[0], expected, atol=1e-5)
    assert torch.allclose(added[1], expected, atol=1e-5)   # the same for every sample


def test_learned_encoding_is_a_trained_table_per_position():
    graph = _net((5, 6), ("PositionalEncoding", {"encoding": "learned"}))
    assert analyze(graph).total_params == 5 * 6
    model = build_module(graph)
    (table,) = model.parameters()
    assert tuple(table.shape) == (5, 6)
    x = torch.randn(3, 5, 6)
    assert torch.allclose(model(x) - x, table.detach().expand(3, 5, 6), atol=1e-6)
    model(x).pow(2).sum().backward()
    assert table.grad is not None and table.grad.abs().sum() > 0   # it learns
    assert "layer0.pe" in model.state_dict()


def _encoder(with_position: bool):
    layers = [("PositionalEncoding", {})] if with_position else []
    layers.append(("TransformerEncoderLayer", {"nhead": 2, "dim_feedforward": 16,
                                               "dropout": 0.0}))
    return _net((6, 8), *layers)


@pytest.mark.parametrize("with_position", [False, True])
def test_attention_sees_order_only_with_a_positional_encoding(with_position):
    torch.manual_seed(0)
    model = build_module(_encoder(with_position)).eval()
    x = torch.randn(1, 6, 8)
    order = torch.tensor([5, 3, 1, 0, 2, 4])
    with torch.no_grad():
        shuffled_then_encoded = model(x[:, order])
        encoded_then_shuffled = model(x)[:, order]
    same = torch.allclose(shuffled_then_encoded, encoded_then_shuffled, atol=1e-5)
    # Without positions, shuffling the tokens only shuffles the outputs: order is invisible.
    assert same is (not with_position)


# -- Maxout --------------------------------------------------------------------------------

@settings(max_examples=20, deadline=None)
@given(n_in=st.integers(1, 6), n_out=st.integers(1, 5), k=st.integers(1, 4))
def test_maxout_is_the_max_over_k_linear_pieces(n_in, n_out, k):
    graph = _net((n_in,), ("Linear", {"out_features": n_out * k}),
                 ("Maxout", {"pieces": k}))
    model = build_module(graph).eval()
    linear = model.layer0
    x = torch.randn(4, n_in)
    # Piece i of unit j is row j*k + i of the Linear: k separate Linear layers.
    pieces = [F.linear(x, linear.weight[i::k], linear.bias[i::k]) for i in range(k)]
    with torch.no_grad():
        y = model(x)
    assert y.shape == (4, n_out)
    assert torch.allclose(y, torch.stack(pieces).amax(0), atol=1e-6)


def test_maxout_over_channels_is_the_max_over_k_convolutions():
    graph = _net((3, 7, 7), ("Conv2d", {"out_channels": 4 * 3, "kernel_size": 3}),
                 ("Maxout", {"pieces": 3, "dim": 1}))
    assert analyze(graph).nodes["layer1"].output.shape == (4, 5, 5)
    model = build_module(graph).eval()
    conv = model.layer0
    x = torch.randn(2, 3, 7, 7)
    pieces = [F.conv2d(x, conv.weight[i::3], conv.bias[i::3]) for i in range(3)]
    with torch.no_grad():
        assert torch.allclose(model(x), torch.stack(pieces).amax(0), atol=1e-5)


def test_maxout_that_cannot_group_says_what_to_change():
    graph = _net((10,), ("Linear", {"out_features": 10}), ("Maxout", {"pieces": 3}))
    a = analyze(graph)
    assert not a.valid
    (msg,) = [d.message for d in a.errors]
    assert "multiple of pieces=3" in msg and "received 10" in msg and "9 or 12" in msg


# -- TransformerDecoderLayer -----------------------------------------------------------------

def _decoder(causal: bool):
    b = GraphBuilder("Decoder")
    tgt = b.input((7, 8), id="target")
    memory = b.input((4, 8), id="memory")
    b.layer("TransformerDecoderLayer", [tgt, memory], id="decoder", nhead=2,
            dim_feedforward=16, dropout=0.0, causal=causal)
    return b.graph


@settings(max_examples=15, deadline=None)
@given(t=st.integers(0, 6), seed=st.integers(0, 2**16))
def test_causal_decoder_never_lets_a_token_see_later_ones(t, seed):
    torch.manual_seed(seed)
    model = build_module(_decoder(causal=True)).eval()
    tgt, memory = torch.randn(1, 7, 8), torch.randn(1, 4, 8)
    changed = tgt.clone()
    changed[:, t] += 3.0
    with torch.no_grad():
        before, after = model(tgt, memory), model(changed, memory)
    assert torch.allclose(before[:, :t], after[:, :t], atol=1e-5)   # earlier: unchanged
    assert not torch.allclose(before[:, t], after[:, t], atol=1e-3)  # the token itself: changed


def test_without_the_mask_earlier_tokens_see_later_ones():
    torch.manual_seed(0)
    model = build_module(_decoder(causal=False)).eval()
    tgt, memory = torch.randn(1, 7, 8), torch.randn(1, 4, 8)
    changed = tgt.clone()
    changed[:, 6] += 3.0
    with torch.no_grad():
        assert not torch.allclose(model(tgt, memory)[:, 0], model(changed, memory)[:, 0],
                                  atol=1e-3)


def test_decoder_code_reads_with_its_mask():
    source = generate_source(_decoder(causal=True))
    assert ("x = self.decoder(target, memory, tgt_mask=nn.Transformer."
            "generate_square_subsequent_mask(target.size(1), device=target.device), "
            "tgt_is_causal=True)") in source
    assert "tgt_mask" not in generate_source(_decoder(causal=False))


def test_decoder_memory_with_other_features_is_explained():
    b = GraphBuilder("Decoder")
    tgt = b.input((7, 8), id="target")
    memory = b.input((4, 6), id="memory")
    b.layer("TransformerDecoderLayer", [tgt, memory], id="decoder", nhead=2)
    (msg,) = [d.message for d in analyze(b.graph).errors]
    assert "memory (input 1) to have 8 features per token" in msg and "4x6" in msg


# -- the generated file --------------------------------------------------------------------

def test_own_classes_are_written_once_and_only_when_used():
    graph = _net((6, 8), ("PositionalEncoding", {}), ("Maxout", {"pieces": 2, "dim": -1}),
                 ("PositionalEncoding", {"encoding": "learned"}))
    source = generate_source(graph)
    assert source.count("class PositionalEncoding(nn.Module):") == 1
    assert source.count("class Maxout(nn.Module):") == 1
    assert "self.layer0 = PositionalEncoding(8, 6)" in source
    assert "self.layer2 = PositionalEncoding(4, 6, encoding='learned')" in source
    plain = generate_source(_net((6, 8), ("ReLU", {})))
    assert "PositionalEncoding" not in plain and "Maxout" not in plain


def test_a_node_or_network_named_like_an_own_class_does_not_hide_it():
    b = GraphBuilder("Maxout")
    x = b.input((4,))
    x = b.layer("Linear", x, id="Maxout", out_features=4)
    b.layer("Maxout", x, id="PositionalEncoding", pieces=2)
    model = build_module(b.graph).eval()
    with torch.no_grad():
        assert model(torch.randn(3, 4)).shape == (3, 2)


def test_own_classes_inside_blocks_used_on_different_lengths():
    b = GraphBuilder("Blocks")

    def unit(g: GraphBuilder, ins: list[str]) -> str:
        x = g.layer("PositionalEncoding", ins[0], id="position", encoding="learned")
        x = g.layer("Linear", x, id="fc", out_features=8)
        return g.layer("Maxout", x, id="maxout", pieces=2, dim=-1)

    b.define_block("Unit", unit)
    x = b.input((6, 4))
    x = b.layer("Unit", x, id="first")
    x = b.layer("Unflatten", x, id="split", dim=1, unflattened_size=(3, 2))
    x = b.layer("Flatten", x, id="merge", start_dim=2)     # 3 tokens of 8
    x = b.layer("Linear", x, id="narrow", out_features=4)
    b.layer("Unit", x, id="second")
    source = generate_source(b.graph)
    assert source.count("class PositionalEncoding(nn.Module):") == 1
    assert source.count("class Maxout(nn.Module):") == 1
    assert source.index("class Maxout(") < source.index("class Unit(")
    a = analyze(b.graph)
    assert a.valid, [d.message for d in a.errors]
    model = build_module(b.graph)
    assert sum(p.numel() for p in model.parameters()) == a.total_params
    assert tuple(model.first.position.pe.shape) == (6, 4)
    assert tuple(model.second.position.pe.shape) == (3, 4)   # one class, two lengths
    assert model(torch.randn(2, 6, 4)).shape == (2, 3, 4)
