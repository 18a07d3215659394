"""Helpers for the Training panel tests: tiny projects, a panel fixture, running to the end.

Import ``make_panel_fixture`` (the fixture ``make_panel``) and the helpers into a test
module. The projects train in
a second or two on shipped data (an MLP on the two moons, a small CNN on the 8x8 digits).
"""

from __future__ import annotations

import pytest

from netbuilder.graph.document import Document
from netbuilder.graph.project import project_from_dict
from netbuilder.ui.training import TrainingPanel


def chain_project(name: str, nodes: list[tuple], training: dict) -> Document:
    """A chain of layers ``(id, type, params)`` wired in order."""
    data = {
        "format": "netbuilder", "version": 1, "name": name,
        "nodes": [{"id": i, "type": t, "params": p} for i, t, p in nodes],
        "edges": [{"source": a[0], "target": b[0]} for a, b in zip(nodes, nodes[1:], strict=False)],
        "training": training,
    }
    return Document(project_from_dict(data))


def moons_mlp(hidden: int = 32, **training) -> Document:
    return chain_project("moons MLP", [("input", "Input", {"shape": [2]}),
                                       ("fc1", "Linear", {"out_features": hidden}),
                                       ("relu", "ReLU", {}),
                                       ("fc2", "Linear", {"out_features": 2})],
                         {"dataset": "moons", **training})


def digits_cnn(**training) -> Document:
    return chain_project("digits CNN", [
        ("input", "Input", {"shape": [1, 8, 8]}),
        ("conv1", "Conv2d", {"out_channels": 8, "kernel_size": 3, "padding": 1}),
        ("relu1", "ReLU", {}),
        ("pool", "MaxPool2d", {"kernel_size": 2}),
        ("flatten", "Flatten", {}),
        ("fc", "Linear", {"out_features": 10}),
    ], {"dataset": "digits", **training})


@pytest.fixture(name="make_panel")
def make_panel_fixture(qtbot):
    panels: list[TrainingPanel] = []

    def make(document: Document) -> TrainingPanel:
        panel = TrainingPanel(document)
        qtbot.addWidget(panel)
        panel.resize(1200, 360)
        panel.show()
        panels.append(panel)
        qtbot.waitUntil(lambda: not panel.checking, timeout=20_000)
        return panel

    yield make
    for panel in panels:
        assert panel.shutdown(10)


def run_to_end(qtbot, panel: TrainingPanel, timeout_ms: int = 30_000, *,
               press=None) -> None:
    """Press Start (or ``press``, e.g. ``panel.continue_training``) and wait for the end."""
    (press or panel.start)()
    # a press while the check of a changed setting runs waits for it (on a loaded machine
    # the check alone, which loads the data, can take seconds)
    qtbot.waitUntil(lambda: panel.running, timeout=30_000)
    qtbot.waitUntil(lambda: not panel.running, timeout=timeout_ms)
