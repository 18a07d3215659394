"""Checking the ``**options`` a loader receives: unknown names and wrong types fail clearly."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from netbuilder.runtime.errors import DatasetError


def take_options(
    source: str, options: Mapping[str, Any], defaults: Mapping[str, Any]
) -> dict[str, Any]:
    """``defaults`` overlaid with ``options``; an unknown option raises DatasetError."""
    unknown = [key for key in options if key not in defaults]
    if unknown:
        key = unknown[0]
        close = difflib.get_close_matches(key, list(defaults), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        accepted = ", ".join(sorted(defaults)) or "none"
        raise DatasetError(
            f"{source}: unknown option '{key}'. Accepted options: {accepted}.{hint}"
        )
    merged = dict(defaults)
    merged.update(options)
    return merged


def positive_int(source: str, name: str, value: Any, *, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum`` or a DatasetError naming the option."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise DatasetError(
            f"{source}: option '{name}' must be a whole number >= {minimum}, received {value!r}"
        )
    return value


def optional_limit(source: str, value: Any) -> int | None:
    """The ``limit`` option: None (all samples) or a positive count."""
    if value is None:
        return None
    return positive_int(source, "limit", value)


def non_negative_float(source: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise DatasetError(
            f"{source}: option '{name}' must be a number >= 0, received {value!r}"
        )
    return float(value)
