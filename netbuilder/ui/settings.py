"""The user's preferences and window state, kept with QSettings (organisation "netbuilder").

Always the INI format, so a test can point every setting at a temporary folder with
``QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tmp)`` and never touch the
user's own settings.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANISATION = "netbuilder"
APPLICATION = "netbuilder"
MAX_RECENT = 10

THEMES = ("system", "light", "dark")


def app_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION,
                     APPLICATION)


class Preferences:
    """Typed access to the few values netbuilder remembers between runs."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.qsettings = settings if settings is not None else app_settings()

    # -- recent files ------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.qsettings.value("files/recent", [], type=list)
        return [str(v) for v in value if v][:MAX_RECENT]

    def add_recent(self, path: str) -> list[str]:
        files = [path] + [p for p in self.recent_files() if p != path]
        return self._set_recent(files[:MAX_RECENT])

    def remove_recent(self, path: str) -> list[str]:
        return self._set_recent([p for p in self.recent_files() if p != path])

    def clear_recent(self) -> None:
        self._set_recent([])

    def _set_recent(self, files: list[str]) -> list[str]:
        self.qsettings.setValue("files/recent", files)
        return files

    # -- assignments -----------------------------------------------------------------------
    def assignment_file(self, fingerprint: str) -> str | None:
        """Where this computer last opened the assignment with ``fingerprint`` (a student's
        work records only the fingerprint: no local path travels in a file handed in)."""
        value = self.qsettings.value(f"classroom/assignment_{fingerprint}", "")
        return str(value) or None

    def remember_assignment(self, fingerprint: str, path: str) -> None:
        self.qsettings.setValue(f"classroom/assignment_{fingerprint}", path)

    # -- look ----------------------------------------------------------------------------
    @property
    def theme(self) -> str:
        value = str(self.qsettings.value("view/theme", "system"))
        return value if value in THEMES else "system"

    @theme.setter
    def theme(self, value: str) -> None:
        self.qsettings.setValue("view/theme", value if value in THEMES else "system")

    @property
    def presentation(self) -> bool:
        return self.qsettings.value("view/presentation", False, type=bool)

    @presentation.setter
    def presentation(self, on: bool) -> None:
        self.qsettings.setValue("view/presentation", bool(on))

    @property
    def summary_batch(self) -> int:
        value = self.qsettings.value("summary/batch_size", 64, type=int)
        return value if 1 <= value <= 1_000_000 else 64

    @summary_batch.setter
    def summary_batch(self, value: int) -> None:
        self.qsettings.setValue("summary/batch_size", int(value))

    # -- window state ---------------------------------------------------------------------
    def window_state(self) -> tuple[bytes | None, bytes | None]:
        geometry = self.qsettings.value("window/geometry")
        state = self.qsettings.value("window/state")
        return geometry, state

    def set_window_state(self, geometry, state) -> None:
        self.qsettings.setValue("window/geometry", geometry)
        self.qsettings.setValue("window/state", state)

    def sync(self) -> None:
        self.qsettings.sync()
