"""Typed errors raised by the graph package.

The CLI and the UI turn these into messages in one place each; the text of every error is
written for the user (what was expected, what was received, what to do).
"""


class NetbuilderError(Exception):
    """Base class of every error netbuilder reports to a user."""


class ShapeError(NetbuilderError):
    """A layer cannot accept the shapes (or parameter values) it is given."""


class ParamError(NetbuilderError):
    """A parameter value has the wrong type or lies outside its valid range."""


class ProjectFileError(NetbuilderError):
    """A project file cannot be read; the message names the place in the file."""


class GraphEditError(NetbuilderError):
    """An edit was refused (a cycle, a taken port, a missing node); the message says why."""


class AssignmentFileError(NetbuilderError):
    """An assignment file (or a submission's link to one) cannot be read; the message names
    the place in the file."""
