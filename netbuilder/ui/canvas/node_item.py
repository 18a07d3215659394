"""``NodeItem``: one layer drawn as a card, and ``NodeView``, the plain data it shows.

Anatomy (UI-GUIDE): a header strip in the category colour with the type and the label (or
id); one line of key parameters; a footer with the output shape and the parameter count;
input ports on the left (numbered on merge layers), the output port on the right.

States read without colour alone: an error has a thick red border, a warning icon in the
header and the diagnostic written under the card; an incomplete node has an amber border,
a dotted icon and its message; a blocked node is dimmed with a dashed border; a selected
node has a thick halo. The scene hands the item a new ``NodeView`` after each change and the
item repaints only when the view differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ..theme import (
    Theme,
    canvas_colors,
    category_color,
    error_color,
    header_text_color,
    warning_color,
)
from .fix_button import FixButton
from .port_item import IN, OUT, PortItem

CARD_WIDTH = 180.0       # the narrowest card (UI-GUIDE: "about 180 px wide")
CARD_MAX_WIDTH = 226.0   # the widest a card grows for its text (columns are 260 apart)
BODY_LINES = 3           # key parameters wrap onto more lines before anything is cut
STACK_STEP = 4.0     # offset of each card drawn behind a block use


@dataclass(frozen=True)
class NodeView:
    """Everything a card shows, as plain values (compared to skip needless repaints)."""

    node_id: str
    type: str
    category: str
    name: str            # the user's label, or the id
    params_line: str     # spec.describe(...) or, for layers without settings, their help
    params_is_help: bool
    shape: str           # "6x28x28", "?" when unknown
    cost: str            # "156 params"
    status: str          # ok, error, incomplete, blocked
    message: str         # first line of the first problem ("" if none)
    message_kind: str    # "error", "incomplete", "warning" or ""
    inputs: int          # input ports to draw
    numbered: bool       # merge layers number their ports
    connected: frozenset[int]
    tooltip: str
    repeat: int = 0      # a block use: its repeat count (drawn as a stack, "x2" badge); 0 if not
    fixes: int = 0       # fixes netbuilder can make for its problems (a "Fix" button if any)
    frozen: bool = False  # trainable off: an icy hatch over the body, "frozen" in the footer
    locked: bool = False  # an assignment locks it: a padlock in the header


def wrap_lines(text: str, fm: QFontMetricsF, width: float, max_lines: int) -> list[str]:
    """Greedy word wrap; the last allowed line is elided with an ellipsis."""
    words, lines, line = text.split(), [], ""
    for i, word in enumerate(words):
        trial = f"{line} {word}".strip()
        if fm.horizontalAdvance(trial) <= width or not line:
            line = trial
            continue
        lines.append(line)
        line = word
        if len(lines) == max_lines - 1:
            rest = " ".join(words[i:])
            lines.append(fm.elidedText(rest, Qt.TextElideMode.ElideRight, width))
            return lines
    if line:
        lines.append(fm.elidedText(line, Qt.TextElideMode.ElideRight, width))
    return lines


_TITLES: dict[int, tuple[QFont, QFontMetricsF]] = {}


def _smaller_title(width: float, room: float) -> tuple[QFont, QFontMetricsF]:
    """The title font shrunk (down to 11 px) so a text ``width`` wide fits in ``room``."""
    base = Theme.title_font()
    size = max(11, int(base.pixelSize() * room / max(width, 1.0)))
    key = size * 2 + Theme.presentation
    if key not in _TITLES:
        font = QFont(base)
        font.setPixelSize(size)
        _TITLES[key] = (font, QFontMetricsF(font))
    return _TITLES[key]


def wrap_parts(text: str, fm: QFontMetricsF, width: float, max_lines: int) -> list[str]:
    """Wrap ``a, b, c`` between its parts (so ``ch3x3 128`` stays together), falling back
    to words for a part wider than a line; the last allowed line is elided."""
    parts = [p.strip() for p in text.split(",")]
    lines: list[str] = []
    line = ""
    for i, part in enumerate(parts):
        piece = part + ("," if i < len(parts) - 1 else "")
        trial = f"{line} {piece}".strip()
        if fm.horizontalAdvance(trial) <= width or not line:
            line = trial
            continue
        lines.append(line)
        line = piece
    if line:
        lines.append(line)
    if any(fm.horizontalAdvance(x) > width for x in lines):
        return wrap_lines(text, fm, width, max_lines)
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1:])
        lines = lines[:max_lines - 1] + [fm.elidedText(rest, Qt.TextElideMode.ElideRight, width)]
    return lines


def draw_icon(painter: QPainter, kind: str, rect: QRectF, dark: bool) -> None:
    """A warning triangle (error: red, warning: amber) or a dotted ring (incomplete)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    c = rect.center()
    s = min(rect.width(), rect.height())
    if kind in ("error", "warning"):
        color = error_color(dark) if kind == "error" else warning_color(dark)
        tri = QPolygonF([QPointF(c.x(), c.y() - s * 0.48), QPointF(c.x() + s * 0.52, c.y() + s * 0.42),
                         QPointF(c.x() - s * 0.52, c.y() + s * 0.42)])
        painter.setPen(QPen(QColor("#ffffff"), max(1.0, s * 0.08)))
        painter.setBrush(QBrush(color))
        painter.drawPolygon(tri)
        painter.setPen(QPen(QColor("#ffffff"), max(1.2, s * 0.13), Qt.PenStyle.SolidLine,
                            Qt.PenCapStyle.RoundCap))
        painter.drawLine(QPointF(c.x(), c.y() - s * 0.18), QPointF(c.x(), c.y() + s * 0.12))
        painter.drawPoint(QPointF(c.x(), c.y() + s * 0.28))
    else:
        color = warning_color(dark)
        painter.setPen(QPen(QColor("#ffffff"), max(1.0, s * 0.08)))
        painter.setBrush(QBrush(color))
        painter.drawEllipse(c, s * 0.48, s * 0.48)
        painter.setBrush(QBrush(QColor("#ffffff")))
        painter.setPen(Qt.PenStyle.NoPen)
        for dx in (-0.22, 0.0, 0.22):
            painter.drawEllipse(QPointF(c.x() + s * dx, c.y()), s * 0.07, s * 0.07)
    painter.restore()


