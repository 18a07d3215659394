"""The Code tab: the generated PyTorch source, highlighted, read-only, one click to copy.

The source comes from ``netbuilder.codegen`` (imported on first use, never at start-up) and is
regenerated 200 ms after the last edit, only while the tab is visible (``set_shown``). While
the graph has errors the tab lists them instead of showing code that would not run.
"""

from __future__ import annotations

import keyword
import re

from PySide6.QtCore import QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..graph.analysis import Analysis
from ..graph.document import Change, Document
from ..graph.errors import NetbuilderError
from ..graph.model import Graph
from .appearance import is_dark, monospace_font
from .doc_link import DocumentLink

DEBOUNCE_MS = 200


def generate_python(graph: Graph, analysis: Analysis | None = None) -> str:
    """Standalone PyTorch source for the graph (codegen imported lazily: it is not small)."""
    from ..codegen.source import generate_source

    return generate_source(graph, analysis)


_BUILTINS = ("int", "float", "len", "range", "super", "print", "list", "tuple", "dict",
             "isinstance", "sum", "min", "max", "zip", "enumerate")


class PythonHighlighter(QSyntaxHighlighter):
    """Keywords, builtins, strings, numbers, comments, decorators and definitions."""

    def __init__(self, document, dark: bool = False) -> None:
        super().__init__(document)
        self.set_dark(dark)

    def set_dark(self, dark: bool) -> None:
        colours = {
            "keyword": "#ff7b72" if dark else "#cf222e",
            "builtin": "#79c0ff" if dark else "#0550ae",
            "self": "#d2a8ff" if dark else "#8250df",
            "string": "#a5d6ff" if dark else "#0a3069",
            "number": "#79c0ff" if dark else "#0550ae",
            "comment": "#8b949e" if dark else "#6e7781",
            "definition": "#d2a8ff" if dark else "#8250df",
            "decorator": "#ffa657" if dark else "#953800",
        }
        fmt = {}
        for name, colour in colours.items():
            f = QTextCharFormat()
            f.setForeground(QColor(colour))
            if name in ("keyword", "definition"):
                f.setFontWeight(QFont.Weight.Bold)
            if name == "comment":
                f.setFontItalic(True)
            fmt[name] = f
        kw = "|".join(keyword.kwlist)
        self._rules = [
            (QRegularExpression(rf"\b({kw})\b"), fmt["keyword"], 0),
            (QRegularExpression(rf"\b({'|'.join(_BUILTINS)})\b(?=\()"), fmt["builtin"], 0),
            (QRegularExpression(r"\bself\b"), fmt["self"], 0),
            (QRegularExpression(r"\b[0-9][0-9_]*(\.[0-9_]+)?([eE][-+]?[0-9]+)?\b"),
             fmt["number"], 0),
            (QRegularExpression(r"\b(?:def|class)\s+(\w+)"), fmt["definition"], 1),
            (QRegularExpression(r"^\s*@[\w.]+"), fmt["decorator"], 0),
        ]
        self._string = fmt["string"]
        self._comment = fmt["comment"]
        self.rehighlight()

    _STRING_OR_COMMENT = re.compile(r'("""|\'\'\'|"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|#.*)')

    def highlightBlock(self, text: str) -> None:
        for regex, fmt, group in self._rules:
            it = regex.globalMatch(text)
            while it.hasNext():
                m = it.next()
                self.setFormat(m.capturedStart(group), m.capturedLength(group), fmt)
        self._strings_and_comments(text)

    def _strings_and_comments(self, text: str) -> None:
        # Triple-quoted strings span lines: block state 1 means "inside one".
        start = 0
        if self.previousBlockState() == 1:
            end = _find_triple_end(text, 0)
            if end < 0:
                self.setFormat(0, len(text), self._string)
                self.setCurrentBlockState(1)
                return
            self.setFormat(0, end, self._string)
            start = end
        self.setCurrentBlockState(0)
        pos = start
        while True:
            m = self._STRING_OR_COMMENT.search(text, pos)
            if m is None:
                return
            token = m.group(0)
            if token.startswith("#"):
                self.setFormat(m.start(), len(text) - m.start(), self._comment)
                return
            if token in ('"""', "'''"):
                end = _find_triple_end(text, m.end())
                if end < 0:
                    self.setFormat(m.start(), len(text) - m.start(), self._string)
                    self.setCurrentBlockState(1)
                    return
                self.setFormat(m.start(), end - m.start(), self._string)
                pos = end
                continue
            self.setFormat(m.start(), len(token), self._string)
            pos = m.end()


