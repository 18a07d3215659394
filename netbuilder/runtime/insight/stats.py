"""Training statistics per node, collected every so often while a tap module trains.

With ``node_stats_every`` set (off by default for the CLI, on in the window), the trainer
trains the tap variant of the network (the same classes, the same weights from the same
seed, the same values: see ``codegen.source.render``) and this collector listens on chosen
steps only: on the others each tap is one Python call that returns at once. On a chosen
step it keeps, for every node, on the device and without synchronising:

* the output's mean and standard deviation, and the share of *dead* units: units (the
  output's second axis: features or channels) that are exactly zero for every sample of the
  batch (what a ReLU that never fires gives);
* the norm of the gradient of the loss with respect to the output (a tensor hook);
* for nodes with parameters: the weights' norm, their gradient's norm, and the
  update-to-weight ratio ||Δw|| / ||w|| of the optimiser step.

``take`` turns one step's figures into a :class:`~netbuilder.runtime.events.NodeStats`
event with one ``.tolist()``. Collecting never changes what training computes: values
are read (detached), never written.
"""

from __future__ import annotations

import time
from typing import Any

import torch

from netbuilder.runtime.insight.taps import NodePath, attach, is_block_instance

MIN_INTERVAL_S = 0.5       # at most 2 collections a second, whatever the step rate: each costs
                           # a LeNet-5 step several times over (bench_node_stats.py: 9% at 5/s)
FIELDS = ("mean", "std", "dead", "grad_norm", "weight_norm", "weight_grad_norm", "update_ratio")


def path_key(path: NodePath) -> str:
    """``("layer2", 1, "conv1")`` -> ``"layer2/1/conv1"``: a plain key for events."""
    return "/".join(str(p) for p in path)


class NodeStatsCollector:
    def __init__(self, module: torch.nn.Module, plan: Any, namespace: dict, every: int,
                 min_interval_s: float = MIN_INTERVAL_S) -> None:
        self.every = max(1, int(every))
        self.min_interval_s = min_interval_s
        self.active = False
        self._last = -1e9
        self._out: dict[NodePath, list[torch.Tensor]] = {}
        self._grad: dict[NodePath, torch.Tensor] = {}
        self._before: dict[NodePath, list[torch.Tensor]] = {}
        self._order: list[NodePath] = []
        modules = attach(module, plan, namespace, self._heard)
        # Listeners are installed only for the steps that look: on the others a tap finds
        # none and returns at once (two Python calls fewer per node and step; it shows on
        # an MLP that trains 100,000 samples a second)
        self._listeners = [(m, m.__dict__["_netbuilder_listener"]) for m in module.modules()
                           if "_netbuilder_listener" in m.__dict__]
        self._listening = True
        self._listen(False)
        self._params = {path: [p for p in m.parameters() if p.requires_grad]
                        for path, m in modules.items() if not is_block_instance(m, plan, namespace)}
        self._params = {k: v for k, v in self._params.items() if v}

    # -- the trainer's calls, in order, once per step ---------------------------------------
    def begin(self, step: int) -> None:
        """Before the forward pass of (0-based) step ``step``: is it a step to look at?"""
        now = time.monotonic()
        self.active = step % self.every == 0 and now - self._last >= self.min_interval_s
        self._listen(self.active)
        if self.active:
            self._last = now
            self._out, self._grad, self._before, self._order = {}, {}, {}, []

    def _listen(self, on: bool) -> None:
        if on != self._listening:
            for m, listener in self._listeners:
                object.__setattr__(m, "_netbuilder_listener", listener if on else None)
            self._listening = on

    def _heard(self, path: NodePath, value: Any) -> None:
        if not self.active or not isinstance(value, torch.Tensor) or not value.is_floating_point():
            return
        v = value.detach()
        f = v.float()
        units = f.reshape(f.shape[0], f.shape[1], -1) if f.dim() > 2 else f.reshape(f.shape[0], -1, 1)
        alive = (units != 0).any(dim=2).any(dim=0)
        std = f.std() if f.numel() > 1 else torch.zeros((), device=f.device)
        if path not in self._out:
            self._order.append(path)
        self._out[path] = [f.mean(), std, 1.0 - alive.float().mean()]
        if value.requires_grad:
            value.register_hook(lambda g, path=path: self._grad.__setitem__(path, g.detach().float().norm()))

    def before_update(self) -> None:
        """After backward, before the optimiser step: remember the weights of this step."""
        if self.active:
            self._before = {p: [t.detach().clone() for t in ps] for p, ps in self._params.items()}

    def take(self, epoch: int, step: int):
        """After the optimiser step: this step's NodeStats event, or None on other steps."""
        from netbuilder.runtime.events import NodeStats

        if not self.active:
            return None
        self.active = False
        zero = None
        rows: list[tuple[NodePath, list[torch.Tensor]]] = []
        for path in self._order:
            out = self._out[path]
            if zero is None:
                zero = torch.zeros((), device=out[0].device)
            grad = self._grad.get(path)
            params = self._params.get(path)
            if params:
                w = torch.sqrt(sum(p.detach().float().pow(2).sum() for p in params))
                gs = [p.grad for p in params if p.grad is not None]
                g = torch.sqrt(sum(x.float().pow(2).sum() for x in gs)) if gs else zero
                before = self._before.get(path, [])
                d = torch.sqrt(sum((p.detach().float() - b.float()).pow(2).sum()
                                   for p, b in zip(params, before, strict=True))) if before else zero
                extra = [w, g, d / w.clamp_min(1e-12)]
            else:
                extra = [zero - 1, zero - 1, zero - 1]          # -1: no parameters
            rows.append((path, [*out, grad if grad is not None else zero - 1, *extra]))
        if not rows:
            return None
        values = torch.stack([torch.stack([t.to(rows[0][1][0].device) for t in r]) for _, r in rows]).tolist()
        nodes = {}
        for (path, _), row in zip(rows, values, strict=True):
            stat = dict(zip(FIELDS, row, strict=True))
            for k in ("grad_norm", "weight_norm", "weight_grad_norm", "update_ratio"):
                if stat[k] < 0:
                    stat[k] = None
            nodes[path_key(path)] = stat
        self._out, self._grad, self._before = {}, {}, {}
        return NodeStats(epoch=epoch, step=step, nodes=nodes)
