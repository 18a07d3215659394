"""Probing node outputs: a probe of node X is exactly the output of the network cut at X."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netbuilder.codegen.build import build_module
from netbuilder.graph.analysis import analyze
from netbuilder.graph.blocks import REPEAT, ungroup_mapped
from netbuilder.graph.model import Graph
from netbuilder.graph.project import load_project
from netbuilder.runtime.insight.probe import Prober, probe_targets

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "codegen"))
from codegen_cases import CASES, alone, in_small_net  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"


def _batch(prober: Prober, n: int = 3) -> torch.Tensor:
    arg = prober.plan.inputs[0]
    if arg.id_limit is not None:
        return torch.randint(0, arg.id_limit, (n, *arg.tensor.shape))
    return torch.randn(n, *arg.tensor.shape)


def _cut_at(graph: Graph, node: str) -> Graph:
    """The network that ends at ``node``: the node and everything it depends on."""
    keep = {node} | set(__import__("networkx").ancestors(graph.to_networkx(), node))
    return graph.subgraph(keep)


def _cut_output(graph: Graph, state: dict, node: str, x: torch.Tensor) -> torch.Tensor:
    cut = build_module(_cut_at(graph, node)).eval()
    cut.load_state_dict({k: v for k, v in state.items() if k in cut.state_dict()}, strict=True)
    with torch.no_grad():
        out = cut(x)
    return out[0] if isinstance(out, tuple) else out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(CASES), in_net=st.booleans(), data=st.data())
def test_a_probe_equals_the_network_cut_at_that_node(case, in_net, data):
    graph = in_small_net(case) if in_net else alone(case)
    torch.manual_seed(0)
    full = build_module(graph).eval()
    state = full.state_dict()
    prober = Prober(graph, state)
    node = data.draw(st.sampled_from(sorted(n for n in graph.nodes if graph.nodes[n].type != "Input")))
    x = _batch(prober)
    got = prober.probe(x, [node])[(node,)]
    assert torch.equal(got, _cut_output(graph, state, node, x))


def test_probing_every_node_costs_one_forward_pass_and_leaves_the_output_unchanged():
    graph = load_project(EXAMPLES / "lenet5.json").graph
    torch.manual_seed(0)
    model = build_module(graph).eval()
    prober = Prober(graph, model.state_dict())
    calls = []
    prober.module.register_forward_pre_hook(lambda *_: calls.append(1))
    x = _batch(prober, 4)
    out, seen = prober.forward(x, [t.path for t in probe_targets(graph)])
    assert len(calls) == 1
    assert set(seen) == {t.path for t in probe_targets(graph)}
    with torch.no_grad():
        assert torch.equal(out, model(x))


@pytest.mark.parametrize("example", ["resnet_small", "resnet18"])
def test_a_node_inside_a_block_use_equals_the_same_node_after_ungrouping(example):
    """Inside a use (and each copy of a repeated one): the ungrouped network cut there."""
    graph = load_project(EXAMPLES / f"{example}.json").graph
    analysis = analyze(graph)
    torch.manual_seed(0)
    state = build_module(graph, analysis).eval().state_dict()
    prober = Prober(graph, state, analysis)
    use = next(n for n in analysis.order if graph.nodes[n].type in graph.blocks)
    repeat = graph.nodes[use].params.get(REPEAT, 1)
    flat = graph.copy()
    mappings = ungroup_mapped(flat, use)
    flat_state = {}
    for key, value in state.items():
        head, _, rest = key.partition(".")
        if head != use:
            flat_state[key] = value
            continue
        if repeat > 1:
            copy, _, rest = rest.partition(".")
            mapping = mappings[int(copy)]
        else:
            mapping = mappings[0]
        inner, _, leaf = rest.partition(".")
        flat_state[f"{mapping[inner]}.{leaf}"] = value
    x = _batch(prober, 2)
    targets = [t.path for t in probe_targets(graph, analysis) if t.path[0] == use and len(t.path) > 1]
    assert targets, "the block's inner nodes are probe targets"
    seen = prober.probe(x, targets)
    for path in targets:
        copy = path[1] if repeat > 1 else 0
        inner = path[-1]
        assert torch.equal(seen[path], _cut_output(flat, flat_state, mappings[copy][inner], x)), path


def test_an_unknown_node_is_named_in_the_error():
    graph = load_project(EXAMPLES / "mlp_moons.json").graph
    prober = Prober(graph)
    with pytest.raises(KeyError, match="no node nope"):
        prober.probe(_batch(prober), ["nope"])


def test_probing_does_not_change_the_weights_it_was_given():
    graph = load_project(EXAMPLES / "resnet_small.json").graph
    torch.manual_seed(0)
    model = build_module(graph)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    prober = Prober(graph, model.state_dict())
    prober.probe(_batch(prober), ["bn1", ("layer1", "bn2")])
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), k   # BatchNorm statistics untouched: eval mode, a copy
