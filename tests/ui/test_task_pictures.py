"""The sample view after training an autoencoder and a U-Net: the input beside its
reconstruction, and the input beside its true and predicted masks (real widgets, offscreen)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from insight_support import make_insight_fixture, train  # noqa: F401
from PySide6.QtGui import QColor

from netbuilder.graph.document import Document
from netbuilder.graph.project import load_project
from netbuilder.ui.insight.sample_view import SampleView
from netbuilder.ui.insight.task_pictures import class_colours

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"


def _document(name: str, **training) -> Document:
    project = load_project(EXAMPLES / f"{name}.json")
    project.training = {**project.training, "cpu_threads": 1, **training}
    return Document(project)


def _trained(qtbot, make_insight, name: str, epochs: int, **training) -> SampleView:
    _host, panel, _source, view = make_insight(_document(name, **training), SampleView,
                                               (1200, 600))
    with qtbot.waitSignal(view.refreshed, timeout=120_000):
        train(qtbot, panel, epochs)
    return view


def _pixels(image) -> np.ndarray:
    """A QImage's colours as an (H, W, 3) array."""
    return np.array([[QColor(image.pixel(x, y)).getRgb()[:3] for x in range(image.width())]
                     for y in range(image.height())])


def test_the_autoencoder_shows_each_digit_beside_its_reconstruction(make_insight, qtbot):
    view = _trained(qtbot, make_insight, "autoencoder_digits", 5)
    pictures = view.task_pictures
    assert pictures.isVisible() and not view.bars.isVisible()
    assert pictures.titles == ["input", "reconstruction"]
    assert view.verdict.text().startswith("Reconstructed from the input: mean squared error")
    assert not view.wrong_button.isEnabled()           # no classes to get wrong
    assert view.current_path == ("bottleneck",)        # the code the digit was squeezed into
    assert view.strip.values().shape == (6,)
    original, rebuilt = (_pixels(pictures.image(i))[..., 0].astype(float) for i in (0, 1))
    assert original.shape == rebuilt.shape == (8, 8)
    # after training the reconstruction looks like its digit (same grey scale for both)
    assert np.corrcoef(original.ravel(), rebuilt.ravel())[0, 1] > 0.6
    view.show_sample(3)
    qtbot.waitUntil(lambda: view.sample_box.value() == 4 and view._result is not None)


def test_a_denoising_autoencoder_also_shows_the_noisy_input_it_was_fed(make_insight, qtbot):
    view = _trained(qtbot, make_insight, "autoencoder_digits", 1, denoise_std=0.3)
    assert view.task_pictures.titles == ["input", "with noise", "reconstruction"]
    assert "from the noisy input" in view.verdict.text()


def test_the_unet_shows_the_true_and_the_predicted_mask_in_class_colours(make_insight, qtbot):
    view = _trained(qtbot, make_insight, "unet_shapes", 4)
    panel = view.source.panel
    assert "validation pixel accuracy" in panel.outcome.plain_text()
    assert "mean IoU 0." in panel.outcome.plain_text()
    pictures = view.task_pictures
    assert pictures.titles == ["input", "true mask", "predicted mask"]
    assert view.verdict.text().endswith("% of the pixels right")
    colours = {tuple(int(v) for v in c) for c in class_colours(4)}
    true_mask = _pixels(pictures.image(1))
    predicted = _pixels(pictures.image(2))
    assert true_mask.shape == predicted.shape == (32, 32, 3)
    assert {tuple(p) for p in true_mask.reshape(-1, 3)} <= colours
    assert {tuple(p) for p in predicted.reshape(-1, 3)} <= colours
    # the colours are the dataset's classes: the true mask's picture is the mask itself
    ids = view._data.y[view._position].numpy()
    expected = class_colours(4)[ids]
    assert np.array_equal(true_mask, expected)
    right = float((predicted == true_mask).all(axis=-1).mean())
    shown = float(view.verdict.text().split("%")[0]) / 100
    assert abs(right - shown) < 0.001 and right > 0.84    # better than "all background"


def test_choosing_reconstruction_in_the_form_explains_the_shapes_to_match(qtbot):
    from netbuilder.ui.training_host import TrainingHost

    host = TrainingHost(_document("mlp_digits"))
    qtbot.addWidget(host)
    panel = host.ensure_panel()
    try:
        form = panel.form
        qtbot.waitUntil(lambda: not panel.checking, timeout=20_000)
        assert not form.denoise.isEnabled()            # noise is for reconstructions only
        form.task.setCurrentIndex(form.task.findData("reconstruction"))
        form.loss.setCurrentIndex(form.loss.findData("mse"))
        qtbot.waitUntil(lambda: not panel.checking and "reconstruction needs"
                        in panel.problems.plain_text(), timeout=20_000)
        text = panel.problems.plain_text()
        assert "The model gives 10 but reconstruction needs the input's 1x8x8" in text
        assert "out_features to 64 and end with an Unflatten to 1x8x8" in text
        assert not panel.start_button.isEnabled()
        assert not panel.fix_output_button.isVisible()  # out_features=10 would not mend it
        assert form.denoise.isEnabled()
        form.denoise.setValue(0.3)
        values = form.values()
        assert values["task"] == "reconstruction" and values["denoise_std"] == 0.3
    finally:
        assert panel.shutdown(10)


def test_the_evaluation_tab_says_where_a_segmentations_figures_are(make_insight, qtbot):
    from netbuilder.ui.insight.evaluation_view import NOT_JUDGED, EvaluationView

    _host, panel, _source, view = make_insight(_document("unet_shapes"), EvaluationView,
                                               (1000, 500))
    train(qtbot, panel, 1)
    qtbot.waitUntil(lambda: view.message.text() == NOT_JUDGED["segmentation"], timeout=30_000)
    assert view.stack.currentWidget() is view.message
    assert "Could not" not in view.message.text()
