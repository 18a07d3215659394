"""Every shipped example round-trips through PyTorch import of its generated code: the
module that ``build_model()`` returns, imported with ``from_torch``, gives a project with
the same layers, the same parameter count, the same blocks used as often, and (with the
weights the import copied) the same outputs as that module.

The big image networks are imported at a small input size where their adaptive pooling
allows it (the parameter count does not depend on it), so the suite stays quick.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import torch

from netbuilder.codegen.build import build_module, module_namespace
from netbuilder.codegen.source import generate_source
from netbuilder.graph.analysis import analyze
from netbuilder.graph.project import load_project
from netbuilder.importers.torch_import import from_torch

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"
SHIPPED = sorted(p.stem for p in EXAMPLES.glob("*.json"))
SMALL = {"alexnet": (3, 64, 64), "vgg16": (3, 32, 32), "resnet18": (3, 32, 32),
         "resnet18_flat": (3, 32, 32), "googlenet": (3, 32, 32), "mobilenetv2": (3, 32, 32)}


def _shape(graph, name):
    return SMALL.get(name) or next(n.params["shape"] for n in graph.nodes.values()
                                   if n.type == "Input")


def _randomise_buffers(module: torch.nn.Module) -> None:
    """Running statistics that are not the fresh 0 and 1, so copying them shows."""
    gen = torch.Generator().manual_seed(3)
    for m in module.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(m.running_var.shape, generator=gen) + 0.5)


def _uses(graph) -> Counter:
    return Counter(n.type for n in graph.nodes.values() if n.type in graph.blocks)


@pytest.mark.parametrize("name", SHIPPED)
def test_example_round_trips_through_pytorch_import(name):
    graph = load_project(EXAMPLES / f"{name}.json").graph
    torch.manual_seed(0)
    original = module_namespace(generate_source(graph))["build_model"]().eval()
    _randomise_buffers(original)
    shape = _shape(graph, name)

    project = from_torch(original, shape)
    imported = project.graph

    # the same layers (a chained repeat counts once, as in the example) and blocks
    assert Counter(n.type for n in imported.nodes.values() if n.type != "Input") == \
        Counter(n.type for n in graph.nodes.values() if n.type != "Input")
    assert set(imported.blocks) == set(graph.blocks)
    assert _uses(imported) == _uses(graph)
    for b, defn in graph.blocks.items():
        assert Counter(n.type for n in imported.blocks[b].graph.nodes.values()) == \
            Counter(n.type for n in defn.graph.nodes.values())
    # the same parameter count as the example, and as the module itself
    assert analyze(imported).total_params == analyze(graph).total_params == \
        sum(p.numel() for p in original.parameters())
    # the weights the import copied give the module's outputs on new inputs
    again = build_module(imported).eval()
    again.load_state_dict(project.weights)
    x = torch.randn(3, *shape, generator=torch.Generator().manual_seed(11))
    with torch.no_grad():
        torch.testing.assert_close(again(x), original(x), rtol=1e-4, atol=1e-5)


def test_resnet18_reads_like_the_shipped_example():
    """Same ids, types and settings node for node, and the same state_dict names."""
    graph = load_project(EXAMPLES / "resnet18.json").graph
    original = module_namespace(generate_source(graph))["build_model"]()
    imported = from_torch(original, (3, 32, 32)).graph
    assert [(nid, n.type, n.params) for nid, n in imported.nodes.items() if n.type != "Input"] \
        == [(nid, n.type, n.params) for nid, n in graph.nodes.items() if n.type != "Input"]
    assert build_module(imported).state_dict().keys() == original.state_dict().keys()
