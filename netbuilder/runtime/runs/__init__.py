"""Run history: every training run of a project kept, compared and reused.

``store`` owns the database (RunStore), ``recorder`` hooks it into the trainer's events,
``verdict`` reads over- and under-fitting from the curves, ``ensemble`` averages runs.
"""

from netbuilder.runtime.runs.store import (
    STATUSES,
    Run,
    RunStore,
    RunStoreError,
    machine_info,
    runs_folder_for,
)

__all__ = ["STATUSES", "Run", "RunStore", "RunStoreError", "machine_info", "runs_folder_for"]
