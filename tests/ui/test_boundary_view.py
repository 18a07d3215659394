"""The decision-boundary view as a student sees it while mlp_moons trains on the two moons."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from insight_support import make_insight_fixture, train  # noqa: F401
from training_support import digits_cnn

from netbuilder.codegen.build import build_module
from netbuilder.graph.document import Document
from netbuilder.graph.examples import example_path
from netbuilder.graph.project import load_project
from netbuilder.runtime.datasets import load_dataset
from netbuilder.ui.insight.boundary_view import FINAL_RESOLUTION, BoundaryView
from netbuilder.ui.insight.source import EDITED, NOT_TRAINED

EPOCHS = 40


def _final(view) -> bool:
    ctx = view.source.context()
    return ctx is not None and view.context is ctx and view.live_epoch is None


@pytest.fixture
def trained(make_insight, qtbot):
    """mlp_moons trained through the real training panel, the view on screen throughout;
    each picture the view put on screen is recorded as (live epoch, still running)."""
    doc = Document(load_project(example_path("mlp_moons")))
    host, tp, source, view = make_insight(doc, BoundaryView, size=(1100, 700))
    assert view.stack.currentWidget() is view.message
    assert view.message.text() == NOT_TRAINED
    pictures: list[tuple[int | None, bool]] = []
    view.refreshed.connect(lambda: pictures.append((view.live_epoch, tp.running)))
    train(qtbot, tp, epochs=EPOCHS)
    qtbot.waitUntil(lambda: _final(view), timeout=60_000)
    return doc, tp, source, view, pictures


def test_the_plane_is_coloured_by_the_class_the_trained_network_predicts(trained):
    doc, tp, source, view, _ = trained
    assert view.stack.currentWidget() is view.page
    grid, ctx = view.grid, source.context()
    res = FINAL_RESOLUTION
    assert grid.predicted.shape == (res, res)
    assert set(np.unique(grid.predicted)) == {0, 1}        # a boundary runs through it
    # an independent evaluation of the same weights: the generated module, on a few cells
    module = build_module(ctx.graph).eval()
    module.load_state_dict(ctx.state_dict)
    x0, x1, y0, y1 = grid.extent
    cells = [(r, c) for r in range(3, res, 13) for c in range(5, res, 11)]
    rows, cols = np.array(cells).T
    raw = torch.tensor(np.stack([x0 + cols * (x1 - x0) / (res - 1),
                                 y0 + rows * (y1 - y0) / (res - 1)], 1), dtype=torch.float32)
    fed = ctx.eval_set().feed(raw)
    with torch.no_grad():
        logits = module(fed).reshape(-1).numpy()
    sure = np.abs(logits) > 1e-4
    expected = (logits > 0).astype(int)
    assert (grid.predicted[rows, cols][sure] == expected[sure]).all()
    # ...and the picture shows it: "upper" cells blue (#0072B2), "lower" cells orange (#E69F00)
    image = view.image.image                             # pyqtgraph's [x, y] order
    assert image.shape == (res, res, 3)
    pixels = image[cols, rows].astype(int)
    bluish = pixels[:, 2] > pixels[:, 0]
    assert (bluish == (expected == 0))[sure].all()
    # sure cells are stronger than unsure ones: the colour of the least sure cell is the palest
    conf = grid.confidence
    strength = 255 * 3 - image.astype(int).sum(axis=2)     # distance from the white background
    assert strength.T[conf == conf.min()].mean() < strength.T[conf == conf.max()].mean()


def test_every_point_of_the_dataset_is_drawn_training_and_validation_apart(trained):
    doc, tp, source, view, _ = trained
    dataset = load_dataset("moons")
    train_n, val_n = view.point_counts()
    assert train_n + val_n == len(dataset) == 1000
    assert val_n == len(source.context().eval_set()) == 200
    names = [label.text for _sample, label in view.legend.items]
    assert names == ["upper, training", "upper, validation", "lower, training",
                     "lower, validation"]
    text = view.headline.text()
    assert "800 training points" in text and "200 validation points" in text
    assert f"after {EPOCHS} epochs" in text


def test_the_boundary_is_redrawn_while_the_network_trains_and_once_at_the_end(trained):
    doc, tp, source, view, pictures = trained
    live = [epoch for epoch, running in pictures if epoch is not None]
    assert len(live) >= 2                                 # more than one redraw during the run
    assert live == sorted(live) and all(1 <= e <= EPOCHS for e in live)
    assert pictures[-1] == (None, False)                  # the trained weights, at the end
    assert view.live_redraws == len(live)


def test_a_small_mlp_shows_each_hidden_units_own_picture(trained):
    doc, tp, source, view, _ = trained
    assert view.units.isVisible() and view.units_title.isVisible()
    assert view.units.layer_count() == 2 and view.units.square_count() == 32
    relu1 = view.grid.units[("relu1",)]
    assert relu1.shape == (16, FINAL_RESOLUTION, FINAL_RESOLUTION)
    assert (relu1 >= 0).all() and relu1.max() > 0          # ReLU outputs, not all dead


def test_editing_the_network_replaces_the_picture_with_a_retrain_message(trained, qtbot):
    doc, tp, source, view, _ = trained
    doc.set_param("hidden1", "out_features", 8)
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.message, timeout=5000)
    assert view.message.text() == EDITED
    with qtbot.waitSignal(view.refreshed, timeout=30_000):
        doc.set_param("hidden1", "out_features", 16)
    assert view.stack.currentWidget() is view.page


def test_a_dataset_of_images_gets_a_sentence_naming_the_2d_examples(make_insight, qtbot):
    host, tp, source, view = make_insight(digits_cnn(), BoundaryView)
    train(qtbot, tp, epochs=1)
    qtbot.waitUntil(lambda: source.context() is not None, timeout=30_000)
    assert view.stack.currentWidget() is view.message
    text = view.message.text()
    assert "two input features" in text and "'digits'" in text and "1x8x8" in text
    assert "mlp_moons" in text and "spirals" in text
    assert view.grid is None and view.redraws == 0


def test_a_units_square_is_blue_where_it_is_positive_orange_where_negative_pale_at_zero():
    from netbuilder.ui.insight.unit_squares import NEGATIVE, POSITIVE, unit_colours

    units = np.zeros((2, 4, 4))
    units[0, 0, 0] = 2.0            # bottom-left of the plane: its strongest output
    units[0, 3, 3] = -1.0           # top-right: half as strong, negative
    units[1, 1, 1] = -5.0           # a unit of another scale is scaled to itself
    pictures = unit_colours(units, (255, 255, 255))
    assert pictures.shape == (2, 4, 4, 3)
    hex_of = lambda rgb: "#{:02X}{:02X}{:02X}".format(*(int(c) for c in rgb))  # noqa: E731
    assert hex_of(pictures[0, 3, 0]) == POSITIVE            # screen rows go down
    assert hex_of(pictures[1, 2, 1]) == NEGATIVE
    assert (pictures[0, 1, 1] == 255).all()                 # zero: the background
    half = pictures[0, 0, 3].astype(int)                    # between white and orange
    assert (half > np.array([0xE6, 0x9F, 0x00])).all() and (half < 255).any()
