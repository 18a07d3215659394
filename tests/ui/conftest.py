"""Qt runs headless in the UI tests: the offscreen platform is chosen before Qt loads."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtGui import QUndoStack  # noqa: E402

from netbuilder.graph.document import Document  # noqa: E402
from netbuilder.graph.examples import example_path  # noqa: E402
from netbuilder.graph.project import load_project  # noqa: E402
from netbuilder.ui.theme import Theme  # noqa: E402


@pytest.fixture(autouse=True)
def _plain_theme():
    """Every test starts and ends in the ordinary (not presentation) look."""
    Theme.set_presentation(False)
    yield
    Theme.set_presentation(False)


@pytest.fixture
def lenet() -> Document:
    return Document(load_project(example_path("lenet5")))


@pytest.fixture
def undo_stack(qapp) -> QUndoStack:
    return QUndoStack()
