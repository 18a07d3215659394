"""The evaluation view: what the trained network gets right and wrong on its validation set.

Classification: the accuracy, the confusion matrix (rows the true class, columns the
predicted one, the count or the row's share written in every cell), precision, recall and
F1 per class in a sortable table, and a gallery of the misclassified samples, most
confidently wrong first. Clicking a cell of the matrix shows that cell's samples in the
gallery; clicking a sample opens it (``sample_chosen``). Regression: predicted against true
with the identity line, the residuals, MSE and MAE.

It follows ``InsightSource``: the held weights after a run or a loaded checkpoint, and
during a run one live snapshot per epoch (asked for when the training panel reports an
epoch's end, only while this view is on screen). Judging LeNet-5 on the 359 validation
digits took 200 ms on this 2-core CPU (60-120 ms when it was idle), far past a frame, so the
work runs on a worker thread (``Background``) and the view redraws when it is done.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from netbuilder.runtime.tasks import run_task

from ...graph.words import plural
from ..theme import Theme, header_text_color, selected_color
from .background import Background
from .images import fmt, widget_font
from .thumbnails import is_image, thumbnail
from .widgets import message_stack

# (light, dark): right answers blue, mistakes orange (apart for colour-blind eyes too; the
# diagonal is also told by its place and its bold numbers)
RIGHT = ("#1d4ed8", "#60a5fa")
WRONG = ("#c2410c", "#fb923c")
GALLERY_LIMIT = 60
WIDE_RATIO = 2.0           # width / height from which the three parts stand side by side
TRAINING = ("Training… the evaluation appears when the first epoch ends, then it is "
            "refreshed after every epoch.")
POSITION_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    t = min(1.0, max(0.0, t))
    return QColor(round(a.red() + (b.red() - a.red()) * t),
                  round(a.green() + (b.green() - a.green()) * t),
                  round(a.blue() + (b.blue() - a.blue()) * t))


def percent(share: float) -> str:
    """A share as people write it: 100%, 92%, 3.3%, 0.4%, 0%."""
    v = 100 * share
    if v == 0 or v >= 99.95:
        return f"{v:.0f}%"
    return f"{v:.0f}%" if v >= 10 else f"{v:.1f}%"


# runs whose answer is a picture: what this view (one answer per sample) says instead
NOT_JUDGED = {
    "reconstruction": "This run reconstructs its input, so there are no classes to judge: the "
                      "Sample tab shows each input beside its reconstruction, and the Training "
                      "tab the validation MSE.",
    "segmentation": "This run gives a class to every pixel: the Sample tab shows the true and "
                    "the predicted masks, and the Training tab the pixel accuracy and mean IoU.",
}


class ConfusionMatrix(QWidget):
    """The confusion matrix as a painted heatmap: every cell's count (or share) written in it.

    Cells are coloured by the share of their row (so a class with few samples reads as
    clearly as a big one): blue on the diagonal (right), orange off it (mistakes), stronger
    for more. A click on a cell emits ``cell_clicked(true, predicted)``.
    """

    cell_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confusion_matrix")
        self._counts = np.zeros((0, 0), dtype=int)
        self._classes: list[str] = []
        self.normalised = False
        self.selected: tuple[int, int] | None = None
        self._grid = QRectF()
        self._cell = 0.0
        self._label_w = 0.0
        self.setMouseTracking(True)
        self.setMinimumSize(220, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    # -- data -----------------------------------------------------------------------------
    def set_data(self, counts: np.ndarray, classes: list[str]) -> None:
        self._counts = np.asarray(counts, dtype=int)
        self._classes = list(classes)
        if self.selected is not None and max(self.selected) >= len(self._classes):
            self.selected = None
        self.update()

    def set_normalised(self, on: bool) -> None:
        self.normalised = bool(on)
        self.update()

    def set_selected(self, cell: tuple[int, int] | None) -> None:
        self.selected = cell
        self.update()

    @property
    def size_n(self) -> int:
        return len(self._classes)

    def shares(self) -> np.ndarray:
        totals = self._counts.sum(axis=1, keepdims=True)
        return np.divide(self._counts, np.maximum(totals, 1), dtype=float)

    def cell_text(self, row: int, col: int) -> str:
        """What is written in cell (true ``row``, predicted ``col``)."""
        if self.normalised:
            return percent(float(self.shares()[row, col]))
        return str(int(self._counts[row, col]))

    def cell_tooltip(self, row: int, col: int) -> str:
        n = int(self._counts[row, col])
        total = int(self._counts[row].sum())
        t, p = self._classes[row], self._classes[col]
        share = percent(n / total) if total else "0%"
        samples = f"{plural(n, 'sample')}"
        if row == col:
            return f"{samples} of class {t} predicted right ({share} of the {total} {t}s)"
        return (f"{samples} of class {t} predicted as {p} ({share} of the {total} {t}s); "
                "click to see them")

    # -- geometry -------------------------------------------------------------------------
    def _fonts(self):
        return widget_font(10), widget_font(10, bold=True), widget_font(10, bold=True)

    def _layout(self) -> None:
        n = max(1, self.size_n)
        label_font, _, title_font = self._fonts()
        from PySide6.QtGui import QFontMetricsF

        lm, tm = QFontMetricsF(label_font), QFontMetricsF(title_font)
        label_w = max([lm.horizontalAdvance(c) for c in self._classes] + [lm.horizontalAdvance("00")])
        self._label_w = min(label_w, self.width() * 0.25)
        left = tm.height() + 6 + self._label_w + 8
        top = tm.height() + 4 + lm.height() + 6
        avail_w = self.width() - left - 6
        avail_h = self.height() - top - 6
        cell = max(4.0, min(avail_w / n, avail_h / n))
        x0 = left + max(0.0, (avail_w - cell * n) / 2)
        self._grid = QRectF(x0, top, cell * n, cell * n)
        self._cell = cell

    def cell_rect(self, row: int, col: int) -> QRectF:
        """Where cell (true ``row``, predicted ``col``) is painted (tests click there)."""
        self._layout()
        c = self._cell
        return QRectF(self._grid.left() + col * c, self._grid.top() + row * c, c, c)

    def cell_at(self, pos: QPointF) -> tuple[int, int] | None:
        self._layout()
        if not self._grid.contains(pos) or self.size_n == 0:
            return None
        col = int((pos.x() - self._grid.left()) / self._cell)
        row = int((pos.y() - self._grid.top()) / self._cell)
        n = self.size_n
        return (min(row, n - 1), min(col, n - 1))

    def sizeHint(self) -> QSize:
        return QSize(420, 420)

    # -- painting -------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        n = self.size_n
        if n == 0:
            return
        self._layout()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        pal = self.palette()
        dark = Theme.dark_for(pal)
        base = pal.color(QPalette.ColorRole.Base)
        text = pal.color(QPalette.ColorRole.WindowText)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        grid_pen = QPen(pal.color(QPalette.ColorRole.Mid), 1)
        right, wrong = QColor(RIGHT[dark]), QColor(WRONG[dark])
        label_font, bold_font, title_font = self._fonts()
        shares = self.shares()
        g, c = self._grid, self._cell

        # axis titles: "predicted" over the columns, "true" up the side of the rows
        p.setFont(title_font)
        p.setPen(text)
        th = p.fontMetrics().height()
        p.drawText(QRectF(g.left(), 0, g.width(), th + 2), Qt.AlignmentFlag.AlignCenter,
                   "predicted class")
        side = min(self._label_w, g.left() - th - 14)
        p.save()
        p.translate(g.left() - side - 10 - th, g.center().y())
        p.rotate(-90)
        p.drawText(QRectF(-g.height() / 2, 0, g.height(), th + 2), Qt.AlignmentFlag.AlignCenter,
                   "true class")
        p.restore()
        # class names
        p.setFont(label_font)
        fm = p.fontMetrics()
        lh = fm.height()
        for i, name in enumerate(self._classes):
            shown = fm.elidedText(name, Qt.TextElideMode.ElideRight, int(c) - 2)
            p.drawText(QRectF(g.left() + i * c, th + 4, c, lh), Qt.AlignmentFlag.AlignCenter, shown)
            shown = fm.elidedText(name, Qt.TextElideMode.ElideRight, int(side))
            p.drawText(QRectF(g.left() - side - 6, g.top() + i * c, side, c),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, shown)
        # cells
        number_font = self._number_font(c, bold_font)
        for r in range(n):
            for k in range(n):
                rect = QRectF(g.left() + k * c, g.top() + r * c, c, c)
                share = float(shares[r, k])
                # any sample in a cell shows (a single mistake must catch the eye), more
                # samples show more strongly
                strength = 0.0 if self._counts[r, k] == 0 else 0.2 + 0.8 * share ** 0.5
                colour = _mix(base, right if r == k else wrong, strength)
                p.fillRect(rect, colour)
                if number_font is None:
                    continue
                number_font.setBold(r == k)
                p.setFont(number_font)
                p.setPen(header_text_color(colour) if self._counts[r, k] else muted)
                p.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.cell_text(r, k))
        p.setPen(grid_pen)
        for i in range(n + 1):
            p.drawLine(QPointF(g.left() + i * c, g.top()), QPointF(g.left() + i * c, g.bottom()))
            p.drawLine(QPointF(g.left(), g.top() + i * c), QPointF(g.right(), g.top() + i * c))
        if self.selected is not None:
            r, k = self.selected
            p.setPen(QPen(selected_color(dark), Theme.line(3)))
            p.drawRect(QRectF(g.left() + k * c, g.top() + r * c, c, c).adjusted(1, 1, -1, -1))
        p.end()

    def _number_font(self, cell: float, font):
        """The biggest font (up to the theme's) at which the widest number fits a cell."""
        from PySide6.QtGui import QFontMetricsF

        widest = "100%" if self.normalised else str(int(self._counts.max(initial=0)))
        widest = max(widest, "00", key=len)
        size = font.pointSizeF()
        while size >= 5.5:
            font.setPointSizeF(size)
            m = QFontMetricsF(font)
            if m.horizontalAdvance(widest) <= cell - 4 and m.height() <= cell - 2:
                return font
            size -= 0.5
        return None

    # -- mouse ----------------------------------------------------------------------------
    def mouseMoveEvent(self, event) -> None:
        cell = self.cell_at(QPointF(event.position()))
        tip = self.cell_tooltip(*cell) if cell is not None else ""
        if tip != self.toolTip():
            self.setToolTip(tip)
            if tip:
                QToolTip.showText(event.globalPosition().toPoint(), tip, self)
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event) -> None:
        cell = self.cell_at(QPointF(event.position()))
        if cell is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.cell_clicked.emit(*cell)


