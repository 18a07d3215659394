""""Apply best": a search's settings put into the project as ONE undo step.

Layer parameters go through ``graph.edits.apply_edit`` on the Document (each primitive's
inverse kept, as the fixes' command does), training settings through
``Document.set_training``; undo takes both back, redo replays them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from netbuilder.graph.document import Document
from netbuilder.graph.edits import apply_edit
from netbuilder.runtime.tune.apply import split_values
from netbuilder.runtime.tune.search import values_text

from ..commands import EditCommand


class ApplySettings(EditCommand):
    def __init__(self, doc: Document, values: Mapping[str, Any], text: str | None = None) -> None:
        super().__init__(doc, text or f"Apply searched settings ({values_text(values)})")
        training, self.edit = split_values(values)
        self.before = copy.deepcopy(doc.project.training)
        self.after = {**(doc.project.training or {}), **training}
        self.inverse: list[Callable[[], Any]] = []

    def _do(self) -> None:
        self.inverse = []

        def step(undo: Callable[[], Any]) -> None:
            self.inverse.append(undo)
            self._step(undo)

        apply_edit(self.doc, self.edit, on_step=step)
        self.doc.set_training(copy.deepcopy(self.after))
        self._step(lambda: self.doc.set_training(copy.deepcopy(self.before)))

    def _undo(self) -> None:
        self.doc.set_training(copy.deepcopy(self.before))
        for undo in reversed(self.inverse):
            undo()
