"""Graph to PyTorch: readable source, a live module built from it, verified ONNX.

``source.generate_source`` writes the code; ``build.build_module`` executes exactly that
code; ``onnx_export.export_onnx`` exports and verifies. Importing this package is light:
torch, onnx and onnxruntime are imported inside the functions that need them.
"""

from .build import build_from_source, build_module
from .errors import CompileError, ExportError, WeightsError
from .onnx_export import ExportReport, export_onnx
from .source import generate_source
from .weights import Weights, load_weights

__all__ = [
    "CompileError", "ExportError", "ExportReport", "Weights", "WeightsError",
    "build_from_source", "build_module", "export_onnx", "generate_source", "load_weights",
]
