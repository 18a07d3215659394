"""Where the insight views get the network they look inside: the training panel's weights.

``InsightSource`` follows the training panel (created lazily by the host): the weights it
holds after a run or a loaded checkpoint, the graph, dataset and settings they belong to,
and during a run, copies of the live weights on request (``request_live``; the trainer
yields a WeightsSnapshot after its next batch). It also says, in words, why there is nothing
to show ("train the network first", "the network changed since: retrain to see it"), so no
view shows stale data for an edited network.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from netbuilder.graph.document import Change, Document
from netbuilder.graph.project import fingerprint
from netbuilder.ui.doc_link import DocumentLink

NOT_TRAINED = "Train the network (or load a checkpoint) to see inside it."
EDITED = ("The network has changed since these weights were trained: retrain to see "
          "this network.")
UNAVAILABLE = "Looking inside needs the training panel, which is not installed."


class InsightSource(QObject):
    changed = Signal()                # the held weights, or whether they fit, changed
    live = Signal(object)             # a RunContext with the run's current weights
    running_changed = Signal(bool)

    def __init__(self, document: Document, host: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.host = host
        self.panel: Any = None
        self._context: Any = None
        self._prober: Any = None
        self._prober_for: Any = None
        self._live_context: Any = None
        self._live_prober: Any = None
        self._fits = False
        self._link = DocumentLink(self, document, self._on_document_change)
        host.panel_created.connect(self._attach)
        if getattr(host, "panel", None) is not None:
            self._attach(host.panel)

    # -- following the panel --------------------------------------------------------------
    def _attach(self, panel: Any) -> None:
        self.panel = panel
        panel.weights_changed.connect(self._refresh)
        panel.running_changed.connect(self._on_running)
        panel.run_events.connect(self._on_run_events)
        self._refresh()

    def ensure_panel(self) -> Any:
        """Make the host build the training panel (a checkpoint can then be loaded)."""
        return self.host.ensure_panel()

    def _refresh(self) -> None:
        self._context = self.panel.insight_context() if self.panel is not None else None
        self._fits = self._weights_fit()
        self.changed.emit()

    def _weights_fit(self) -> bool:
        c = self._context
        return c is not None and c.fingerprint == fingerprint(self.document.graph)

    def _on_document_change(self, change: Change) -> None:
        if change.structure or change.nodes or change.reset:
            fits = self._weights_fit()
            if fits != self._fits:
                self._fits = fits
                self.changed.emit()

    def _on_running(self, running: bool) -> None:
        self._live_context = self.panel.insight_context(live=True) if running else None
        self._live_prober = None
        self.running_changed.emit(bool(running))

    def _on_run_events(self, batch: list[Any]) -> None:
        from netbuilder.runtime.events import WeightsSnapshot

        snaps = [e for e in batch if isinstance(e, WeightsSnapshot)]
        if snaps and self._live_context is not None:
            last = snaps[-1]
            self.live.emit(self._live_context.with_weights(last.state_dict, last.epoch))

    # -- what the views ask ---------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.panel is not None and bool(self.panel.running)

    def context(self) -> Any:
        """The RunContext of the held weights if they fit the network as it is; else None."""
        return self._context if self._fits else None

    def reason(self) -> str | None:
        """Why there is nothing to look inside (None when there is)."""
        if self.host is None or (self.panel is None and not _panel_available()):
            return UNAVAILABLE
        if self._context is None:
            return NOT_TRAINED
        if not self._fits:
            return EDITED
        return None

    def blocked(self, showing_live: bool, training: str) -> str | None:
        """What a view that follows the held weights should say instead of showing them:
        None when they can be shown; ``training`` (the view's own words) while a run is
        going and the view has no live picture yet; "" to keep the live picture it has;
        else why there is nothing (not trained, the network edited)."""
        reason = self.reason()
        if self.context() is not None and reason is None:
            return None
        if self.running and reason != EDITED:
            return "" if showing_live else training
        return reason or "Nothing to show yet."

    def prober(self) -> Any:
        """A Prober for the held weights (built once per set of weights)."""
        ctx = self.context()
        if ctx is None:
            return None
        if self._prober_for is not ctx:
            self._prober, self._prober_for = ctx.prober(), ctx
        return self._prober

    def live_prober(self, ctx: Any) -> Any:
        """A Prober holding the weights of a live snapshot (one module, weights reloaded)."""
        if self._live_prober is None:
            self._live_prober = ctx.prober()
        else:
            self._live_prober.load_state_dict(ctx.state_dict)
        return self._live_prober

    def request_live(self) -> None:
        if self.panel is not None:
            self.panel.request_snapshot()


def _panel_available() -> bool:
    from ..training_host import panel_available

    return panel_available()
