"""The "Inside" tab: the insight views side by side as tabs, fed by one InsightSource.

Views are created when first shown (the torch work they do is wasted while hidden), and a
view that knows another's sample (the evaluation's gallery, the embedding's points) opens
it in the sample view.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from .sample_view import SampleView
from .source import InsightSource


class InsightPanel(QWidget):
    node_selected = Signal(object)      # a probe path chosen in a view

    def __init__(self, document: Any, training_host: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = InsightSource(document, training_host, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("insight_tabs")
        layout.addWidget(self.tabs)
        self.sample_view = SampleView(self.source)
        self.sample_view.node_selected.connect(self.node_selected)
        self.tabs.addTab(self.sample_view, "Sample")
        self.views: dict[str, QWidget] = {"sample": self.sample_view}
        self._add_optional_views()

    def _add_optional_views(self) -> None:
        """The evaluation, embedding and boundary views, each in its own module."""
        try:
            from .evaluation_view import EvaluationView
        except ImportError:
            EvaluationView = None  # noqa: N806
        if EvaluationView is not None:
            view = EvaluationView(self.source)
            view.sample_chosen.connect(self.open_sample)
            self.tabs.addTab(view, "Evaluation")
            self.views["evaluation"] = view
        try:
            from .embedding_view import EmbeddingView
        except ImportError:
            EmbeddingView = None  # noqa: N806
        if EmbeddingView is not None:
            view = EmbeddingView(self.source)
            view.sample_chosen.connect(self.open_sample)
            self.tabs.addTab(view, "Embeddings")
            self.views["embedding"] = view
        try:
            from .boundary_view import BoundaryView
        except ImportError:
            BoundaryView = None  # noqa: N806
        if BoundaryView is not None:
            view = BoundaryView(self.source)
            self.tabs.addTab(view, "Decision boundary")
            self.views["boundary"] = view
        from .histogram_view import HistogramView

        self.views["histograms"] = HistogramView(self.source)
        self.tabs.addTab(self.views["histograms"], "Histograms")

    def open_sample(self, position: int) -> None:
        """Show validation sample ``position`` in the sample view."""
        self.tabs.setCurrentWidget(self.sample_view)
        self.sample_view.show_sample(position)

    def select_path(self, path: Any) -> None:
        """Follow a node selected on the canvas."""
        self.sample_view.select_path(path)
        embedding = self.views.get("embedding")
        if embedding is not None and hasattr(embedding, "set_node"):
            embedding.set_node(path)
