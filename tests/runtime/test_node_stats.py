"""Per-node training statistics: the numbers hooks give by hand, and training unchanged."""

from __future__ import annotations

import copy

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netbuilder.codegen.build import build_tap_module
from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.examples import example_path
from netbuilder.graph.project import load_project
from netbuilder.runtime.events import Finished, NodeStats
from netbuilder.runtime.insight.stats import NodeStatsCollector
from netbuilder.runtime.session import plan_training

ACTIVATIONS = ["ReLU", "Tanh", "Sigmoid", "LeakyReLU", "GELU"]


def mlp(widths: list[int], acts: list[str], norm: bool = False):
    b = GraphBuilder("mlp")
    x = b.input((6,))
    for i, (w, a) in enumerate(zip(widths, acts, strict=True)):
        x = b.layer("Linear", x, id=f"fc{i}", out_features=w)
        if norm:
            x = b.layer("BatchNorm1d", x, id=f"bn{i}")
        x = b.layer(a, x, id=f"act{i}")
    b.layer("Linear", x, id="out", out_features=3)
    return b.graph


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(widths=st.lists(st.integers(1, 6), min_size=1, max_size=3), data=st.data())
def test_the_statistics_are_what_hooks_give_by_hand(widths, data):
    acts = data.draw(st.lists(st.sampled_from(ACTIVATIONS), min_size=len(widths), max_size=len(widths)))
    graph = mlp(widths, acts)
    torch.manual_seed(0)
    module, plan, namespace = build_tap_module(graph)
    reference = copy.deepcopy(module)
    stats = NodeStatsCollector(module, plan, namespace, every=1, min_interval_s=0)
    x, y = torch.randn(8, 6), torch.randint(0, 3, (8,))
    opt = torch.optim.SGD(module.parameters(), lr=0.1)
    stats.begin(0)
    loss = torch.nn.functional.cross_entropy(module(x), y)
    opt.zero_grad()
    loss.backward()
    stats.before_update()
    opt.step()
    event = stats.take(1, 1)
    assert isinstance(event, NodeStats)

    outputs, grads = {}, {}
    torch.set_grad_enabled(True)
    for name, m in reference.named_children():
        def keep(_m, _i, out, name=name):
            outputs[name] = out
            out.register_hook(lambda g: grads.__setitem__(name, g))
        m.register_forward_hook(keep)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1)
    ref_loss = torch.nn.functional.cross_entropy(reference(x), y)
    ref_opt.zero_grad()
    ref_loss.backward()
    before = {n: [p.detach().clone() for p in m.parameters()] for n, m in reference.named_children()}
    ref_opt.step()
    for name, out in outputs.items():
        out = out.detach()
        s = event.nodes[name]
        assert s["mean"] == pytest.approx(float(out.mean()), abs=1e-6)
        assert s["std"] == pytest.approx(float(out.std()) if out.numel() > 1 else 0.0, abs=1e-6)
        dead = float((~(out != 0).any(dim=0)).float().mean())
        assert s["dead"] == pytest.approx(dead)
        assert s["grad_norm"] == pytest.approx(float(grads[name].norm()), rel=1e-5, abs=1e-9)
        params = list(getattr(reference, name).parameters())
        if params:
            w = torch.sqrt(sum(p.detach().pow(2).sum() for p in params))
            d = torch.sqrt(sum((p.detach() - b).pow(2).sum() for p, b in zip(params, before[name], strict=True)))
            assert s["weight_norm"] == pytest.approx(float(w), rel=1e-5)
            assert s["update_ratio"] == pytest.approx(float(d / w), rel=1e-4, abs=1e-9)
        else:
            assert s["weight_norm"] is None


def _train(graph, **overrides):
    settings_ = {"dataset": "digits", "epochs": 1, "seed": 2, "cpu_threads": 1, "batch_size": 64,
                 **overrides}
    plan = plan_training(graph, settings_)
    assert plan.ok, plan.errors
    events = list(plan.run())
    assert isinstance(events[-1], Finished)
    return plan, events


def test_collecting_statistics_never_changes_training():
    graph = load_project(example_path("lenet5")).graph
    graph_settings = {"dataset": "digits28"}
    plain, plain_events = _train(graph, **graph_settings)
    watched, events = _train(graph, node_stats_every=1, **graph_settings)
    stats = [e for e in events if isinstance(e, NodeStats)]
    assert stats and not [e for e in plain_events if isinstance(e, NodeStats)]
    assert set(stats[0].nodes) >= {"conv1", "relu1", "fc3"}
    for a, b in zip(plain.model.state_dict().values(), watched.model.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    def figures(m):
        return {k: v for k, v in m.items() if "time" not in k}
    assert figures(events[-1].metrics) == figures(plain_events[-1].metrics)


def test_a_deep_sigmoid_stack_shows_vanishing_gradients_and_relu_with_batchnorm_does_not():
    depth = 10

    def ratio(acts, norm):
        b = GraphBuilder("deep")
        x = b.input((1, 8, 8))
        x = b.layer("Flatten", x, id="flatten")
        for i in range(depth):
            x = b.layer("Linear", x, id=f"fc{i}", out_features=32)
            if norm:
                x = b.layer("BatchNorm1d", x, id=f"bn{i}")
            x = b.layer(acts, x, id=f"act{i}")
        b.layer("Linear", x, id="out", out_features=10)
        _, events = _train(b.graph, node_stats_every=5)
        first = [e for e in events if isinstance(e, NodeStats)][0].nodes
        return first["fc0"]["grad_norm"] / first[f"fc{depth - 1}"]["grad_norm"]
    sigmoid, healthy = ratio("Sigmoid", False), ratio("ReLU", True)
    assert sigmoid < 1e-3                      # the gradient fades on its way back
    assert healthy > 100 * sigmoid             # ReLU + BatchNorm keep it alive


def test_the_findings_name_the_node_and_say_what_to_try():
    from netbuilder.runtime.insight.diagnose import diagnose

    nodes = {
        "fc0": {"mean": 0.0, "std": 1.0, "dead": 0.0, "grad_norm": 1e-7, "weight_norm": 1.0},
        "relu0": {"mean": 0.0, "std": 1.0, "dead": 0.74, "grad_norm": 1e-7, "weight_norm": None},
        "fc3": {"mean": 0.0, "std": 1.0, "dead": 0.0, "grad_norm": 0.1, "weight_norm": 2.0},
    }
    order = ["fc0", "relu0", "fc3"]
    types = {"fc0": "Linear", "relu0": "ReLU", "fc3": "Linear"}
    found = {f.kind: f for f in diagnose(nodes, order, types)}
    assert found["vanishing"].node == "fc0"
    assert "gradients at fc0 are 10^-6 of those at fc3" in found["vanishing"].message
    assert found["dead"].message.startswith("74% of the units after relu0 never fire")
    nodes["relu0"]["mean"] = float("nan")
    assert diagnose(nodes, order, types)[0].kind == "not_finite"
    healthy = {k: {**v, "grad_norm": 0.1, "dead": 0.0, "mean": 0.0} for k, v in nodes.items()}
    assert diagnose(healthy, order, types) == []
