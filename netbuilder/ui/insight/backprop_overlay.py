"""One training step written on the canvas: under each card, its numbers for one sample.

``BackpropOverlay`` hangs a :class:`StepTag` under every card of the canvas while the
Backprop tab steps through training (``runtime.insight.backprop``). In the Forward phase a
tag shows the node's output for the chosen sample (blue, headed with the node's name); from
the Backward phase on, the gradient of the loss with respect to that output comes under it
(vermillion, headed "∂L/∂name", so the label and not only the colour says which is which;
blue and vermillion are Okabe-Ito colours, told apart with any colour vision). Each vector
shares one power of ten written in its heading, so the numbers stay short: every number of
a small layer is visible, a wide one shows its first :data:`MAX_SHOWN` and says how many
more. The loss is written on the output's tag; in the Update phase cards with weights say
how far the optimiser moved them. The cards never know: the tags are scene items added
and removed from outside (as ``overlay.StatsOverlay`` does), above the wires, and follow a
moved card. Any edit removes them.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from netbuilder.graph.document import Change

from ..doc_link import DocumentLink
from ..theme import Theme

FORWARD_COLOUR = "#0072B2"       # Okabe-Ito blue
BACKWARD_COLOUR = "#D55E00"      # Okabe-Ito vermillion
MAX_SHOWN = 16
COLUMNS = 4
NUMBER_FONT = "shape"            # the cards' monospaced bold: digits line up, read from afar


def scaled(values: list[float]) -> tuple[int, list[str]]:
    """One power of ten for a vector and its numbers with it taken out: (-3, ['+2.71', ...])."""
    finite = [abs(v) for v in values if math.isfinite(v) and v != 0]
    top = max(finite, default=1.0)
    exp = math.floor(math.log10(top))
    if top * 10.0 ** -exp >= 9.995:
        exp += 1                      # 0.00999... would read as 10.00 x10^-3, not 1.00 x10^-2
    if -1 <= exp <= 1:
        exp = 0                       # 0.53, 4.2, 12.5: plain numbers read best
    factor = 10.0 ** -exp
    return exp, [f"{v * factor:+.2f}" if math.isfinite(v) else str(v) for v in values]


def power_text(exp: int) -> str:
    if exp == 0:
        return ""
    sup = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
    return f" ×10{str(exp).translate(sup)}"


class StepTag(QGraphicsItem):
    """The numbers under one card: the output (blue) and the gradient coming back (vermillion)."""

    def __init__(self, card: QGraphicsItem) -> None:
        super().__init__()
        self.card = card                 # not the parent: a tag must lie above the wires
        self.name = ""
        self.values: list[float] = []
        self.grads: list[float] | None = None
        self.total = 0
        self.extra: list[str] = []        # loss, update lines
        self.setZValue(50)
        self._rows: list[tuple[str, str, bool]] = []   # (text, colour, is heading)
        self._size = (0.0, 0.0)

    def set_numbers(self, name: str, values: list[float], grads: list[float] | None,
                    total: int, extra: list[str]) -> None:
        self.prepareGeometryChange()
        self.name, self.values, self.grads, self.total, self.extra = name, values, grads, total, extra
        rows: list[tuple[str, str, bool]] = []
        exp, texts = scaled(values)
        more = f"  (+{total - len(values)} more)" if total > len(values) else ""
        rows.append((f"{name}{power_text(exp)}{more}", FORWARD_COLOUR, True))
        rows += [(" ".join(texts[i:i + COLUMNS]), FORWARD_COLOUR, False)
                 for i in range(0, len(texts), COLUMNS)]
        if grads is not None:
            gexp, gtexts = scaled(grads)
            rows.append((f"∂L/∂{name}{power_text(gexp)}", BACKWARD_COLOUR, True))
            rows += [(" ".join(gtexts[i:i + COLUMNS]), BACKWARD_COLOUR, False)
                     for i in range(0, len(gtexts), COLUMNS)]
        rows += [(line, "", True) for line in extra]
        self._rows = rows
        self.measure()
        self.place()
        self.update()

    def measure(self) -> None:
        """Size for the current fonts (presentation mode makes them larger)."""
        self.prepareGeometryChange()
        numbers, words = Theme.metrics(NUMBER_FONT), Theme.metrics("small")
        width = max((numbers if not h else words).horizontalAdvance(t)
                    for t, _c, h in self._rows) + 12
        self._size = (width, self._line_height() * len(self._rows) + 8)

    def _line_height(self) -> float:
        return max(Theme.metrics(NUMBER_FONT).height(), Theme.metrics("small").height())

    def place(self) -> None:
        """Under the card, wherever it is now."""
        rect = self.card.card_rect()
        self.setPos(self.card.mapToScene(rect.bottomLeft()) + QPointF(0, 6))

    def texts(self) -> list[str]:
        return [t for t, _c, _h in self._rows]

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, *self._size)

    def paint(self, p: QPainter, _option, _widget=None) -> None:
        r = self.boundingRect()
        dark = Theme.dark_for(self.scene().palette()) if self.scene() else False
        p.setPen(QPen(QColor("#888888"), 1))
        p.setBrush(QColor("#202124") if dark else QColor("#ffffff"))
        p.drawRoundedRect(r, 4, 4)
        line = self._line_height()
        mono = Theme.font(NUMBER_FONT)
        y = 4.0
        for text, colour, heading in self._rows:
            c = QColor(colour) if colour else QColor("#eeeeee" if dark else "#111111")
            if dark and colour == FORWARD_COLOUR:
                c = QColor("#56B4E9")            # Okabe-Ito sky blue reads on dark
            p.setPen(c)
            p.setFont(Theme.font("small") if heading else mono)
            p.drawText(QRectF(6, y, r.width() - 8, line),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
            y += line


class BackpropOverlay(QObject):
    """Step tags on the cards of ``canvas``; ``show_step`` draws one step's phase."""

    cleared = Signal()

    def __init__(self, canvas: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.canvas = canvas
        self.document = canvas.main_doc
        self._tags: dict[str, StepTag] = {}
        self._scene: Any = None
        self._shown: tuple | None = None          # (record, phase, sample) last drawn
        canvas.scope_changed.connect(self._on_scope)   # a block opened or closed
        Theme.changed.connect(self._on_theme)
        self._link = DocumentLink(self, self.document, self._on_document_change)

    def _on_document_change(self, change: Change) -> None:
        if (change.structure or change.nodes or change.reset) and self._tags:
            self.clear()
            self.cleared.emit()

    def clear(self, keep: bool = False) -> None:
        from shiboken6 import isValid

        if not keep:
            self._shown = None
        for tag in self._tags.values():
            if isValid(tag) and tag.scene() is not None:
                tag.scene().removeItem(tag)
        self._tags.clear()

    def _on_scope(self, _doc: Any) -> None:
        if self._shown is not None:
            self.clear(keep=True)
            self.show_step(*self._shown)     # the inside of a block: its own nodes' numbers

    def _on_theme(self) -> None:
        from shiboken6 import isValid

        for tag in self._tags.values():
            if isValid(tag) and isValid(tag.card):
                tag.measure()
                tag.place()

    def _place(self) -> None:
        from shiboken6 import isValid

        for tag in self._tags.values():
            if isValid(tag) and isValid(tag.card):
                tag.place()

    def tag(self, nid: str) -> StepTag | None:
        return self._tags.get(nid)

    def show_step(self, record: Any, phase: str, sample: int = 0) -> None:
        """Write ``record``'s numbers for batch row ``sample`` as they stand in ``phase``."""
        from shiboken6 import isValid

        self._shown = (record, phase, sample)
        scene = self.canvas.graph_scene
        if scene is not self._scene:
            self._scene = scene
            scene.wires_rerouted.connect(self._place)   # a card moved: its tag follows
        prefix = list(self.canvas.use_path())
        show_grads = phase in ("backward", "update")
        for nid, item in scene.nodes.items():
            node = record.node("/".join([*prefix, nid]))
            tag = self._tags.get(nid)
            if node is None:
                if tag is not None and isValid(tag):
                    tag.setVisible(False)
                continue
            if tag is None or not isValid(tag) or tag.card is not item or tag.scene() is not scene:
                if tag is not None and isValid(tag) and tag.scene() is not None:
                    tag.scene().removeItem(tag)
                tag = self._tags[nid] = StepTag(item)
                scene.addItem(tag)
            row = min(sample, node.value.shape[0] - 1)
            flat = node.value[row].reshape(-1)
            values = flat[:MAX_SHOWN].tolist()
            grads = None
            if show_grads and node.grad is not None:
                grads = node.grad[row].reshape(-1)[:MAX_SHOWN].tolist()
            extra = []
            if phase != "forward" and node.key == record.nodes[-1].key:
                extra.append(f"loss L = {record.loss:.4f} (batch mean)")
            if phase == "update":
                for prm in record.params_of(node.path):
                    biggest = float(prm.update.abs().max()) if prm.update.numel() else 0.0
                    extra.append(f"Δ{prm.short}: largest change {biggest:.2g}")
            tag.set_numbers(node.label if node.label else nid, values, grads, flat.numel(), extra)
            tag.setVisible(True)
