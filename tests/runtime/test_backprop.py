"""Backprop step by step: the recorded numbers are what autograd and the optimiser compute."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netbuilder.codegen.build import build_module
from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.examples import example_path
from netbuilder.graph.project import load_project
from netbuilder.runtime.config import TrainingConfig
from netbuilder.runtime.datasets import load_dataset
from netbuilder.runtime.insight.backprop import (
    PHASES,
    StepCursor,
    Stepper,
    TooBigToStep,
    stepper_for,
)

ACTIVATIONS = ["ReLU", "Tanh", "Sigmoid", "LeakyReLU", "GELU"]
OPTIMISERS = {
    "sgd": lambda ps, c: torch.optim.SGD(ps, lr=c.lr, weight_decay=c.weight_decay),
    "momentum": lambda ps, c: torch.optim.SGD(ps, lr=c.lr, momentum=c.momentum,
                                              weight_decay=c.weight_decay),
    "adam": lambda ps, c: torch.optim.Adam(ps, lr=c.lr, weight_decay=c.weight_decay),
}


@pytest.fixture(scope="module")
def moons():
    return load_dataset("moons")


def mlp(widths: list[int], acts: list[str], outputs: int):
    b = GraphBuilder("mlp")
    x = b.input((2,))
    for i, (w, a) in enumerate(zip(widths, acts, strict=True)):
        x = b.layer("Linear", x, id=f"fc{i}", out_features=w)
        x = b.layer(a, x, id=f"act{i}")
    b.layer("Linear", x, id="out", out_features=outputs)
    return b.graph


def by_hand(module, widths, x, y, loss_name):
    """Forward layer by layer keeping every output, then autograd.grad of the loss."""
    outs = {}
    h = x
    for i in range(len(widths)):
        h = outs[f"fc{i}"] = getattr(module, f"fc{i}")(h)
        h = outs[f"act{i}"] = getattr(module, f"act{i}")(h)
    out = outs["out"] = module.out(h)
    if loss_name == "cross_entropy":
        loss = F.cross_entropy(out, y)
    else:
        loss = F.binary_cross_entropy_with_logits(out.reshape(-1), y.float())
    params = dict(module.named_parameters())
    grads = torch.autograd.grad(loss, [*outs.values(), *params.values()])
    node_grads = dict(zip(outs, grads[:len(outs)], strict=True))
    param_grads = dict(zip(params, grads[len(outs):], strict=True))
    return loss, outs, node_grads, param_grads


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(widths=st.lists(st.integers(1, 8), min_size=1, max_size=3), data=st.data())
def test_every_gradient_and_update_is_what_autograd_and_the_optimiser_give(widths, data, moons):
    acts = data.draw(st.lists(st.sampled_from(ACTIVATIONS), min_size=len(widths), max_size=len(widths)))
    opt = data.draw(st.sampled_from(sorted(OPTIMISERS)))
    loss_name = data.draw(st.sampled_from(["cross_entropy", "bce_with_logits"]))
    batch = data.draw(st.integers(1, 6))
    seed = data.draw(st.integers(0, 5))
    graph = mlp(widths, acts, 2 if loss_name == "cross_entropy" else 1)
    config = TrainingConfig(dataset="moons", loss=loss_name, seed=seed, lr=0.05,
                            optimizer="adam" if opt == "adam" else "sgd",
                            momentum=0.9 if opt == "momentum" else 0.0)
    stepper = Stepper(graph, config, moons, batch_size=batch)

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)                  # the same seed gives the same first weights
        reference = build_module(graph)
    reference_opt = OPTIMISERS[opt](list(reference.parameters()), config)
    for number in (1, 2, 3):
        record = stepper.step(number)
        positions = list(record.positions)
        x, y = moons.x[positions], moons.y[positions]
        assert torch.equal(record.inputs, x)
        loss, outs, node_grads, param_grads = by_hand(reference, widths, x, y, loss_name)
        assert record.loss == pytest.approx(float(loss.detach()), rel=1e-5, abs=1e-6)
        for key, value in outs.items():
            node = record.node(key)
            torch.testing.assert_close(node.value, value.detach(), rtol=1e-5, atol=1e-6)
            torch.testing.assert_close(node.grad, node_grads[key], rtol=1e-4, atol=1e-6)
        before = {n: p.detach().clone() for n, p in reference.named_parameters()}
        for name, p in reference.named_parameters():
            p.grad = param_grads[name]
        reference_opt.step()
        for param in record.params:
            torch.testing.assert_close(param.before, before[param.name], rtol=1e-5, atol=1e-6)
            torch.testing.assert_close(param.grad, param_grads[param.name], rtol=1e-4, atol=1e-6)
            ref_update = dict(reference.named_parameters())[param.name].detach() - before[param.name]
            torch.testing.assert_close(param.update, ref_update, rtol=1e-4, atol=1e-6)
        assert record.node("input").grad is None


def test_the_first_step_starts_from_the_weights_training_starts_from(moons):
    project = load_project(example_path("mlp_moons"))
    stepper = stepper_for(project.graph, project.training, dataset=moons)
    from netbuilder.runtime.session import plan_training

    plan = plan_training(project.graph, project.training, dataset=moons)
    trained_from = plan.build_model().state_dict()
    first = {p.name: p.before for p in stepper.step(1).params}
    assert set(first) == set(trained_from)
    for name, value in trained_from.items():
        assert torch.equal(first[name], value), name


def test_previous_shows_the_recorded_step_and_next_past_the_end_runs_a_new_one(moons):
    project = load_project(example_path("mlp_moons"))
    stepper = stepper_for(project.graph, project.training, dataset=moons)
    cursor = StepCursor(stepper)
    seen = []
    for _ in range(2 * len(PHASES)):
        seen.append(cursor.next())
    assert [phase for _, phase in seen] == list(PHASES) * 2
    assert len(stepper.steps) == 2
    first, second = seen[0][0], seen[-1][0]
    assert second.number == 2 and second.loss != first.loss
    # the second step starts from the weights the first one left
    for a, b in zip(first.params, second.params, strict=True):
        assert torch.equal(a.after, b.before)
    back = [cursor.previous() for _ in range(len(PHASES))]
    assert [phase for _, phase in back] == ["backward", "loss", "forward", "update"]
    again, _ = back[-1]
    assert again is first                        # the very record, not a recomputation
    for a, b in zip(again.nodes, seen[0][0].nodes, strict=True):
        assert torch.equal(a.value, b.value)
    assert cursor.number == 1 and cursor.can_go_back
    while cursor.can_go_back:
        cursor.previous()
    assert (cursor.number, cursor.phase) == (1, "forward")
    assert cursor.previous()[0] is first         # nothing before the first step
    for _ in range(2 * len(PHASES)):
        cursor.next()
    assert cursor.number == 3 and len(stepper.steps) == 3


def test_a_single_sample_step_has_one_row_everywhere(moons):
    project = load_project(example_path("mlp_moons"))
    record = stepper_for(project.graph, project.training, dataset=moons, batch_size=1).step(1)
    assert len(record.positions) == 1
    assert all(n.value.shape[0] == 1 for n in record.nodes)


@pytest.mark.parametrize("example", ["lenet5", "mlp_digits"])
def test_a_large_network_is_refused_with_its_size_and_what_to_try(example):
    project = load_project(example_path(example))
    with pytest.raises(TooBigToStep) as info:
        stepper_for(project.graph, project.training)
    message = str(info.value)
    assert "units" in message and "parameters" in message and "limit" in message
    assert "smaller" in message and "MLP on moons" in message


def test_inside_repeated_blocks_every_node_has_its_gradient(moons):
    b = GraphBuilder("residual mlp")

    def residual(g: GraphBuilder, ins: list[str]) -> str:
        h = g.layer("Linear", ins[0], id="fc", out_features=6)
        h = g.layer("Tanh", h, id="act")
        return g.layer("Add", [ins[0], h], id="add")

    b.define_block("Residual", residual)
    x = b.input((2,))
    x = b.layer("Linear", x, id="widen", out_features=6)
    x = b.layer("Residual", x, id="res", repeat=2)
    b.layer("Linear", x, id="out", out_features=2)
    stepper = Stepper(b.graph, TrainingConfig(dataset="moons"), moons)
    record = stepper.step(1)
    keys = [n.key for n in record.nodes]
    for key in ("res/0/fc", "res/0/add", "res/1/fc", "res/1/add", "res", "out"):
        assert key in keys
        assert record.node(key).grad is not None, key
    # the block's output is its last node's output: the same numbers, the same gradient
    assert torch.equal(record.node("res").grad, record.node("res/1/add").grad)
    inner = [p for p in record.params if p.node == ("res", 1, "fc")]
    assert {p.short for p in inner} == {"weight", "bias"}
    assert all(p.grad is not None and p.update.abs().sum() > 0 for p in record.params)
