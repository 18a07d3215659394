"""Crash recovery: a copy of unsaved work on disk, found and offered again at the next start.

Each window writes ``autosave-<id>.json`` (atomically) while it has unsaved changes and holds
``autosave-<id>.lock`` (a QLockFile) while it lives. A later start treats a recovery file as
orphaned when it can take its lock: the owner is gone (a crashed process leaves a stale lock
that Qt recognises by its dead process id), so another running netbuilder never steals a
live window's file. Files sit in ``$NETBUILDER_RECOVERY_DIR`` or, by default, in
``QStandardPaths.AppDataLocation``/recovery.

Training runs keep their checkpoints in ``autosave-<id>.runs/`` beside it; while a run has
finished an epoch the recovery file names that run's ``last.pt`` (and is kept even when the
project itself is saved), so after a crash the next start offers the project *and* the
run's weights and curves. A normal close removes both.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QLockFile, QStandardPaths

from ..graph import atomic, jsonfile

FORMAT = "netbuilder-recovery"
ENV_DIR = "NETBUILDER_RECOVERY_DIR"


def default_recovery_dir() -> Path:
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".netbuilder") / "recovery"


@dataclass
class RecoveredWork:
    """Unsaved work left behind by a window that did not close normally."""

    file: Path
    original_path: Path | None     # the project file it belonged to, None if never saved
    name: str
    saved_at: datetime
    project_text: str
    _lock: QLockFile
    modified: bool = True               # the project had unsaved changes
    run_checkpoint: Path | None = None  # the training run's last whole epoch, if any
    run_epoch: int = 0

    def describe(self) -> str:
        where = str(self.original_path) if self.original_path else "never saved"
        text = (f"{self.name} ({where}), last autosaved {self.saved_at:%Y-%m-%d %H:%M:%S}"
                if self.modified else f"{self.name} ({where}, no unsaved changes)")
        if self.run_checkpoint is not None:
            text += (f", and its training run: the weights and curves of epoch "
                     f"{self.run_epoch}, the last whole epoch trained")
        return text


class RecoveryStore:
    """One window's recovery file, plus the search for orphans left by others."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory else default_recovery_dir()
        self._id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.file = self.directory / f"autosave-{self._id}.json"
        self.runs_folder = self.directory / f"autosave-{self._id}.runs"
        self._lock: QLockFile | None = None

    def _ensure_lock(self) -> None:
        if self._lock is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._lock = QLockFile(str(self.file.with_suffix(".lock")))
            self._lock.setStaleLockTime(0)
            self._lock.tryLock(0)

    def save(self, project_text: str, original_path: Path | None, name: str, *,
             modified: bool = True, run_checkpoint: Path | None = None,
             run_epoch: int = 0) -> None:
        """Write the unsaved work (atomically: a crash mid-write keeps the previous copy)."""
        self._ensure_lock()
        data = {
            "format": FORMAT,
            "version": 1,
            "original_path": str(original_path) if original_path else None,
            "name": name,
            "saved_at": datetime.now().isoformat(timespec="seconds"),
            "project": project_text,
            "modified": bool(modified),
            "run_checkpoint": str(run_checkpoint) if run_checkpoint else None,
            "run_epoch": int(run_epoch),
        }
        atomic.write_text(self.file, json.dumps(data))

    def discard(self) -> None:
        """The work is saved (or deliberately thrown away): no recovery copy is needed."""
        self.file.unlink(missing_ok=True)

    def prepare_runs_folder(self) -> Path:
        """The folder this window's training runs write their checkpoints into (locked)."""
        self._ensure_lock()
        self.runs_folder.mkdir(parents=True, exist_ok=True)
        return self.runs_folder

    def close(self) -> None:
        self.discard()
        shutil.rmtree(self.runs_folder, ignore_errors=True)
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def abandon(self) -> None:
        """The window went away without closing normally: leave the file for the next start."""
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def orphans(self) -> list[RecoveredWork]:
        """Recovery files whose window is gone, newest first; each stays locked until released."""
        if not self.directory.is_dir():
            return []
        found = []
        for runs in sorted(self.directory.glob("autosave-*.runs")):
            if runs != self.runs_folder and not runs.with_suffix(".json").exists():
                lock = QLockFile(str(runs.with_suffix(".lock")))   # a crash before any epoch
                lock.setStaleLockTime(0)
                if lock.tryLock(0):
                    shutil.rmtree(runs, ignore_errors=True)
                    lock.unlock()
        for f in sorted(self.directory.glob("autosave-*.json")):
            if f == self.file:
                continue
            lock = QLockFile(str(f.with_suffix(".lock")))
            lock.setStaleLockTime(0)
            if not lock.tryLock(0):
                continue                      # a live window owns it
            work = _read(f, lock)
            if work is None:
                lock.unlock()
                continue
            found.append(work)
        found.sort(key=lambda w: w.saved_at, reverse=True)
        return found

    @staticmethod
    def release(work: RecoveredWork, delete: bool) -> None:
        if delete:
            work.file.unlink(missing_ok=True)
            shutil.rmtree(work.file.with_suffix(".runs"), ignore_errors=True)
        work._lock.unlock()


def _read(f: Path, lock: QLockFile) -> RecoveredWork | None:
    try:
        data = jsonfile.loads(f.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or not isinstance(data.get("project"), str):
            raise ValueError("not a recovery file")
        saved = datetime.fromisoformat(data.get("saved_at") or "1970-01-01T00:00:00")
        original = data.get("original_path")
        run = data.get("run_checkpoint")
        run_path = Path(run) if isinstance(run, str) and Path(run).is_file() else None
        return RecoveredWork(f, Path(original) if original else None,
                             str(data.get("name") or "Untitled"), saved, data["project"], lock,
                             modified=data.get("modified", True) is not False,
                             run_checkpoint=run_path,
                             run_epoch=int(data.get("run_epoch") or 0) if run_path else 0)
    except (OSError, ValueError, TypeError, AttributeError):
        # Unreadable: set it aside so it is not offered at every start, but never delete it.
        try:
            f.replace(f.with_suffix(".unreadable"))
        except OSError:
            pass
        return None
