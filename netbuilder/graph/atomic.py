"""The one way netbuilder writes a file: complete, or not at all.

Every file netbuilder writes (projects, recovery copies, checkpoints, generated code, ONNX,
metrics and reports) goes through this module, so at any instant the destination holds
either its previous content or the new one, whole, whatever happens to the process.

How: the bytes go to a temporary file *in the destination's own folder* (never the
system's temp folder), are flushed and ``fsync``-ed, and ``os.replace`` swaps the file in;
then the folder is synced so the rename itself survives a power cut. Where Linux allows it
the temporary file has no name at all (``O_TMPFILE``) until it is complete, so a killed
process leaves nothing behind; elsewhere it is a hidden ``.<name>.<pid>-<random>.tmp``, and
the next write to the same destination removes those whose process is gone.

A failure (full disk, read-only folder, no permission) raises :class:`WriteError`, whose
message names the file, says why in plain words and that the previous file is unchanged.
Pure Python, no third-party imports, so every layer can use it.

API: ``write_bytes(path, data)``, ``write_text(path, text)`` (both with ``durable=False`` to
skip the fsyncs for frequent working copies), ``copy_file(src, path)``,
``staged(path)`` (a context manager giving a path to hand to a writer that needs one, e.g.
the ONNX exporter, published with ``publish(staged_path, path)``), and ``WriteError``.
"""

from __future__ import annotations

import errno
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import NetbuilderError

_TMPFILE_OK: dict[str, bool] = {}    # folder's device -> whether O_TMPFILE + link works


class WriteError(NetbuilderError, OSError):
    """A file could not be written; the previous file (if any) is intact.

    An ``OSError`` too, so code that catches ``OSError`` keeps working; ``path`` is the file
    and ``errno`` the system's error number.
    """

    def __init__(self, message: str, path: Path, error_number: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.filename = str(path)
        self.errno = error_number

    def __str__(self) -> str:
        return self.message


def write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8", *,
               make_folder: bool = True, durable: bool = True) -> Path:
    """Write ``text`` to ``path`` atomically; WriteError says why it could not."""
    return write_bytes(path, text.encode(encoding), make_folder=make_folder, durable=durable)


def write_bytes(path: str | os.PathLike[str], data: bytes, *, make_folder: bool = True,
                durable: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically; WriteError says why it could not.

    The folder is made when missing, unless ``make_folder`` is False (a project saved into a
    folder that does not exist is more likely a typing mistake). ``durable=False`` skips the
    two fsyncs (some 10-30 ms): the swap is still atomic for anything that happens to the
    process, but not guaranteed to survive a power cut; for frequent working copies."""
    path = Path(path)
    try:
        if make_folder:
            path.parent.mkdir(parents=True, exist_ok=True)
        _sweep(path)
        if not _write_unnamed(path, data, durable):
            _write_named(path, data, durable)
        if durable:
            _sync_folder(path.parent)
    except OSError as exc:
        if isinstance(exc, WriteError):
            raise
        raise error_for(path, exc) from None
    return path


def copy_file(source: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """Copy ``source`` to ``path`` atomically (an OSError reading ``source`` is not caught)."""
    return write_bytes(path, Path(source).read_bytes())


@contextmanager
def staged(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A path in a hidden folder beside ``path`` for writers that need a file name.

    The staged file has the destination's own name, so companion files a writer derives
    from it (ONNX external data: ``model.onnx.data``) keep their names; ``publish`` moves
    them into place. The folder is removed on exit, whatever happened.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _sweep(path)
        folder = path.parent / _temp_name(path)
        folder.mkdir()
    except OSError as exc:
        raise error_for(path, exc) from None
    try:
        yield folder / path.name
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def publish(staged_path: Path, path: str | os.PathLike[str]) -> None:
    """Move a staged file and its companions (``<name>.data`` ...) to their destination."""
    path = Path(path)
    try:
        for f in sorted(staged_path.parent.iterdir()):
            if f != staged_path:
                _fsync_file(f)
                os.replace(f, path.parent / f.name)
        _fsync_file(staged_path)
        os.replace(staged_path, path)
        _sync_folder(path.parent)
    except OSError as exc:
        raise error_for(path, exc) from None


def error_for(path: Path, exc: OSError) -> WriteError:
    """A WriteError for ``path`` in the user's words, from the system's error."""
    code = exc.errno
    folder = path.parent
    reasons = {
        errno.ENOSPC: ("the disk is full", "free some space or choose another folder"),
        errno.EFBIG: ("the file is larger than this disk or this process may write",
                      "free some space or choose another folder"),
        errno.EDQUOT: ("your disk quota is used up", "free some space or choose another folder"),
        errno.EACCES: (f"you may not write in the folder {folder}",
                       "choose a folder you can write to"),
        errno.EPERM: (f"you may not write in the folder {folder}",
                      "choose a folder you can write to"),
        errno.EROFS: (f"the folder {folder} is on a read-only disk",
                      "choose a folder you can write to"),
        errno.EISDIR: (f"{path.name} is a folder", "choose a file name"),
        errno.ENOTDIR: (f"part of {folder} is a file, not a folder", "choose another folder"),
        errno.EEXIST: (f"part of {folder} is a file, not a folder", "choose another folder"),
        errno.ENOENT: (f"the folder {folder} does not exist", "choose another folder"),
    }
    reason, advice = reasons.get(code, (exc.strerror or str(exc), "choose another folder"))
    kept = (f"the previous {path.name} is unchanged" if path.is_file()
            else "nothing was written")
    return WriteError(f"{path}: cannot be written: {reason}; {kept}. {advice.capitalize()}",
                      path, code)


# -- the two ways of writing ------------------------------------------------------------------

def _write_unnamed(path: Path, data: bytes, durable: bool = True) -> bool:
    """Write through an unnamed O_TMPFILE; False where the system does not allow it."""
    folder = path.parent
    flag = getattr(os, "O_TMPFILE", None)
    try:
        device = str(folder.stat().st_dev)
    except OSError:
        return False
    if flag is None or _TMPFILE_OK.get(device) is False:
        return False
    try:
        fd = os.open(folder, flag | os.O_WRONLY, 0o666)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            _TMPFILE_OK[device] = False
            return False
        raise
    link = folder / _temp_name(path)
    try:
        _write_all(fd, data)
        if durable:
            os.fsync(fd)
        try:
            os.link(f"/proc/self/fd/{fd}", link, follow_symlinks=True)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
                raise
            _TMPFILE_OK[device] = False   # no /proc, or a sandbox that refuses the link
            return False
        _TMPFILE_OK[device] = True
    finally:
        os.close(fd)
    try:
        os.replace(link, path)
    except BaseException:
        link.unlink(missing_ok=True)
        raise
    return True


def _write_named(path: Path, data: bytes, durable: bool = True) -> None:
    temporary = path.parent / _temp_name(path)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        try:
            _write_all(fd, data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:       # Ctrl+C too: never leave the half-written file behind
        temporary.unlink(missing_ok=True)
        raise


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _temp_name(path: Path) -> str:
    return f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp"


def _sweep(path: Path) -> None:
    """Remove temporary files for ``path`` left by netbuilder processes that were killed."""
    prefix = f".{path.name}."
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        pid_text = name[len(prefix):-4].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":   # Windows: os.kill(pid, 0) would kill it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True
    return True


def _fsync_file(path: Path) -> None:
    if path.is_file():
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return                      # Windows cannot open folders; the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
