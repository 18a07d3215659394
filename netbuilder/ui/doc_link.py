"""One Qt object following a document's change events: the one way views subscribe.

``DocumentLink(owner, document, owner._on_change)`` calls the handler for every ``Change``
while ``owner`` lives; it holds ``owner`` weakly, never calls into a deleted C++ object,
unsubscribes itself when ``owner`` is destroyed, and ``follow(other)`` moves it to another
document (the inspector and the canvas follow the inside of an open block). ``detach()``
stops it early (a window closing). Nobody else needs to know which private method a view
listens with.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject

from ..graph.document import Change, Document


class DocumentLink:
    def __init__(self, owner: QObject, document: Document,
                 handler: Callable[[Change], Any]) -> None:
        method = weakref.WeakMethod(handler)  # type: ignore[arg-type]
        owner_ref = weakref.ref(owner)

        def listener(change: Change) -> None:
            obj, fn = owner_ref(), method()
            if obj is not None and fn is not None and shiboken6.isValid(obj):
                fn(change)

        self._listener = listener
        self.document = document
        self._attached = True
        document.subscribe(listener)
        owner.destroyed.connect(lambda *_: self.detach())

    def follow(self, document: Document) -> None:
        """Listen to ``document`` instead (no-op when it is the one followed)."""
        if document is self.document and self._attached:
            return
        self.detach()
        self.document = document
        self._attached = True
        document.subscribe(self._listener)

    def detach(self) -> None:
        if self._attached:
            self._attached = False
            self.document.unsubscribe(self._listener)
