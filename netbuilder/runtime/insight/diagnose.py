"""What per-node statistics reveal, in plain language, pinned to the node.

``diagnose(stats, order)`` reads one NodeStats event (``nodes``: path -> figures) with the
nodes in forward order and returns the problems a student should hear about: a gradient
that vanishes (or explodes) on its way back to the input, units after an activation that
never fire, and the first node whose output is not finite. Thresholds are deliberately
generous: a warning must mean something.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

VANISH_RATIO = 1e-3        # first / last layer gradient norm below this: vanishing
EXPLODE_RATIO = 1e3        # above this: exploding
DEAD_SHARE = 0.5           # more than half the units zero for the whole batch


@dataclass(frozen=True)
class Finding:
    node: str                  # the path key of the node it is about
    kind: str                  # "vanishing", "exploding", "dead", "not_finite"
    message: str


def _finite(v: float | None) -> bool:
    return v is not None and math.isfinite(v)


def _power(ratio: float) -> str:
    return f"10^{round(math.log10(ratio))}" if ratio > 0 else "0"


def diagnose(nodes: Mapping[str, Mapping[str, float | None]], order: Sequence[str],
             types: Mapping[str, str]) -> list[Finding]:
    """Findings for one step's statistics; ``types`` maps a path key to its layer type."""
    found: list[Finding] = []
    for key in order:
        s = nodes.get(key)
        if s and not all(_finite(s.get(f)) for f in ("mean", "std")):
            found.append(Finding(key, "not_finite",
                                 f"{key} is the first layer whose output is NaN or infinite: "
                                 "lower the learning rate, or add normalisation before it"))
            break
    weighted = [k for k in order if k in nodes and _finite(nodes[k].get("weight_norm"))
                and _finite(nodes[k].get("grad_norm")) and (nodes[k]["grad_norm"] or 0) > 0]
    if len(weighted) >= 2:
        first, last = weighted[0], weighted[-1]
        ratio = nodes[first]["grad_norm"] / nodes[last]["grad_norm"]
        if ratio < VANISH_RATIO:
            found.append(Finding(first, "vanishing",
                                 f"gradients at {first} are {_power(ratio)} of those at {last}: "
                                 "the signal vanishes on the way back; try ReLU, BatchNorm or "
                                 "a skip connection"))
        elif ratio > EXPLODE_RATIO:
            found.append(Finding(first, "exploding",
                                 f"gradients at {first} are {_power(ratio)} times those at "
                                 f"{last}: they explode on the way back; lower the learning "
                                 "rate, clip gradients or add normalisation"))
    for key in order:
        s = nodes.get(key)
        if not s or types.get(key) not in ("ReLU", "ReLU6"):
            continue
        dead = s.get("dead")
        if _finite(dead) and dead > DEAD_SHARE:
            found.append(Finding(key, "dead",
                                 f"{round(100 * dead)}% of the units after {key} never fire: "
                                 "lower the learning rate or use LeakyReLU"))
    return found
