"""Static figures for the report, drawn with matplotlib's object API and the Agg canvas.

Each function takes plain numpy data and returns PNG bytes. ``pyplot`` is never imported:
its global figure registry is not thread-safe and the window builds reports on a worker.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np

DPI = 100
CMAP_CLASSES = "tab10"


def new_figure(width: float, height: float, constrained: bool = True):
    """A Figure attached to an Agg canvas (width and height in inches). Grids of many small
    images pass ``constrained=False`` and place themselves: the constrained layout solver
    costs about a second for 16 axes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained" if constrained else None)
    FigureCanvasAgg(fig)
    return fig


def to_png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _class_colours(count: int):
    from matplotlib import colormaps

    cmap = colormaps[CMAP_CLASSES if count <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(count)]


def curves(history: Sequence[dict], loss: str = "") -> bytes:
    """Loss, and accuracy (or MSE unless the loss is MSE), per epoch: training and validation."""
    epochs = [h.get("epoch", i + 1) for i, h in enumerate(history)]
    panels = [("loss", "Loss")]
    if any(h.get("train_acc") is not None or h.get("val_acc") is not None for h in history):
        panels.append(("acc", "Accuracy"))
    elif loss != "mse" and any(h.get("val_mse") is not None for h in history):
        panels.append(("mse", "MSE"))
    fig = new_figure(5 * len(panels), 3.6)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (metric, title) in zip(axes, panels, strict=True):
        for split, style in (("train", "-o"), ("val", "-s")):
            values = [h.get(f"{split}_{metric}") for h in history]
            pts = [(e, v) for e, v in zip(epochs, values, strict=True) if v is not None]
            if pts:
                ax.plot(*zip(*pts, strict=True), style, markersize=3,
                        label="training" if split == "train" else "validation")
        ax.set_title(title)
        ax.set_xlabel("epoch")
        if len(epochs) <= 12:
            ax.set_xticks(epochs)          # whole epochs only, also for a run of one
            ax.set_xlim(min(epochs) - 0.5, max(epochs) + 0.5)
        else:
            ax.xaxis.set_major_locator(_whole_numbers())
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend()
        if metric == "acc":
            ax.yaxis.set_major_formatter(_percent())
    return to_png(fig)


def _whole_numbers():
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0)


def confusion(matrix: np.ndarray, classes: Sequence[str]) -> bytes:
    """Counts, rows true class, columns predicted; the diagonal is what went right."""
    n = len(classes)
    size = min(12.0, max(4.5, 0.55 * n + 2.5))
    fig = new_figure(size, size * 0.9)
    ax = fig.add_subplot()
    image = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=ax, shrink=0.8, label="samples")
    ax.set_xticks(range(n), labels=list(classes), rotation=45 if n > 6 else 0, ha="right" if n > 6 else "center")
    ax.set_yticks(range(n), labels=list(classes))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    if n <= 20:
        high = matrix.max() if matrix.size else 0
        for (r, c), v in np.ndenumerate(matrix):
            ax.text(c, r, str(int(v)), ha="center", va="center", fontsize=9 if n > 10 else 11,
                    color="white" if v > 0.6 * high else "black")
    return to_png(fig)


def _as_image(sample: np.ndarray) -> tuple[np.ndarray, str | None]:
    """(H, W) grey or (H, W, 3) colour, scaled to 0..1 for showing."""
    x = np.asarray(sample, dtype=float)
    if x.ndim == 3:
        x = x[0] if x.shape[0] == 1 else np.moveaxis(x[:3], 0, -1)
    low, high = float(x.min()), float(x.max())
    x = (x - low) / (high - low) if high > low else np.zeros_like(x)
    return x, ("gray_r" if x.ndim == 2 else None)


