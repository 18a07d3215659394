"""Freezing a built module the way its graph says: frozen nodes' parameters get
``requires_grad=False`` (so the trainer hands the optimiser only the trainable ones) and
their BatchNorm layers stay in eval mode whatever ``model.train()`` is called, so their
running statistics are neither used from the batch nor updated (the usual fine-tuning
recipe; torchvision's reference scripts freeze BatchNorm the same way).
"""

from __future__ import annotations

import types
from collections.abc import Mapping

import torch

from netbuilder.graph.model import Graph
from netbuilder.graph.transfer import frozen_nodes


def _stay_in_eval(self: torch.nn.Module, mode: bool = True) -> torch.nn.Module:
    return torch.nn.Module.train(self, False)


def apply_freezing(model: torch.nn.Module, graph: Graph, names: Mapping[str, str]) -> int:
    """Freeze the submodules of ``graph``'s frozen nodes; returns the frozen parameter count.

    ``names`` maps node ids to the module's attribute names (``Plan.names``).
    """
    original = getattr(model, "_orig_mod", model)
    count = 0
    for nid in frozen_nodes(graph):
        sub = getattr(original, names.get(nid, ""), None)
        if not isinstance(sub, torch.nn.Module):
            continue   # a layer without weights (ReLU as a function, Flatten, ...)
        for p in sub.parameters():
            if p.requires_grad:
                p.requires_grad_(False)
                count += p.numel()
        for m in sub.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.train = types.MethodType(_stay_in_eval, m)
                m.eval()
    return count


def parameter_counts(model: torch.nn.Module) -> tuple[int, int]:
    """``(trainable, frozen)`` parameter counts of a module, as torchinfo reports them."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in model.parameters()) - trainable
