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
        """The other views, each in its own module, in the order a lesson meets them."""
        from .backprop_view import BackpropView
        from .boundary_view import BoundaryView
        from .embedding_view import EmbeddingView
        from .evaluation_view import EvaluationView
        from .histogram_view import HistogramView

        evaluation = EvaluationView(self.source)
        evaluation.sample_chosen.connect(self.open_sample)
        embedding = EmbeddingView(self.source)
        embedding.sample_chosen.connect(self.open_sample)
        for key, view, title in (("evaluation", evaluation, "Evaluation"),
                                 ("embedding", embedding, "Embeddings"),
                                 ("boundary", BoundaryView(self.source), "Decision boundary"),
                                 ("backprop", BackpropView(self.source), "Backprop"),
                                 ("histograms", HistogramView(self.source), "Histograms")):
            self.tabs.addTab(view, title)
            self.views[key] = view

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
