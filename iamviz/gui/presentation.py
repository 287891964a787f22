"""Presentation mode for the classroom: full screen, panels hidden, the caption large in the bottom third.

The main window owns going full screen (F5, ``iamviz gui --present``, Esc to leave) and says so with its
``presenting_changed`` signal; :class:`PresentationMode` adds what a projector needs on top:

* the projector theme (high contrast, thick strokes, large text) while presenting, the user's theme after;
* the player's docks hidden, the step's caption as a large overlay in the bottom third, a step indicator (3 / 7);
* clicker keys (PageDown/PageUp, Space, arrows: the player's keys), B or . for a black screen (any key brings the
  picture back), Ctrl+plus/minus to scale all text (the window's actions, which go through
  ``TrustScene.set_text_scale``);
* the camera frames each hop in the part of the screen the caption band and the step indicator leave free
  (:meth:`CaptionOverlay.free_area`, asked at each camera move: the band is as tall as the step's caption needs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRectF, QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QKeyEvent, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from iamviz.playback import Scenario

if TYPE_CHECKING:
    from iamviz.gui.main_window import MainWindow
    from iamviz.gui.player import PlayerDocks

PRESENTATION_THEME = "projector"
BLACK_SCREEN_KEYS = ("B", ".")
CAPTION_BAND = 1 / 3
"""The share of the screen's height the caption may take (the bottom third)."""
MIN_CAPTION_PX = 24
"""Captions are never smaller than this (the projector rule: text at least 24 px at 1920×1080)."""


