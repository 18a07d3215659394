"""The run history of a project: every training run kept in one SQLite file beside it.

Where: a project ``P.json`` keeps its runs in the folder ``P.runs/`` beside it:
``P.runs/runs.sqlite`` (the database) and ``P.runs/run-<id>/best.pt`` (each run's best
checkpoint, runtime/checkpoint.py's format, written through graph/atomic.py).

Why SQLite (standard library ``sqlite3``): each write is one transaction, so a process
killed mid-run loses nothing already recorded, and the database is never half-written; WAL
mode (``synchronous=NORMAL``: a commit survives the process being killed; a power cut may
lose the last few, never the file) with a busy timeout lets two windows (or a window and ``netbuilder train``) record into
the same project at once without corrupting it. Nothing read back is executed: rows hold
numbers, text and JSON.

API (stable; other modules and branches build on it)::

    store = RunStore(project_path)           # creates P.runs/ on the first write
    run_id = store.begin(settings, graph_json, fingerprint, machine, name=None)  # -> int
    store.record_epoch(run_id, epoch, metrics)          # one row per finished epoch
    store.set_machine(run_id, machine)                  # once the device is known
    store.finish(run_id, final_metrics, best_checkpoint_path, status)  # "finished", ...
    store.runs() -> list[Run]        # newest first, without per-epoch history
    store.run(run_id) -> Run         # with ``history`` (list of per-epoch metric dicts)
    store.rename(run_id, name); store.delete(run_id)
    store.run_folder(run_id) -> Path  # where a run's files go (checkpoint_dir for training)

To record a training run, give its plan a recorder before running it (runs/recorder.py):
``plan.recorder = RunRecorder(store, project_to_dict(project), name="lr 0.01")``; then
``plan.run()`` records it (``recorder.run_id`` is its id, ``recorder.problem`` says why not).

``settings``, ``graph_json`` (the project as a dict: ``project_to_dict``), ``machine`` and
metrics are plain JSON values. ``status`` is one of STATUSES; a run still marked "running"
whose process is gone reads back as "interrupted". Errors are :class:`RunStoreError`, with
a message that names the file and says what to do.
"""

from __future__ import annotations

import json
import math
import os
import platform
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netbuilder.graph import atomic
from netbuilder.runtime.errors import NetbuilderRuntimeError

