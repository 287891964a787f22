"""The legend strip under the canvas: what each shape, line and badge means, for the kinds the graph draws.

Drawn with the render layer's :func:`~iamviz.render.items.paint_legend` (the same legend export puts in images), in
the scene's theme. It sits below the view rather than over it, so it never hides a node; View ▸ Legend toggles it.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QSize
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from iamviz.render.items import paint_legend
from iamviz.render.scene import TrustScene

MARGIN = 4


class LegendBar(QWidget):
    """A strip that draws the legend of ``scene`` (entries for what it draws), wrapping to the widget's width."""

    def __init__(self, scene: TrustScene, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scene = scene
        self.setObjectName("legend-bar")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._entries: list = []
        self.refresh()

    def entries(self) -> list:
        """The legend's entries as drawn (node kinds and edge styles present in the scene)."""
        return list(self._entries)

    def _font_px(self) -> float:
        theme = self.scene.style.theme
        return theme.small_font_px + 1

    def _measure(self, width: int) -> int:
        size = paint_legend(
            None, self.scene.style, QPointF(0, 0), max(120, width - 2 * MARGIN), self._entries, font_px=self._font_px()
        )
        return int(size.height()) + 2 * MARGIN

    def refresh(self) -> None:
        """Read the scene's entries and theme again (a new graph, theme or text size)."""
        self._entries = self.scene.legend_entries()
        self.setFixedHeight(self._measure(self.width()))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(600, self._measure(max(self.width(), 600)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        height = self._measure(event.size().width())
        if height != self.height():
            self.setFixedHeight(height)
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        style = self.scene.style
        painter = QPainter(self)
        painter.fillRect(self.rect(), style.color(style.theme.colors.background))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        paint_legend(
            painter,
            style,
            QPointF(MARGIN, MARGIN),
            max(120, self.width() - 2 * MARGIN),
            self._entries,
            font_px=self._font_px(),
        )
        painter.end()
