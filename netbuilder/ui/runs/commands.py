"""Open run: the project's network and training settings become a recorded run's, as one
undo step (undo brings back the network and settings as they were)."""

from __future__ import annotations

import copy
from typing import Any

from ...graph.document import Document
from ..commands import EditCommand


class OpenRun(EditCommand):
    def __init__(self, doc: Document, name: str, project_state: dict[str, Any],
                 settings: dict[str, Any]) -> None:
        super().__init__(doc, f"Open run '{name}'")
        self.before = doc.snapshot()
        self.before_training = copy.deepcopy(doc.project.training)
        self.state = dict(project_state)
        self.settings = dict(settings)

    def _do(self) -> None:
        self._step(lambda: self.doc.restore(self.before))
        self.doc.restore(self.state)
        self.doc.set_training(copy.deepcopy(self.settings))

    def _undo(self) -> None:
        self.doc.restore(self.before)
        self.doc.set_training(copy.deepcopy(self.before_training))