SCHEMA_VERSION = 1
STATUSES = ("running", "finished", "stopped", "failed", "interrupted")
BUSY_TIMEOUT_S = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    created REAL NOT NULL,
    ended REAL,
    status TEXT NOT NULL,
    settings TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    graph TEXT NOT NULL,
    machine TEXT NOT NULL,
    final_metrics TEXT,
    best_checkpoint TEXT,
    duration_s REAL,
    message TEXT NOT NULL DEFAULT '',
    host TEXT NOT NULL,
    pid INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS epochs (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    metrics TEXT NOT NULL,
    recorded REAL NOT NULL,
    PRIMARY KEY (run_id, epoch)
);
"""


class RunStoreError(NetbuilderRuntimeError, OSError):
    """The run history cannot be read or written; the message says which file and why."""


@dataclass(frozen=True)
class Run:
    """One training run as recorded (``history`` is empty in ``RunStore.runs()``)."""

    id: int
    name: str
    created: float                  # seconds since the epoch (UTC)
    ended: float | None
    status: str
    settings: dict[str, Any]
    fingerprint: str
    graph: dict[str, Any]           # the project as saved (project_to_dict)
    machine: dict[str, Any]
    final_metrics: dict[str, Any]
    best_checkpoint: Path | None    # absolute, or None when no epoch had a validation loss
    duration_s: float | None
    message: str = ""
    epochs_recorded: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)


def runs_folder_for(project_path: str | os.PathLike[str]) -> Path:
    """``P.json`` -> ``P.runs`` (the folder beside the project that holds its runs)."""
    p = Path(project_path)
    return p.with_name(p.stem + ".runs")


def machine_info(device_name: str = "") -> dict[str, Any]:
    """Where a run ran, in plain values: host, system, Python, torch and the device."""
    from importlib import metadata

    try:
        torch_version = metadata.version("torch")
    except metadata.PackageNotFoundError:
        torch_version = ""
    return {"host": socket.gethostname(), "system": platform.platform(terse=True),
            "python": platform.python_version(), "torch": torch_version,
            "cpus": os.cpu_count() or 0, "device": device_name}


class RunStore:
    """The run history of one project (see the module docstring for the API)."""

    def __init__(self, project_path: str | os.PathLike[str]) -> None:
        self.project_path = Path(project_path)
        self.folder = runs_folder_for(project_path)
        self.path = self.folder / "runs.sqlite"
        self._local = threading.local()      # one open connection per thread

    # -- writing ------------------------------------------------------------------------

    def begin(self, settings: Mapping[str, Any], graph_json: Mapping[str, Any],
              fingerprint: str, machine: Mapping[str, Any] | None = None, *,
              name: str | None = None) -> int:
        """Record a new run as "running"; returns its id."""
        now = time.time()
        with self._write() as db:
            cur = db.execute(
                "INSERT INTO runs (name, created, status, settings, fingerprint, graph, "
                "machine, host, pid) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?)",
                (name or "", now, _dumps(settings), str(fingerprint), _dumps(graph_json),
                 _dumps(machine or machine_info()), socket.gethostname(), os.getpid()))
            run_id = int(cur.lastrowid or 0)
            if not name:
                db.execute("UPDATE runs SET name = ? WHERE id = ?", (f"run {run_id}", run_id))
        return run_id

    def record_epoch(self, run_id: int, epoch: int, metrics: Mapping[str, Any]) -> None:
        """Add (or replace) one finished epoch's metrics."""
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO epochs (run_id, epoch, metrics, recorded) "
                       "VALUES (?, ?, ?, ?)", (int(run_id), int(epoch), _dumps(metrics),
                                               time.time()))

    def set_machine(self, run_id: int, machine: Mapping[str, Any]) -> None:
        """Replace where the run ran (the trainer names the device only once it starts)."""
        with self._write() as db:
            db.execute("UPDATE runs SET machine = ? WHERE id = ?", (_dumps(machine), run_id))

    def finish(self, run_id: int, final_metrics: Mapping[str, Any] | None = None,
               best_checkpoint_path: str | os.PathLike[str] | None = None,
               status: str = "finished", message: str = "") -> None:
        """Close a run. A best checkpoint outside the run's folder is copied into it."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        best: str | None = None
        if best_checkpoint_path is not None and Path(best_checkpoint_path).is_file():
            source = Path(best_checkpoint_path)
            target = self.run_folder(run_id) / "best.pt"
            if source.resolve() != target.resolve():
                try:
                    atomic.copy_file(source, target)
                except OSError as exc:
                    raise RunStoreError(f"{target}: the best checkpoint cannot be kept in "
                                        f"the run history ({exc})") from None
            best = target.relative_to(self.folder).as_posix()
        now = time.time()
        with self._write() as db:
            row = db.execute("SELECT created FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise RunStoreError(f"{self.path}: there is no run {run_id}")
            db.execute("UPDATE runs SET status = ?, ended = ?, final_metrics = ?, "
                       "best_checkpoint = ?, duration_s = ?, message = ? WHERE id = ?",
                       (status, now, _dumps(final_metrics or {}), best, now - row[0],
                        message, run_id))

    def rename(self, run_id: int, name: str) -> None:
        name = " ".join(name.split())
        if not name:
            raise RunStoreError("a run's name cannot be empty; type a name")
        with self._write() as db:
            db.execute("UPDATE runs SET name = ? WHERE id = ?", (name, run_id))

    def delete(self, run_id: int) -> None:
        """Remove a run, its epochs and its folder of files."""
        with self._write() as db:
            db.execute("DELETE FROM epochs WHERE run_id = ?", (run_id,))
            db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        folder = self.run_folder(run_id)
        if folder.is_dir():
            import shutil

            shutil.rmtree(folder, ignore_errors=True)

    def run_folder(self, run_id: int) -> Path:
        """The folder for a run's files (its best checkpoint); not created here."""
        return self.folder / f"run-{int(run_id)}"

    # -- reading ------------------------------------------------------------------------

    def runs(self) -> list[Run]:
        """Every run, newest first (``history`` left empty; ``epochs_recorded`` counted)."""
        if not self.path.is_file():
            return []
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS}, (SELECT COUNT(*) FROM epochs e WHERE e.run_id = runs.id) "
                "FROM runs ORDER BY id DESC").fetchall()
        return [self._run_from(row) for row in rows]

    def run(self, run_id: int) -> Run:
        """One run with its per-epoch history; RunStoreError when there is no such run."""
        if not self.path.is_file():
            raise RunStoreError(f"{self.path}: there is no run history yet")
        with self._read() as db:
            row = db.execute(
                f"SELECT {_COLUMNS}, (SELECT COUNT(*) FROM epochs e WHERE e.run_id = runs.id) "
                "FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise RunStoreError(f"{self.path}: there is no run {run_id} (deleted?)")
            epochs = db.execute("SELECT epoch, metrics FROM epochs WHERE run_id = ? "
                                "ORDER BY epoch", (run_id,)).fetchall()
        history = [{**_loads(m, {}), "epoch": e} for e, m in epochs]
        run = self._run_from(row)
        return Run(**{**run.__dict__, "history": history})

    # -- plumbing -----------------------------------------------------------------------

    def _connect(self, create: bool) -> sqlite3.Connection:
        try:
            if create:
                self.folder.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise RunStoreError(f"{self.path}: the run history cannot be opened ({exc}); "
                                "check that the folder can be written") from None
        try:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                db.close()
                raise RunStoreError(
                    f"{self.path}: this run history was written by a newer netbuilder "
                    f"(version {version}; this one reads {SCHEMA_VERSION}); update netbuilder")
            if version < SCHEMA_VERSION and create:
                # WAL: readers and one writer at once (a file system without shared memory
                # keeps the rollback journal, still safe, only less concurrent)
                db.execute("PRAGMA journal_mode = WAL")
                db.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} "
                                 f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
            # NORMAL in WAL mode: a commit survives the process being killed (what a run
            # must survive) without an fsync each; a power cut may lose the last commits,
            # never the database. FULL cost 4 ms a record here, 40 % of a moons MLP epoch.
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            db.close()
            raise RunStoreError(_unreadable(self.path, exc)) from None
        return db

    def _db(self, create: bool) -> tuple[sqlite3.Connection, bool]:
        """This thread's open connection (opening and closing costs some 10 ms: closing
        checkpoints the WAL), or a new one; True when it is kept open for the next call."""
        local = self._local
        db = getattr(local, "db", None)
        if db is not None and local.pid == os.getpid():
            return db, True
        db = self._connect(create)
        ready = db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        if ready:
            local.db, local.pid = db, os.getpid()
        return db, ready

    def _forget(self, db: sqlite3.Connection, kept: bool) -> None:
        if kept:
            self._local.db = None
        db.close()

    def close(self) -> None:
        """Close this thread's connection (it is also closed when the store is collected)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            self._forget(db, True)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db, kept = self._db(create=True)
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            self._forget(db, kept)
            kept = True                     # closed already
            raise RunStoreError(_unreadable(self.path, exc)) from None
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            if not kept:
                db.close()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        db, kept = self._db(create=False)
        try:
            yield db
        except sqlite3.DatabaseError as exc:
            self._forget(db, kept)
            kept = True
            raise RunStoreError(_unreadable(self.path, exc)) from None
        finally:
            if not kept:
                db.close()

    def _run_from(self, row: tuple) -> Run:
        (rid, name, created, ended, status, settings, fp, graph, machine, final, best,
         duration, message, host, pid, count) = row
        if status == "running" and not _still_running(host, pid):
            status = "interrupted"
        return Run(id=rid, name=name, created=created, ended=ended, status=status,
                   settings=_loads(settings, {}), fingerprint=fp, graph=_loads(graph, {}),
                   machine=_loads(machine, {}), final_metrics=_loads(final, {}),
                   best_checkpoint=(self.folder / best) if best else None,
                   duration_s=duration, message=message or "", epochs_recorded=int(count))


_COLUMNS = ("id, name, created, ended, status, settings, fingerprint, graph, machine, "
            "final_metrics, best_checkpoint, duration_s, message, host, pid")


def _still_running(host: str, pid: int) -> bool:
    if host != socket.gethostname():
        return True                 # another machine's run: we cannot tell
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _clean(value: Any) -> Any:
    """JSON cannot hold NaN or infinity: they become None (a diverged loss reads as 'none')."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _dumps(value: Any) -> str:
    return json.dumps(_clean(value), sort_keys=True, default=str, allow_nan=False)


def _loads(text: str | None, default: Any) -> Any:
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def _unreadable(path: Path, exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return (f"{path}: the run history is damaged ({text}); move the folder "
                f"{path.parent.name} aside to start a new history")
    if "locked" in text or "busy" in text:
        return (f"{path}: the run history is busy in another window or process ({text}); "
                "try again in a moment")
    return f"{path}: the run history cannot be used ({text})"