def _find_triple_end(text: str, pos: int) -> int:
    ends = [i for i in (text.find('"""', pos), text.find("'''", pos)) if i >= 0]
    return min(ends) + 3 if ends else -1


class CodeView(QWidget):
    source_changed = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._stale = True
        self._shown = False
        self.source = ""

        self.editor = QPlainTextEdit()
        self.editor.setObjectName("code_editor")
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setFont(monospace_font())
        self.editor.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.highlighter = PythonHighlighter(self.editor.document(), is_dark())

        self.message = QLabel()
        self.message.setObjectName("code_message")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setContentsMargins(12, 12, 12, 12)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.editor)
        self.stack.addWidget(self.message)

        self.copy_button = QPushButton("Copy")
        self.copy_button.setObjectName("code_copy")
        self.copy_button.setToolTip("Copy the whole source to the clipboard")
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        self.info = QLabel("PyTorch source of this network: the same code is trained and exported.")
        self.info.setObjectName("code_info")
        self.info.setWordWrap(True)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        bar.addWidget(self.info, 1)
        bar.addWidget(self.copy_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)

        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.regenerate)
        self._link = DocumentLink(self, document, self._on_change)

    # -- when to regenerate ---------------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        if change.structure or change.nodes or change.reset or change.meta:
            self._stale = True
            if self._shown:
                self._timer.start()

    def set_shown(self, shown: bool) -> None:
        """Whether the student can see the tab (a tabified dock hides by covering, so the
        window forwards its dock's ``visibilityChanged``); hidden, code waits until shown."""
        self._shown = bool(shown)
        if self._shown and self._stale:
            self._timer.start(0)

    def set_dark(self, dark: bool) -> None:
        self.highlighter.set_dark(dark)

    def regenerate(self) -> None:
        """Show the source now (or, for an invalid graph, what to fix first)."""
        self._stale = False
        analysis = self.document.analysis
        if not analysis.valid:
            self._show_problems()
            return
        try:
            source = generate_python(self.document.graph, analysis)
        except NetbuilderError as e:
            self._show_message(f"<b>No code yet.</b><br>{_escape(str(e))}")
            return
        except ImportError as e:
            self._show_message(f"<b>Code generation is not available:</b> {_escape(str(e))}")
            return
        if source != self.source:
            bar = self.editor.verticalScrollBar().value()
            self.source = source
            self.editor.setPlainText(source)
            self.editor.verticalScrollBar().setValue(bar)
            self.source_changed.emit(source)
        self.stack.setCurrentWidget(self.editor)
        self.copy_button.setEnabled(True)

    def _show_problems(self) -> None:
        graph = self.document.graph
        items = []
        for d in self.document.analysis.errors[:12]:
            where = f"<b>{_escape(d.node)}</b> ({graph.nodes[d.node].type}): " \
                if d.node and d.node in graph.nodes else ""
            items.append(f"<li>{where}{_escape(d.message)}</li>")
        more = len(self.document.analysis.errors) - 12
        if more > 0:
            items.append(f"<li>... and {more} more (see the Problems tab)</li>")
        self._show_message("<b>The code appears when the network has no errors.</b> "
                           "Fix these first:<ul>" + "".join(items) + "</ul>")

    def _show_message(self, html: str) -> None:
        self.source = ""
        self.message.setText(html)
        self.stack.setCurrentWidget(self.message)
        self.copy_button.setEnabled(False)

    def copy_to_clipboard(self) -> None:
        if self._stale:
            self.regenerate()
        if self.source:
            QGuiApplication.clipboard().setText(self.source)

    def detach(self) -> None:
        self._timer.stop()
        self._link.detach()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
