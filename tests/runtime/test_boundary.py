"""The decision boundary's numbers: the plane predicts what the network predicts, with the
probability the network gives, over a window that holds every point."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from netbuilder.codegen.build import build_module
from netbuilder.graph.builder import GraphBuilder
from netbuilder.graph.project import load_project
from netbuilder.runtime.insight.boundary import decision_grid, extent_of, playground_layers
from netbuilder.runtime.insight.probe import Prober

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"


def _grid_points(extent, res):
    x0, x1, y0, y1 = extent
    xs, ys = np.linspace(x0, x1, res), np.linspace(y0, y1, res)
    return xs, ys


def _two_class_mlp(outputs: int):
    b = GraphBuilder("mlp")
    x = b.input((2,))
    x = b.layer("Linear", x, id="fc1", out_features=8)
    x = b.layer("Tanh", x, id="act")
    b.layer("Linear", x, id="fc2", out_features=outputs)
    return b.graph


def test_each_cell_is_the_argmax_of_the_module_with_its_softmax_probability():
    graph = _two_class_mlp(3)
    torch.manual_seed(3)
    module = build_module(graph).eval()
    prober = Prober(graph, module.state_dict())
    extent = (-2.0, 3.0, -1.0, 1.5)
    grid = decision_grid(prober, extent, 25, loss="cross_entropy")
    xs, ys = _grid_points(extent, 25)
    rows, cols = np.meshgrid(np.arange(25), np.arange(25), indexing="ij")
    pts = torch.tensor(np.stack([xs[cols.ravel()], ys[rows.ravel()]], 1), dtype=torch.float32)
    with torch.no_grad():
        probs = torch.softmax(module(pts), dim=1).numpy()
    assert (grid.predicted.ravel() == probs.argmax(1)).all()
    assert np.allclose(grid.confidence.ravel(), probs.max(1), atol=1e-6)
    assert len(np.unique(grid.predicted)) > 1        # a plane with a boundary on it


def test_a_single_logit_is_class_one_above_zero_and_as_sure_as_its_sigmoid():
    """The perceptron with weights (1, 0) and bias 0: class 1 right of x = 0."""
    graph = load_project(EXAMPLES / "perceptron.json").graph
    state = {"neuron.weight": torch.tensor([[1.0, 0.0]]), "neuron.bias": torch.tensor([0.0])}
    prober = Prober(graph, state)
    grid = decision_grid(prober, (-3.0, 3.0, -1.0, 1.0), 7, loss="bce_with_logits")
    xs, _ = _grid_points((-3.0, 3.0, -1.0, 1.0), 7)
    assert (grid.predicted == (xs > 0).astype(int)[None, :]).all()
    sure = 1 / (1 + np.exp(-np.abs(xs)))                 # sigmoid of |logit|
    assert np.allclose(grid.confidence, sure[None, :].repeat(7, 0), atol=1e-6)
    assert grid.confidence.min() == 0.5                   # on the line itself: a coin toss
    # row 0 is the bottom of the window (y0), the image is not upside down
    assert grid.extent == (-3.0, 3.0, -1.0, 1.0)


def test_a_single_sigmoid_output_fitted_by_mse_is_class_one_above_one_half():
    b = GraphBuilder("sigmoid out")
    x = b.input((2,))
    x = b.layer("Linear", x, id="fc", out_features=1)
    b.layer("Sigmoid", x, id="sig")
    state = {"fc.weight": torch.tensor([[0.0, 2.0]]), "fc.bias": torch.tensor([0.0])}
    grid = decision_grid(Prober(b.graph, state), (-1.0, 1.0, -2.0, 2.0), 5, loss="mse")
    _, ys = _grid_points((-1.0, 1.0, -2.0, 2.0), 5)
    assert (grid.predicted == (ys > 0).astype(int)[:, None]).all()    # y grows with the row
    assert ((grid.confidence >= 0.5) & (grid.confidence <= 1)).all()


def test_the_grid_is_fed_through_the_runs_normalisation():
    graph = load_project(EXAMPLES / "perceptron.json").graph
    state = {"neuron.weight": torch.tensor([[1.0, 0.0]]), "neuron.bias": torch.tensor([0.0])}
    grid = decision_grid(Prober(graph, state), (0.0, 10.0, 0.0, 1.0), 11, loss="bce_with_logits",
                         feed=lambda p: p - torch.tensor([5.0, 0.0]))
    xs, _ = _grid_points((0.0, 10.0, 0.0, 1.0), 11)
    assert (grid.predicted[0] == (xs > 5).astype(int)).all()       # the line moved to x = 5


def test_hidden_units_of_a_small_mlp_come_out_as_one_picture_each():
    graph = load_project(EXAMPLES / "mlp_moons.json").graph
    layers = playground_layers(graph)
    assert [(h.node, h.linear, h.units) for h in layers] == [("relu1", "hidden1", 16),
                                                             ("relu2", "hidden2", 16)]
    torch.manual_seed(0)
    module = build_module(graph).eval()
    prober = Prober(graph, module.state_dict())
    grid = decision_grid(prober, (-1.0, 1.0, -1.0, 1.0), 9, loss="bce_with_logits",
                         units_of=[h.node for h in layers])
    relu1 = grid.units[("relu1",)]
    assert relu1.shape == (16, 9, 9) and (relu1 >= 0).all()
    # unit 3 at the cell of row 2, column 5 is that unit's ReLU output at that point
    xs, ys = _grid_points((-1.0, 1.0, -1.0, 1.0), 9)
    point = torch.tensor([[xs[5], ys[2]]], dtype=torch.float32)
    expected = torch.relu(module.hidden1(point))[0, 3].item()
    assert abs(relu1[3, 2, 5] - expected) < 1e-5


def test_only_small_mlps_get_unit_pictures():
    assert playground_layers(load_project(EXAMPLES / "lenet5.json").graph) == []
    assert playground_layers(load_project(EXAMPLES / "perceptron.json").graph) == []  # no hidden
    assert playground_layers(load_project(EXAMPLES / "mlp_digits.json").graph) == []  # 64 units
    b = GraphBuilder("deep")
    x = b.input((2,))
    for i in range(5):
        x = b.layer("Linear", x, id=f"fc{i}", out_features=4)
        x = b.layer("ReLU", x, id=f"r{i}")
    b.layer("Linear", x, id="out", out_features=2)
    assert playground_layers(b.graph) == []                # five hidden layers: too many
    assert len(playground_layers(b.graph, max_layers=5)) == 5


@settings(max_examples=60, deadline=None)
@given(arrays(np.float32, st.tuples(st.integers(1, 30), st.just(2)),
              elements=st.floats(-1e4, 1e4, width=32)))
def test_the_window_holds_every_point_with_room_to_spare(points):
    x0, x1, y0, y1 = extent_of(torch.from_numpy(points))
    assert x0 < x1 and y0 < y1                       # never an empty window, one point too
    assert x0 < points[:, 0].min() and points[:, 0].max() < x1
    assert y0 < points[:, 1].min() and points[:, 1].max() < y1
