"""Reading an ONNX file safely: size limits, external data kept inside the model's folder,
the onnx checker, and an upgrade of old opsets with onnx's own version converter.

Nothing in the file is executed; only its tensors and the graph's structure are read.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ModelImportError

MAX_FILE_BYTES = 2 * 1024**3      # protobuf's own limit
MIN_OPSET = 1   # older files are upgraded by onnx's version converter
TARGET_OPSET = 13                 # old files are converted up to here (Softmax semantics)


def load_model(path: str | os.PathLike[str]):
    """(the checked ``onnx.ModelProto`` with its weights loaded, the file's own opset);
    ModelImportError otherwise."""
    import onnx
    from google.protobuf.message import DecodeError

    p = Path(path)
    if not p.is_file():
        raise ModelImportError(f"{p}: no such ONNX file")
    if p.stat().st_size > MAX_FILE_BYTES:
        raise ModelImportError(f"{p}: larger than 2 GB; expected an ONNX file with its weights "
                               "in external data files")
    try:
        model = onnx.load(str(p), load_external_data=False)
    except (DecodeError, ValueError, RuntimeError, OSError) as exc:
        raise ModelImportError(f"{p.name}: not a readable ONNX model (the protobuf does not "
                               f"parse: {_first(exc)}); is the file complete?") from None
    if not model.graph.node and not model.graph.output:
        raise ModelImportError(f"{p.name}: holds no graph; expected an ONNX model file")
    _check_external_data(model, p)
    try:
        onnx.load_external_data_for_model(model, str(p.parent))
    except (OSError, ValueError) as exc:
        raise ModelImportError(f"{p.name}: its external weight files cannot be read "
                               f"({_first(exc)}); keep them beside the model") from None
    unknown = sorted({f"{n.op_type} '{n.name or n.output[0]}' (domain '{n.domain}')"
                      for n in model.graph.node if n.domain not in ("", "ai.onnx")})
    if unknown:
        raise ModelImportError(f"{p.name}: uses operators from domains netbuilder does not "
                               "know: " + ", ".join(unknown) + ". Only standard ONNX "
                               "operators (domain ai.onnx) can be imported; nothing was written")
    opset = opset_of(model)
    if opset < MIN_OPSET:
        raise ModelImportError(f"{p.name}: opset {opset} is older than {MIN_OPSET}, the oldest "
                               "netbuilder imports; re-export the model with a newer opset")
    try:
        onnx.checker.check_model(model, full_check=False)
    except Exception as exc:  # onnx raises ValidationError and others, untyped
        raise ModelImportError(f"{p.name}: the ONNX checker refuses the model: "
                               f"{_first(exc)}") from None
    if opset < TARGET_OPSET:
        from onnx import version_converter

        try:
            model = version_converter.convert_version(model, TARGET_OPSET)
        except Exception as exc:  # the converter raises untyped errors
            raise ModelImportError(f"{p.name}: cannot upgrade opset {opset} to "
                                   f"{TARGET_OPSET}: {_first(exc)}") from None
    return model, opset


def opset_of(model) -> int:
    return next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 1)


def _check_external_data(model, path: Path) -> None:
    """Refuse external data locations outside the model's folder (``../../etc/passwd``)."""
    from onnx.external_data_helper import _get_all_tensors, uses_external_data

    folder = path.parent.resolve()
    for t in _get_all_tensors(model):
        if not uses_external_data(t):
            continue
        where = {e.key: e.value for e in t.external_data}.get("location", "")
        target = (folder / where).resolve()
        if Path(where).is_absolute() or not target.is_relative_to(folder):
            raise ModelImportError(
                f"{path.name}: tensor '{t.name}' points to external data outside the model's "
                f"folder ({where!r}); refused: external files must sit beside the model")
        if not target.is_file():
            raise ModelImportError(f"{path.name}: tensor '{t.name}' needs the external data "
                                   f"file {where!r}, which is not beside the model")


def _first(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
