"""Helpers for the insight view tests: one view fed by a real training panel, no window.

``make_insight(document, ViewClass)`` builds the training host and its panel, the
``InsightSource`` that follows it and the view, shows the view and returns the four; the
fixture shuts the panels down at the end. ``train`` presses Start and waits for the end.
"""

from __future__ import annotations

import pytest

from netbuilder.ui.insight.source import InsightSource
from netbuilder.ui.training_host import TrainingHost


@pytest.fixture(name="make_insight")
def make_insight_fixture(qtbot):
    panels = []

    def make(document, view_class, size=(1200, 560)):
        host = TrainingHost(document)
        qtbot.addWidget(host)
        panel = host.ensure_panel()
        panels.append((host, panel))   # the host owns the panel: keep it until shut down
        source = InsightSource(document, host)
        view = view_class(source)
        qtbot.addWidget(view)
        view.resize(*size)
        view.show()
        qtbot.waitExposed(view)
        qtbot.waitUntil(lambda: not panel.checking, timeout=20_000)
        return host, panel, source, view

    yield make
    for _host, panel in panels:
        assert panel.shutdown(10)


def train(qtbot, panel, epochs: int = 1, timeout_ms: int = 120_000) -> None:
    panel.form.epochs.setValue(epochs)
    qtbot.waitUntil(lambda: not panel.checking, timeout=20_000)
    panel.start()
    qtbot.waitUntil(lambda: panel.running, timeout=10_000)
    qtbot.waitUntil(lambda: not panel.running, timeout=timeout_ms)
