"""netbuilder: build neural networks by wiring layers; check, train and export them.

Packages lean one way: ``ui -> runtime -> codegen -> graph``. ``graph`` is pure Python.
"""

__version__ = "0.1.0"
