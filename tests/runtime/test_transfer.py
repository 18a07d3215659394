"""Transfer learning in training: frozen nodes keep their weights (the optimiser gets only
the trainable ones), frozen BatchNorm keeps its running statistics, and the shipped
fine-tune recipe (lenet5 on digits 0-4, convolutions frozen, head fine-tuned on 5-9) works."""

from __future__ import annotations

import torch

from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.examples import example_path
from netbuilder.graph.project import load_project
from netbuilder.graph.transfer import freeze_up_to, replace_head
from netbuilder.runtime.datasets import load_dataset
from netbuilder.runtime.events import Failed, Finished, Started
from netbuilder.runtime.session import plan_training

FAST = {"optimizer": "adam", "lr": 0.002, "batch_size": 32, "seed": 0, "device": "cpu"}


def _train(plan):
    events = list(plan.run())
    assert isinstance(events[-1], Finished), events[-1]
    return events


def _state(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _bn_graph():
    b = GraphBuilder("bn")
    x = b.input((1, 8, 8))
    x = b.layer("Conv2d", x, out_channels=4, kernel_size=3, padding=1, id="conv")
    x = b.layer("BatchNorm2d", x, id="bn")
    x = b.layer("ReLU", x, id="relu")
    x = b.layer("Flatten", x, id="flat")
    b.layer("Linear", x, out_features=10, id="head")
    return b.graph


def test_frozen_layers_and_batchnorm_stats_stay_bit_identical_while_the_head_learns():
    graph = _bn_graph()
    for nid in freeze_up_to(graph, "bn"):
        graph.nodes[nid].trainable = False
    plan = plan_training(graph, {**FAST, "dataset": "digits", "epochs": 2})
    assert plan.ok, plan.errors
    model = plan.build_model()
    before = _state(model)
    events = _train(plan)
    after = _state(model)
    for key in ("conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean",
                "bn.running_var", "bn.num_batches_tracked"):
        assert torch.equal(before[key], after[key]), key
    assert not torch.equal(before["head.weight"], after["head.weight"])
    started = next(e for e in events if isinstance(e, Started))
    assert started.parameters == 10 * 4 * 8 * 8 + 10      # the head only reaches the optimiser
    model.train()
    assert model.bn.training is False and model.head.training is True


def test_without_frozen_nodes_batchnorm_stats_move():
    graph = _bn_graph()
    plan = plan_training(graph, {**FAST, "dataset": "digits", "epochs": 1})
    model = plan.build_model()
    before = _state(model)
    _train(plan)
    assert not torch.equal(before["bn.running_mean"], model.state_dict()["bn.running_mean"])


def test_everything_frozen_is_refused_with_what_to_do():
    graph = _bn_graph()
    for nid in graph.nodes:
        graph.nodes[nid].trainable = False
    events = list(plan_training(graph, {**FAST, "dataset": "digits", "epochs": 1}).run())
    assert isinstance(events[-1], Failed)
    assert "frozen" in events[-1].message and "Trainable" in events[-1].message


def test_digit_halves_hold_five_classes_each_and_no_shared_samples():
    low, high = load_dataset("digits28_0to4"), load_dataset("digits28_5to9")
    full = load_dataset("digits28")
    assert len(low.y) + len(high.y) == len(full.y)
    assert set(low.y.tolist()) == set(high.y.tolist()) == {0, 1, 2, 3, 4}
    assert high.info.class_names == ("5", "6", "7", "8", "9") and high.info.num_classes == 5
    assert torch.equal(high.x[0], full.x[full.y == 5][0])


def test_lenet5_fine_tuned_on_digits_5_to_9_from_the_0_to_4_convolutions():
    """The course recipe: 4 epochs on 0-4, freeze conv1..pool2, 4 epochs on 5-9: >= 90%."""
    graph = load_project(example_path("lenet5")).graph
    head, classes = replace_head(graph, 5)
    graph.nodes[head].params["out_features"] = classes
    first = plan_training(graph, {**FAST, "dataset": "digits28_0to4", "epochs": 4})
    _train(first)
    pretrained = _state(first.model)

    for nid in freeze_up_to(graph, "pool2"):
        graph.nodes[nid].trainable = False
    second = plan_training(graph, {**FAST, "dataset": "digits28_5to9", "epochs": 4})
    second.start_weights = pretrained
    model = second.build_model()
    assert torch.equal(model.state_dict()["conv2.weight"], pretrained["conv2.weight"])
    events = _train(second)
    final = model.state_dict()
    assert torch.equal(final["conv1.weight"], pretrained["conv1.weight"])
    assert torch.equal(final["conv2.bias"], pretrained["conv2.bias"])
    assert not torch.equal(final["fc3.weight"], pretrained["fc3.weight"])
    last = [e for e in events if type(e).__name__ == "Epoch"][-1]
    assert last.val_acc >= 0.90, last.val_acc
