"""The inspector dock: the selected layer's parameters, formula, description and totals.

Modules: ``view`` (Inspector), ``param_fields`` (one editor per parameter kind),
``formula`` (the conv/pool output-size formula laid out term by term), ``description``
(the layer's notes) and ``blocks`` (the section for a block use).
"""

from .view import HINT, Inspector

__all__ = ["HINT", "Inspector"]
