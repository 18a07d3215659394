"""Import foreign models into editable netbuilder projects (issue 14).

A package beside ``codegen/``: it turns a model file (ONNX) or a live ``torch.nn.Module``
(traced with torch.fx) into the document (``graph/``) and verifies the result by compiling
it (``codegen/``) and comparing with the original. One mapping table per source format
(``onnx_ops.OPS``; ``torch_modules`` and ``torch_functions`` for PyTorch), one function per
operator family; ``torch_blocks`` turns the submodule classes of a PyTorch model into
blocks.
"""

from .errors import ModelImportError

__all__ = ["ModelImportError"]
