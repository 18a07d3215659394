"""What the insight computations give a student: arithmetic that adds up, the trainer's
accuracy, saliency and embeddings of the right shape, boundaries over the data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netbuilder.codegen.build import build_module
from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.project import load_project
from netbuilder.runtime.datasets import load_dataset
from netbuilder.runtime.events import Finished
from netbuilder.runtime.insight.arithmetic import conv_arithmetic, first_conv_filters
from netbuilder.runtime.insight.boundary import decision_grid, extent_of
from netbuilder.runtime.insight.data import eval_set
from netbuilder.runtime.insight.embedding import node_outputs, project
from netbuilder.runtime.insight.evaluation import evaluate
from netbuilder.runtime.insight.probe import Prober
from netbuilder.runtime.insight.saliency import gradient_ascent, saliency, strongest_samples
from netbuilder.runtime.session import plan_training

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(k=st.integers(1, 4), stride=st.integers(1, 3), pad=st.integers(0, 2),
       dil=st.integers(1, 2), groups=st.sampled_from([1, 2]), bias=st.booleans(),
       mode=st.sampled_from(["zeros", "reflect", "circular", "replicate"]), data=st.data())
def test_the_conv_arithmetic_gives_exactly_the_value_the_layer_computed(
        k, stride, pad, dil, groups, bias, mode, data):
    b = GraphBuilder("conv")
    x = b.input((2, 9, 9))
    b.layer("Conv2d", x, id="conv", out_channels=4, kernel_size=k, stride=stride, padding=pad,
            dilation=dil, groups=groups, bias=bias, padding_mode=mode)
    graph = b.graph
    torch.manual_seed(0)
    prober = Prober(graph, build_module(graph).state_dict())
    sample = torch.randn(1, 2, 9, 9)
    out = prober.probe(sample, ["conv"])[("conv",)]
    c = data.draw(st.integers(0, out.shape[1] - 1))
    r = data.draw(st.integers(0, out.shape[2] - 1))
    q = data.draw(st.integers(0, out.shape[3] - 1))
    a = conv_arithmetic(prober, "conv", sample, c, r, q)
    assert a.patch.shape == a.kernel.shape == (2 // groups, k, k)
    assert a.value == pytest.approx(float(out[0, c, r, q]), abs=1e-4)
    assert a.layer_value == pytest.approx(a.value, abs=1e-4)
    if pad == 0:
        assert not a.padding_mask.any()
    assert "= " in a.summary() and "×" in a.terms()


def test_the_arithmetic_refuses_a_layer_that_is_not_a_convolution():
    graph = load_project(EXAMPLES / "lenet5.json").graph
    prober = Prober(graph)
    x = torch.randn(1, *prober.plan.inputs[0].tensor.shape)
    with pytest.raises(ValueError, match="Conv2d"):
        conv_arithmetic(prober, "fc1", x, 0, 0, 0)


@pytest.fixture(scope="module")
def trained_lenet():
    project = load_project(EXAMPLES / "lenet5.json")
    settings_ = dict(project.training or {}, epochs=2, cpu_threads=1)
    plan = plan_training(project.graph, settings_)
    assert plan.ok, plan.errors
    final = None
    for event in plan.run():
        final = event
    assert isinstance(final, Finished)
    return project.graph, plan, final


def test_the_evaluation_accuracy_is_the_trainers_validation_accuracy(trained_lenet):
    graph, plan, final = trained_lenet
    cfg = plan.config
    data = eval_set(plan.dataset, cfg.val_fraction, cfg.seed, normalize=cfg.normalize,
                    normalization=final.normalization)
    prober = Prober(graph, plan.model.state_dict())
    ev = evaluate(prober, data, cfg.loss)
    assert ev.accuracy == pytest.approx(final.metrics["val_acc"], abs=1e-9)
    assert ev.confusion.sum() == len(data) == final.history[-1].get("val_samples", len(data))
    assert np.trace(ev.confusion) / len(data) == pytest.approx(ev.accuracy)
    assert [c.support for c in ev.per_class] == ev.confusion.sum(axis=1).tolist()
    wrong = ev.misclassified()
    assert len(wrong) == len(data) - np.trace(ev.confusion)
    conf = ev.confidence[wrong]
    assert list(conf) == sorted(conf, reverse=True)      # most confidently wrong first
    js = ev.to_json()
    assert js["classes"] == data.classes and js["samples"] == len(data)


def test_saliency_and_gradient_ascent_on_a_trained_cnn(trained_lenet):
    graph, plan, _ = trained_lenet
    prober = Prober(graph, plan.model.state_dict())
    shape = tuple(prober.plan.inputs[0].tensor.shape)
    x = plan.dataset.x[:1]
    s = saliency(prober, x, 3)
    assert s.shape == shape[1:] and (s >= 0).all() and s.max() > 0
    image = gradient_ascent(prober, "conv2", 0, shape, steps=20)
    start = gradient_ascent(prober, "conv2", 0, shape, steps=0)

    def activation(img):
        seen = prober.probe(torch.as_tensor(img)[None], ["conv2"])
        return float(seen[("conv2",)][0, 0].mean())
    assert activation(image) > activation(start)       # the ascent found what the unit likes
    best = strongest_samples(prober, plan.dataset.x[:200], "conv2", 0, count=5)
    assert len(best) == 5 and len(set(best)) == 5


def test_first_layer_filters_are_scaled_per_filter(trained_lenet):
    graph, plan, _ = trained_lenet
    path, filters = first_conv_filters(Prober(graph, plan.model.state_dict()))
    assert path == ("conv1",)
    per = filters.reshape(filters.shape[0], -1)
    assert np.allclose(per.min(axis=1), 0) and np.allclose(per.max(axis=1), 1)


def test_pca_and_tsne_of_a_hidden_layer_give_one_point_per_sample(trained_lenet):
    graph, plan, _ = trained_lenet
    prober = Prober(graph, plan.model.state_dict())
    x = plan.dataset.x[:60]
    vectors = node_outputs(prober, x, "relu4")
    assert vectors.shape[0] == 60
    for method in ("pca", "tsne"):
        assert project(vectors, method).shape == (60, 2)
    with pytest.raises(ValueError, match="pca"):
        project(vectors, "umap")


def test_the_decision_grid_covers_the_data_and_gives_hidden_units():
    project_ = load_project(EXAMPLES / "mlp_moons.json")
    graph = project_.graph
    data = load_dataset((project_.training or {}).get("dataset", "moons"))
    prober = Prober(graph)
    hidden = next(n for n in graph.nodes if graph.nodes[n].type == "Linear")
    ext = extent_of(data.x)
    assert ext[0] < float(data.x[:, 0].min()) and ext[1] > float(data.x[:, 0].max())
    grid = decision_grid(prober, ext, 40, units_of=[hidden])
    assert grid.predicted.shape == grid.confidence.shape == (40, 40)
    assert ((grid.confidence >= 0) & (grid.confidence <= 1)).all()
    units = grid.units[(hidden,)]
    assert units.shape[1:] == (40, 40) and units.shape[0] == prober.probe(data.x[:1], [hidden])[(hidden,)].shape[1]
