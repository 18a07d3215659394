"""Each trial of a search kept as a run in the project's run history.

A thin adapter between the search's callbacks (``begin``, ``epoch``, ``end``) and the run
history store; the search calls it in its own process only (worker processes never write),
so there is one writer whatever ``--jobs`` is. ``NoRecorder`` keeps nothing.
"""

from __future__ import annotations

from typing import Any


class NoRecorder:
    """Keeps nothing (no history store for this project)."""

    def begin(self, number: int, values: dict[str, Any]) -> Any:
        return None

    def epoch(self, handle: Any, item: Any) -> None:
        pass

    def end(self, handle: Any, result: Any) -> None:
        pass
