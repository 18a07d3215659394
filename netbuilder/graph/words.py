"""Words for counts, in one place: "1 layer", "3 layers", "1 epoch", "2 problems".

Every message, label and tooltip that counts something uses these, so none says
"1 layers" or "Delete 1 layers and 1 wires". Pure Python, usable from every package.
"""

from __future__ import annotations


def noun(n: int, word: str, many: str | None = None) -> str:
    """``word`` as it goes with ``n``: the word itself for one, else ``many`` or word + s."""
    return word if n == 1 else (many or f"{word}s")


def plural(n: int, word: str, many: str | None = None) -> str:
    """The count and its word: ``plural(1, "layer")`` is "1 layer", ``plural(3, "layer")``
    "3 layers", ``plural(2, "index", "indices")`` "2 indices"."""
    return f"{n} {noun(n, word, many)}"