def draw_lock(painter: QPainter, rect: QRectF, color: QColor) -> None:
    """A padlock (an assignment's locked layer): a shackle over a solid body with a keyhole,
    a shape that reads without colour."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = min(rect.width(), rect.height())
    c = rect.center()
    body = QRectF(c.x() - s * 0.40, c.y() - s * 0.05, s * 0.80, s * 0.52)
    pen = QPen(color, max(1.4, s * 0.13), Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    shackle = QRectF(c.x() - s * 0.25, c.y() - s * 0.46, s * 0.50, s * 0.62)
    painter.drawArc(shackle, 0, 180 * 16)
    painter.drawLine(QPointF(shackle.left(), shackle.center().y()), QPointF(shackle.left(), body.top()))
    painter.drawLine(QPointF(shackle.right(), shackle.center().y()),
                     QPointF(shackle.right(), body.top()))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(color))
    painter.drawRoundedRect(body, s * 0.08, s * 0.08)
    hole = QColor(color)
    hole.setRgb(255 - color.red(), 255 - color.green(), 255 - color.blue())
    painter.setBrush(QBrush(hole))
    painter.drawEllipse(QPointF(c.x(), body.center().y() - s * 0.04), s * 0.07, s * 0.07)
    painter.restore()


class NodeItem(QGraphicsItem):
    """A layer card. Holds its node id and the last NodeView; never the Node itself."""

    def __init__(self, view: NodeView, dark: bool = False) -> None:
        super().__init__()
        self.node_id = view.node_id
        self.view: NodeView = view
        self.dark = dark
        self.inputs: list[PortItem] = []
        self.output = PortItem(view.node_id, OUT, 0, self)
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setZValue(1)
        self.setAcceptHoverEvents(True)
        self.on_moved = None  # set by the scene: callback(node_id) while dragging
        self.analysis_key: tuple = ()  # what the scene last saw in the analysis
        self.fix_button: FixButton | None = None
        self._layout()

    # -- data ----------------------------------------------------------------------------
    def set_view(self, view: NodeView) -> bool:
        """Show ``view``; returns True when the card's ports moved (its size or port layout
        changed: wires must follow)."""
        if view == self.view:
            return False
        old, old_size = self.view, (self._geom[0], self._geom[4])
        self.view = view
        self._layout()
        return (old.inputs, old.status) != (view.inputs, view.status) or \
            bool(old.message) != bool(view.message) or old_size != (self._geom[0], self._geom[4])

    def set_dark(self, dark: bool) -> None:
        self.dark = dark
        self._apply_ports()
        self._place_fix_button()
        self.update()

    def relayout(self) -> None:
        """Sizes changed (presentation mode)."""
        self._layout()

    # -- text and size (measured in _layout; painting asks for it thousands of times) ----
    def _fit_texts(self) -> None:
        """The card's width and the strings drawn at it. A card stays CARD_WIDTH wide when
        its text fits; text that does not fit first takes a second line (the name under
        the type in the header, key parameters wrapped between their parts), then the card
        widens up to CARD_MAX_WIDTH; only beyond that is text cut (with "…", and the
        tooltip then says it all). The footer (output shape and parameter count) is never
        cut: it widens the card past the maximum if it must. Cards grow taller rather
        than wider because saved layouts put columns 260 px apart: a wide card would
        leave its wires no room for their shape labels."""
        v = self.view
        pad, hh1 = Theme.px(9), Theme.px(27)
        tfm, sfm, shfm = Theme.metrics("title"), Theme.metrics("small"), Theme.metrics("shape")
        body_role = "italic" if v.params_is_help else "body"
        bfm = Theme.metrics(body_role)
        icons = (1 if self._icon_kind() else 0) + (1 if v.locked else 0)
        icon = icons * (hh1 * 0.72 + Theme.px(5))
        left = pad + (Theme.px(12) if v.numbered else 0)
        lo, hi = float(Theme.px(CARD_WIDTH)), float(Theme.px(CARD_MAX_WIDTH))
        type_w, name_w = tfm.horizontalAdvance(v.type), sfm.horizontalAdvance(v.name)
        shape_w, cost_w = shfm.horizontalAdvance(v.shape), sfm.horizontalAdvance(v.cost)
        footer_need = left + shape_w + (Theme.px(8) + cost_w if v.cost else 0) + pad + 1

        def body_at(width: float) -> list[str]:
            room = width - left - pad
            if v.params_is_help:   # what the layer does: one line, never widening the card
                return [bfm.elidedText(v.params_line, Qt.TextElideMode.ElideRight, room)]
            if bfm.horizontalAdvance(v.params_line) <= room:
                return [v.params_line]
            return wrap_parts(v.params_line, bfm, room, BODY_LINES)

        def body_whole(lines: list[str]) -> bool:
            return v.params_is_help or " ".join(lines) == " ".join(v.params_line.split())

        title = Theme.title_font()
        if pad + type_w + icon + pad + 1 > hi:   # a long type name: a smaller title font first
            title, tfm = _smaller_title(type_w, hi - 2 * pad - icon - 1)
            type_w = tfm.horizontalAdvance(v.type)
        w = max(lo, min(pad + type_w + icon + pad + 1, hi))       # the type on its own line
        w = max(w, min(pad + name_w + pad + 1, hi))                # the name on its own line
        while w < hi and not body_whole(body_at(w)):
            w = min(w + 4, hi)
        w = float(max(w, footer_need))
        body = body_at(w)
        one_line = pad + type_w + Theme.px(8) + name_w + icon + pad + 1 <= w or not v.name
        right = w - pad - icon
        type_shown = tfm.elidedText(v.type, Qt.TextElideMode.ElideRight, right - pad)
        if one_line:
            name_shown, name_rect = v.name, None
        else:      # the name takes the header's second line, under the type
            name_shown = sfm.elidedText(v.name, Qt.TextElideMode.ElideRight, w - 2 * pad)
            name_rect = QRectF(pad, hh1 - Theme.px(5), w - 2 * pad, sfm.height())
        hh = hh1 if one_line else hh1 + sfm.height() - Theme.px(3)
        self._text = {
            "type": type_shown, "type_w": min(type_w, right - pad), "title": title, "right": right,
            "left": left, "name": name_shown, "name_rect": name_rect, "header_h": hh,
            "body_role": body_role, "body": body, "shape": v.shape, "cost": v.cost, "width": w,
        }
        self._text_key = (v, Theme.presentation)

    def shown_texts(self) -> dict:
        """What the card draws: ``type``, ``name``, ``body`` (its lines), ``shape`` and
        ``cost``, each as drawn (cut with "…" where it had to be)."""
        t = self._texts()
        return {k: t[k] for k in ("type", "name", "body", "shape", "cost")}

    def is_cut(self) -> bool:
        """Whether any text of the card had to be cut (the tooltip then holds it whole)."""
        t, v = self._texts(), self.view
        if v.params_is_help:
            return t["type"] != v.type or t["name"] != v.name
        return t["type"] != v.type or t["name"] != v.name or \
            " ".join(t["body"]) != " ".join(v.params_line.split())

    def tooltip(self) -> str:
        """The card's tooltip: the whole text when some had to be cut, then the help."""
        v = self.view
        if not self.is_cut():
            return v.tooltip
        head = f"{v.type}: {v.name}" + (f"\n{v.params_line}" if not v.params_is_help else "")
        return f"{head}\n{v.tooltip}"

    def _measure(self) -> None:
        self._fit_texts()
        v = self.view
        lines = len(self._text["body"])
        w, hh, fh = self._text["width"], self._text["header_h"], Theme.px(25)
        bh = Theme.px(22) + (lines - 1) * Theme.metrics(self._text["body_role"]).lineSpacing()
        card_h = max(hh + bh + fh, hh + v.inputs * Theme.px(19) + Theme.px(8))
        self._geom = (w, hh, bh, fh, card_h)
        self._card = QRectF(0, 0, w, card_h)
        m = Theme.line(4.0) + 4
        bounds = self._card.adjusted(-m, -m, m, m)
        if v.repeat:      # the stack behind a block card and its badge above it
            bounds.adjust(0, -Theme.px(12), STACK_STEP * 2 + 2, STACK_STEP * 2 + 2)
        if self._message_lines:
            fm = Theme.metrics("small")
            bounds.setBottom(card_h + Theme.px(6) + fm.height() * len(self._message_lines) + 2)
            bounds.setRight(max(bounds.right(), w + Theme.px(40)))
        self._bounds = bounds
        self._shape = QPainterPath()
        self._shape.addRoundedRect(self._card, 8, 8)

    def width(self) -> float:
        return self._geom[0]

    def header_h(self) -> float:
        return self._geom[1]

    def body_h(self) -> float:
        return self._geom[2]

    def footer_h(self) -> float:
        return self._geom[3]

    def card_height(self) -> float:
        return self._geom[4]

    def card_rect(self) -> QRectF:
        return QRectF(self._card)

    def input_pos(self, index: int) -> QPointF:
        """Scene position of input port ``index`` (the last port if it is not drawn)."""
        ports = self.inputs
        if not ports:
            return self.mapToScene(QPointF(0, self._body_mid()))
        return ports[min(index, len(ports) - 1)].scenePos()

    def output_pos(self) -> QPointF:
        return self.output.scenePos()

    def _body_mid(self) -> float:
        h = self.header_h()
        return h + (self.card_height() - h) / 2

    def _layout(self) -> None:
        self.prepareGeometryChange()
        v = self.view
        fm = Theme.metrics("small")
        width = Theme.px(CARD_WIDTH)
        self._message_lines = (wrap_lines(v.message, fm, width + Theme.px(40) - fm.height(), 3)
                               if v.message else [])
        self._measure()
        h = self.header_h()
        card_h = self.card_height()
        while len(self.inputs) > v.inputs:
            port = self.inputs.pop()
            port.setParentItem(None)
            if port.scene() is not None:
                port.scene().removeItem(port)
        while len(self.inputs) < v.inputs:
            self.inputs.append(PortItem(v.node_id, IN, len(self.inputs), self))
        n = len(self.inputs)
        for i, port in enumerate(self.inputs):
            port.setPos(0, h + (card_h - h) * (i + 1) / (n + 1))
        self.output.setPos(self.width(), self._body_mid())
        self._apply_ports()
        self._place_fix_button()
        self.update()

    def _place_fix_button(self) -> None:
        """Under the problem's words: "Fix" when netbuilder knows a fix for it."""
        v = self.view
        if not v.fixes:
            if self.fix_button is not None:
                self.fix_button.setVisible(False)
            return
        if self.fix_button is None:
            self.fix_button = FixButton(v.node_id, self)
        self.fix_button.set_state(v.fixes, v.message_kind or "error", self.dark)
        lh = Theme.metrics("small").height()
        self.fix_button.setPos(0, self.card_height() + Theme.px(8) + lh * len(self._message_lines))
        self.fix_button.setVisible(True)

    def _apply_ports(self) -> None:
        for port in self.inputs:
            port.set_state(port.index in self.view.connected, self.dark)
        self.output.set_state(False, self.dark)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return self._shape

    # -- painting ------------------------------------------------------------------------
    def _texts(self) -> dict:
        """The strings drawn, fitted to the card (measured again only when the view or the
        presentation mode changed)."""
        if getattr(self, "_text_key", None) != (self.view, Theme.presentation):
            self._fit_texts()
        return self._text

    def _icon_kind(self) -> str:
        v = self.view
        if v.status in ("error", "incomplete"):
            return v.status
        return "warning" if v.message_kind == "warning" else ""

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        """The card, in the order it is drawn: stack and selection halo behind it; at a
        zoom too small to read, blocks of colour only; else the card with its header,
        the frozen hatch, key parameters, footer, port numbers, status border, repeat
        badge and the first problem under it."""
        v, dark = self.view, self.dark
        colors = canvas_colors(dark)
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        self._paint_behind(painter, colors, lod)
        if v.status == "blocked":
            painter.setOpacity(0.45)   # dimmed; the selection halo above stays strong
        head = category_color(v.category, dark)
        border = Theme.status_pen(v.status, dark)
        if lod < 0.4:
            self._paint_far(painter, colors, head, border, lod)
            return
        outline = QPainterPath()
        outline.addRoundedRect(self._card, Theme.px(8), Theme.px(8))
        self._paint_card(painter, colors, head, outline)
        t = self._texts()
        self._paint_header(painter, head, t)
        if v.frozen:
            self._paint_frozen(painter, outline)
        self._paint_body_and_footer(painter, colors, t)
        if v.numbered:
            self._paint_port_numbers(painter, colors)
        # Border: its colour, width and dash pattern carry the status.
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(border)
        painter.drawPath(outline)
        if v.repeat > 1:
            self._paint_badge(painter, head)
        if self._message_lines:
            self._paint_message(painter)

    def _paint_behind(self, painter: QPainter, colors, lod: float) -> None:
        """The stack of cards behind a block use, and the selection halo."""
        v, card, radius = self.view, self._card, Theme.px(8)
        if v.repeat:
            if v.status == "blocked":
                painter.setOpacity(0.45)
            self._paint_stack(painter, category_color(v.category, self.dark), colors.card)
            painter.setOpacity(1.0)
        if self.isSelected():
            m = Theme.line(3.0) + 2
            pen = Theme.selected_pen(self.dark)
            pen.setWidthF(max(pen.widthF(), 2.5 / max(lod, 0.01)))
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(card.adjusted(-m, -m, m, m), radius + m, radius + m)

    def _paint_far(self, painter: QPainter, colors, head: QColor, border: QPen,
                   lod: float) -> None:
        """Too small to read: plain blocks of colour, the status border, and the type when
        it can be written big enough to read at this zoom."""
        card, w, hh = self._card, self._card.width(), self.header_h()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(card, colors.card)
        painter.fillRect(QRectF(0, 0, w, hh), head)
        if self.view.status != "ok":
            border.setWidthF(max(border.widthF(), 2.0 / max(lod, 0.01)))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(border)
        painter.drawRect(card)
        if lod >= 0.22:
            font = QFont(Theme.title_font())
            font.setPixelSize(min(30, round(11 / lod)))
            painter.setFont(font)
            painter.setPen(colors.text)
            painter.drawText(card.adjusted(4, hh, -4, 0), Qt.AlignmentFlag.AlignCenter,
                             QFontMetricsF(font).elidedText(self.view.type,
                                                            Qt.TextElideMode.ElideRight, w - 8))

    def _paint_card(self, painter: QPainter, colors, head: QColor, outline: QPainterPath) -> None:
        """The card and its header strip (clipped to the rounded card)."""
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(colors.card))
        painter.drawPath(outline)
        painter.save()
        painter.setClipPath(outline)
        painter.fillRect(QRectF(0, 0, self._card.width(), self.header_h()), head)
        painter.restore()

    def _paint_header(self, painter: QPainter, head: QColor, t: dict) -> None:
        """Type (bold) on the left, label or id on the right, status icon at the end."""
        w, pad = self._card.width(), Theme.px(9)
        fg = header_text_color(head)
        icon_kind = self._icon_kind()
        line_h = Theme.px(27)     # the header's first line: type, and the name if it fits
        size = line_h * 0.72
        x = w - pad - size
        if icon_kind:
            draw_icon(painter, icon_kind, QRectF(x, (line_h - size) / 2, size, size), self.dark)
            x -= size + Theme.px(5)
        if self.view.locked:
            draw_lock(painter, QRectF(x, (line_h - size) / 2, size, size), fg)
        painter.setFont(t["title"])
        painter.setPen(fg)
        painter.drawText(QRectF(pad, 0, t["type_w"] + 2, line_h), Qt.AlignmentFlag.AlignVCenter,
                         t["type"])
        if t["name"]:
            name_color = QColor(fg)
            name_color.setAlphaF(0.85)
            painter.setFont(Theme.small_font())
            painter.setPen(name_color)
            if t["name_rect"] is None:
                painter.drawText(QRectF(pad, 0, t["right"] - pad, line_h),
                                 Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                                 t["name"])
            else:
                painter.drawText(t["name_rect"], Qt.AlignmentFlag.AlignVCenter, t["name"])

    def _paint_frozen(self, painter: QPainter, outline: QPainterPath) -> None:
        """A pattern, not only a colour: a frozen layer reads as frozen in greyscale too."""
        card, hh, dark = self._card, self.header_h(), self.dark
        painter.save()
        painter.setClipPath(outline)
        body_rect = QRectF(0, hh, card.width(), card.height() - hh)
        painter.fillRect(body_rect, QColor(110, 170, 235, 60 if dark else 45))
        painter.fillRect(body_rect, QBrush(QColor(70, 140, 220, 170 if dark else 150),
                                           Qt.BrushStyle.BDiagPattern))
        painter.restore()

    def _paint_body_and_footer(self, painter: QPainter, colors, t: dict) -> None:
        """Key parameters (one line, or two when they do not fit on one), then the footer:
        output shape and parameter count."""
        v, card, pad = self.view, self._card, Theme.px(9)
        w, left = card.width(), t["left"]
        body = QRectF(left, self.header_h(), w - left - pad, self.body_h() + Theme.px(2))
        painter.setPen(colors.muted if v.params_is_help else colors.text)
        painter.setFont(Theme.font(t["body_role"]))
        painter.drawText(body, Qt.AlignmentFlag.AlignVCenter, "\n".join(t["body"]))
        fy = card.height() - self.footer_h()
        sep = QColor(colors.muted)
        sep.setAlphaF(0.35)
        painter.setPen(QPen(sep, 1))
        painter.drawLine(QPointF(left - Theme.px(2), fy), QPointF(w - pad + Theme.px(2), fy))
        foot = QRectF(left, fy, w - left - pad, self.footer_h())
        painter.setFont(Theme.shape_font())
        painter.setPen(colors.text if v.shape != "?" else colors.muted)
        painter.drawText(foot, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, v.shape)
        if t["cost"]:
            painter.setFont(Theme.small_font())
            painter.setPen(colors.muted)
            painter.drawText(foot, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                             t["cost"])

    def _paint_port_numbers(self, painter: QPainter, colors) -> None:
        """Port numbers on merge layers (Concat order matters)."""
        sfm = Theme.metrics("small")
        painter.setFont(Theme.small_font())
        painter.setPen(colors.muted)
        for port in self.inputs:
            y = port.pos().y()
            painter.drawText(QRectF(Theme.px(7), y - sfm.height() / 2, Theme.px(14), sfm.height()),
                             Qt.AlignmentFlag.AlignCenter, str(port.index))

    def _paint_message(self, painter: QPainter) -> None:
        """The first problem, written under the card."""
        v, dark, w = self.view, self.dark, self._card.width()
        color = error_color(dark) if v.message_kind == "error" else warning_color(dark)
        y = self._card.height() + Theme.px(6)
        lh = Theme.metrics("small").height()
        draw_icon(painter, v.message_kind or "warning", QRectF(0, y + 1, lh - 2, lh - 2), dark)
        painter.setFont(Theme.small_font())
        painter.setPen(color)
        for i, line in enumerate(self._message_lines):
            painter.drawText(QRectF(lh + 2, y + i * lh, w + Theme.px(40), lh),
                             Qt.AlignmentFlag.AlignVCenter, line)

    def _paint_stack(self, painter: QPainter, head: QColor, fill: QColor) -> None:
        """A block reads as a stack of cards: one behind it, two when it repeats."""
        layers = 2 if self.view.repeat > 1 else 1
        radius = Theme.px(8)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for i in range(layers, 0, -1):
            r = self._card.translated(STACK_STEP * i, STACK_STEP * i)
            painter.setBrush(QBrush(fill))
            painter.setPen(QPen(head, 1.5))
            painter.drawRoundedRect(r, radius, radius)
        painter.restore()

    def _paint_badge(self, painter: QPainter, head: QColor) -> None:
        """"x2" on a pill over the top-right corner: this block runs that many times."""
        text = f"×{self.view.repeat}"
        font = QFont(Theme.title_font())
        font.setPixelSize(round(Theme.px(12)))
        fm = QFontMetricsF(font)
        h = fm.height() + Theme.px(2)
        w = fm.horizontalAdvance(text) + Theme.px(12)
        pill = QRectF(self._card.right() - w - Theme.px(6), -h / 2 - Theme.px(2), w, h)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(QBrush(head))
        painter.setPen(QPen(QColor("#ffffff"), 1.5))
        painter.drawRoundedRect(pill, h / 2, h / 2)
        painter.setFont(font)
        painter.setPen(header_text_color(head))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    # -- interaction ---------------------------------------------------------------------
    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged and self.on_moved:
            self.on_moved(self.node_id)
        return super().itemChange(change, value)
