"""netbuilder: build neural networks by wiring layers; check, train and export them.

Packages lean one way: ``ui -> runtime -> codegen -> graph``. ``graph`` is pure Python.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    """``netbuilder.from_torch``: imported on first use, so ``import netbuilder`` stays light
    (no torch)."""
    if name == "from_torch":
        from .importers.torch_import import from_torch

        return from_torch
    raise AttributeError(f"module 'netbuilder' has no attribute {name!r}")


__all__ = ["__version__", "from_torch"]
