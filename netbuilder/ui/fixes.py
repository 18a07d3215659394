"""The window's side of one-click fixes: the undo command, the fixes of the open document,
and the menu a "Fix" button opens.

``graph/fixes.py`` finds and previews the fixes; here ``ApplyFix`` replays one through the
Document's primitives as one undo step (its label says what it did), ``fixes_on`` asks for
the fixes of a layer once per analysis, and ``fix_menu`` lists them with the shapes each
would give. The Problems list and the canvas cards both use these.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QMenu, QWidget

from ..graph.analysis import Diagnostic
from ..graph.document import Document
from ..graph.fixes import Fix, apply_edit, fixes_for
from .commands import EditCommand


class ApplyFix(EditCommand):
    """Apply one fix: one undo step, "Fix fc1: insert a Flatten before fc1"."""

    def __init__(self, doc: Document, fix: Fix) -> None:
        super().__init__(doc, fix.label)
        self.fix = fix
        self._undo_steps: list[Callable[[], Any]] = []

    def _do(self) -> None:
        self._undo_steps = []

        def step(undo: Callable[[], Any]) -> None:
            self._step(undo)             # rolled back if a later step is refused
            self._undo_steps.append(undo)

        apply_edit(self.doc, self.fix.edit, on_step=step)

    def _undo(self) -> None:
        for undo in reversed(self._undo_steps):
            undo()


# per document: the analysis the fixes were found for, and the fixes by problem
_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def fixes_on(doc: Document, diagnostic: Diagnostic) -> list[Fix]:
    """The fixes for one problem of ``doc``, found once per analysis.

    Inside a block (a view of the block's own graph, fed by its uses) none are offered: the
    fixes are checked on the whole network."""
    if doc.scope_suffix or diagnostic.node is None:   # " in BasicBlock": inside a block
        return []
    analysis = doc.analysis
    held = _cache.get(doc)
    if held is None or held[0] is not analysis:
        held = _cache[doc] = (analysis, {})
    key = (diagnostic.node, diagnostic.code, diagnostic.message, diagnostic.severity)
    if key not in held[1]:
        held[1][key] = fixes_for(doc.graph, diagnostic, analysis)
    return held[1][key]


def node_fixes(doc: Document, node_id: str) -> list[Fix]:
    """The fixes for every problem of one layer (errors first), as a card offers them."""
    info = doc.analysis.nodes.get(node_id)
    if info is None:
        return []
    ranked = sorted(info.diagnostics, key=lambda d: d.severity != "error")
    return [f for d in ranked for f in fixes_on(doc, d)]


def entry_text(fix: Fix) -> str:
    """A menu entry: what the fix does, then what it gives."""
    return f"{fix.description}   ({fix.preview})"


def fix_menu(fixes: list[Fix], apply: Callable[[Fix], object],
             parent: QWidget | None = None) -> QMenu:
    """A menu of ``fixes``; choosing one calls ``apply(fix)``."""
    menu = QMenu(parent)
    menu.setObjectName("fix_menu")
    menu.setToolTipsVisible(True)
    for fix in fixes:
        action = menu.addAction(entry_text(fix))
        action.setToolTip(f"{fix.description}\nAfter the fix: {fix.preview}")
        action.triggered.connect(lambda _=False, f=fix: apply(f))
    return menu
