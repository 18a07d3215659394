"""The Runs tab: every recorded run of the project, compared (``RunsPanel``, built on first
view by ``RunsHost`` because its plots share the Training panel's pyqtgraph widgets)."""

from .host import RunsHost

__all__ = ["RunsHost"]
