"""Comparing recorded runs: the settings that differ, one-line summaries and a CSV.

Pure functions over :class:`~netbuilder.runtime.runs.store.Run` values (no Qt, no torch), so
the Runs panel and scripts say the same thing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from netbuilder.runtime.runs.store import Run
from netbuilder.runtime.runs.verdict import fit_verdict

KEY_SETTINGS = ("optimizer", "lr", "batch_size", "epochs", "weight_decay")
CURVE_COLUMNS = ("train_loss", "val_loss", "train_acc", "val_acc", "train_mse", "val_mse", "lr")


def show(value: Any) -> str:
    """A setting's value as a person reads it."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={show(v)}" for k, v in sorted(value.items())) or "-"
    return str(value)


def key_settings(run: Run) -> str:
    """``adam, lr 0.001, batch 64, 10 epochs`` (the settings a student changes most)."""
    s = run.settings
    parts = [str(s.get("optimizer", "?"))]
    if "lr" in s:
        parts.append(f"lr {show(s['lr'])}")
    if "batch_size" in s:
        parts.append(f"batch {s['batch_size']}")
    if "epochs" in s:
        parts.append(f"{s['epochs']} epochs")
    if s.get("weight_decay"):
        parts.append(f"wd {show(s['weight_decay'])}")
    return ", ".join(parts)


def best_val(run: Run) -> tuple[float | None, float | None]:
    """(best validation accuracy, lowest validation loss) over the recorded epochs."""
    history = run.history
    accs = [h["val_acc"] for h in history if isinstance(h.get("val_acc"), int | float)]
    losses = [h["val_loss"] for h in history if isinstance(h.get("val_loss"), int | float)]
    if not history:
        m = run.final_metrics
        acc, loss = m.get("val_acc"), m.get("best_val_loss")
        return (acc if isinstance(acc, int | float) else None,
                loss if isinstance(loss, int | float) else None)
    return (max(accs) if accs else None, min(losses) if losses else None)


def differing_settings(runs: Sequence[Run]) -> list[tuple[str, list[Any]]]:
    """The settings whose values are not the same in every run: (name, value per run)."""
    keys = sorted({k for r in runs for k in r.settings})
    out = []
    for key in keys:
        values = [r.settings.get(key) for r in runs]
        if any(v != values[0] for v in values[1:]):
            out.append((key, values))
    return out


def comparison_csv(runs: Sequence[Run]) -> str:
    """One row per run and epoch: the run, the settings that differ, the verdict and the
    epoch's figures (a tidy table for a spreadsheet or pandas)."""
    differ = [k for k, _ in differing_settings(runs)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["run_id", "run", *differ, "verdict", "best_epoch", "epoch", *CURVE_COLUMNS])
    for run in runs:
        verdict = fit_verdict(run.history)
        head = [run.id, run.name, *(show(run.settings.get(k)) for k in differ), verdict.kind,
                verdict.best_epoch if verdict.best_epoch is not None else ""]
        for h in run.history:
            writer.writerow([*head, h.get("epoch"),
                             *("" if h.get(c) is None else h.get(c) for c in CURVE_COLUMNS)])
    return buffer.getvalue()