class CaptionOverlay(QWidget):
    """The caption in large type over the bottom third of the canvas, and the step indicator in the corner.

    A child of the view (not of its viewport, which scrolls its children) kept over the viewport; it never takes
    the mouse.
    """

    def __init__(self, view: QAbstractScrollArea) -> None:
        super().__init__(view)
        self._view = view
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.title = ""
        self.caption = ""
        self.indicator = ""
        self.allowed: bool | None = None
        self.text_scale = 1.0
        self.font_family = "DejaVu Sans"
        self.background = QColor("#ffffff")
        self.foreground = QColor("#000000")
        self.deny_color = QColor("#D55E00")
        self.setGeometry(view.viewport().geometry())
        view.installEventFilter(self)
        view.viewport().installEventFilter(self)  # the viewport is resized after the view: follow it then

    def set_colors(self, *, background: str, foreground: str, deny: str, font_family: str) -> None:
        self.background, self.foreground, self.deny_color = QColor(background), QColor(foreground), QColor(deny)
        self.font_family = font_family
        self.update()

    def set_content(self, *, title: str, caption: str, indicator: str, allowed: bool | None) -> None:
        self.title, self.caption, self.indicator, self.allowed = title, caption, indicator, allowed
        self.update()

    def caption_px(self, height: float | None = None) -> int:
        """The caption's pixel size: about 1/30 of the screen height, at least 24 px, times the text scale."""
        height = self.height() if height is None else height
        return max(MIN_CAPTION_PX, round(height / 30 * self.text_scale))

    def caption_font(self, height: float | None = None) -> QFont:
        font = QFont(self.font_family)
        font.setPixelSize(self.caption_px(height))
        return font

    def _size(self, size: QSizeF | None) -> tuple[float, float]:
        return (self.width(), self.height()) if size is None else (size.width(), size.height())

    def band_rect(self, size: QSizeF | None = None) -> QRectF:
        """Where the caption goes: the bottom third (as little of it as the text needs), on the overlay or on a
        viewport of ``size``."""
        width, height = self._size(size)
        margin = self.caption_px(height)
        text_width = max(100.0, width - 4 * margin)
        fm = QFontMetricsF(self.caption_font(height))
        text = self._full_caption()
        needed = fm.boundingRect(QRectF(0, 0, text_width, 10_000), int(Qt.TextFlag.TextWordWrap), text).height()
        title_h = fm.height() * 0.8 if self.title else 0.0
        band = min(height * CAPTION_BAND, needed + title_h + 2 * margin)
        return QRectF(margin, height - band - margin * 0.5, width - 2 * margin, band)

    def _indicator_font(self, height: float) -> QFont:
        small = QFont(self.font_family)
        small.setPixelSize(max(MIN_CAPTION_PX, round(self.caption_px(height) * 0.8)))
        small.setBold(True)
        return small

    def indicator_rect(self, size: QSizeF | None = None) -> QRectF:
        """Where the step indicator (3 / 7) goes: the top right corner (empty without one)."""
        if not self.indicator:
            return QRectF()
        width, height = self._size(size)
        px = self.caption_px(height)
        fm = QFontMetricsF(self._indicator_font(height))
        w = fm.horizontalAdvance(self.indicator) + px
        return QRectF(width - w - px * 0.6, px * 0.6, w, fm.height() + px * 0.3)

    def free_area(self, size: QSizeF | None = None) -> QRectF:
        """The part of the overlay (or of a viewport of ``size``) that the caption band and the step indicator leave
        free: between the indicator's bottom and the band's top, full width."""
        width, height = self._size(size)
        top = self.indicator_rect(size).bottom() if self.indicator else 0.0
        bottom = self.band_rect(size).top() if self.caption else height
        return QRectF(0.0, top, width, max(1.0, bottom - top))

    def _full_caption(self) -> str:
        mark = "" if self.allowed is None else ("✓ " if self.allowed else "✗ ")
        return mark + self.caption

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest) and (
            watched is self._view or watched is self._view.viewport()
        ):
            self.setGeometry(self._view.viewport().geometry())
        return False

    def paintEvent(self, event) -> None:
        if not (self.caption or self.indicator):
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        px = self.caption_px()
        if self.indicator:
            box = self.indicator_rect()
            self._panel(painter, box)
            painter.setFont(self._indicator_font(self.height()))
            painter.setPen(self.foreground)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.indicator)
        if self.caption:
            band = self.band_rect()
            self._panel(painter, band)
            inner = band.adjusted(px, px * 0.6, -px, -px * 0.4)
            font = self.caption_font()
            if self.title:
                title_font = QFont(font)
                title_font.setPixelSize(max(MIN_CAPTION_PX, round(px * 0.75)))
                title_font.setBold(True)
                painter.setFont(title_font)
                painter.setPen(self.foreground)
                tfm = QFontMetricsF(title_font)
                title = tfm.elidedText(self.title, Qt.TextElideMode.ElideRight, inner.width())  # one line, never cut
                painter.drawText(QRectF(inner.left(), inner.top(), inner.width(), tfm.height()), 0, title)
                inner.setTop(inner.top() + tfm.height() * 1.1)
            painter.setFont(font)
            painter.setPen(self.deny_color if self.allowed is False else self.foreground)
            painter.drawText(inner, int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft), self._full_caption())
        painter.end()

    def _panel(self, painter: QPainter, rect: QRectF) -> None:
        fill = QColor(self.background)
        fill.setAlphaF(0.93)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 12, 12)
        edge = QColor(self.foreground)
        painter.setPen(edge)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect, 12, 12)


