"""Listening to the taps of a tap module (see ``codegen.source.render(taps=True)``).

``attach`` walks a tap module built from a plan, gives every module instance (the network
and each use of a block, each copy of a repeated one) a listener that reports
``(path, value)`` for every forward line, and returns which submodule computes which node.
The Prober (looking inside trained weights) and the NodeStats collector (statistics while
training) share it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

NodePath = tuple[str | int, ...]


def attach(module: torch.nn.Module, plan: Any, namespace: dict,
           callback: Callable[[NodePath, Any], None]) -> dict[NodePath, torch.nn.Module]:
    """Install listeners calling ``callback(path, value)``; returns path -> submodule."""
    by_class = {namespace[b.name]: b for b in plan.blocks}
    modules: dict[NodePath, torch.nn.Module] = {}

    def listen(mod: torch.nn.Module, prefix: NodePath, submodules) -> None:
        def listener(node_id: str, value: Any) -> None:
            callback((*prefix, node_id), value)
        object.__setattr__(mod, "_netbuilder_listener", listener)
        for sub in submodules:
            child = getattr(mod, sub.name)
            modules[(*prefix, sub.node_id)] = child
            copies = list(child) if isinstance(child, torch.nn.Sequential) else None
            if copies and all(type(c) in by_class for c in copies):
                for i, c in enumerate(copies):
                    listen(c, (*prefix, sub.node_id, i), by_class[type(c)].submodules)
            elif type(child) in by_class:
                listen(child, (*prefix, sub.node_id), by_class[type(child)].submodules)

    listen(module, (), plan.submodules)
    return modules


def is_block_instance(module: torch.nn.Module, plan: Any, namespace: dict) -> bool:
    """A use of a block (or a Sequential of its copies): its parameters belong to inner nodes."""
    classes = tuple(namespace[b.name] for b in plan.blocks)
    if isinstance(module, torch.nn.Sequential):
        return bool(len(module)) and all(isinstance(c, classes) for c in module)
    return isinstance(module, classes)
