"""Application-wide look: Fusion style, a light or dark palette, fonts that read on a projector.

"system" follows ``QStyleHints.colorScheme()`` (and its change signal); "light" and "dark"
force one. Canvas colours (categories, wires) belong to ``ui/theme.py``; this module only
decides the window palette and the base font, and tells ``theme`` which scheme is active.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

BASE_POINT_SIZE = 10          # Qt's offscreen default is 9 pt; 10 pt reads from the back row
PRESENTATION_SCALE = 1.4

_state = {"base_font": None, "dark": False}


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hasattr(hints, "colorScheme") else Qt.ColorScheme.Unknown
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    # Unknown: guess from the platform's window colour.
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def is_dark() -> bool:
    return bool(_state["dark"])


def light_palette() -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#f3f4f6",
        QPalette.ColorRole.WindowText: "#1f2328",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f6f8fa",
        QPalette.ColorRole.ToolTipBase: "#ffffe8",
        QPalette.ColorRole.ToolTipText: "#1f2328",
        QPalette.ColorRole.PlaceholderText: "#6e7781",
        QPalette.ColorRole.Text: "#1f2328",
        QPalette.ColorRole.Button: "#eceef1",
        QPalette.ColorRole.ButtonText: "#1f2328",
        QPalette.ColorRole.BrightText: "#d1242f",
        QPalette.ColorRole.Light: "#ffffff",
        QPalette.ColorRole.Midlight: "#e4e6ea",
        QPalette.ColorRole.Mid: "#b8bec6",
        QPalette.ColorRole.Dark: "#8c959f",
        QPalette.ColorRole.Shadow: "#57606a",
        QPalette.ColorRole.Highlight: "#2f6fde",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#0969da",
        QPalette.ColorRole.LinkVisited: "#8250df",
    }
    _fill(p, roles, disabled_text="#8c959f")
    return p


def dark_palette() -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#23262b",
        QPalette.ColorRole.WindowText: "#e6e8eb",
        QPalette.ColorRole.Base: "#1b1d21",
        QPalette.ColorRole.AlternateBase: "#262a30",
        QPalette.ColorRole.ToolTipBase: "#2f343b",
        QPalette.ColorRole.ToolTipText: "#e6e8eb",
        QPalette.ColorRole.PlaceholderText: "#8b929b",
        QPalette.ColorRole.Text: "#e6e8eb",
        QPalette.ColorRole.Button: "#30343a",
        QPalette.ColorRole.ButtonText: "#e6e8eb",
        QPalette.ColorRole.BrightText: "#ff7b72",
        QPalette.ColorRole.Light: "#4a4f57",
        QPalette.ColorRole.Midlight: "#3b4047",
        QPalette.ColorRole.Mid: "#2c3036",
        QPalette.ColorRole.Dark: "#15171a",
        QPalette.ColorRole.Shadow: "#000000",
        QPalette.ColorRole.Highlight: "#3d7be0",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#6cb6ff",
        QPalette.ColorRole.LinkVisited: "#c297ff",
    }
    _fill(p, roles, disabled_text="#6b7079")
    return p


def _fill(p: QPalette, roles: dict, disabled_text: str) -> None:
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(disabled_text))


def apply_theme(app: QApplication, mode: str = "system") -> bool:
    """Set Fusion with a light or dark palette; returns True when dark."""
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    dark = system_prefers_dark() if mode == "system" else mode == "dark"
    _state["dark"] = dark
    app.setPalette(dark_palette() if dark else light_palette())
    _tell_canvas_theme(dark)
    return dark


def _tell_canvas_theme(dark: bool) -> None:
    """Let ui/theme.py (the canvas colours) know the scheme, whatever its entry point."""
    try:
        from . import theme
    except ImportError:
        return
    for name in ("set_dark", "set_dark_mode"):
        fn = getattr(theme, name, None) or getattr(getattr(theme, "Theme", None), name, None)
        if callable(fn):
            fn(dark)
            return


def apply_base_font(app: QApplication, presentation: bool = False) -> None:
    """A readable base font; bigger in presentation mode."""
    if _state["base_font"] is None:
        font = QFont(app.font())
        if font.pointSizeF() < BASE_POINT_SIZE:
            font.setPointSizeF(BASE_POINT_SIZE)
        _state["base_font"] = font
    font = QFont(_state["base_font"])
    if presentation:
        font.setPointSizeF(round(font.pointSizeF() * PRESENTATION_SCALE))
    app.setFont(font)


def monospace_font(point_size: float | None = None) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    base = QApplication.font().pointSizeF()
    font.setPointSizeF(point_size or max(base, BASE_POINT_SIZE))
    return font