class _SortItem(QTableWidgetItem):
    """A table cell shown as text and sorted by a number."""

    def __init__(self, text: str, key: float) -> None:
        super().__init__(text)
        self.setData(SORT_ROLE, key)
        self.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        return float(self.data(SORT_ROLE)) < float(other.data(SORT_ROLE))


class EvaluationView(QWidget):
    sample_chosen = Signal(int)       # a position in the RunContext's eval_set()
    refreshed = Signal()              # after each redraw with new figures

    def __init__(self, source: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evaluation_view")
        self.source = source
        self.evaluation: Any = None       # the Evaluation on screen
        self.data: Any = None             # its EvalSet
        self.context: Any = None          # its RunContext
        self.live_epoch: int | None = None  # the epoch of a live snapshot on screen
        self.filter: tuple[int, int] | None = None
        self._generation = 0
        self._sorted_once = False
        self._dirty = True
        self._want_live = False
        self._followed_panel: Any = None
        from netbuilder.runtime.insight.probe import ReusedProber  # torch: loaded with the view

        self._live_prober = ReusedProber()     # used on the worker thread only
        self._bg = Background(self)
        self._bg.done.connect(self._on_done)
        self._bg.failed.connect(self._on_failed)
        self._build()
        source.changed.connect(self._on_source_changed)
        source.live.connect(self._on_live)
        source.running_changed.connect(self._on_running)
        Theme.changed.connect(self._apply_theme)
        self._follow_panel()
        self._apply_theme()
        self._on_source_changed()

    # -- building -------------------------------------------------------------------------
    def _build(self) -> None:
        self.stack, self.message = message_stack(self)

        page = QWidget()
        pv = QVBoxLayout(page)
        pv.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.headline = QLabel()
        self.headline.setObjectName("evaluation_headline")
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.headline.setWordWrap(True)          # never widens the dock past the window
        head.addWidget(self.headline, 1)
        self.normalised = QCheckBox("Normalised (each row adds up to 100%)")
        self.normalised.setObjectName("evaluation_normalised")
        self.normalised.setToolTip("Write each cell as the share of its true class instead of "
                                   "a count")
        self.normalised.toggled.connect(self._on_normalised)
        head.addWidget(self.normalised)
        pv.addLayout(head)
        self.page = page
        self.classification_page = QSplitter(Qt.Orientation.Horizontal)
        self.matrix = ConfusionMatrix()
        self.matrix.cell_clicked.connect(self.set_filter)
        self.classification_page.addWidget(self.matrix)
        right = self.side = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("per_class_table")
        self.table.setHorizontalHeaderLabels(["class", "precision", "recall", "F1", "support"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setToolTip("Precision: of the samples predicted as this class, the share "
                              "that are. Recall: of the samples of this class, the share "
                              "found. F1: their harmonic mean. Click a heading to sort.")
        right.addWidget(self.table)
        gallery_box = QWidget()
        gv = QVBoxLayout(gallery_box)
        gv.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.gallery_title = QLabel()
        self.gallery_title.setObjectName("gallery_title")
        self.gallery_title.setWordWrap(True)
        row.addWidget(self.gallery_title, 1)
        self.show_all = QPushButton("Show all mistakes")
        self.show_all.setObjectName("gallery_show_all")
        self.show_all.clicked.connect(self.clear_filter)
        row.addWidget(self.show_all)
        gv.addLayout(row)
        self.gallery = QListWidget()
        self.gallery.setObjectName("misclassified_gallery")
        self.gallery.setViewMode(QListView.ViewMode.IconMode)
        self.gallery.setResizeMode(QListView.ResizeMode.Adjust)
        self.gallery.setMovement(QListView.Movement.Static)
        self.gallery.setWrapping(True)
        self.gallery.setWordWrap(True)
        self.gallery.setUniformItemSizes(True)
        self.gallery.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.gallery.itemClicked.connect(self._on_gallery_click)
        self.gallery.itemActivated.connect(self._on_gallery_click)
        gv.addWidget(self.gallery, 1)
        right.addWidget(gallery_box)
        right.setStretchFactor(0, 0)         # the table keeps its width, the gallery grows
        right.setStretchFactor(1, 1)
        self.classification_page.addWidget(right)
        self.classification_page.setStretchFactor(0, 3)
        self.classification_page.setStretchFactor(1, 4)
        self.body = QStackedWidget()
        self.body.addWidget(self.classification_page)
        self.regression_plots = pg.GraphicsLayoutWidget()
        self.regression_plots.setObjectName("regression_plots")
        self.scatter_plot = pg.PlotItem()
        self.residual_plot = pg.PlotItem()
        for plot in (self.scatter_plot, self.residual_plot):
            plot.setMenuEnabled(False)
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.regression_plots.addItem(self.scatter_plot, row=0, col=0)
        self.regression_plots.addItem(self.residual_plot, row=0, col=1)
        self.predicted_points = pg.ScatterPlotItem()
        self.identity_line = pg.PlotDataItem()
        self.scatter_plot.addItem(self.identity_line)
        self.scatter_plot.addItem(self.predicted_points)
        self.residual_points = pg.ScatterPlotItem()
        self.zero_line = pg.InfiniteLine(pos=0, angle=0)
        self.residual_plot.addItem(self.zero_line)
        self.residual_plot.addItem(self.residual_points)
        self.body.addWidget(self.regression_plots)
        pv.addWidget(self.body, 1)
        self.stack.addWidget(page)

    def _apply_theme(self) -> None:
        self.message.setFont(widget_font(12))
        self.headline.setFont(widget_font(12))
        for w in (self.normalised, self.gallery_title, self.show_all, self.table, self.gallery):
            w.setFont(widget_font(10))
        self.table.horizontalHeader().setFont(widget_font(10))
        if self.table.rowCount():
            self._fit_table()
        side = self.thumb_size()
        self.gallery.setIconSize(QSize(side, side))
        self._size_gallery()
        self._style_regression()
        if self.evaluation is not None:
            self._fill_gallery()
        self.update()

    def _size_gallery(self) -> None:
        fm = self.gallery.fontMetrics()
        names = self.evaluation.classes if self.evaluation is not None and \
            self.evaluation.classification else ["00"]
        longest = max(names, key=fm.horizontalAdvance)
        caption_w = fm.horizontalAdvance(f"true {longest} → predicted {longest}")
        side = self.thumb_size()
        self.gallery.setGridSize(QSize(max(side, min(caption_w, 260)) + 14,
                                       side + 2 * fm.height() + 12))

    def thumb_size(self) -> int:
        return 84 if Theme.presentation else 64

    def _style_regression(self) -> None:
        pal = self.palette()
        dark = Theme.dark_for(pal)
        background, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        self.regression_plots.setBackground(background)
        style = {"font-size": f"{Theme.widget_point_size(10):.0f}pt", "color": text.name()}
        font = widget_font(9)
        for plot in (self.scatter_plot, self.residual_plot):
            for side in ("left", "bottom"):
                axis = plot.getAxis(side)
                axis.setPen(pg.mkPen(text))
                axis.setTextPen(pg.mkPen(text))
                axis.setTickFont(font)
        self.scatter_plot.setLabel("bottom", "true value", **style)
        self.scatter_plot.setLabel("left", "predicted value", **style)
        self.scatter_plot.setTitle("predicted against true (on the dashed line: exactly right)",
                                   **style)
        self.residual_plot.setLabel("bottom", "true value", **style)
        self.residual_plot.setLabel("left", "residual (predicted − true)", **style)
        self.residual_plot.setTitle("residuals (above zero: predicted too high)", **style)
        blue = QColor(RIGHT[dark])
        fill = QColor(blue)
        fill.setAlpha(150)
        size = 9 if Theme.presentation else 6
        for points in (self.predicted_points, self.residual_points):
            points.setBrush(pg.mkBrush(fill))
            points.setPen(pg.mkPen(blue, width=0.5))
            points.setSize(size)
        guide = pg.mkPen(QColor(WRONG[dark]), width=Theme.line(1.5), style=Qt.PenStyle.DashLine)
        self.identity_line.setPen(guide)
        self.zero_line.setPen(guide)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:
            self._style_regression()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        # wide and short (the bottom dock): matrix, table and gallery side by side; otherwise
        # the table sits over the gallery beside the matrix
        size = event.size()
        wide = size.width() >= WIDE_RATIO * max(1, size.height())
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.side.orientation() != orientation:
            self.side.setOrientation(orientation)
            if self.table.rowCount():
                self._fit_table()

    # -- following the source ---------------------------------------------------------------
    def _follow_panel(self) -> None:
        panel = self.source.panel
        if panel is not None and panel is not self._followed_panel:
            panel.run_events.connect(self._on_run_events)
            self._followed_panel = panel

    def _on_source_changed(self) -> None:
        """New weights, none, or weights that no longer fit the network."""
        self._generation += 1
        self._follow_panel()
        message = self.source.blocked(self.live_epoch is not None, TRAINING)
        if message is not None:
            if message:
                self._show_message(message)
            return
        self.live_epoch = None
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def _on_running(self, running: bool) -> None:
        self._follow_panel()
        if running:
            self._want_live = False
            if self.source.context() is None:
                self._show_message(TRAINING)

    def _on_run_events(self, batch: list[Any]) -> None:
        from netbuilder.runtime.events import Epoch

        if any(isinstance(e, Epoch) for e in batch):
            if self.isVisible():
                self._want_live = True
                self.source.request_live()
            else:
                self._dirty = True

    def _on_live(self, ctx: Any) -> None:
        if not self._want_live or not self.isVisible():
            return
        self._want_live = False
        generation = self._generation
        holder = self

        def work():
            from netbuilder.runtime.insight.evaluation import evaluate

            prober = holder._live_prober.get(ctx)
            data = ctx.eval_set()
            return generation, ctx, data, evaluate(prober, data, ctx.config.loss), ctx.epoch
        self._bg.submit("evaluation", work)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty and self.source.context() is not None:
            self.refresh()
        elif self.source.running:
            self._want_live = True
            self.source.request_live()

    def refresh(self) -> None:
        """Judge the held weights again (on the worker thread); redraws when done."""
        ctx = self.source.context()
        if ctx is None:
            self._on_source_changed()
            return
        self._dirty = False
        prober = self.source.prober()
        generation = self._generation

        def work():
            from netbuilder.runtime.insight.evaluation import evaluate

            data = ctx.eval_set()
            not_judged = NOT_JUDGED.get(run_task(ctx.config.task, data.info))
            if not_judged:
                raise ValueError(not_judged)
            return generation, ctx, data, evaluate(prober, data, ctx.config.loss), None
        if self.evaluation is None:
            self._show_message("Judging the network on its validation samples…")
        self._bg.submit("evaluation", work)

    def _on_failed(self, _key: Any, message: str) -> None:
        said = next((text for text in NOT_JUDGED.values() if message.endswith(text)), None)
        if said is not None:              # not a failure: what this view cannot judge
            self._show_message(said)
            return
        self._show_message(f"Could not evaluate the network: {message}")

    def _on_done(self, _key: Any, result: Any) -> None:
        generation, ctx, data, evaluation, live_epoch = result
        if generation != self._generation:
            return                    # the weights changed while it was computed
        if live_epoch is None and self.source.context() is not ctx:
            return
        self.context, self.data, self.evaluation = ctx, data, evaluation
        self.live_epoch = live_epoch
        if evaluation.samples == 0:
            self._show_message("There are no validation samples to judge the network on.")
            return
        self._show()
        self.refreshed.emit()

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    # -- showing ------------------------------------------------------------------------------
    def _when(self) -> str:
        if self.live_epoch is not None:
            return (f"live, during epoch {self.live_epoch} of training "
                    "(refreshed after every epoch)")
        epochs = getattr(self.context, "epoch", 0)
        return f"after {plural(epochs, 'epoch')} of training"

    def _show(self) -> None:
        ev = self.evaluation
        self.stack.setCurrentWidget(self.page)
        small = f"<span style='font-size:{Theme.widget_point_size(10):.0f}pt'>"
        if ev.classification:
            right = int((ev.predictions == ev.targets).sum())
            mean_f1 = float(np.mean([c.f1 for c in ev.per_class])) if ev.per_class else 0.0
            self.headline.setText(
                f"<b>Accuracy {100 * ev.accuracy:.1f}%</b>: {right:,} of {ev.samples:,} "
                f"validation samples right &nbsp; {small}mean F1 {100 * mean_f1:.1f}% · "
                f"{self._when()}</span>")
            self.normalised.show()
            self.body.setCurrentWidget(self.classification_page)
            self.matrix.set_data(ev.confusion, ev.classes)
            if self.filter is not None and max(self.filter) >= len(ev.classes):
                self.filter = None
            self.matrix.set_selected(self.filter)
            self._fill_table()
            self._size_gallery()
            self._fill_gallery()
        else:
            self.headline.setText(f"<b>MSE {fmt(ev.mse)}</b> · <b>MAE {fmt(ev.mae)}</b> on "
                                  f"{ev.samples:,} validation samples &nbsp; {small}"
                                  f"{self._when()}</span>")
            self.normalised.hide()
            self.body.setCurrentWidget(self.regression_plots)
            self._fill_regression()

    def _fill_table(self) -> None:
        ev = self.evaluation
        table = self.table
        table.setSortingEnabled(False)
        table.setRowCount(len(ev.per_class))
        for i, c in enumerate(ev.per_class):
            table.setItem(i, 0, _SortItem(c.name, i))
            for col, value in ((1, c.precision), (2, c.recall), (3, c.f1)):
                item = _SortItem(f"{100 * value:.1f}%", value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(i, col, item)
            item = _SortItem(str(c.support), c.support)
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(i, 4, item)
        table.setSortingEnabled(True)        # keeps the student's sort; class order at first
        header = table.horizontalHeader()
        if not self._sorted_once:
            self._sorted_once = True
            header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        table.sortItems(header.sortIndicatorSection(), header.sortIndicatorOrder())
        table.resizeRowsToContents()
        self._fit_table()

    def _fit_table(self) -> None:
        """As wide as its columns need (in presentation mode too): nothing is cut."""
        table = self.table
        table.resizeColumnsToContents()
        header = table.horizontalHeader()
        pad = 4                  # the hints hold the cells' margins and the sort arrow already
        width = sum(max(header.sectionSizeHint(i), table.sizeHintForColumn(i)) + pad
                    for i in range(table.columnCount()))
        width += 2 * table.frameWidth() + table.verticalScrollBar().sizeHint().width()
        table.setMinimumWidth(width)
        # beside the gallery no wider than its columns (the gallery takes the rest); over
        # the gallery as wide as the gallery
        beside = self.side.orientation() == Qt.Orientation.Horizontal
        table.setMaximumWidth(width if beside else 16_777_215)

    def gallery_positions(self) -> list[int]:
        """The eval-set positions the gallery shows, in order."""
        return [int(self.gallery.item(i).data(POSITION_ROLE)) for i in range(self.gallery.count())]

    def _chosen(self) -> list[int]:
        ev = self.evaluation
        if self.filter is None:
            return ev.misclassified()
        t, p = self.filter
        hits = np.nonzero((ev.targets == t) & (ev.predictions == p))[0]
        conf = ev.confidence[hits]
        # mistakes: the most confident first; right answers: the least sure first (the
        # hardest ones the network still gets right)
        order = np.argsort(-conf if t != p else conf, kind="stable")
        return [int(i) for i in hits[order]]

    def _fill_gallery(self) -> None:
        ev, data = self.evaluation, self.data
        if ev is None or not ev.classification:
            return
        chosen = self._chosen()
        names = ev.classes
        self.gallery.clear()
        pal = self.palette()
        image_like = is_image(tuple(data.info.sample_shape))
        side = self.thumb_size()
        line = pal.color(QPalette.ColorRole.Mid)
        for pos in chosen[:GALLERY_LIMIT]:
            t, p = int(ev.targets[pos]), int(ev.predictions[pos])
            conf = float(ev.confidence[pos])
            sample = data.raw[pos] if image_like or not data.x.is_floating_point() else data.x[pos]
            pixmap = thumbnail(sample.numpy(), side, pal.color(QPalette.ColorRole.Base), line)
            caption = f"true {names[t]} → predicted {names[p]} ({100 * conf:.0f}%)"
            item = QListWidgetItem(QIcon(pixmap), f"true {names[t]} → predicted {names[p]}\n"
                                   f"({100 * conf:.0f}%)")
            item.setData(POSITION_ROLE, pos)
            item.setToolTip(f"Validation sample {pos + 1}: {caption}. Click to open it in "
                            "the sample view.")
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            self.gallery.addItem(item)
        more = f"; the first {GALLERY_LIMIT} shown" if len(chosen) > GALLERY_LIMIT else ""
        if self.filter is None:
            self.show_all.hide()
            if chosen:
                self.gallery_title.setText(f"<b>{len(chosen)} misclassified</b>, most "
                                           f"confident mistakes first{more}. Click one to open "
                                           "it; click a cell of the matrix to see its samples.")
            else:
                self.gallery_title.setText("<b>No mistakes</b>: every validation sample is "
                                           "predicted right.")
        else:
            t, p = self.filter
            self.show_all.show()
            if t == p:
                what = (f"<b>true {names[t]}, predicted right: {len(chosen)}</b>, the least "
                        f"sure first{more}")
            else:
                what = (f"<b>true {names[t]} → predicted {names[p]}: {len(chosen)}</b>, most "
                        f"confident first{more}" if chosen else
                        f"<b>No {names[t]} was taken for a {names[p]}.</b>")
            self.gallery_title.setText(what)

    def _fill_regression(self) -> None:
        ev = self.evaluation
        true = np.asarray(ev.targets, dtype=float).ravel()
        pred = np.asarray(ev.predictions, dtype=float).ravel()
        keep = np.isfinite(true) & np.isfinite(pred)
        true, pred = true[keep], pred[keep]
        self.predicted_points.setData(true, pred)
        self.residual_points.setData(true, pred - true)
        if true.size:
            lo = float(min(true.min(), pred.min()))
            hi = float(max(true.max(), pred.max()))
            self.identity_line.setData([lo, hi], [lo, hi])
        for plot in (self.scatter_plot, self.residual_plot):
            plot.enableAutoRange()

    # -- gestures -------------------------------------------------------------------------------
    def _on_normalised(self, on: bool) -> None:
        self.matrix.set_normalised(on)

    def set_filter(self, true: int, predicted: int) -> None:
        """Show the samples of one cell of the matrix in the gallery (a click there)."""
        if self.filter == (true, predicted):
            self.clear_filter()
            return
        self.filter = (int(true), int(predicted))
        self.matrix.set_selected(self.filter)
        self._fill_gallery()

    def clear_filter(self) -> None:
        self.filter = None
        self.matrix.set_selected(None)
        self._fill_gallery()

    def _on_gallery_click(self, item: QListWidgetItem) -> None:
        self.sample_chosen.emit(int(item.data(POSITION_ROLE)))
