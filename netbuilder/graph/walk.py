"""Walks over a graph's wires: what a node reaches, and the order layers run in.

One place for both, so the editor's loop check, the wire-drag highlighting, the analysis,
the summary table and the generated ``forward`` agree on what "after" and "first" mean.
Works on node ids and ``Edge``-like objects (anything with ``source`` and ``target``).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from typing import Any


def reachable(edges: Iterable[Any], start: str, *, forward: bool = True) -> set[str]:
    """``start`` and every node its output reaches (``forward``), or that reaches it."""
    adj: dict[str, list[str]] = defaultdict(list)
    for e in edges:
        if forward:
            adj[e.source].append(e.target)
        else:
            adj[e.target].append(e.source)
    seen, todo = {start}, [start]
    while todo:
        for nxt in adj[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def topological_order(nodes: Iterable[str], edges: Iterable[Any]) -> list[str] | None:
    """Every node after all that feed it; among nodes ready at once, the one earliest in
    ``nodes`` (the file's order) goes first. None when the wires make a loop."""
    ids = list(nodes)
    position = {nid: i for i, nid in enumerate(ids)}
    waiting = dict.fromkeys(ids, 0)
    after: dict[str, list[str]] = defaultdict(list)
    for e in edges:
        waiting[e.target] += 1
        after[e.source].append(e.target)
    ready = [(position[n], n) for n, k in waiting.items() if k == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, nid = heapq.heappop(ready)
        order.append(nid)
        for t in after[nid]:
            waiting[t] -= 1
            if waiting[t] == 0:
                heapq.heappush(ready, (position[t], t))
    return order if len(order) == len(ids) else None
