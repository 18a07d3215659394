"""Colours, pens and fonts of the editor, in one place, for light, dark and presentation modes.

Category colours follow docs/UI-GUIDE (one hue per family). ``Theme`` is the module-level
object every view reads its sizes from; ``Theme.set_presentation(True)`` makes fonts bigger
and lines thicker for a lecture hall and tells the views through ``Theme.changed``.
Canvas sizes are in scene pixels (zoom scales them); widget fonts are in points.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetricsF, QPalette, QPen

# (light variant, dark variant). Light variants are dark enough for white header text;
# dark variants are light enough for near-black header text.
CATEGORY_COLORS: dict[str, tuple[str, str]] = {
    "Input/Output": ("#475569", "#94a3b8"),    # slate
    "Linear": ("#1d4ed8", "#60a5fa"),          # blue
    "Convolution": ("#4338ca", "#a5b4fc"),     # indigo
    "Pooling": ("#0f766e", "#2dd4bf"),         # teal
    "Normalisation": ("#b45309", "#fbbf24"),   # amber
    "Activation": ("#be185d", "#f9a8d4"),      # rose
    "Regularisation": ("#57534e", "#a8a29e"),  # grey
    "Recurrent": ("#6d28d9", "#c4b5fd"),       # violet
    "Attention": ("#a21caf", "#f0abfc"),       # purple
    "Merge": ("#15803d", "#86efac"),           # green
    "Reshape": ("#7c4a1e", "#d6a77a"),         # brown
    "Blocks": ("#a16207", "#fde047"),          # gold
}
_FALLBACK = ("#52525b", "#a1a1aa")

# Status colours: (light, dark). Status is never told by colour alone: see canvas/node_item.
ERROR = ("#dc2626", "#f87171")
WARNING = ("#b45309", "#fbbf24")        # incomplete nodes and warnings
SELECTED = ("#0284c7", "#38bdf8")
BLOCKED = ("#71717a", "#a1a1aa")


def category_color(category: str, dark: bool) -> QColor:
    light_hex, dark_hex = CATEGORY_COLORS.get(category, _FALLBACK)
    return QColor(dark_hex if dark else light_hex)


def header_text_color(background: QColor) -> QColor:
    """Black or white, whichever reads better on ``background``."""
    r, g, b = background.redF(), background.greenF(), background.blueF()
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return QColor("#111827") if luminance > 0.45 else QColor("#ffffff")


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def _pick(pair: tuple[str, str], dark: bool) -> QColor:
    return QColor(pair[1] if dark else pair[0])


def error_color(dark: bool) -> QColor:
    return _pick(ERROR, dark)


def warning_color(dark: bool) -> QColor:
    return _pick(WARNING, dark)


def selected_color(dark: bool) -> QColor:
    return _pick(SELECTED, dark)


def blocked_color(dark: bool) -> QColor:
    return _pick(BLOCKED, dark)


def status_color(status: str, dark: bool) -> QColor:
    """Border colour for an analysis status (ok, error, incomplete, blocked)."""
    if status == "error":
        return error_color(dark)
    if status == "incomplete":
        return warning_color(dark)
    if status == "blocked":
        return blocked_color(dark)
    return QColor("#cbd5e1") if dark else QColor("#94a3b8")


class CanvasColors:
    """Neutral colours of the canvas for one mode."""

    def __init__(self, dark: bool) -> None:
        self.dark = dark
        self.background = QColor("#18181b" if dark else "#f8fafc")
        self.grid = QColor("#232326" if dark else "#e9eef4")
        self.card = QColor("#27272a" if dark else "#ffffff")
        self.text = QColor("#f4f4f5" if dark else "#0f172a")
        self.muted = QColor("#a1a1aa" if dark else "#64748b")
        self.wire = QColor("#a1a1aa" if dark else "#64748b")
        self.label_bg = QColor("#3f3f46" if dark else "#f1f5f9")
        self.port = QColor("#d4d4d8" if dark else "#ffffff")
        self.port_edge = QColor("#a1a1aa" if dark else "#475569")
        self.ok_port = QColor("#22c55e" if dark else "#16a34a")
        self.banner = QColor("#7c2d12" if dark else "#fff7ed")
        self.banner_text = QColor("#fed7aa" if dark else "#9a3412")


_COLORS: dict[bool, CanvasColors] = {}


def canvas_colors(dark: bool) -> CanvasColors:
    """The (shared, read-only) neutral colours for one mode."""
    colors = _COLORS.get(dark)
    if colors is None:
        colors = _COLORS[dark] = CanvasColors(dark)
    return colors


class ThemeState(QObject):
    """Sizes that depend on presentation mode. Use the module-level instance ``Theme``."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.presentation = False
        self.dark: bool | None = None   # None: follow each widget's palette
        self._fonts: dict[str, QFont] = {}
        self._metrics: dict[str, QFontMetricsF] = {}

    def set_presentation(self, on: bool) -> None:
        on = bool(on)
        if on != self.presentation:
            self.presentation = on
            self._fonts.clear()
            self._metrics.clear()
            self.changed.emit()

    def set_dark(self, dark: bool | None) -> None:
        """Told by the window which scheme is active (views also follow palette changes)."""
        if dark != self.dark:
            self.dark = dark
            self.changed.emit()

    def dark_for(self, palette: QPalette) -> bool:
        return self.dark if self.dark is not None else is_dark(palette)

    # -- scale ---------------------------------------------------------------------------
    @property
    def text_scale(self) -> float:
        """Canvas text grows in presentation mode; the view also zooms in (see the canvas)."""
        return 1.08 if self.presentation else 1.0

    def px(self, value: float) -> int:
        """A canvas geometry size in pixels. Cards keep their size in every mode, so a saved
        layout keeps its spacing (and wire labels their room) when presenting."""
        return round(value)

    def line(self, width: float) -> float:
        """Line widths grow faster than text in presentation mode (projectors wash them out)."""
        return width * (1.6 if self.presentation else 1.0)

    # -- canvas fonts (pixel sizes: they zoom with the scene) ----------------------------
    # Fonts are cached (painting asks for them thousands of times): do not modify them.
    _ROLES = {  # role: (pixel size, bold, mono, italic)
        "title": (15, True, False, False),
        "body": (13, False, False, False),
        "small": (12, False, False, False),
        "italic": (12, False, False, True),
        "shape": (13, True, True, False),    # output shapes on cards: digits line up
        "wire": (12, True, True, False),
    }

    # On a projector (presentation), the least size text may have on screen, in pixels:
    # what a card says (its settings line, its output shape) and the smaller labels (ids,
    # parameter counts, the shapes on wires). The canvas never zooms out below that.
    MIN_SCREEN_PX = {"body": 14, "shape": 14, "title": 14, "small": 12, "italic": 12,
                     "wire": 12}

    def readable_zoom(self) -> float:
        """The least zoom at which every canvas text is at least its MIN_SCREEN_PX on screen."""
        return max(px / self.font(role).pixelSize() for role, px in self.MIN_SCREEN_PX.items())

    def font(self, role: str) -> QFont:
        f = self._fonts.get(role)
        if f is None:
            size, bold, mono, italic = self._ROLES[role]
            f = QFont("DejaVu Sans Mono" if mono else "DejaVu Sans")
            if mono:
                f.setStyleHint(QFont.StyleHint.Monospace)
            f.setPixelSize(round(size * self.text_scale))
            f.setBold(bold)
            f.setItalic(italic)
            self._fonts[role] = f
        return f

    def metrics(self, role: str) -> QFontMetricsF:
        m = self._metrics.get(role)
        if m is None:
            m = self._metrics[role] = QFontMetricsF(self.font(role))
        return m

    def title_font(self) -> QFont:
        return self.font("title")

    def body_font(self) -> QFont:
        return self.font("body")

    def small_font(self) -> QFont:
        return self.font("small")

    def shape_font(self) -> QFont:
        return self.font("shape")

    def wire_font(self) -> QFont:
        return self.font("wire")

    # -- widget fonts (points) -------------------------------------------------------------
    def widget_point_size(self, base: float = 10.0) -> float:
        return base * (1.35 if self.presentation else 1.0)

    def mono_font(self, base: float = 9.5) -> QFont:
        f = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        f.setPointSizeF(self.widget_point_size(base))
        return f

    # -- pens --------------------------------------------------------------------------------
    def wire_pen(self, dark: bool, known: bool = True) -> QPen:
        pen = QPen(canvas_colors(dark).wire, self.line(2.0))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        if not known:
            pen.setStyle(Qt.PenStyle.DashLine)
        return pen

    def selected_pen(self, dark: bool) -> QPen:
        return QPen(selected_color(dark), self.line(3.5))

    def status_pen(self, status: str, dark: bool) -> QPen:
        width = {"error": 3.0, "incomplete": 2.5, "blocked": 2.0}.get(status, 1.2)
        pen = QPen(status_color(status, dark), self.line(width))
        if status == "blocked":
            pen.setStyle(Qt.PenStyle.DashLine)
        return pen


Theme = ThemeState()
THEME = Theme  # the same object, for those who prefer the constant's spelling
