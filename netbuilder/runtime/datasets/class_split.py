"""The shipped 28x28 digits split by class, for transfer learning: ``digits28_0to4`` and
``digits28_5to9``.

Train on one half, freeze the convolutions, fine-tune the head on the other: the two halves
share no class, so what carries over is the features, not the answers. Each half labels its
five digits 0..4 (``class_names`` say which digit each label is), so one five-way head
serves both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from netbuilder.runtime.datasets.base import Dataset, DatasetInfo
from netbuilder.runtime.datasets.builtin import DIGITS28, load_digits28
from netbuilder.runtime.datasets.options import take_options


def _half(first: int) -> tuple[DatasetInfo, Callable[..., Dataset]]:
    digits = tuple(range(first, first + 5))
    name = f"digits28_{first}to{first + 4}"
    info = replace(
        DIGITS28, name=name, title=f"digits {first}-{first + 4} (28x28, for fine-tuning)",
        num_classes=5, class_names=tuple(str(d) for d in digits),
        description=f"The 28x28 digits {first} to {first + 4} only, labelled 0..4 in that "
        "order: train on one half, fine-tune on the other (transfer learning).")

    def load(**options: Any) -> Dataset:
        take_options(f"dataset '{name}'", options, {})
        full = load_digits28()
        keep = (full.y >= first) & (full.y < first + 5)
        return Dataset(full.x[keep].contiguous(), full.y[keep] - first, info)

    load.__name__ = f"load_{name}"
    return info, load


CLASS_SPLITS: dict[str, tuple[DatasetInfo, Callable[..., Dataset]]] = {
    "digits28_0to4": _half(0),
    "digits28_5to9": _half(5),
}