class BlackScreen(QWidget):
    """A black cover over the whole window (B or . while presenting); any key or click takes it away."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.hide()
        parent.installEventFilter(self)

    def cover(self) -> None:
        self.setGeometry(self.parentWidget().rect())
        self.show()
        self.raise_()
        self.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.parent() and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        painter.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.hide()
        if event.key() == Qt.Key.Key_Escape:
            event.ignore()  # let the window's Esc leave presentation mode too
            return
        event.accept()

    def mousePressEvent(self, event) -> None:
        self.hide()
        event.accept()


class PresentationMode(QObject):
    """What presentation mode adds to the main window (see the module docstring).

    Args:
        window: the main window (its ``presenting_changed`` signal drives this).
        docks: the player's docks and controller.
    """

    active_changed = Signal(bool)
    """Presentation mode was entered (True) or left (False)."""

    def __init__(self, window: MainWindow, docks: PlayerDocks) -> None:
        super().__init__(window)
        self.window = window
        self.docks = docks
        self.active = False
        self._theme_before: str | None = None
        self._scrollbars: tuple[Qt.ScrollBarPolicy, Qt.ScrollBarPolicy] | None = None
        self.overlay = CaptionOverlay(window.view)
        self.overlay.hide()
        self.black = BlackScreen(window)
        self.black_keys: list[QShortcut] = []
        for key in BLACK_SCREEN_KEYS:
            shortcut = QShortcut(QKeySequence(key), window)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(self.toggle_black)
            shortcut.setEnabled(False)
            self.black_keys.append(shortcut)
        player = docks.player
        player.step_changed.connect(lambda _i: self._update_overlay())
        player.scenario_changed.connect(lambda _s: self._update_overlay())
        for action in (window.act_text_bigger, window.act_text_smaller, window.act_text_reset):
            action.triggered.connect(lambda *_: QTimer.singleShot(0, self._after_text_scale))
        window.presenting_changed.connect(self._on_presenting)

    def free_area(self) -> QRectF:
        """Where the camera may frame a hop on the view's viewport: what the caption and the indicator leave."""
        return self.overlay.free_area(QSizeF(self.window.view.viewport().size()))

    # ---- entering and leaving
    def _on_presenting(self, on: bool) -> None:
        self.active = on
        window = self.window
        if on:
            self._theme_before = window.theme_name
            for dock in self.docks.panels():
                dock.setVisible(False)
            window._apply_theme(PRESENTATION_THEME)  # not remembered: the user's theme comes back on leaving
            self.docks.camera.set_free_area(self.free_area)  # the camera follows the resize to full screen
            self._scrollbars = (window.view.horizontalScrollBarPolicy(), window.view.verticalScrollBarPolicy())
            window.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            window.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.overlay.setGeometry(window.view.viewport().geometry())
            self.overlay.show()
            self.overlay.raise_()
        else:
            self.black.hide()
            self.overlay.hide()
            self.docks.camera.set_free_area(None)
            if self._scrollbars is not None:
                window.view.setHorizontalScrollBarPolicy(self._scrollbars[0])
                window.view.setVerticalScrollBarPolicy(self._scrollbars[1])
            if self._theme_before is not None:
                window._apply_theme(self._theme_before)
        for shortcut in self.black_keys:
            shortcut.setEnabled(on)
        QTimer.singleShot(0, self.docks.animator.refresh)  # after the window's own fit, at the new size
        self._update_overlay()
        self.active_changed.emit(on)

    def toggle_black(self) -> None:
        """Black out the screen (or bring the picture back)."""
        if self.black.isVisible():
            self.black.hide()
        elif self.active:
            self.black.cover()

    @property
    def blacked_out(self) -> bool:
        return self.black.isVisible()

    # ---- content
    def _after_text_scale(self) -> None:
        self.overlay.text_scale = self.window.text_scale
        self.docks.animator.refresh()
        self.overlay.update()

    def _update_overlay(self) -> None:
        from iamviz.render.theme import load_theme

        theme = load_theme(PRESENTATION_THEME if self.active else self.window.theme_name)
        self.overlay.set_colors(
            background=theme.colors.background,
            foreground=theme.colors.text,
            deny=theme.colors.risk,
            font_family=theme.font_family,
        )
        self.overlay.text_scale = self.window.text_scale
        player = self.docks.player
        scenario: Scenario | None = player.scenario
        step = player.step
        if scenario is None:
            self.overlay.set_content(title="", caption="", indicator="", allowed=None)
            return
        indicator = f"{player.index + 1} / {player.count}" if step is not None else f"– / {player.count}"
        what_if = f" — what if: {scenario.what_if.label}" if scenario.what_if else ""
        title = f"{scenario.title}{what_if}" + (f": {step.title}" if step is not None else "")
        caption = step.caption if step is not None else scenario.summary
        self.overlay.set_content(
            title=title, caption=caption, indicator=indicator, allowed=None if step is None else step.allowed
        )


def attach_presentation(window: MainWindow, docks: PlayerDocks | None) -> PresentationMode | None:
    """Add presentation mode's overlay, black screen and theme switch to ``window`` (needs the player's docks)."""
    if docks is None or not hasattr(window, "presenting_changed"):
        return None
    return PresentationMode(window, docks)
