"""Blocks become nn.Module classes: one per definition (and structure), values that differ
between uses as ``__init__`` arguments, ``repeat`` as ``nn.Sequential``."""

from __future__ import annotations

import os
from pathlib import Path

import torch
from codegen_cases import block_zoo
from codegen_checks import check_module, export_and_check

from netbuilder.codegen.build import build_module
from netbuilder.codegen.source import generate_source
from netbuilder.graph.analysis import analyze
from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.project import load_project

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "assets" / "examples"
GOLDEN = Path(__file__).parent / "golden"


def test_resnet18_from_blocks_matches_golden_file():
    text = generate_source(load_project(EXAMPLES / "resnet18.json").graph)
    path = GOLDEN / "resnet18_blocks.py"
    if os.environ.get("NETBUILDER_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        "rerun with NETBUILDER_UPDATE_GOLDEN=1 if the change is intended")


def test_resnet18_from_blocks_is_the_flat_resnet18_with_torchvision_like_keys():
    blocks = check_module(load_project(EXAMPLES / "resnet18.json").graph)
    flat = build_module(load_project(EXAMPLES / "resnet18_flat.json").graph).eval()
    keys = list(blocks.state_dict())
    assert sum(p.numel() for p in blocks.parameters()) == 11_689_512
    assert {"layer1.0.conv1.weight", "layer1.1.bn2.running_mean", "layer2_0.downsample.weight",
            "layer4_1.conv2.weight", "fc.bias"} <= set(keys)
    # Same tensors in the same order: copy the flat network's weights over, same outputs.
    blocks.load_state_dict(dict(zip(keys, flat.state_dict().values(), strict=True)))
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(blocks(x), flat(x), rtol=1e-4, atol=1e-5)


def test_resnet18_from_blocks_exports(tmp_path):
    graph = load_project(EXAMPLES / "resnet18.json").graph
    graph.set_param("input", "shape", [3, 64, 64])  # the same layers; a faster check
    export_and_check(graph, tmp_path / "r.onnx", "torchscript")


def test_block_classes_take_what_differs_between_uses():
    src = generate_source(block_zoo())
    assert ("    def __init__(self, in_channels: int, width: int, kernel: int | tuple, "
            "stride: int, pad: int | str, momentum: float | None) -> None:") in src
    assert ("        self.conv = nn.Conv2d(in_channels, width, kernel, stride=stride, "
            "padding=pad)") in src
    assert "        self.bn = nn.BatchNorm2d(width, momentum=momentum)" in src
    assert ("        self.stem = ConvUnit(in_channels=3, width=8, kernel=(3, 3), stride=1, "
            "pad='same', momentum=0.1)") in src
    # A block whose uses differ in structure (depth 2 or 3) gets two classes.
    assert "class Stage(nn.Module):" in src and "class Stage2(nn.Module):" in src
    assert ("        self.stage_c = nn.Sequential(Stage2(in_channels=24), "
            "Stage2(in_channels=24))") in src
    assert "    def forward(self, input1: torch.Tensor, input2: torch.Tensor) -> torch.Tensor:" in src
    assert "# Repeated conv units\n# with a 1x1 skip.\nclass Stage(nn.Module):" in src
    # Inner classes come before the classes that use them.
    assert src.index("class ConvUnit(") < src.index("class Stage(") < src.index("class BlockZoo(")


def test_block_zoo_builds_as_analysed():
    model = check_module(block_zoo())
    assert "stage_c.1.units.2.conv.weight" in model.state_dict()


def test_block_zoo_exports(tmp_path):
    export_and_check(block_zoo(), tmp_path / "zoo.onnx", "torchscript")


def test_nested_blocks_export_with_dynamo(tmp_path):
    export_and_check(block_zoo(text=False), tmp_path / "zoo.onnx", "dynamo")


def test_block_source_is_deterministic():
    first = generate_source(block_zoo())
    analyze(block_zoo())  # warm the analyzer's memo: results are shared between uses now
    assert generate_source(block_zoo()) == first


def test_hostile_block_names_and_descriptions_stay_inert(tmp_path):
    marker = tmp_path / "PWNED"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    b = GraphBuilder("hostile")

    def inside(g: GraphBuilder, ins: list[str]) -> str:
        return g.layer("Linear", ins[0], id=f"x'); {payload}; ('", out_features=3)

    name = f"Evil\n{payload}"
    b.define_block(name, inside, description=f"line\n{payload}\r\u2028\"\"\"")
    x = b.input((4,))
    b.layer(name, x, id="use")
    src = generate_source(b.graph)
    compile(src, "<test>", "exec")
    model = build_module(b.graph)
    assert model(torch.randn(2, 4)).shape == (2, 3)
    assert not marker.exists()


def test_token_ids_may_flow_into_a_block():
    b = GraphBuilder("Text")

    def encoder(g: GraphBuilder, ins: list[str]) -> str:
        x = g.layer("Embedding", ins[0], id="embed", num_embeddings=30, embedding_dim=8)
        return g.layer("GRU", x, id="gru", hidden_size=4)

    b.define_block("Encoder", encoder)
    x = b.input((5,), dtype="int64")
    b.layer("Encoder", x, id="enc")
    src = generate_source(b.graph)
    assert "x = torch.randint(0, 30, (2, 5))" in src
