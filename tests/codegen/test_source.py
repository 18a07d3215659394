"""Generated source: golden files, determinism, readable forward code, refusal of bad graphs."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from codegen_cases import inception_block, residual_block

from netbuilder.codegen.errors import CompileError
from netbuilder.codegen.source import generate_source
from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.project import load_project

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "assets" / "examples"
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("NETBUILDER_UPDATE_GOLDEN") == "1"


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (f"generated source differs from {path}; if the change is "
                              "intended, rerun with NETBUILDER_UPDATE_GOLDEN=1 and review the diff")


def test_lenet5_matches_golden_file():
    _golden("lenet5.py", generate_source(load_project(EXAMPLES / "lenet5.json").graph))


def test_residual_block_matches_golden_file():
    _golden("residual_block.py", generate_source(residual_block()))


def test_same_graph_gives_the_same_bytes_across_processes():
    code = ("from netbuilder.graph.project import load_project; "
            "from netbuilder.codegen.source import generate_source; import sys; "
            f"sys.stdout.write(generate_source(load_project({str(EXAMPLES / 'resnet18_flat.json')!r}).graph))")
    outs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}, check=True).stdout
            for seed in ("1", "2")]
    graph = load_project(EXAMPLES / "resnet18_flat.json").graph
    assert outs[0] == outs[1] == generate_source(graph) == generate_source(graph.copy())


def test_source_imports_only_torch():
    tree = ast.parse(generate_source(inception_block()))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert imported == {"torch"}


def _forward(source: str) -> str:
    return source[source.index("    def forward"):source.index("def build_model")]


def test_a_plain_chain_flows_through_x():
    fwd = _forward(generate_source(load_project(EXAMPLES / "lenet5.json").graph))
    assert "x = self.conv1(x)  # -> 6x28x28" in fwd
    assert "x = self.flatten(x)  # -> 400" in fwd
    assert fwd.rstrip().endswith("return x")


def test_branches_keep_their_own_names_and_merges_take_x_back():
    fwd = _forward(generate_source(load_project(EXAMPLES / "resnet18_flat.json").graph))
    assert "layer1_0_conv1 = self.layer1_0_conv1(x)" in fwd
    assert "layer1_0_bn1 = self.layer1_0_bn1(layer1_0_conv1)" in fwd
    assert "x = layer1_0_bn2 + x  # -> 64x56x56" in fwd
    assert "layer2_0_downsample = self.layer2_0_downsample(x)" in fwd
    assert "x = layer2_0_bn2 + layer2_0_downsample_bn  # -> 128x28x28" in fwd
    fwd = _forward(generate_source(inception_block()))
    assert "x = torch.cat([b1_1x1, b2_3x3, b3_5x5, b4_proj], dim=1)  # -> 56x32x32" in fwd


def test_several_inputs_and_outputs():
    b = GraphBuilder("Two towers")
    image = b.input((3, 8, 8), id="image")
    meta = b.input((5,), id="input")
    a = b.layer("Conv2d", image, id="conv", out_channels=2)
    a = b.layer("Flatten", a, id="flat")
    c = b.layer("Linear", meta, id="meta", out_features=4)
    m = b.layer("Concat", [a, c], id="join")
    b.layer("Linear", m, id="head", out_features=3)
    b.layer("Multiply", [m, m], id="gate")
    src = generate_source(b.graph)
    assert ("def forward(self, image: torch.Tensor, input_: torch.Tensor) -> "
            "tuple[torch.Tensor, torch.Tensor]:") in src
    # "meta" is a torch.fx GraphModule attribute (the ONNX exporter's module): meta_
    assert "x = torch.cat([flat, meta_], dim=1)  # -> 76" in src
    assert "x = x * x" in src  # the last reader of x may overwrite it
    assert "return head, x" in src
    assert "class TwoTowers(nn.Module):" in src


def test_recurrent_and_attention_calls():
    b = GraphBuilder("Seq")
    x = b.input((10,), dtype="int64", id="tokens")
    x = b.layer("Embedding", x, id="embed", num_embeddings=50, embedding_dim=8)
    x = b.layer("MultiheadAttention", x, id="attn", num_heads=2)
    x = b.layer("GRU", x, id="gru", hidden_size=6)
    b.layer("LastTimeStep", x, id="last")
    src = generate_source(b.graph)
    assert "x, _ = self.attn(x, x, x, need_weights=False)  # -> 10x8" in src
    assert "x, _ = self.gru(x)  # -> 10x6" in src
    assert "x = x[:, -1]  # -> 6" in src
    assert "nn.MultiheadAttention(8, 2, batch_first=True)" in src
    assert "x = torch.randint(0, 50, (2, 10))" in src
    assert "# Input x: 10, token ids below 50 (int64)" in src


def test_class_name_can_be_given():
    src = generate_source(residual_block(), class_name="Block")
    assert "class Block(nn.Module):" in src
    with pytest.raises(CompileError, match="not a usable Python identifier"):
        generate_source(residual_block(), class_name="print")


def test_invalid_graph_is_refused_with_every_problem():
    b = GraphBuilder("Broken")
    x = b.input((1, 28, 28))
    x = b.layer("Linear", x, id="fc", out_features=10)  # fine (acts on the last dim)
    b.layer("Conv2d", x, id="conv", out_channels=4, kernel_size=50)
    b.layer("ReLU", None, id="loose")
    with pytest.raises(CompileError) as err:
        generate_source(b.graph)
    text = str(err.value)
    assert "2 problems" in text
    assert "conv: " in text and "loose: " in text
    assert len(err.value.diagnostics) == 2


def test_a_network_with_only_an_input_computes_nothing():
    b = GraphBuilder("Empty")
    b.input((3,))
    with pytest.raises(CompileError, match="computes nothing"):
        generate_source(b.graph)
