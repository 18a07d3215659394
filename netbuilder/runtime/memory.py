"""Will the network fit? An estimate of training memory made before any weight exists.

The graph's analysis counts parameters and infers every output shape without allocating
anything, so the figure comes in milliseconds even for a Linear with 10^12 outputs:

* parameters x 4 bytes x 4: the weights, their gradients and two optimiser moments (Adam;
  SGD with momentum needs one, so this errs on the safe side);
* activations: every node's output for a whole batch, x 4 bytes, x 2 (kept for the backward
  pass, and the gradient flowing back through it).

``plan_training`` refuses a run whose estimate exceeds the memory it would run in (the
machine's available memory, or the GPU's free memory), with both figures in the message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from netbuilder.graph.analysis import Analysis

BYTES = 4                 # float32
PARAM_COPIES = 4          # weights, gradients, two optimiser moments
ACTIVATION_COPIES = 2     # forward values kept for backward, and their gradients


@dataclass(frozen=True)
class MemoryEstimate:
    parameters: int
    activation_values: int      # per sample
    batch_size: int

    @property
    def parameter_bytes(self) -> int:
        return self.parameters * BYTES * PARAM_COPIES

    @property
    def activation_bytes(self) -> int:
        return self.activation_values * self.batch_size * BYTES * ACTIVATION_COPIES

    @property
    def total_bytes(self) -> int:
        return self.parameter_bytes + self.activation_bytes


def estimate(analysis: Analysis, batch_size: int) -> MemoryEstimate:
    values = 0
    for info in analysis.nodes.values():
        if info.output is not None:
            n = 1
            for d in info.output.shape:
                n *= max(int(d), 1)
            values += n
    return MemoryEstimate(analysis.total_params, values, int(batch_size))


def available_bytes(device: str = "cpu") -> tuple[int | None, str]:
    """Memory a run on ``device`` can use, and what it is ('available RAM', 'free GPU memory')."""
    if device.startswith("cuda"):
        try:
            import torch

            if torch.cuda.is_available():
                free, _total = torch.cuda.mem_get_info(torch.device(device))
                return int(free), "free memory on the GPU"
        except (RuntimeError, ValueError, AssertionError):
            pass
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024, "available memory"
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"), "available memory"
    except (ValueError, OSError, AttributeError):
        return None, "available memory"


def human(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1024 or unit == "PB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PB"


def too_big(analysis: Analysis, batch_size: int, device: str = "cpu") -> str | None:
    """The refusal, in words, when training would not fit; None when it fits (or is unknown)."""
    e = estimate(analysis, batch_size)
    have, what = available_bytes(device)
    if have is None or e.total_bytes <= have:
        return None
    return (f"Training this network needs about {human(e.total_bytes)} ({e.parameters:,} "
            f"parameters: {human(e.parameter_bytes)} with their gradients and optimiser "
            f"state; activations for a batch of {batch_size}: {human(e.activation_bytes)}), "
            f"but this machine has {human(have)} of {what}. Make the largest layers smaller "
            "(the Summary tab lists each layer's parameters) or lower the batch size")
