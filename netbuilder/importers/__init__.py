"""Import foreign models into editable netbuilder projects (issue 14).

A package beside ``codegen/``: it turns a model file into the document (``graph/``) and
verifies the result by compiling it (``codegen/``) and comparing with the original. One
mapping table per source format (``onnx_ops.OPS``), one function per operator family.
"""

from .errors import ModelImportError

__all__ = ["ModelImportError"]
