"""The layer catalogue: every ``LayerSpec`` by type name, with categories and legacy aliases.

Type names are stable: they are written into project files. A renamed type keeps its old
name in ``LayerSpec.aliases`` so old files still load (as ryvencore's legacy identifiers).
"""

from __future__ import annotations

from .layers import (
    activations,
    attention,
    conv,
    core,
    maxout,
    merge,
    norm,
    pooling,
    positional,
    sequence,
)
from .layers.padding import SPECS as PADDING_SPECS
from .layers.resample import SPECS as RESAMPLE_SPECS
from .spec import LayerSpec

# Display order of the palette; the colours live in ui/, not here.
CATEGORIES = (
    "Input/Output", "Linear", "Convolution", "Pooling", "Normalisation", "Activation",
    "Regularisation", "Recurrent", "Attention", "Merge", "Reshape",
)

_ALL: tuple[LayerSpec, ...] = (
    *core.SPECS, *activations.SPECS, *conv.SPECS, *pooling.SPECS, *norm.SPECS,
    *sequence.SPECS, *attention.SPECS, *merge.SPECS, *positional.SPECS, *maxout.SPECS,
    *PADDING_SPECS, *RESAMPLE_SPECS,
)

CATALOGUE: dict[str, LayerSpec] = {s.type: s for s in _ALL}
_ALIASES: dict[str, str] = {a: s.type for s in _ALL for a in s.aliases}

assert len(CATALOGUE) == len(_ALL), "duplicate layer type in the catalogue"
assert all(s.category in CATEGORIES for s in _ALL)


def get_spec(type_: str) -> LayerSpec:
    """The spec for a type name (or a legacy alias); KeyError if unknown."""
    return CATALOGUE[_ALIASES.get(type_, type_)]


def canonical_type(type_: str) -> str | None:
    """The current name for ``type_``, or None when it is not a layer netbuilder knows."""
    if type_ in CATALOGUE:
        return type_
    return _ALIASES.get(type_)


def by_category() -> dict[str, list[LayerSpec]]:
    out: dict[str, list[LayerSpec]] = {c: [] for c in CATEGORIES}
    for s in _ALL:
        out[s.category].append(s)
    return out


def suggest(type_: str) -> list[str]:
    """Close type names, for 'unknown layer type' messages."""
    import difflib

    lower = {t.lower(): t for t in CATALOGUE}
    if type_.lower() in lower:
        return [lower[type_.lower()]]
    return difflib.get_close_matches(type_, list(CATALOGUE), n=3, cutoff=0.6)
