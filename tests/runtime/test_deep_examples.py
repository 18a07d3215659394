"""The deep-network examples show what their descriptions promise, measured as the window does.

vanishing_gradients against vanishing_gradients_fixed (and resnet_small, whose skip
connections keep the gradient): the trainer's NodeStats (the overlay's figures) for the first
steps; the init_demo trio: the per-layer histograms the Inside panel
draws, for the weights as initialised. Bands are generous: the direction and the order of
magnitude are the lesson, not the exact figure.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from netbuilder.graph.project import load_project
from netbuilder.runtime.datasets import load_dataset
from netbuilder.runtime.events import NodeStats
from netbuilder.runtime.insight.data import eval_set
from netbuilder.runtime.insight.diagnose import diagnose
from netbuilder.runtime.insight.histograms import node_histograms
from netbuilder.runtime.insight.probe import Prober
from netbuilder.runtime.session import plan_training, settings_with

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"
STEPS = 3          # at most: the collector samples at most about 5 times a second


def _first_stats(name: str) -> list[NodeStats]:
    """NodeStats of the first steps of the example's own run (real trainer, real digits)."""
    project = load_project(EXAMPLES / f"{name}.json")
    plan = plan_training(project.graph, settings_with(project.training, {
        "epochs": 1, "device": "cpu", "cpu_threads": 1, "node_stats_every": 1}))
    assert plan.ok, plan.errors
    seen: list[NodeStats] = []
    run = plan.run()
    for event in run:
        if isinstance(event, NodeStats):
            seen.append(event)
            if len(seen) == STEPS:
                break
    run.close()
    return seen


def _ratio(event: NodeStats, first: str = "fc1", last: str = "fc8") -> float:
    return event.nodes[first]["grad_norm"] / event.nodes[last]["grad_norm"]


def test_the_gradient_fades_through_sigmoids_and_holds_with_relu_and_batchnorm():
    sigmoid = _first_stats("vanishing_gradients")
    fixed = _first_stats("vanishing_gradients_fixed")
    assert sigmoid and fixed
    for s, f in zip(sigmoid, fixed, strict=False):
        faded, held = _ratio(s), _ratio(f)
        assert faded < 1e-3, f"the sigmoid stack should lose the gradient: fc1/fc8 = {faded:.2g}"
        assert held > 0.1, f"ReLU + BatchNorm should keep it: fc1/fc8 = {held:.2g}"
        assert held / faded >= 1e3
    # It fades layer by layer, as the overlay's gauges show: each hidden Linear gets less
    # than the one after it.
    norms = [sigmoid[0].nodes[f"fc{i}"]["grad_norm"] for i in range(1, 9)]
    assert all(a < b for a, b in zip(norms, norms[1:], strict=False))
    # The problems list says it in words, pinned to the first layer, for the sigmoid stack only.
    order = list(sigmoid[0].nodes)
    found = diagnose(sigmoid[0].nodes, order, {})
    assert [(f.node, f.kind) for f in found] == [("fc1", "vanishing")]
    assert not [f for f in diagnose(fixed[0].nodes, list(fixed[0].nodes), {}) if f.kind == "vanishing"]


def test_skip_connections_carry_the_gradient_back_through_resnet_small():
    for event in _first_stats("resnet_small"):
        assert _ratio(event, "conv1", "fc") > 0.3          # no fade past the blocks
        assert not [f for f in diagnose(event.nodes, list(event.nodes), {}) if f.kind == "vanishing"]


@pytest.fixture(scope="module")
def digits_batch():
    data = eval_set(load_dataset("digits"), 0.2, 0, limit=256)
    return data.x, data.y


def _last_tanh(name: str, batch):
    project = load_project(EXAMPLES / f"{name}.json")
    torch.manual_seed(0)
    prober = Prober(project.graph)                       # the weights as initialised
    nodes = [f"tanh{i}" for i in range(1, 11)]
    h = node_histograms(prober, *batch, nodes)
    assert len(h.nodes) == 10
    return h, h.nodes[-1]


def test_init_std_1_saturates_std_001_collapses_xavier_stays_healthy(digits_batch):
    big, last = _last_tanh("init_demo", digits_batch)
    assert last.std > 0.85 and last.saturated > 0.5     # most outputs at -1 or +1
    # Almost all of the last layer's values sit in the outermost bins of the shared axis.
    edge = sum(last.counts[:3]) + sum(last.counts[-3:])
    assert edge > 0.5 * last.count

    small, last = _last_tanh("init_demo_small", digits_batch)
    assert last.std < 1e-3 and last.saturated == 0
    stds = [n.std for n in small.nodes]
    assert all(b < a / 3 for a, b in zip(stds, stds[1:], strict=False))   # shrinks every layer

    xavier, last = _last_tanh("init_demo_xavier", digits_batch)
    assert all(0.2 < n.std < 0.85 for n in xavier.nodes)
    assert last.saturated < 0.2
