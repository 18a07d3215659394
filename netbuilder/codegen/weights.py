"""Trained weights from a checkpoint, checked against the network before they are used.

A checkpoint is what ``torch.save`` wrote: netbuilder's training checkpoints are a dict with
at least ``"model"`` (a state_dict) and ``"fingerprint"`` (of the graph trained); a bare
state_dict is accepted too. Files are read with ``torch.load(weights_only=True)``, so a
checkpoint can hold tensors and plain values only, never code.
"""

from __future__ import annotations

import os
import pickle
import struct
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import WeightsError, first_line

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class Weights:
    """A state_dict and, when the checkpoint recorded it, the fingerprint of its graph."""

    state_dict: dict[str, torch.Tensor]
    fingerprint: str | None = None
    source: str = "the weights"


def load_weights(path: str | os.PathLike[str]) -> Weights:
    """Read a checkpoint file; WeightsError if it is missing, unsafe or holds no weights."""
    import torch

    p = Path(path)
    if not p.exists():
        raise WeightsError(f"{p}: no such checkpoint file")
    if p.is_dir():
        raise WeightsError(f"{p}: is a folder; give the checkpoint file saved by training")
    try:
        data = torch.load(p, map_location="cpu", weights_only=True)
    except LOAD_ERRORS as exc:
        raise WeightsError(f"{p}: {why_unreadable(exc)}") from None
    return weights_from(data, str(p))


# What ``torch.load(weights_only=True)`` raises on a damaged, foreign or hostile file (a
# file cut short inside torch's legacy pickle reader raises struct.error): each becomes a
# one-line refusal, never a traceback.
LOAD_ERRORS = (pickle.UnpicklingError, RuntimeError, EOFError, OSError, zipfile.BadZipFile,
               ValueError, AttributeError, TypeError, IndexError, KeyError, struct.error)

UNSAFE = ("this file contains code, not only tensors; netbuilder will not run it. Use a "
          "checkpoint saved by netbuilder training, or a state_dict saved with torch.save")


def why_unreadable(exc: BaseException) -> str:
    """Why ``torch.load(weights_only=True)`` refused a file, in netbuilder's words.

    torch's own message for a file holding objects advises loading it with safety turned
    off, the one thing a user must not do with a file of unknown origin: never passed on.
    """
    text = str(exc)
    if isinstance(exc, pickle.UnpicklingError) and ("Weights only load failed" in text
                                                     or "weights_only" in text):
        return UNSAFE
    return ("not a readable checkpoint (a torch.save file of tensors): "
            + first_line(exc, 200).split("weights_only")[0].rstrip(" ,;(").strip())


def weights_from(data: Any, source: str = "the weights") -> Weights:
    """A ``Weights`` from a checkpoint dict (with ``"model"``) or a bare state_dict."""
    import torch

    fingerprint = None
    if isinstance(data, Mapping) and "model" in data:
        fp = data.get("fingerprint")
        fingerprint = fp if isinstance(fp, str) else None
        data = data["model"]
    if not isinstance(data, Mapping):
        raise WeightsError(f"{source}: holds no weights; expected a checkpoint saved by "
                           "netbuilder training (a dict with 'model') or a state_dict")
    bad = [k for k, v in data.items() if not isinstance(k, str) or not isinstance(v, torch.Tensor)]
    if bad:
        raise WeightsError(f"{source}: is not a state_dict (entry {bad[0]!r} is not a named "
                           "tensor); expected a checkpoint saved by netbuilder training")
    return Weights(dict(data), fingerprint, source)


def check_fit(model: torch.nn.Module, weights: Weights) -> None:
    """WeightsError naming the missing, unexpected and mis-shaped entries, if any."""
    own = model.state_dict()
    given = weights.state_dict
    missing = [k for k in own if k not in given]
    unexpected = [k for k in given if k not in own]
    shapes = [f"{k} is {_shape(given[k])} in the checkpoint but {_shape(own[k])} here"
              for k in own if k in given and tuple(given[k].shape) != tuple(own[k].shape)]
    if not (missing or unexpected or shapes):
        return
    parts = []
    if missing:
        parts.append("missing " + _few(missing))
    if unexpected:
        parts.append("unexpected " + _few(unexpected))
    if shapes:
        parts.append(_few(shapes, quote=False))
    raise WeightsError(f"{weights.source}: the checkpoint was trained for a different network: "
                       + "; ".join(parts) + ". Export the project it was trained with, or "
                       "train this one")


def apply_weights(model: torch.nn.Module, weights: Weights | Mapping[str, Any]) -> None:
    """Load ``weights`` into ``model`` after ``check_fit``."""
    import torch

    w = weights if isinstance(weights, Weights) else weights_from(weights)
    check_fit(model, w)
    with torch.no_grad():
        model.load_state_dict(w.state_dict, strict=True)


def _shape(t: Any) -> str:
    return "x".join(str(d) for d in t.shape) or "scalar"


def _few(items: list[str], n: int = 4, quote: bool = True) -> str:
    shown = [f"'{i}'" if quote else i for i in items[:n]]
    more = f" and {len(items) - n} more" if len(items) > n else ""
    return ", ".join(shown) + more