def gallery(samples: Sequence[np.ndarray], titles: Sequence[str], columns: int = 8) -> bytes:
    """Small images with a caption each (misclassified samples: true -> predicted)."""
    count = len(samples)
    rows = max(1, -(-count // columns))
    fig = new_figure(1.45 * columns, 1.7 * rows, constrained=False)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - 0.45 / (1.7 * rows),
                        wspace=0.1, hspace=0.45)
    for i in range(rows * columns):
        ax = fig.add_subplot(rows, columns, i + 1)
        ax.axis("off")
        if i < count:
            img, cmap = _as_image(samples[i])
            ax.imshow(img, cmap=cmap, interpolation="nearest")
            ax.set_title(titles[i], fontsize=9)
    return to_png(fig)


def filters(weights: np.ndarray, columns: int = 8) -> bytes:
    """First-layer filters (out, in, kh, kw), each already scaled to 0..1 on its own."""
    count = weights.shape[0]
    columns = min(columns, count)
    rows = max(1, -(-count // columns))
    fig = new_figure(1.5 * columns, 1.6 * rows, constrained=False)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - 0.3 / (1.6 * rows),
                        wspace=0.1, hspace=0.3)
    for i in range(rows * columns):
        ax = fig.add_subplot(rows, columns, i + 1)
        ax.axis("off")
        if i < count:
            w = weights[i]
            img = np.moveaxis(w[:3], 0, -1) if w.shape[0] == 3 else w[0]
            ax.imshow(img, cmap=None if img.ndim == 3 else "gray", vmin=0, vmax=1,
                      interpolation="nearest")
            ax.set_title(str(i), fontsize=8)
    return to_png(fig)


def feature_maps(maps: np.ndarray, sample: np.ndarray, columns: int = 8) -> bytes:
    """The input beside its feature maps (C, H, W) on one shared, labelled colour scale."""
    count = maps.shape[0]
    columns = min(columns, count)
    rows = max(1, -(-count // columns))
    height = max(3.2, 1.6 * rows)
    fig = new_figure(1.5 * (columns + 2) + 1, height, constrained=False)
    grid = fig.add_gridspec(rows, columns + 2, left=0.01, right=0.9, bottom=0.02,
                            top=1 - 0.35 / height, wspace=0.1, hspace=0.3)
    ax = fig.add_subplot(grid[:, :2])
    img, cmap = _as_image(sample)
    ax.imshow(img, cmap=cmap, interpolation="nearest")
    ax.set_title("input")
    ax.axis("off")
    low, high = float(maps.min()), float(maps.max())
    image = None
    for i in range(count):
        a = fig.add_subplot(grid[i // columns, 2 + i % columns])
        image = a.imshow(maps[i], cmap="viridis", vmin=low, vmax=high, interpolation="nearest")
        a.set_title(str(i), fontsize=8)
        a.axis("off")
    if image is not None:
        bar = fig.add_axes((0.92, 0.1, 0.015, 0.8))
        fig.colorbar(image, cax=bar, label="activation")
    return to_png(fig)


def boundary(grid, points: np.ndarray, labels: np.ndarray, classes: Sequence[str]) -> bytes:
    """The plane coloured by predicted class, lighter where the network is less sure."""
    from matplotlib.colors import to_rgb

    colours = np.array([to_rgb(c) for c in _class_colours(len(classes))])
    shade = colours[grid.predicted]
    strength = np.clip((grid.confidence - 0.5) * 2, 0, 1)[..., None] if len(classes) == 2 \
        else np.clip(grid.confidence, 0, 1)[..., None]
    shade = 1 - (1 - shade) * (0.15 + 0.45 * strength)
    fig = new_figure(6.5, 5.5)
    ax = fig.add_subplot()
    x0, x1, y0, y1 = grid.extent
    ax.imshow(shade, origin="lower", extent=(x0, x1, y0, y1), aspect="auto", interpolation="bilinear")
    for k, name in enumerate(classes):
        pts = points[labels == k]
        ax.scatter(pts[:, 0], pts[:, 1], s=16, color=colours[k], edgecolors="black",
                   linewidths=0.5, label=name)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("feature 1")
    ax.set_ylabel("feature 2")
    ax.legend(title="true class", loc="best")
    return to_png(fig)


def embedding(coords: np.ndarray, labels: np.ndarray, classes: Sequence[str] | None,
              title: str) -> bytes:
    """2-D points coloured by class (or by the target value for regression)."""
    fig = new_figure(6.5, 5.5)
    ax = fig.add_subplot()
    if classes:
        colours = _class_colours(len(classes))
        for k, name in enumerate(classes):
            pts = coords[labels == k]
            if len(pts):
                ax.scatter(pts[:, 0], pts[:, 1], s=10, color=colours[k], label=name, alpha=0.8)
        ax.legend(title="class", markerscale=2, fontsize=9, loc="upper left",
                  bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    else:
        sc = ax.scatter(coords[:, 0], coords[:, 1], s=10, c=labels.reshape(-1), cmap="viridis")
        fig.colorbar(sc, ax=ax, label="target")
    ax.set_title(title)
    ax.set_xlabel("component 1")
    ax.set_ylabel("component 2")
    return to_png(fig)


def regression(predicted: np.ndarray, target: np.ndarray) -> bytes:
    """Predicted against true with the identity line, and the residuals."""
    p, t = predicted.reshape(-1), target.reshape(-1)
    fig = new_figure(10, 4.2)
    left, right = fig.subplots(1, 2)
    left.scatter(t, p, s=10, alpha=0.7)
    low, high = float(min(t.min(), p.min())), float(max(t.max(), p.max()))
    left.plot([low, high], [low, high], "k--", linewidth=1, label="perfect prediction")
    left.set_xlabel("true value")
    left.set_ylabel("predicted value")
    left.set_title("Predicted against true")
    left.legend()
    right.scatter(t, p - t, s=10, alpha=0.7)
    right.axhline(0, color="black", linewidth=1)
    right.set_xlabel("true value")
    right.set_ylabel("predicted - true")
    right.set_title("Residuals")
    for ax in (left, right):
        ax.grid(alpha=0.3)
    return to_png(fig)
