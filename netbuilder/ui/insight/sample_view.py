"""The sample view: one validation sample (or a digit the student draws) through the network.

Left: the sample (with a saliency overlay on request), the verdict and the class
probabilities with the true class marked; for a reconstruction (autoencoder) the input beside
the network's reconstruction, for a segmentation the true and the predicted masks. Right: the layer chosen (here or on the canvas):
a conv or pool layer's feature maps on one shared, labelled colour scale; clicking a map of
a Conv2d opens the arithmetic of one output value with the layer's own numbers (the input
patch, the kernel, the products, the sum and the bias); a Linear or recurrent layer's
activations as a bar strip or a heatmap over time steps; the first layer's filters; and
"what excites this unit" (gradient ascent beside the real samples that excite it most).

All torch work runs on a worker thread (``Background``); one forward pass gives every
layer's output for the sample, so choosing another layer costs nothing.
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import torch
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from netbuilder.runtime.insight.probe import NodePath, ProbeTarget, path_text, probe_targets
from netbuilder.runtime.tasks import run_task

from ..theme import Theme
from .background import Background
from .images import MapGrid, fmt, sample_image, widget_font
from .task_pictures import TaskPictures
from .widgets import ActivationStrip, InputPicture, PositionPicker, ProbabilityBars

MAX_MAPS = 64
CONV_TYPES = {"Conv2d"}


def _shape_text(t: Any) -> str:
    return "x".join(str(d) for d in t.shape) if t is not None else "?"


class SampleView(QWidget):
    node_selected = Signal(object)      # a probe path the student chose here
    refreshed = Signal()                # a sample's pictures are on screen
    arithmetic_shown = Signal()
    ascent_shown = Signal()

    def __init__(self, source: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self._ctx: Any = None
        self._data: Any = None
        self._targets: list[ProbeTarget] = []
        self._position = 0
        self._drawn = False
        self._result: dict[str, Any] | None = None
        self._path: NodePath | None = None
        self._channel: int | None = None
        self._wrong: list[int] | None = None
        self._task = "classification"
        self._bg = Background(self)
        self._bg.done.connect(self._on_done)
        self._bg.failed.connect(self._on_failed)
        self._build()
        source.changed.connect(self.reload)
        Theme.changed.connect(self._apply_theme)
        self._apply_theme()
        self.reload()

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack)
        self.message = QLabel()
        self.message.setObjectName("insight_message")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.stack.addWidget(self.message)
        content = self.content = QSplitter(Qt.Orientation.Horizontal)
        self.stack.addWidget(content)

        left = QWidget()
        lv = self._left = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Sample"))
        self.sample_box = QSpinBox()
        self.sample_box.setObjectName("sample_number")
        self.sample_box.setKeyboardTracking(False)
        self.sample_box.valueChanged.connect(lambda v: self.show_sample(v - 1))
        row.addWidget(self.sample_box)
        self.of_label = QLabel()
        row.addWidget(self.of_label)
        row.addStretch(1)
        lv.addLayout(row)
        row = QHBoxLayout()
        self.random_button = QPushButton("Random")
        self.random_button.setToolTip("Show a random validation sample")
        self.random_button.clicked.connect(self.show_random)
        self.wrong_button = QPushButton("A misclassified one")
        self.wrong_button.setToolTip("Show a validation sample the network gets wrong")
        self.wrong_button.clicked.connect(self.show_misclassified)
        self.draw_button = QPushButton("Draw")
        self.draw_button.setCheckable(True)
        self.draw_button.setToolTip("Draw a digit with the mouse and see what the network says")
        self.draw_button.toggled.connect(self.set_drawing)
        for b in (self.random_button, self.wrong_button, self.draw_button):
            row.addWidget(b)
        lv.addLayout(row)
        self.picture = InputPicture()
        self.picture.drawn.connect(self._on_drawn)
        lv.addWidget(self.picture, 3)
        self.saliency_box = QCheckBox("Saliency: which pixels the prediction depends on")
        self.saliency_box.toggled.connect(lambda _on: self._refresh())
        lv.addWidget(self.saliency_box)
        self.verdict = QLabel()
        self.verdict.setObjectName("sample_verdict")
        self.verdict.setWordWrap(True)
        lv.addWidget(self.verdict)
        self.bars = ProbabilityBars()
        lv.addWidget(self.bars, 2)
        self.task_pictures = TaskPictures()
        lv.addWidget(self.task_pictures, 3)
        self.task_pictures.hide()
        content.addWidget(left)

        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Layer"))
        self.node_box = QComboBox()
        self.node_box.setObjectName("sample_node")
        self.node_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.node_box.currentIndexChanged.connect(self._on_node_box)
        row.addWidget(self.node_box)
        self.filters_button = QPushButton("First-layer filters")
        self.filters_button.setCheckable(True)
        self.filters_button.setToolTip("The first convolution's kernels as small images "
                                       "(each scaled on its own)")
        self.filters_button.toggled.connect(lambda _on: self._show_node())
        row.addWidget(self.filters_button)
        self.ascent_button = QPushButton("What excites this unit?")
        self.ascent_button.setToolTip("Gradient ascent: an input made to excite the chosen "
                                      "channel or class as much as possible, beside the real "
                                      "samples that excite it most")
        self.ascent_button.clicked.connect(self.run_ascent)
        row.addWidget(self.ascent_button)
        row.addStretch(1)
        rv.addLayout(row)
        self.node_info = QLabel()
        self.node_info.setObjectName("sample_node_info")
        self.node_info.setWordWrap(True)
        rv.addWidget(self.node_info)
        split = QSplitter(Qt.Orientation.Vertical)
        rv.addWidget(split, 1)
        self.node_stack = QStackedWidget()
        self.maps = MapGrid()
        self.maps.clicked.connect(self._on_map_clicked)
        self.strip = ActivationStrip()
        self.node_stack.addWidget(self.maps)
        self.node_stack.addWidget(self.strip)
        split.addWidget(self.node_stack)
        self.detail = QWidget()
        dv = QHBoxLayout(self.detail)
        dv.setContentsMargins(0, 0, 0, 0)
        self.picker = PositionPicker()
        self.picker.picked.connect(self._on_position)
        dv.addWidget(self.picker, 1)
        self.arithmetic = QLabel()
        self.arithmetic.setObjectName("conv_arithmetic")
        self.arithmetic.setTextFormat(Qt.TextFormat.RichText)
        self.arithmetic.setWordWrap(True)
        self.arithmetic.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.arithmetic.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.arithmetic.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.arithmetic)
        dv.addWidget(scroll, 3)
        self.ascent = MapGrid()
        self.ascent.setObjectName("ascent_grid")
        dv.addWidget(self.ascent, 2)
        self.ascent.hide()
        split.addWidget(self.detail)
        split.setSizes([300, 200])
        content.addWidget(right)
        content.setStretchFactor(0, 2)
        content.setStretchFactor(1, 5)

    def _apply_theme(self) -> None:
        self.message.setFont(widget_font(12))
        self.verdict.setFont(widget_font(11, bold=True))
        for w in (self.arithmetic, self.node_info):
            w.setFont(widget_font(10))
        self.update()

    # -- following the source ------------------------------------------------------------------
    def reload(self) -> None:
        """New weights (or none, or stale): start again from what the source holds."""
        reason = self.source.reason()
        self._ctx = self.source.context()
        self._result, self._wrong = None, None
        if reason is not None or self._ctx is None:
            self.message.setText(reason or "Nothing to show yet.")
            self.stack.setCurrentIndex(0)
            return
        self._data = self._ctx.eval_set()
        self._task = run_task(self._ctx.config.task, self._data.info)
        self._targets = probe_targets(self._ctx.graph)
        keep = self._path
        self.node_box.blockSignals(True)
        self.node_box.clear()
        for t in self._targets:
            indent = "    " * t.depth
            self.node_box.addItem(f"{indent}{t.text}  ({t.type}, {_shape_text(t.tensor)})")
        self.node_box.blockSignals(False)
        paths = [t.path for t in self._targets]
        self._path = keep if keep in paths else self._default_path()
        self.node_box.setCurrentIndex(paths.index(self._path) if self._path in paths else 0)
        n = len(self._data)
        self.sample_box.blockSignals(True)
        self.sample_box.setRange(1, max(1, n))
        self.sample_box.blockSignals(False)
        self.of_label.setText(f"of {n:,} validation samples")
        info = self._data.info
        self.draw_button.setVisible(len(info.sample_shape) == 3 and info.sample_shape[0] == 1)
        self.wrong_button.setEnabled(self._task == "classification")
        pictures = self._task in ("reconstruction", "segmentation")
        if pictures:
            self._widen_pictures()
        # the pictures show the input too: they get the room, the single picture less
        self._left.setStretchFactor(self.picture, 2 if pictures else 3)
        self._left.setStretchFactor(self.task_pictures, 4 if pictures else 3)
        self.saliency_box.setEnabled(bool(self._data.x.is_floating_point()))
        self.stack.setCurrentIndex(1)
        self.show_sample(min(self._position, n - 1) if n else 0)

    def _widen_pictures(self) -> None:
        """Room for two or three pictures side by side: the left part takes about 40%."""
        sizes = self.content.sizes()
        total = sum(sizes) or self.width()
        if sizes and sizes[0] < 0.38 * total:
            left = int(0.42 * total)
            self.content.setSizes([left, total - left])

    def _default_path(self) -> NodePath | None:
        """The first convolution if there is one (the lesson of the view), else the output;
        for an autoencoder the bottleneck: the layer with the fewest values, the code."""
        if self._task == "reconstruction":
            sized = [t for t in self._targets if t.tensor is not None and t.type != "Input"]
            if sized:
                return min(sized, key=lambda t: math.prod(t.tensor.shape)).path
        for t in self._targets:
            if t.type in CONV_TYPES:
                return t.path
        return self._targets[-1].path if self._targets else None

    # -- choosing what to show -------------------------------------------------------------------
    def show_sample(self, position: int) -> None:
        """Validation sample ``position`` (0-based) through the network."""
        if self._data is None or not len(self._data):
            return
        self._position = max(0, min(int(position), len(self._data) - 1))
        self._drawn = False
        if self.draw_button.isChecked():
            self.draw_button.blockSignals(True)
            self.draw_button.setChecked(False)
            self.draw_button.blockSignals(False)
            self.picture.drawing = False
        self.sample_box.blockSignals(True)
        self.sample_box.setValue(self._position + 1)
        self.sample_box.blockSignals(False)
        self.picture.set_sample(self._data.raw[self._position].numpy())
        self._refresh()

    def show_random(self) -> None:
        if self._data is not None and len(self._data):
            self.show_sample(random.randrange(len(self._data)))

    def show_misclassified(self) -> None:
        """The next validation sample the network gets wrong (most confident mistakes first)."""
        if self._ctx is None:
            return
        if self._wrong is None:
            self._submit("wrong", self._find_wrong)
            return
        if not self._wrong:
            self.verdict.setText("The network gets every validation sample right.")
            return
        later = [w for w in self._wrong if w != self._position]
        if later:
            self._wrong = later + [self._position] if self._position in self._wrong else later
            self.show_sample(later[0])

    def select_path(self, path: NodePath | str | None) -> None:
        """Show layer ``path`` (from the canvas); unknown paths are ignored."""
        if path is None:
            return
        path = (path,) if isinstance(path, str) else tuple(path)
        paths = [t.path for t in self._targets]
        if path not in paths:
            bare = tuple(p for p in path if not isinstance(p, int))
            path = next((p for p in paths
                         if tuple(q for q in p if not isinstance(q, int)) == bare), None)
        if path is None or path == self._path:
            return
        self.node_box.setCurrentIndex(paths.index(path))

    @property
    def current_path(self) -> NodePath | None:
        return self._path

    def set_drawing(self, on: bool) -> None:
        """Drawing mode: the picture starts blank and the mouse paints a digit on it."""
        if self._data is None:
            return
        self.picture.drawing = bool(on)
        if on:
            self._drawn = True
            self.picture.brush_max = float(self._data.raw.max())
            blank = np.zeros(tuple(self._data.info.sample_shape))
            self.picture.set_sample(blank)
            self.verdict.setText("Draw a digit with the mouse; the network answers as you draw.")
        else:
            self.show_sample(self._position)

    def _on_drawn(self) -> None:
        self._refresh()

    def _on_node_box(self, index: int) -> None:
        if 0 <= index < len(self._targets):
            self._path = self._targets[index].path
            self._channel = None
            self.node_selected.emit(self._path)
            self._show_node()

    # -- the work (worker thread) -------------------------------------------------------------
    def _sample_tensor(self) -> torch.Tensor:
        raw = self.picture.raw()
        if self._drawn and raw is not None:
            t = torch.as_tensor(raw, dtype=self._data.raw.dtype)[None]
            return self._data.feed(t)
        return self._data.x[self._position:self._position + 1]

    def _refresh(self) -> None:
        if self._ctx is None or self._data is None:
            return
        prober = self.source.prober()
        x = self._sample_tensor()
        paths = [t.path for t in self._targets]
        want_saliency = self.saliency_box.isChecked() and self.saliency_box.isEnabled()
        loss = self._ctx.config.loss
        task = self._task
        true = None
        if not self._drawn and task in ("classification", "segmentation"):
            true = self._data.y[self._position]
            true = int(true) if task == "classification" else true.numpy()
        fed = self._fed(x)

        def work() -> dict[str, Any]:
            from netbuilder.runtime.insight.evaluation import probabilities_of
            from netbuilder.runtime.insight.saliency import saliency

            out, seen = prober.forward(fed, paths)
            result: dict[str, Any] = {"x": fed, "clean": x, "out": out.detach().float().cpu(),
                                      "seen": {k: v.detach().float().cpu() for k, v in seen.items()
                                               if isinstance(v, torch.Tensor)},
                                      "true": true, "saliency": None, "task": task}
            if task == "classification":
                result["probs"] = probabilities_of(result["out"], loss)[0].numpy()
                if want_saliency:
                    result["saliency"] = saliency(prober, x, int(result["probs"].argmax()))
            return result
        self._submit("sample", work)

    def _fed(self, x: torch.Tensor) -> torch.Tensor:
        """What the network is fed: for a denoising autoencoder the sample with noise drawn
        from its position (the same noise every time the sample is shown)."""
        std = float(getattr(self._ctx.config, "denoise_std", 0.0) or 0.0)
        if self._task != "reconstruction" or std <= 0 or not x.is_floating_point():
            return x
        from netbuilder.runtime.tasks import noisy

        return noisy(x, std, torch.Generator().manual_seed(self._position))

    def _find_wrong(self) -> list[int]:
        from netbuilder.runtime.insight.evaluation import evaluate

        ev = evaluate(self.source.prober(), self._data, self._ctx.config.loss)
        return ev.misclassified()

    def _submit(self, key: str, fn) -> None:
        self._bg.submit(key, fn)

    def _on_failed(self, key: Any, message: str) -> None:
        self.verdict.setText(f"Could not compute this view: {message}")

    def _on_done(self, key: Any, result: Any) -> None:
        if key == "wrong":
            self._wrong = list(result)
            self.show_misclassified()
        elif key == "sample":
            self._result = result
            self._show_sample_result()
            self._show_node()
            self.refreshed.emit()
        elif key == "ascent":
            self._show_ascent(result)
        elif key == "arithmetic":
            self._show_arithmetic(*result)

    # -- showing ------------------------------------------------------------------------------
    def _show_sample_result(self) -> None:
        r = self._result
        info = self._data.info
        self.picture.set_overlay(r["saliency"])
        self.task_pictures.setVisible(r["task"] in ("reconstruction", "segmentation"))
        if r["task"] == "reconstruction":
            self._show_reconstruction(r)
        elif r["task"] == "segmentation":
            self._show_segmentation(r)
        elif info.is_classification:
            names = self._data.classes
            probs = r["probs"]
            pred = int(probs.argmax())
            self.bars.set_probabilities(probs, names, r["true"])
            self.bars.show()
            if r["true"] is None:
                self.verdict.setText(f"The network says {names[pred]} ({100 * probs[pred]:.1f}%)")
            else:
                mark = "right" if pred == r["true"] else "wrong"
                self.verdict.setText(f"True {names[r['true']]}, predicted {names[pred]} "
                                     f"({100 * probs[pred]:.1f}%): {mark}")
        else:
            self.bars.hide()
            value = r["out"].reshape(-1)
            target = self._data.y[self._position].reshape(-1)
            self.verdict.setText("Predicted " + ", ".join(fmt(float(v)) for v in value[:4])
                                 + ("" if self._drawn else
                                    "; true " + ", ".join(fmt(float(v)) for v in target[:4])))

    def _show_reconstruction(self, r: dict[str, Any]) -> None:
        self.bars.hide()
        clean, out = r["clean"][0], r["out"][0]
        noised = r["x"] is not r["clean"]
        # both as the network sees them (normalised, if the run normalised): the target's terms
        fed = r["x"][0].numpy() if noised else None
        self.task_pictures.show_reconstruction(clean.numpy(), fed, out.reshape(clean.shape).numpy())
        mse = float(((out.reshape(clean.shape) - clean) ** 2).mean())
        what = "the noisy input" if noised else "the input"
        self.verdict.setText(f"Reconstructed from {what}: mean squared error {fmt(mse)} per value")

    def _show_segmentation(self, r: dict[str, Any]) -> None:
        self.bars.hide()
        predicted = r["out"][0].argmax(dim=0).numpy()
        names = self._data.classes
        true = r["true"]
        self.task_pictures.show_segmentation(self._data.raw[self._position].numpy()
                                             if not self._drawn else r["x"][0].numpy(),
                                             true, predicted, names)
        if true is None:
            self.verdict.setText("The predicted class of every pixel")
            return
        right = float((predicted == true).mean())
        self.verdict.setText(f"{100 * right:.1f}% of the pixels right")

    def _target(self) -> ProbeTarget | None:
        return next((t for t in self._targets if t.path == self._path), None)

    def _show_node(self) -> None:
        if self.filters_button.isChecked():
            self._show_filters()
            return
        r, target = self._result, self._target()
        if r is None or target is None:
            return
        value = r["seen"].get(target.path)
        if value is None:
            self.node_info.setText(f"{target.text} gives no tensor to show.")
            return
        v = value[0]
        shape = "x".join(str(d) for d in v.shape)
        self.picture.set_patch(None)
        if v.dim() == 3 and v.shape[1] * v.shape[2] > 1:        # channels x H x W
            n = v.shape[0]
            shown = min(n, MAX_MAPS)
            low, high = float(v[:shown].min()), float(v[:shown].max())
            self.maps.set_maps([v[i].numpy() for i in range(shown)],
                               [str(i) for i in range(shown)], low, high, "viridis",
                               "activation")
            self.maps.set_selected(self._channel)
            more = f" (the first {shown})" if shown < n else ""
            explain = (" Click a map to see the arithmetic of one of its values."
                       if target.type in CONV_TYPES else "")
            self.node_info.setText(f"{target.text} ({target.type}): {n} feature maps of "
                                   f"{v.shape[1]}x{v.shape[2]}{more}, one colour scale for all."
                                   + explain)
            self.node_stack.setCurrentWidget(self.maps)
        elif v.dim() == 2:                                       # time steps x features
            self.maps.set_maps([v.numpy()], [f"{v.shape[0]} steps x {v.shape[1]} features"],
                               float(v.min()), float(v.max()), "viridis", "activation")
            self.node_info.setText(f"{target.text} ({target.type}): {shape}, rows are time "
                                   "steps (or channels), columns features.")
            self.node_stack.setCurrentWidget(self.maps)
        else:
            self.strip.set_values(v.numpy())
            self.node_info.setText(f"{target.text} ({target.type}): {v.numel()} values, one "
                                   "bar per unit.")
            self.node_stack.setCurrentWidget(self.strip)
        self._show_detail()

    def _on_map_clicked(self, index: int) -> None:
        self._channel = index
        self._show_detail()

    def _show_detail(self) -> None:
        r, target = self._result, self._target()
        self.ascent.hide()
        if r is None or target is None or self._channel is None:
            self.picker.set_map(None)
            self.picker.hide()
            self.arithmetic.setText(
                "<p>Choose a layer; for a convolution, click one of its maps to see how one "
                "of its numbers is computed.</p>" if target is None or target.type in CONV_TYPES
                else "")
            return
        v = r["seen"][target.path][0]
        if v.dim() != 3 or self._channel >= v.shape[0]:
            return
        m = v[self._channel].numpy()
        pos = getattr(self, "_pos", None)
        if pos is None or pos[0] >= m.shape[0] or pos[1] >= m.shape[1]:
            pos = (m.shape[0] // 2, m.shape[1] // 2)
        self._pos = pos
        self.picker.set_map(m, float(v.min()), float(v.max()), pos)
        self.picker.show()
        if target.type in CONV_TYPES:
            self._explain(pos)
        else:
            self.arithmetic.setText(f"<p><b>{target.text}, channel {self._channel}</b>: "
                                    f"value at row {pos[0]}, column {pos[1]} is "
                                    f"<b>{fmt(float(m[pos]))}</b>.</p>")

    def _on_position(self, row: int, col: int) -> None:
        self._pos = (row, col)
        self._show_detail()

    def _explain(self, pos: tuple[int, int]) -> None:
        from netbuilder.runtime.insight.arithmetic import conv_arithmetic

        prober, path, x, channel = self.source.prober(), self._path, self._result["x"], self._channel
        self._submit("arithmetic", lambda: (path, conv_arithmetic(prober, path, x, channel, *pos)))

    def _show_arithmetic(self, path: NodePath, a: Any) -> None:
        if path != self._path:
            return
        self.arithmetic.setText(arithmetic_html(a, path_text(path)))
        inp = self._data.info.sample_shape
        conv_in = a.patch.shape
        if len(inp) == 3 and self._path == self._first_conv_path():
            pad = self.source.prober().module_at(self._path)._reversed_padding_repeated_twice
            top, left = a.top_left[0] - pad[2], a.top_left[1] - pad[0]
            kh = (conv_in[1] - 1) * a.dilation[0] + 1
            kw = (conv_in[2] - 1) * a.dilation[1] + 1
            self.picture.set_patch(QRectF(left, top, kw, kh))
        self.arithmetic_shown.emit()

    def _first_conv_path(self) -> NodePath | None:
        return next((t.path for t in self._targets if t.type in CONV_TYPES), None)

    def _show_filters(self) -> None:
        from netbuilder.runtime.insight.arithmetic import first_conv_filters

        found = first_conv_filters(self.source.prober()) if self._ctx is not None else None
        if found is None:
            self.node_info.setText("This network has no Conv2d layer: no filters to show.")
            self.maps.set_maps([], [])
            return
        path, filters = found
        images = []
        for f in filters[:MAX_MAPS]:
            img = sample_image(f) if f.shape[0] in (1, 3) else sample_image(f.mean(axis=0))
            images.append(img)
        self.maps.set_maps(images, [str(i) for i in range(len(images))])
        self.node_info.setText(f"The {len(filters)} filters of {path_text(path)}, "
                               f"{filters.shape[2]}x{filters.shape[3]} each, every one scaled "
                               "on its own (dark: most negative weight, light: most positive).")
        self.node_stack.setCurrentWidget(self.maps)

    # -- gradient ascent -----------------------------------------------------------------------
    def run_ascent(self) -> None:
        """Make an input that excites the chosen channel (or the predicted class) most."""
        if self._ctx is None or self._result is None:
            return
        target = self._target()
        value = self._result["seen"].get(target.path) if target else None
        is_output = target is not None and target.path == self._targets[-1].path
        if is_output or value is None:
            node, unit = None, int(self._result["out"][0].argmax())
            what = f"class {self._data.classes[unit]}" if self._data.info.is_classification \
                else f"output {unit}"
        else:
            node = target.path
            unit = self._channel if self._channel is not None else int(
                value[0].reshape(value.shape[1], -1).mean(dim=1).argmax())
            what = f"channel {unit} of {target.text}" if value.dim() > 2 else \
                f"unit {unit} of {target.text}"
        if not self._data.x.is_floating_point():
            self.arithmetic.setText("Gradient ascent needs real-valued inputs; this network "
                                    "reads token ids.")
            return
        prober, data = self.source.prober(), self._data
        shape = tuple(data.info.sample_shape)
        self.arithmetic.setText(f"Searching for the input that excites {what} most…")

        def work():
            from netbuilder.runtime.insight.saliency import gradient_ascent, strongest_samples

            image = gradient_ascent(prober, node, unit, shape)
            best = strongest_samples(prober, data.x, node, unit, count=5)
            return what, image, best
        self._submit("ascent", work)

    def _show_ascent(self, result) -> None:
        what, image, best = result
        pictures, titles = [], []
        made = sample_image(image)
        if made is not None:
            pictures.append(made)
            titles.append("made")
        for i in best:
            pic = sample_image(self._data.raw[i].numpy())
            if pic is not None:
                pictures.append(pic)
                titles.append(f"#{i + 1}")
        self.ascent.set_maps(pictures, titles)
        self.ascent.show()
        self.arithmetic.setText(f"<p><b>What excites {what}</b>: left, an input made by "
                                "gradient ascent (60 steps, with jitter, blur and an L2 "
                                "penalty); then the validation samples that excite it most.</p>")
        self.ascent_shown.emit()


def arithmetic_html(a: Any, where: str) -> str:
    """The arithmetic of one conv output as HTML: patch, kernel, products, the sum."""
    c = len(a.in_channels)

    def table(m: np.ndarray, mask: np.ndarray | None = None) -> str:
        rows = []
        for i in range(m.shape[0]):
            cells = []
            for j in range(m.shape[1]):
                style = ' style="color:#888"' if mask is not None and mask[i, j] else ""
                cells.append(f"<td align='right'{style}>{m[i, j]:.2f}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        return "<table cellspacing='0' cellpadding='2' border='1'>" + "".join(rows) + "</table>"

    small = a.patch.shape[1] * a.patch.shape[2] <= 49
    head = (f"<p><b>{where}, channel {a.channel}, row {a.row}, column {a.col}</b>: "
            f"the kernel ({a.patch.shape[1]}x{a.patch.shape[2]} over {c} input channel"
            f"{'s' if c != 1 else ''}) lies on the input at row {a.top_left[0]}, column "
            f"{a.top_left[1]} of the padded input (stride {a.stride[0]}); every input value is "
            "multiplied by the weight above it and all products are added, then the bias.</p>")
    body = ""
    if small:
        body = ("<table><tr><th>input patch (channel "
                f"{a.in_channels[0]})</th><th>kernel weights</th><th>products</th></tr><tr>"
                f"<td>{table(a.patch[0], a.padding_mask[0])}</td><td>{table(a.kernel[0])}</td>"
                f"<td>{table(a.products[0])}</td></tr></table>")
    per_channel = a.products.reshape(c, -1).sum(axis=1)
    if c > 1:
        shown = ", ".join(f"{v:.2f}" for v in per_channel[:8]) + (", …" if c > 8 else "")
        body += (f"<p>Sum of the products per input channel: {shown} "
                 f"({c} channels).</p>")
    else:
        body += f"<p>Sum of the products: {per_channel[0]:.3f}</p>"
    if a.padding_mask.any():
        body += "<p>Grey numbers lie in the padding.</p>"
    total = float(a.products.sum())
    tail = (f"<p style='font-size:large'><b>products {total:.3f} + bias {a.bias:.3f} = "
            f"{a.value:.3f}</b> — the layer computed {a.layer_value:.3f}.</p>")
    return head + tail + body
