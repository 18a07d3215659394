"""Reading a CSV file of numeric features with a header row and one label column.

Labels that are all numbers with whole values (and at most 100 distinct) make a
classification task; other numbers make a regression task; any text makes classes named by
that text. The ``task`` option overrides the guess.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch

from netbuilder.runtime.datasets.base import Dataset, DatasetInfo
from netbuilder.runtime.datasets.files import read_bytes
from netbuilder.runtime.datasets.options import optional_limit, take_options
from netbuilder.runtime.errors import DatasetError

MAX_GUESSED_CLASSES = 100
DEFAULTS = {"label_column": -1, "task": None, "delimiter": None, "limit": None}


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(
            f"{path.name}: expected UTF-8 text (a CSV file), found a byte that is not UTF-8 "
            f"at position {exc.start}; save the file as UTF-8 CSV"
        ) from None


def _delimiter(path: Path, text: str, forced: Any) -> str:
    if forced is not None:
        if not isinstance(forced, str) or len(forced) != 1:
            raise DatasetError(
                f"{path.name}: option 'delimiter' must be one character, received {forced!r}"
            )
        return forced
    if path.suffix.lower() == ".tsv":
        return "\t"
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _label_index(path: Path, header: list[str], label_column: Any) -> int:
    if isinstance(label_column, str):
        names = [h.strip() for h in header]
        if label_column not in names:
            raise DatasetError(
                f"{path.name}: option label_column='{label_column}' names no column; "
                f"the header has: {', '.join(names)}"
            )
        return names.index(label_column)
    if isinstance(label_column, bool) or not isinstance(label_column, int):
        raise DatasetError(
            f"{path.name}: option 'label_column' must be a column name or index, "
            f"received {label_column!r}"
        )
    if not -len(header) <= label_column < len(header):
        raise DatasetError(
            f"{path.name}: label_column={label_column} is outside the {len(header)} columns"
        )
    return label_column % len(header)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value


def _labels(path: Path, column: str, raw: list[str], task: Any) -> tuple[torch.Tensor, str, tuple[str, ...]]:
    if task not in (None, "classification", "regression"):
        raise DatasetError(
            f"{path.name}: option 'task' must be 'classification' or 'regression', "
            f"received {task!r}"
        )
    numbers = [_number(v) for v in raw]
    numeric = all(v is not None and math.isfinite(v) for v in numbers)
    if task == "regression" or (
        task is None
        and numeric
        and (
            any(not float(v).is_integer() for v in numbers)  # type: ignore[arg-type]
            or len(set(numbers)) > MAX_GUESSED_CLASSES
        )
    ):
        if not numeric:
            bad = next(i for i, v in enumerate(numbers) if v is None or not math.isfinite(v))
            raise DatasetError(
                f"{path.name}: regression needs a finite number in label column '{column}', "
                f"found {raw[bad]!r} on data row {bad + 1}"
            )
        return torch.tensor(numbers, dtype=torch.float32), "regression", ()
    if numeric:
        values = sorted(set(numbers))  # type: ignore[type-var]
        names = tuple(_number_name(v) for v in values)  # type: ignore[arg-type]
        index = {v: i for i, v in enumerate(values)}
        ids = [index[v] for v in numbers]
    else:
        keys = sorted(set(raw))
        names = tuple(keys)
        index = {v: i for i, v in enumerate(keys)}
        ids = [index[v] for v in raw]
    return torch.tensor(ids, dtype=torch.int64), "classification", names


def _number_name(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def load_csv(path: Path, **options: Any) -> Dataset:
    """A Dataset from a CSV file; see the module docstring for how labels are read."""
    opts = take_options(f"CSV file {path.name}", options, DEFAULTS)
    limit = optional_limit(path.name, opts["limit"])
    text = _decode(path, read_bytes(path, "a CSV file with a header row"))
    try:
        rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(path, text, opts["delimiter"])) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise DatasetError(f"{path.name}: not a readable CSV file ({exc})") from None
    if len(rows) < 2:
        raise DatasetError(
            f"{path.name}: expected a header row and at least one data row, "
            f"found {len(rows)} non-empty row(s)"
        )
    header, body = rows[0], rows[1:]
    if len(header) < 2:
        raise DatasetError(
            f"{path.name}: expected at least two columns (features and a label), found "
            f"{len(header)}; if the file uses another separator, pass delimiter=';'"
        )
    if limit is not None:
        body = body[:limit]
    label = _label_index(path, header, opts["label_column"])
    features = np.empty((len(body), len(header) - 1), dtype=np.float32)
    feature_columns = [i for i in range(len(header)) if i != label]
    for r, row in enumerate(body):
        line = r + 2
        if len(row) != len(header):
            raise DatasetError(
                f"{path.name} line {line}: expected {len(header)} values like the header, "
                f"found {len(row)}"
            )
        for f, c in enumerate(feature_columns):
            value = _number(row[c])
            if value is None or not math.isfinite(value):
                raise DatasetError(
                    f"{path.name} line {line}, column '{header[c].strip()}': expected a "
                    f"finite number, found {row[c]!r}; features must be numeric "
                    f"(pick the label with label_column=...)"
                )
            features[r, f] = value
    if not np.isfinite(features).all():
        raise DatasetError(
            f"{path.name}: a feature value is too large for 32-bit floats; rescale the data"
        )
    y, task, class_names = _labels(
        path, header[label].strip(), [row[label].strip() for row in body], opts["task"]
    )
    info = DatasetInfo(
        name=path.stem,
        title=f"{path.name} (CSV)",
        task=task,  # type: ignore[arg-type]
        sample_shape=(features.shape[1],),
        num_classes=len(class_names),
        class_names=class_names,
        description=f"{len(body)} rows from {path.name}; label column '{header[label].strip()}' "
        f"({task}).",
        source=str(path),
    )
    return Dataset(torch.from_numpy(features), y, info)
