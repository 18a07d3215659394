"""Per-node histograms of activations and gradients: every value binned once, on shared bins."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netbuilder.graph.builder import GraphBuilder
from netbuilder.runtime.insight.histograms import histogram, node_histograms, shared_edges
from netbuilder.runtime.insight.probe import Prober
from netbuilder.runtime.losses import compute_loss

ACTIVATIONS = ["ReLU", "Tanh", "Sigmoid", "LeakyReLU", "GELU"]


def mlp(widths: list[int], acts: list[str]):
    b = GraphBuilder("mlp")
    x = b.input((5,))
    for i, (w, a) in enumerate(zip(widths, acts, strict=True)):
        x = b.layer("Linear", x, id=f"fc{i}", out_features=w)
        x = b.layer(a, x, id=f"act{i}")
    b.layer("Linear", x, id="out", out_features=3)
    return b.graph


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(widths=st.lists(st.integers(1, 8), min_size=1, max_size=4), batch=st.integers(1, 9),
       bins=st.integers(2, 50), data=st.data())
def test_every_value_lands_in_one_shared_bin(widths, batch, bins, data):
    acts = data.draw(st.lists(st.sampled_from(ACTIVATIONS), min_size=len(widths), max_size=len(widths)))
    torch.manual_seed(data.draw(st.integers(0, 1000)))
    prober = Prober(mlp(widths, acts))
    x, y = 3 * torch.randn(batch, 5), torch.randint(0, 3, (batch,))
    nodes = [n for n in prober.graph.nodes if n != "input"]
    h = node_histograms(prober, x, y, nodes, bins=bins)
    assert len(h.edges) == bins + 1 and len(h.grad_edges) == bins + 1
    _, seen = prober.forward(x, nodes)
    everything = torch.cat([seen[(n,)].flatten() for n in nodes])
    assert h.edges[0] <= float(everything.min()) and float(everything.max()) <= h.edges[-1]
    for node, nh in zip(nodes, h.nodes, strict=True):
        values = seen[(node,)]
        assert len(nh.counts) == bins and sum(nh.counts) == nh.count == values.numel()
        assert nh.std == pytest.approx(float(values.std()) if values.numel() > 1 else 0.0, abs=1e-5)
        # The gradient of every value is binned once, or counted as an exact zero.
        assert sum(nh.grad_counts) + nh.grad_zeros == values.numel()
    # The bins are numpy's for the same edges (but at a bin's border, where rounding decides).
    last = seen[(nodes[-1],)].double().numpy().ravel()
    want, _ = np.histogram(last, bins=np.array(h.edges))
    assert np.abs(np.array(h.nodes[-1].counts) - want).sum() <= 2


def test_the_gradient_is_the_losss_gradient_with_respect_to_each_output():
    torch.manual_seed(0)
    prober = Prober(mlp([6, 4], ["Tanh", "Sigmoid"]))
    x, y = torch.randn(10, 5), torch.randint(0, 3, (10,))
    h = node_histograms(prober, x, y, ["act0", "out"])
    out, seen = prober.forward(x, ["act0"], grad=True)
    loss = compute_loss("cross_entropy", out, y)
    g_act, g_out = torch.autograd.grad(loss, [seen[("act0",)], out])
    assert h.nodes[0].grad_norm == pytest.approx(float(g_act.norm()), rel=1e-5)
    assert h.nodes[1].grad_norm == pytest.approx(float(g_out.norm()), rel=1e-5)
    assert h.loss == pytest.approx(float(loss.detach()))
    # log10 |g| of every value lies on the shared gradient axis.
    logs = torch.cat([g_act.abs().flatten(), g_out.abs().flatten()]).log10()
    assert h.grad_edges[0] <= float(logs.min()) + 1e-9 and float(logs.max()) <= h.grad_edges[-1] + 1e-9


def test_without_targets_only_the_activations_are_binned():
    prober = Prober(mlp([4], ["ReLU"]))
    h = node_histograms(prober, torch.randn(6, 5), None, ["act0"])
    assert h.grad_edges is None and h.nodes[0].grad_counts is None and h.nodes[0].grad_norm is None
    assert math.isnan(h.loss) and sum(h.nodes[0].counts) == 24


def test_constant_and_non_finite_values_still_get_bins():
    edges = shared_edges([torch.zeros(5)], bins=4)
    assert edges[0] < 0 < edges[-1] and histogram(torch.zeros(5), edges) == [0, 0, 5, 0]
    values = torch.tensor([1.0, float("nan"), 2.0, float("inf")])
    edges = shared_edges([values], bins=2)
    assert edges.tolist() == [1.0, 1.5, 2.0] and histogram(values, edges) == [1, 1]
