"""The canvas: a :class:`QGraphicsView` on the trust scene, with pan, zoom, fit and rubber-band selection.

Keys: arrows pan, ``+``/``-`` (and ``=``) zoom, ``F`` fits, ``0`` resets to 100 %. The wheel zooms around the
cursor; dragging on empty canvas pans, Shift+drag draws a selection rectangle.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmapCache,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsView, QStyleOptionGraphicsItem, QWidget

MIN_ZOOM = 0.02
MAX_ZOOM = 8.0
ZOOM_STEP = 1.25
PAN_STEP = 60  # pixels per arrow key press
FIT_MARGIN = 24.0
SETTLE_MS = 150
"""A pan or zoom gesture is over when no input has moved the view for this long; the view then repaints sharp."""
PAN_SNAPSHOT_MS = 25.0
"""When a full frame took longer than this to draw (a dense graph), a pan moves the last sharp frame and fills the
uncovered strips from the overview picture until it settles, as a zoom does; cheaper views pan sharp at every step."""
PIXMAP_CACHE_KB = 64 * 1024
"""Qt's pixmap cache (node images at the current zoom) holds at least this much; Qt's default 10 MB is a few
hundred nodes, and a pan across more evicted and redrew them at every frame."""


class TrustView(QGraphicsView):
    """A view of a :class:`~iamviz.render.scene.TrustScene` with the usual navigation."""

    zoom_changed = Signal(float)
    """The zoom factor changed (1.0 = 100 %)."""

    def __init__(self, scene: QGraphicsScene | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if scene is not None:
            self.setScene(scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(False)  # files dropped on the canvas go to the main window
        if QPixmapCache.cacheLimit() < PIXMAP_CACHE_KB:
            QPixmapCache.setCacheLimit(PIXMAP_CACHE_KB)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._end_gesture)
        self._snapshot: tuple[QImage, QTransform, QRectF, QImage] | None = None
        self.frame_ms = 0.0  # how long the last frame of at least half the viewport took to draw
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):
            bar.sliderMoved.connect(self._pan_gesture)
            bar.actionTriggered.connect(self._pan_gesture)

    # ---- Gestures: while the user pans or zooms, the scene draws its edges the cheap way (no antialiasing)
    @property
    def moving(self) -> bool:
        """Whether a pan or zoom gesture is running (the scene draws cheaply until it settles)."""
        return self._settle.isActive()

    def _gesture(self, *_args: object) -> None:
        """User input is moving the view: draw cheaply until it stops for :data:`SETTLE_MS`."""
        scene = self.scene()
        if scene is not None and hasattr(scene, "set_moving") and not scene.moving:
            scene.set_moving(True)
        self._settle.start()

    def _end_gesture(self) -> None:
        had_snapshot, self._snapshot = self._snapshot is not None, None
        scene = self.scene()
        if scene is not None and hasattr(scene, "set_moving") and scene.moving:
            scene.set_moving(False)
            self.viewport().update()  # the frame at rest, sharp
        elif had_snapshot:
            self.viewport().update()

    def _zoom_gesture(self) -> None:
        """A zoom by the user: frames until it settles scale the last sharp frame over the scene's zoomed-out
        picture (two images each) instead of drawing every item at every step; the frame at rest is drawn in full."""
        if self._snapshot is None and not self.moving:
            self._snapshot = self._last_frame()
        self._gesture()

    def _pan_gesture(self, *_args: object) -> None:
        """A pan by the user: on a view whose frames are slow to draw (:data:`PAN_SNAPSHOT_MS`), frames until it
        settles move the last sharp frame and show the overview picture in the strips it uncovers; else each step is
        drawn in full (and cheaply, without antialiasing)."""
        if self._snapshot is None and not self.moving and self.frame_ms > PAN_SNAPSHOT_MS:
            self._snapshot = self._last_frame()
        self._gesture()

    def _last_frame(self) -> tuple[QImage, QTransform, QRectF, QImage] | None:
        """The pixels on screen now (from the window's backing store), the transform they were drawn with, and the
        scene's overview picture with its rectangle; None when the scene has none (empty, or not a trust scene) or
        the backing store is not an image (zoom steps are then drawn in full)."""
        scene = self.scene()
        overview = scene.overview() if scene is not None and hasattr(scene, "overview") else None
        viewport = self.viewport()
        store = viewport.backingStore()
        device = store.paintDevice() if store is not None else None
        if overview is None or not isinstance(device, QImage) or device.isNull():
            return None
        ratio = device.devicePixelRatio() or 1.0
        origin = viewport.mapTo(viewport.window(), QPoint(0, 0))
        rect = QRect(
            round(origin.x() * ratio),
            round(origin.y() * ratio),
            round(viewport.width() * ratio),
            round(viewport.height() * ratio),
        )
        if not device.rect().contains(rect):
            return None
        image = device.copy(rect)
        image.setDevicePixelRatio(ratio)
        return image, self.viewportTransform(), *overview

    def _paint_snapshot(self, event: QPaintEvent) -> None:
        assert self._snapshot is not None
        image, drawn_with, overview_rect, overview = self._snapshot
        painter = QPainter(self.viewport())
        painter.setClipRect(event.rect())
        scene = self.scene()
        painter.fillRect(event.rect(), scene.backgroundBrush() if scene is not None else self.backgroundBrush())
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        now = self.viewportTransform()
        inverse, invertible = drawn_with.inverted()
        mapping = inverse * now  # the last frame's pixels -> the scene -> today's pixels
        ratio = image.devicePixelRatio() or 1.0
        covered = mapping.mapRect(QRectF(0, 0, image.width() / ratio, image.height() / ratio))
        if not invertible or not covered.contains(QRectF(event.rect())):
            # What the last frame did not show (a pan's uncovered strip, the margins of a zoom out): the account
            # lanes (a few rounded rectangles) under the overview picture of the nodes and edges.
            option = QStyleOptionGraphicsItem()
            lanes = scene.lane_items() if scene is not None and hasattr(scene, "lane_items") else ()
            for lane in lanes:
                painter.setTransform(lane.sceneTransform() * now)
                lane.paint(painter, option, None)
            painter.setTransform(now)
            painter.drawImage(overview_rect, overview)
        if invertible:
            painter.setTransform(mapping)
            painter.drawImage(QPointF(0, 0), image)
        painter.end()

    # ---- Zoom
    @property
    def zoom(self) -> float:
        """The current scale factor."""
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        """Scale to ``factor`` (clamped), keeping the view's centre."""
        factor = min(max(factor, MIN_ZOOM), MAX_ZOOM)
        current = self.zoom
        if current <= 0 or abs(factor - current) < 1e-9:
            return
        self.scale(factor / current, factor / current)
        self.zoom_changed.emit(self.zoom)

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / ZOOM_STEP)

    def reset_zoom(self) -> None:
        self.set_zoom(1.0)

    def fit_all(self) -> None:
        """Fit every visible item (or the whole scene rect when there is none), never past 100 %."""
        scene = self.scene()
        if scene is None:
            return
        rect = self._visible_bounds()
        if rect.isEmpty():
            return
        self.fit_rect(rect, max_zoom=1.0)

    def fit_rect(self, rect: QRectF, *, max_zoom: float = 1.5) -> None:
        """Show ``rect`` (scene coordinates) whole, with a margin, zooming in at most to ``max_zoom``."""
        padded = rect.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        self.fitInView(padded, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom > max_zoom:
            self.set_zoom(max_zoom)
            self.centerOn(padded.center())
        self.zoom_changed.emit(self.zoom)

    def center_on_items(self, rect: QRectF) -> None:
        """Bring ``rect`` into view, zooming out only when it does not fit."""
        viewport = self.mapToScene(self.viewport().rect()).boundingRect()
        if rect.width() > viewport.width() or rect.height() > viewport.height():
            self.fit_rect(rect, max_zoom=self.zoom)
        else:
            self.centerOn(rect.center())

    def _visible_bounds(self) -> QRectF:
        scene = self.scene()
        rect = QRectF()
        for item in scene.items():
            if item.isVisible() and item.parentItem() is None:
                rect = rect.united(item.sceneBoundingRect())
        return rect if not rect.isEmpty() else scene.sceneRect()

    # ---- Qt overrides
    def paintEvent(self, event: QPaintEvent) -> None:
        if self._snapshot is not None and self.moving:
            self._paint_snapshot(event)
            return
        scene = self.scene()
        framed = scene is not None and hasattr(scene, "set_frame")
        if framed:
            transform = self.transform()
            lod = (transform.m11() ** 2 + transform.m21() ** 2) ** 0.5  # levelOfDetailFromTransform, no rotation
            scene.set_frame(self.mapToScene(event.rect()).boundingRect(), lod)
        start = time.perf_counter()
        try:
            super().paintEvent(event)
        finally:
            if framed:
                scene.set_frame(None)
        area, viewport = event.rect(), self.viewport()
        if area.width() * area.height() * 2 >= viewport.width() * viewport.height() > 0:
            self.frame_ms = (time.perf_counter() - start) * 1000.0
        layer = getattr(scene, "edge_layer", None)
        if layer is not None and layer.isVisible():
            # A kept picture makes repaints cheap; what the edges cost to draw anew says whether a pan can draw the
            # strips it uncovers in time (else it moves the last frame until it settles).
            self.frame_ms = max(self.frame_ms, layer.full_ms)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y()
        if delta == 0:
            super().wheelEvent(event)
            return
        steps = delta / 120.0
        self._zoom_gesture()
        self.set_zoom(self.zoom * (ZOOM_STEP**steps))
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if modifiers in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
            action = self._KEY_ACTIONS.get(key)
            if action is not None:
                self._zoom_gesture() if action in (TrustView.zoom_in, TrustView.zoom_out) else self._gesture()
                action(self)
                event.accept()
                return
        pan = self._PAN_KEYS.get(key)
        if pan is not None and modifiers == Qt.KeyboardModifier.NoModifier:
            self._pan_gesture()
            self._pan(*pan)
            event.accept()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        # Shift+drag draws a selection rectangle; a plain drag on empty canvas (or an account lane) pans.
        on_item = self.grabs_at(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and (
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier or on_item
        ):
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag if not on_item else QGraphicsView.DragMode.NoDrag)
        super().mousePressEvent(event)

    def grabs_at(self, point: QPoint) -> bool:
        """Whether a press at ``point`` (viewport coordinates) goes to a node or an edge (else a drag pans): badges
        and lanes let clicks through to what is under them."""
        selectable = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
        return any(
            item.flags() & selectable and item.acceptedMouseButtons() & Qt.MouseButton.LeftButton
            for item in self.items(point)
        )

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton and self.dragMode() == QGraphicsView.DragMode.ScrollHandDrag:
            self._pan_gesture()  # a drag that pans
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)

    def _pan(self, dx: int, dy: int) -> None:
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + dx)
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + dy)

    def visible_scene_rect(self) -> QRectF:
        """The part of the scene in the viewport."""
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def scene_center(self) -> QPointF:
        return self.visible_scene_rect().center()

    _KEY_ACTIONS: ClassVar[dict[Qt.Key, Callable[[TrustView], None]]] = {
        Qt.Key.Key_Plus: zoom_in,
        Qt.Key.Key_Equal: zoom_in,
        Qt.Key.Key_Minus: zoom_out,
        Qt.Key.Key_Underscore: zoom_out,
        Qt.Key.Key_F: fit_all,
        Qt.Key.Key_0: reset_zoom,
    }
    _PAN_KEYS: ClassVar[dict[Qt.Key, tuple[int, int]]] = {
        Qt.Key.Key_Left: (-PAN_STEP, 0),
        Qt.Key.Key_Right: (PAN_STEP, 0),
        Qt.Key.Key_Up: (0, -PAN_STEP),
        Qt.Key.Key_Down: (0, PAN_STEP),
    }
