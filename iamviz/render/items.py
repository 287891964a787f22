"""Graphics items of the trust scene: nodes, edges, account lanes, and the legend.

Items take every colour, pen and font from a shared :class:`Style` (built from a :class:`~iamviz.render.theme.Theme`
and a text scale), never from literals. Painting adapts to the zoom (level of detail): far out, nodes are plain
coloured boxes and edges thin lines; labels, icons, arrowheads and badges appear as they become legible.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import QLineF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPaintEngine,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
    QTransform,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QStyle, QStyleOptionGraphicsItem, QWidget

from iamviz.layout import LayoutMetrics, bundle_badge, edge_badge_text
from iamviz.model.graph import DecisionKind, EdgeKind, Node, NodeKind, TrustEdge
from iamviz.render.icons import KIND_ICONS, paint_icon
from iamviz.render.theme import EdgeStyle, Theme


class Z(IntEnum):
    """Stacking order of the scene's items, bottom to top."""

    LANE = -100
    EDGE = 0
    EDGE_HIGHLIGHTED = 10
    BADGE = 50  # edge badges above every edge line, below the nodes
    NODE = 100
    NODE_HIGHLIGHTED = 110
    PLAYBACK = 500  # tokens, STS hub, tickets (the animator)
    OVERLAY = 1000  # legend and captions drawn in the scene


#: Below these on-screen sizes (px) a detail is not drawn.
_MIN_TEXT_PX = 5.0
#: Lane titles never get smaller than this on screen (see :class:`LaneTitleItem`).
MIN_LANE_TITLE_PX = 12.0
_MIN_ICON_PX = 7.0
_MIN_ARROW_LOD = 0.3
#: An edge whose stroke is at most this wide on screen (px) is drawn with a one-pixel cosmetic pen.
_THIN_PX = 1.2
#: Long edges are cut into pieces about this long (scene px); a frame strokes only the pieces it shows.
_PIECE_LENGTH = 300.0
_MAX_DETOURS = 4
#: Up to this zoom, a wide edge (more than :data:`_THIN_PX` on screen) is stroked as straight segments of its curve
#: flattened to :data:`_FLAT_TOLERANCE` scene px (at most half a pixel off on screen): Qt rasterizes a solid line
#: segment directly, about twice as fast as it strokes a cubic (it builds the curve's outline first). Closer in, few
#: edges show and the curves are stroked as they are.
_LINES_MAX_LOD = 2.0
_FLAT_TOLERANCE = 0.25
_FINE, _COARSE = QTransform.fromScale(4, 4), QTransform.fromScale(0.25, 0.25)  # Qt flattens to 0.5 px at 4x


def _lod(option: QStyleOptionGraphicsItem, painter: QPainter, style: Style | None = None) -> float:
    """The zoom an item is drawn at: the view's, while it paints a frame (items are never scaled themselves), else
    from the painter (export, caches)."""
    if style is not None and style.frame_lod:
        return style.frame_lod
    return option.levelOfDetailFromTransform(painter.worldTransform())


def _font(family: str, px: float, *, bold: bool = False) -> QFont:
    font = QFont(family)
    font.setPixelSize(max(1, round(px)))
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)  # same metrics on screen and in export
    return font


class Style:
    """Pens, brushes and fonts of one theme at one text scale, shared by all items of a scene."""

    def __init__(self, theme: Theme, text_scale: float = 1.0) -> None:
        self.theme = theme
        self.text_scale = text_scale
        self.metrics: LayoutMetrics = theme.layout if text_scale == 1.0 else theme.layout.scaled(text_scale)
        family = theme.font_family
        self.label_font = _font(family, theme.font_px * text_scale)
        self.badge_font = _font(family, theme.small_font_px * text_scale, bold=True)
        self.lane_font = _font(family, theme.lane_font_px * text_scale, bold=True)
        self.title_font = _font(family, theme.title_font_px, bold=True)
        self.caption_font = _font(family, theme.caption_font_px)
        self.label_metrics = QFontMetricsF(self.label_font)
        self.badge_metrics = QFontMetricsF(self.badge_font)
        self.lane_metrics = QFontMetricsF(self.lane_font)
        self._colors: dict[str, QColor] = {}
        self._pens: dict[tuple[EdgeStyle, float], QPen] = {}
        self._badge_sizes: dict[str, tuple[float, float]] = {}
        self._badge_height = self.badge_metrics.height() + 2
        self.moving = False
        """True while the view pans or zooms: edges are stroked without antialiasing (about 6x cheaper for long
        curves), and sharp again in the frame after the gesture (see :meth:`TrustScene.set_moving`)."""
        self.frame: tuple[float, float, float, float] | None = None
        """The scene rectangle a view is painting right now ``(left, top, right, bottom)``, or None (export, or
        between frames): edges then stroke only the part of their curve in it (see :meth:`TrustScene.set_frame`)."""
        self.frame_lod = 0.0
        """The view's zoom while it paints a frame (0 otherwise)."""
        self._thin_pens: dict[tuple[EdgeStyle, float], QPen] = {}

    def badge_size(self, text: str) -> tuple[float, float]:
        """Width and height of an edge badge's rounded box showing ``text`` (measured once per text)."""
        size = self._badge_sizes.get(text)
        if size is None:
            size = self._badge_sizes[text] = (self.badge_metrics.horizontalAdvance(text) + 8, self._badge_height)
        return size

    def color(self, value: str) -> QColor:
        """A QColor for ``#rrggbb`` (cached)."""
        color = self._colors.get(value)
        if color is None:
            color = self._colors[value] = QColor(value)
        return color

    @property
    def colors(self):
        return self.theme.colors

    def badge_width(self, text: str) -> float:
        """The width of an edge badge showing ``text`` (0 for none)."""
        return self.badge_metrics.horizontalAdvance(text) + 8 if text else 0.0

    def label_width(self, node: Node) -> float:
        """The width of ``node``'s label in this style's label font (for the layout)."""
        return self.label_metrics.horizontalAdvance(node.label)

    def edge_pen(self, style: EdgeStyle, *, extra: float = 0.0) -> QPen:
        """The pen of an edge style (cached; callers must not modify it)."""
        key = (style, extra)
        pen = self._pens.get(key)
        if pen is None:
            pen = self._pens[key] = self._make_pen(style, extra)
        return pen

    def thin_pen(self, style: EdgeStyle, lod: float) -> QPen:
        """A one-pixel cosmetic pen for an edge style whose stroke is about a pixel wide on screen at ``lod``
        (Qt strokes it without building an outline: several times cheaper), dashes scaled to the screen."""
        key = (style, round(lod, 2))
        pen = self._thin_pens.get(key)
        if pen is None:
            if len(self._thin_pens) > 256:
                self._thin_pens.clear()
            pen = self._thin_pens[key] = QPen(self.color(style.color), 0)
            pen.setCosmetic(True)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            if style.dash:
                pen.setDashPattern([max(d * lod, 1.0) for d in style.dash])
        return pen

    def _make_pen(self, style: EdgeStyle, extra: float) -> QPen:
        width = style.width * (self.text_scale if self.text_scale > 1 else 1.0) + extra
        pen = QPen(self.color(style.color), width)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        if style.dash:
            pen.setDashPattern([max(d / width, 0.1) for d in style.dash])
        return pen


# ---- Nodes ----------------------------------------------------------------------------------------------------------

_DASHED_KINDS = frozenset({NodeKind.EXTERNAL_ACCOUNT, NodeKind.EXTERNAL_PRINCIPAL, NodeKind.DELETED})


class NodeItem(QGraphicsObject):
    """A node: a box with the kind's icon and the label; selectable, lit on hover.

    Positioned at the box centre. The scene's signals carry the node id, never the item.
    """

    def __init__(self, node: Node, size: tuple[float, float], style: Style, *, findings: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.node = node
        self._size = size
        self._style = style
        self.findings = findings
        self._highlighted = False
        self._dimmed = False
        self._hovered = False
        self._elided: str | None = None
        self._bounds: QRectF | None = None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setAcceptHoverEvents(True)
        self.setZValue(Z.NODE)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    # ---- our API
    def tooltip_text(self) -> str:
        """The tooltip; the scene sets it on the item under the mouse when Qt asks (thousands would cost time)."""
        return self._tooltip()

    @property
    def node_id(self) -> str:
        return self.node.id

    @property
    def highlighted(self) -> bool:
        return self._highlighted

    @property
    def dimmed(self) -> bool:
        return self._dimmed

    def set_style(self, style: Style) -> None:
        self._style = style
        self._elided = None
        self._bounds = None
        self.update()

    def set_size(self, size: tuple[float, float]) -> None:
        if size != self._size:
            self.prepareGeometryChange()
            self._size = size
            self._elided = None
            self._bounds = None

    def set_highlighted(self, on: bool) -> None:
        if on != self._highlighted:
            self._highlighted = on
            self.setZValue(Z.NODE_HIGHLIGHTED if on else Z.NODE)
            self.update()

    def set_dimmed(self, on: bool) -> None:
        if on != self._dimmed:
            self._dimmed = on
            self.setOpacity(self._style.theme.dim_opacity if on else 1.0)

    def box(self) -> QRectF:
        """The node's box in item coordinates (centred on the origin)."""
        w, h = self._size
        return QRectF(-w / 2, -h / 2, w, h)

    def scene_box(self) -> QRectF:
        return self.box().translated(self.pos())

    # ---- Qt overrides
    def boundingRect(self) -> QRectF:
        bounds = self._bounds  # Qt asks many times a frame: worked out once per size and style
        if bounds is None:
            margin = self._style.theme.highlight_width + 4 + (6 if self.findings else 0)
            bounds = self._bounds = self.box().adjusted(-margin, -margin, margin, margin)
        return bounds

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(self.box(), 6, 6)
        return path

    def hoverEnterEvent(self, event) -> None:
        self._hovered = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self._hovered = False
        self.update()
        super().hoverLeaveEvent(event)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        style = self._style
        theme = style.theme
        lod = _lod(option, painter, style)
        box = self.box()
        kind_color = style.color(theme.kind_color(self.node.kind))
        radius = min(6.0, box.height() / 4)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if lod * box.height() < 6:  # a dot of colour: nothing else would be legible
            painter.fillRect(box, kind_color)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self._highlighted:
            hw = theme.highlight_width
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(style.color(theme.colors.highlight))
            painter.drawRoundedRect(box.adjusted(-hw, -hw, hw, hw), radius + hw, radius + hw)
        fill = QColor(style.color(theme.colors.node_fill))
        painter.setBrush(fill)
        width = theme.node_stroke_width * (1.6 if self.node.kind is NodeKind.ROLE else 1.0)
        if self._hovered:
            width += 1.0
        pen = QPen(kind_color, width)
        if self.node.kind in _DASHED_KINDS:
            pen.setDashPattern([4.0, 2.5])
        painter.setPen(pen)
        painter.drawRoundedRect(box, radius, radius)
        if self.node.kind is NodeKind.ROLE:  # roles: a tinted band behind the icon, the main actors stand out
            tint = QColor(kind_color)
            tint.setAlphaF(0.14)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(tint)
            painter.drawRoundedRect(box.adjusted(width / 2, width / 2, -width / 2, -width / 2), radius, radius)
        if self.node.kind is NodeKind.GROUP:  # double border
            inner = QPen(kind_color, max(1.0, width * 0.7))
            painter.setPen(inner)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            d = width + 2.0
            painter.drawRoundedRect(box.adjusted(d, d, -d, -d), max(1.0, radius - 2), max(1.0, radius - 2))
        if selected:
            sel = QPen(style.color(theme.colors.selection), width + 2.5)
            painter.setPen(sel)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(box.adjusted(-2, -2, 2, 2), radius + 2, radius + 2)
        m = style.metrics
        icon = m.icon_size
        if icon * lod >= _MIN_ICON_PX:
            icon_rect = QRectF(box.left() + m.padding, -icon / 2, icon, icon)
            paint_icon(painter, KIND_ICONS.get(self.node.kind, "deleted"), icon_rect, theme.kind_color(self.node.kind))
        if style.label_font.pixelSize() * lod >= _MIN_TEXT_PX:
            painter.setFont(style.label_font)
            painter.setPen(style.color(theme.colors.text))
            text_left = box.left() + 2 * m.padding + icon
            text_rect = QRectF(text_left, box.top(), box.right() - m.padding - text_left + 1, box.height())
            if self._elided is None:
                self._elided = style.label_metrics.elidedText(
                    self.node.label, Qt.TextElideMode.ElideMiddle, text_rect.width()
                )
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self._elided)
        if self.findings and lod * 10 >= 4:
            self._paint_findings_badge(painter, box)

    # ---- helpers
    def _paint_findings_badge(self, painter: QPainter, box: QRectF) -> None:
        style = self._style
        r = max(7.0, style.badge_font.pixelSize() * 0.75)
        centre = QPointF(box.right() - 2, box.top() + 1)
        painter.setPen(QPen(style.color(style.theme.colors.node_fill), 1.5))
        painter.setBrush(style.color(style.theme.colors.risk))
        painter.drawEllipse(centre, r, r)
        painter.setFont(style.badge_font)
        painter.setPen(QColor("#ffffff"))
        text = str(len(self.findings)) if len(self.findings) < 10 else "9+"
        painter.drawText(QRectF(centre.x() - r, centre.y() - r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, text)

    def _tooltip(self) -> str:
        node = self.node
        lines = [node.label, f"{node.kind.value}" + (f" in {node.account_id}" if node.account_id else "")]
        if node.arn and node.arn != node.label:
            lines.append(node.arn)
        if self.findings:
            lines.append("findings: " + ", ".join(self.findings))
        return "\n".join(lines)


# ---- Edges ----------------------------------------------------------------------------------------------------------

#: Given a chord (start, end), the boxes of the nodes it would cross.
Obstacles = Callable[[QPointF, QPointF], list[QRectF]]


def edge_style_name(edge: TrustEdge, risky: bool) -> str:
    """The theme edge style for ``edge``: ``member-of``, ``risky`` or its decision kind."""
    if edge.kind is EdgeKind.MEMBER_OF:
        return "member-of"
    if risky:
        return "risky"
    return str(edge.decision or DecisionKind.UNKNOWN)


#: Short badges for the findings' codes: a few words a student reads on the arrow (the inspector has the rest).
#: Long codes made the columns (which leave room for badges) so wide that the done-wrong classroom read at 66 %.
FINDING_BADGES: dict[str, str] = {
    "TRUST_ANYONE": "anyone",
    "TRUST_ANYONE_CONDITIONED": "anyone, if…",
    "CROSS_ACCOUNT_NO_EXTERNAL_ID": "no ExternalId",
    "SERVICE_NO_SOURCE_CONDITION": "no SourceArn",
    "OIDC_NO_AUDIENCE": "no aud",
    "OIDC_CI_NO_SUBJECT": "no sub",
    "OIDC_CI_WILDCARD_SUBJECT": "sub: *",
    "SAML_NO_AUDIENCE": "no SAML:aud",
    "COGNITO_NO_AUDIENCE": "no aud",
    "COGNITO_UNAUTHENTICATED_PRIVILEGED": "guests",
    "PRIVILEGED_NO_MFA": "no MFA",
    "DELETED_PRINCIPAL": "deleted",
    "NOT_PRINCIPAL_IN_TRUST": "NotPrincipal",
    "ACCOUNT_ROOT_TRUST_BROAD": "whole account",
    "ROLE_UNUSED": "unused",
    "CHAIN_TO_ADMIN": "to admin",
}


def finding_badge(code: str) -> str:
    """The short badge of a finding code (unknown codes as they are)."""
    return FINDING_BADGES.get(code, code)


def edge_badge(edge: TrustEdge, risky_code: str | None) -> str:
    """The badge text of an edge: the finding's short badge, the requirements, ``needs caller policy``, ``?``."""
    if edge.kind is EdgeKind.MEMBER_OF:
        return ""
    return finding_badge(risky_code) if risky_code is not None else edge_badge_text(edge)


class EdgeItem(QGraphicsItem):
    """An edge: a curve from the source box to the target box, an arrowhead, and a badge.

    Parallel edges between the same two nodes bend apart; edges within one column arc out to the side. An
    account-root edge that stands for ``bundled`` folded expansions (see :mod:`iamviz.layout.display`) says so in
    its badge: ``MFA · +94 principals``.
    """

    def __init__(
        self,
        edge: TrustEdge,
        style: Style,
        *,
        risky_code: str | None = None,
        parallel: tuple[int, int] = (0, 1),
        bundled: int = 0,
    ) -> None:
        super().__init__()
        self.edge = edge
        self.risky = risky_code is not None
        self.bundled = bundled
        self.style_name = edge_style_name(edge, self.risky)
        self.badge = bundle_badge(edge_badge(edge, risky_code), bundled)
        self._style = style
        self._parallel = parallel
        self._path = QPainterPath()
        self._chord = QLineF()
        self._arrow = QPolygonF()
        self._badge_rect = QRectF()
        self._bounds = QRectF()
        self._shape: QPainterPath | None = None
        self._pieces: list[_Piece] | None = None
        self._run: tuple[int, int, QPainterPath, float] | None = None  # the pieces drawn last, as one path
        self._flat: list[list[QPointF] | None] | None = None  # pieces flattened to points (wide edges, as segments)
        self._flat_run: tuple[int, int, bool, QPolygonF] | None = None  # the segments drawn last
        self._whole_flat: QPolygonF | None = None
        self._whole_pairs: QPolygonF | None = None
        self._box = (0.0, 0.0, 0.0, 0.0)  # the bounds as floats (left, top, right, bottom)
        self._has_arrow = False
        self._looks_for: Style | None = None
        self._look: tuple[EdgeStyle, QPen, float, float, QColor, QPen]
        self._highlighted = False
        self._dimmed = False
        self._ends: tuple[QRectF, QRectF] | None = None
        self._obstacles: Obstacles | None = None
        self._covers: Callable[[QRectF], bool] | None = None
        self._badge_visible = True
        self._badge_at = 0.42  # where along the path the badge sits
        self.badge_item: BadgeItem | None = None
        self.layer: EdgeLayerItem | None = None
        """The scene's edge layer, which draws this edge while it is plain (see :class:`EdgeLayerItem`)."""
        self.plain = False
        """Shown, not lit, not selected: the layer may draw it (the scene keeps this up to date)."""
        self.no_contents = False
        """Whether the item tells Qt it has no contents (drawn by the layer or the overview picture instead)."""
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, edge.kind is not EdgeKind.MEMBER_OF)
        self.setZValue(Z.EDGE)

    def tooltip_text(self) -> str:
        """The tooltip; the scene sets it on the item under the mouse when Qt asks (thousands would cost time)."""
        return self._tooltip()

    @property
    def key(self) -> tuple[str, str, str]:
        """``(source, target, key)``, as the scene's ``edge_selected`` signal carries it."""
        return (self.edge.source, self.edge.target, self.edge.key)

    @property
    def highlighted(self) -> bool:
        return self._highlighted

    @property
    def dimmed(self) -> bool:
        return self._dimmed

    def path(self) -> QPainterPath:
        return QPainterPath(self._path)

    def chord(self) -> QLineF:
        """The straight line the edge is drawn as when zoomed far out."""
        return QLineF(self._chord)

    @property
    def badge_visible(self) -> bool:
        return bool(self.badge) and self._badge_visible

    def badge_rect(self) -> QRectF:
        """The badge's rectangle in scene coordinates (empty when none is shown)."""
        return QRectF(self._badge_rect)

    def badge_box(self) -> tuple[float, float, float, float]:
        """The badge's rectangle as ``(left, top, right, bottom)``."""
        return self._badge_rect.getCoords()

    def set_style(self, style: Style) -> None:
        self._style = style
        if self._ends is not None:
            self.set_geometry(*self._ends, obstacles=self._obstacles, covers=self._covers)

    def set_highlighted(self, on: bool) -> None:
        if on != self._highlighted:
            self._highlighted = on
            self.setZValue(Z.EDGE_HIGHLIGHTED if on else Z.EDGE)
            self.update()

    def set_dimmed(self, on: bool) -> None:
        if on != self._dimmed:
            self._dimmed = on
            self.setOpacity(self._style.theme.dim_opacity if on else 1.0)
            if self.badge_item is not None:
                self.badge_item.setOpacity(self.opacity())

    def set_shown(self, visible: bool) -> None:
        """Show or hide the edge with its badge (an ``itemChange`` override would cost every item change)."""
        self.setVisible(visible)
        if self.badge_item is not None:
            self.badge_item.setVisible(visible and self.badge_item.merged_into is None)

    def make_badge_item(self) -> BadgeItem | None:
        """The item that draws this edge's badge above all edge lines (the scene adds it); None without a shown
        badge (one shown later is painted by the edge itself)."""
        if self.badge_visible and self.badge_item is None:
            self.badge_item = BadgeItem(self)
        return self.badge_item

    def set_geometry(
        self,
        source: QRectF,
        target: QRectF,
        *,
        obstacles: Obstacles | None = None,
        covers: Callable[[QRectF], bool] | None = None,
    ) -> None:
        """Route the edge between two scene boxes.

        Args:
            source: the source node's box in scene coordinates.
            target: the target node's box.
            obstacles: given a straight chord, the boxes of other nodes it would cross; the edge then detours
                through the gaps between rows (cheap, one pass).
            covers: whether a rectangle would cover a node; the badge then moves along the edge.
        """
        self.prepareGeometryChange()
        self._ends = (QRectF(source), QRectF(target))
        self._obstacles = obstacles
        self._covers = covers
        index, count = self._parallel
        spread = (index - (count - 1) / 2) * 14.0
        if self.edge.kind is EdgeKind.MEMBER_OF and target.center().x() < source.center().x():
            points = [QPointF(source.left(), source.center().y()), QPointF(target.right(), target.center().y())]
            self._set_path(points, -1.0, 0.0)
        elif target.left() >= source.right() - 1:
            start = QPointF(source.right(), source.center().y() + spread / 3)
            end = QPointF(target.left(), target.center().y() + spread / 3)
            points = [start, *self._detour(start, end, obstacles), end]
            self._set_path(points, 1.0, spread if len(points) == 2 else 0.0)
        elif abs(target.center().x() - source.center().x()) < 1:  # same column: arc out to the right
            start = QPointF(source.right(), source.center().y())
            end = QPointF(target.right(), target.center().y())
            bulge = 30 + 0.25 * abs(end.y() - start.y()) + abs(spread)
            self._set_arc(start, end, bulge)
        else:  # target to the left: leave leftwards, come in from the right
            points = [QPointF(source.left(), source.center().y()), QPointF(target.right(), target.center().y())]
            self._set_path(points, -1.0, spread)

    def _detour(self, start: QPointF, end: QPointF, obstacles: Obstacles | None) -> list[QPointF]:
        """Waypoints that take the chord ``start -> end`` around the boxes it crosses, through the row gaps."""
        if obstacles is None or end.x() - start.x() < 1:
            return []
        boxes = [b for b in obstacles(start, end) if b.left() > start.x() + 1 and b.right() < end.x() - 1]
        if not boxes or len(boxes) > _MAX_DETOURS:  # nothing in the way, or a hairball where detours do not help
            return []
        boxes.sort(key=lambda b: b.left())
        merged: list[QRectF] = []
        for box in boxes:  # one detour per column of boxes
            if merged and box.left() < merged[-1].right():
                merged[-1] = merged[-1].united(box)
            else:
                merged.append(QRectF(box))
        clearance = max(3.0, self._style.metrics.row_gap / 2)
        waypoints: list[QPointF] = []
        for box in merged:
            t = (box.center().x() - start.x()) / (end.x() - start.x())
            chord_y = start.y() + t * (end.y() - start.y())
            above, below = box.top() - clearance, box.bottom() + clearance
            y = above if abs(chord_y - above) <= abs(chord_y - below) else below
            waypoints += [QPointF(box.left() - clearance * 2, y), QPointF(box.right() + clearance * 2, y)]
        return waypoints

    def _arrow_geometry(self, tip: QPointF, direction: QPointF) -> QPointF:
        """Set the arrowhead at ``tip`` pointing along ``direction``; return where the line should end."""
        es = self._style.theme.edge_style(self.style_name)
        if not es.arrow:
            self._arrow = QPolygonF()
            return tip
        pen_width = self._style.edge_pen(es).widthF()
        length = 7.0 + 2.2 * pen_width
        half = 3.5 + 1.2 * pen_width
        base = QPointF(tip.x() - direction.x() * length, tip.y() - direction.y() * length)
        normal = QPointF(-direction.y(), direction.x())
        self._arrow = QPolygonF([tip, base + normal * half, base - normal * half])
        return base + direction  # the line ends just inside the arrowhead, so a thick line never pokes through

    def _set_path(self, points: list[QPointF], sign: float, spread: float) -> None:
        """A smooth path through ``points`` with horizontal tangents (``sign``: +1 rightwards)."""
        end = self._arrow_geometry(points[-1], QPointF(sign, 0))
        points = [*points[:-1], end]
        path = QPainterPath(points[0])
        for a, b in itertools.pairwise(points):
            dx = max(12.0 if len(points) > 2 else 40.0, abs(b.x() - a.x()) * 0.5)
            path.cubicTo(QPointF(a.x() + sign * dx, a.y() + spread), QPointF(b.x() - sign * dx, b.y() + spread), b)
        self._finish(path)

    def _set_arc(self, start: QPointF, end: QPointF, bulge: float) -> None:
        line_end = self._arrow_geometry(end, QPointF(-1, 0))
        path = QPainterPath(start)
        path.cubicTo(start + QPointF(bulge, 0), end + QPointF(bulge, 0), line_end)
        self._finish(path)

    def set_badge_position(self, at: float) -> None:
        """Move the badge to fraction ``at`` of the path (the scene staggers badges of edges leaving one node)."""
        if at != self._badge_at:
            self._badge_at = at
            if self._ends is not None:
                self.set_geometry(*self._ends, obstacles=self._obstacles, covers=self._covers)

    def set_badge_visible(self, visible: bool) -> None:
        """Show or hide the badge (the scene shows one badge for several like edges into one node)."""
        if visible != self._badge_visible:
            self._badge_visible = visible
            if self._ends is not None:
                self.set_geometry(*self._ends, obstacles=self._obstacles, covers=self._covers)

    def _place_badge(self, path: QPainterPath, w: float, h: float) -> QRectF:
        """The badge's rectangle: at its preferred place along the path, else the nearest place clear of nodes."""
        first = 0.5 if self.edge.kind is EdgeKind.MEMBER_OF else self._badge_at
        candidates = (first, 0.5, 0.35, 0.62, 0.25, 0.72, 0.18, 0.8, 0.12, 0.86)
        rect = QRectF()
        for at in candidates if self._covers is not None else candidates[:1]:
            centre = path.pointAtPercent(at)
            rect = QRectF(centre.x() - w / 2, centre.y() - h / 2, w, h)
            if self._covers is None or not self._covers(rect.adjusted(-2, -2, 2, 2)):
                return rect
        centre = path.pointAtPercent(first)
        return QRectF(centre.x() - w / 2, centre.y() - h / 2, w, h)

    def _finish(self, path: QPainterPath) -> None:
        style = self._style
        es = style.theme.edge_style(self.style_name)
        pen_width = style.edge_pen(es).widthF()
        self._path = path
        first, last = path.elementAt(0), path.elementAt(path.elementCount() - 1)
        self._chord = QLineF(first.x, first.y, last.x, last.y)
        self._badge_rect = QRectF()
        if self.badge and self._badge_visible:
            self._badge_rect = self._place_badge(path, *style.badge_size(self.badge))
        margin = pen_width + style.theme.highlight_width + 2
        bounds = path.boundingRect().adjusted(-margin, -margin, margin, margin)
        bounds = bounds.united(self._arrow.boundingRect().adjusted(-2, -2, 2, 2))
        if not self._badge_rect.isNull():
            bounds = bounds.united(self._badge_rect.adjusted(-2, -2, 2, 2))
        self._bounds = bounds
        self._box = (bounds.left(), bounds.top(), bounds.right(), bounds.bottom())
        self._has_arrow = not self._arrow.isEmpty()
        self._shape = None
        self._pieces = None
        self._run = None
        self._flat = None
        self._flat_run = None
        self._whole_flat = None
        self._whole_pairs = None
        if self.layer is not None:
            self.layer.geometry_changed()
        if self.badge_item is not None:
            self.badge_item.geometry_changed()

    # ---- Qt overrides
    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(max(8.0, self._style.theme.edge_style(self.style_name).width + 6))
            shape = stroker.createStroke(self._path)
            shape.addPolygon(self._arrow)
            if not self._badge_rect.isNull():
                shape.addRect(self._badge_rect)
            self._shape = shape
        return self._shape

    def _looks(self) -> tuple[EdgeStyle, QPen, float, float, QColor, QPen]:
        """What painting needs from the style, looked up once per style: the edge style, its pen and width, the
        margin a stroke needs around the curve, the arrowhead's colour, the far-out hairline pen."""
        style = self._style
        if self._looks_for is not style:
            es = style.theme.edge_style(self.style_name)
            pen = style.edge_pen(es)
            color = style.color(es.color)
            hairline = QPen(color, 0)
            self._look = (es, pen, pen.widthF(), pen.widthF() + style.theme.highlight_width + 2, color, hairline)
            self._looks_for = style
        return self._look

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        style = self._style
        es, pen, width, margin, color, hairline = self._looks()
        lod = style.frame_lod or _lod(option, painter)
        if lod < _MIN_ARROW_LOD:  # far out: a straight hairline in the edge's colour (cheap for thousands)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # hints leak from the item before
            painter.setPen(hairline)
            painter.drawLine(self._chord)
            return
        thin = width * lod <= _THIN_PX
        # Segments only into pixels: a view's frame, or a raster export (SVG and PDF keep the curves).
        flat = not thin and lod <= _LINES_MAX_LOD and (style.frame is not None or _raster(painter))
        run = (0, -1)
        if style.frame is not None:  # a view's frame: only the pieces of a long curve that it shows
            run = self._visible_run(style.frame, margin)
            if run is None:
                return
        offset = self._pieces[run[0]][4] if run[1] >= 0 and self._pieces is not None else 0.0
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, not style.moving)
        theme = style.theme
        selected = self.isSelected()
        if self._highlighted or selected:
            under = QColor(style.color(theme.colors.selection if selected else theme.colors.highlight))
            halo = QPen(under, pen.widthF() + theme.highlight_width)
            halo.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(halo)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(self._run_path(*run))
        if thin:
            pen = style.thin_pen(es, lod)
            if offset and es.dash:
                pen = QPen(pen)
                pen.setDashOffset(offset * lod)
        elif offset and es.dash:
            pen = QPen(pen)
            pen.setDashOffset(offset / width)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if flat:
            painter.setPen(pen)
            if es.dash:  # one polyline: the pattern runs on along the curve
                painter.drawPolyline(self._run_segments(*run, dashed=True))
            else:  # point pairs: Qt's direct line rasterizer (solid pens only)
                painter.drawLines(self._run_segments(*run, dashed=False))
        else:
            painter.setPen(pen)
            painter.drawPath(self._run_path(*run))
        if self._has_arrow:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawPolygon(self._arrow)
        if self.badge_item is None and self.badge_visible and style.badge_font.pixelSize() * lod >= _MIN_TEXT_PX:
            self._paint_badge(painter, es)  # an edge not in a scene that makes badge items draws its own

    def _visible_run(self, frame: tuple[float, float, float, float], margin: float) -> tuple[int, int] | None:
        """The first and last piece of the curve inside ``frame`` (grown by ``margin``): ``(0, -1)`` for the whole
        curve, None when none of it is.

        Stroking costs as much as the whole curve is long, wherever the clip is: a pan across a dense graph stroked
        thousands of pixels of curve off screen for every edge it crossed.
        """
        left, top, right, bottom = frame[0] - margin, frame[1] - margin, frame[2] + margin, frame[3] + margin
        b = self._box
        if b[0] >= left and b[2] <= right and b[1] >= top and b[3] <= bottom:
            return (0, -1)
        pieces = self._cut_pieces()
        first = last = -1
        for index, piece in enumerate(pieces):
            if piece[0] <= right and piece[2] >= left and piece[1] <= bottom and piece[3] >= top:
                if first < 0:
                    first = index
                last = index
        if first < 0:
            return None
        if first == 0 and last == len(pieces) - 1:
            return (0, -1)
        return (first, last)

    def _cut_pieces(self) -> list[_Piece]:
        if self._pieces is None:
            self._pieces = _cut(self._path)
        return self._pieces

    def _run_path(self, first: int, last: int) -> QPainterPath:
        """The pieces ``first..last`` as one path (``last`` -1: the whole curve)."""
        if last < 0:
            return self._path
        pieces = self._pieces
        assert pieces is not None
        run = self._run
        if run is None or run[0] != first or run[1] != last:  # a pan mostly shows the same pieces as the last frame
            path = QPainterPath(QPointF(pieces[first][5], pieces[first][6]))
            for piece in pieces[first : last + 1]:
                path.cubicTo(*piece[7:])
            run = self._run = (first, last, path, pieces[first][4])
        return run[2]

    def whole_polyline(self) -> QPolygonF:
        """The whole curve flattened (Qt's flattening at four times the scale: within 1/8 scene px; cached)."""
        if self._whole_flat is None:
            polygons = self._path.toSubpathPolygons(_FINE)
            self._whole_flat = _COARSE.map(polygons[0]) if polygons else QPolygonF()
        return self._whole_flat

    def whole_pairs(self) -> QPolygonF:
        """The whole curve's flattened segments as point pairs (for ``drawLines``; cached)."""
        if self._whole_pairs is None:
            points = list(self.whole_polyline())
            self._whole_pairs = QPolygonF([point for a, b in itertools.pairwise(points) for point in (a, b)])
        return self._whole_pairs

    def flat_points(self, first: int, last: int) -> list[QPointF]:
        """The pieces ``first..last`` (``last`` -1: all) flattened to one polyline's points."""
        pieces = self._cut_pieces()
        if self._flat is None:
            self._flat = [None] * len(pieces)  # each piece flattened when first drawn
        cache = self._flat
        points: list[QPointF] = []
        for index in range(first if last >= 0 else 0, (last if last >= 0 else len(pieces) - 1) + 1):
            run = cache[index]
            if run is None:
                run = cache[index] = _flatten(pieces[index])
            points += run[1:] if points else run
        return points

    def segment_pairs(self, first: int, last: int) -> list[QPointF]:
        """The pieces ``first..last`` flattened, as the point pairs of their segments (for ``drawLines``)."""
        return [point for a, b in itertools.pairwise(self.flat_points(first, last)) for point in (a, b)]

    def _run_segments(self, first: int, last: int, *, dashed: bool) -> QPolygonF:
        """The pieces ``first..last`` (``last`` -1: all) flattened: one polyline (dashed), or its segments as point
        pairs for ``drawLines``."""
        cached = self._flat_run
        if cached is not None and cached[0] == first and cached[1] == last and cached[2] == dashed:
            return cached[3]
        result = QPolygonF(self.segment_pairs(first, last) if not dashed else self.flat_points(first, last))
        self._flat_run = (first, last, dashed, result)
        return result

    def _paint_badge(self, painter: QPainter, es: EdgeStyle) -> None:
        style = self._style
        colors = style.theme.colors
        border = style.color(es.color)
        painter.setPen(QPen(border, max(1.2, es.width * 0.6)))
        painter.setBrush(style.color(colors.risk if self.risky else colors.badge_fill))
        r = self._badge_rect.height() / 2
        painter.drawRoundedRect(self._badge_rect, r, r)
        painter.setFont(style.badge_font)
        painter.setPen(QColor("#ffffff") if self.risky else style.color(colors.badge_text))
        painter.drawText(self._badge_rect, Qt.AlignmentFlag.AlignCenter, self.badge)

    def _tooltip(self) -> str:
        edge = self.edge
        if edge.kind is EdgeKind.MEMBER_OF:
            return "member of the group"
        lines = [f"{edge.action or 'assume'}: {edge.decision or 'unknown'}"]
        if edge.requirements:
            lines.append("requires " + ", ".join(edge.requirements))
        if self.bundled:
            lines.append(
                f"stands for {self.bundled:,} users and roles of the account whose own policies allow it "
                "(select or focus the role to draw them)"
            )
        lines.extend(edge.reasons[:4])
        return "\n".join(lines)


_Piece = tuple[float, float, float, float, float, float, float, float, float, float, float, float, float]
"""A piece of an edge's curve, one cubic: its control points' bounds ``left, top, right, bottom``, the curve's length
before it, then its control points ``x0, y0, x1, y1, x2, y2, x3, y3``."""


def _cut(path: QPainterPath) -> list[_Piece]:
    """Cut ``path`` (a move, then cubics or lines) into cubics about :data:`_PIECE_LENGTH` long: the same curve,
    exactly (each piece is the cubic restricted to its parameter range)."""
    pieces: list[_Piece] = []
    count = path.elementCount()
    at = 0.0
    i = 1
    first = path.elementAt(0)
    x0, y0 = first.x, first.y
    curve = QPainterPath.ElementType.CurveToElement
    while i < count:
        element = path.elementAt(i)
        if element.type == curve and i + 2 < count:
            second, third = path.elementAt(i + 1), path.elementAt(i + 2)
            x1, y1, x2, y2, x3, y3 = element.x, element.y, second.x, second.y, third.x, third.y
            i += 3
        else:  # a line: a cubic with its controls on it
            x1, y1, x2, y2 = x0, y0, element.x, element.y
            x3, y3 = x2, y2
            i += 1
        net = math.hypot(x1 - x0, y1 - y0) + math.hypot(x2 - x1, y2 - y1) + math.hypot(x3 - x2, y3 - y2)
        length = (net + math.hypot(x3 - x0, y3 - y0)) / 2
        n = max(1, math.ceil(length / _PIECE_LENGTH))
        # B(t) = a + b t + c t^2 + d t^3 and B'(t) = b + 2c t + 3d t^2, per coordinate
        bx, by = 3 * (x1 - x0), 3 * (y1 - y0)
        cx, cy = 3 * (x2 - 2 * x1 + x0), 3 * (y2 - 2 * y1 + y0)
        dx, dy = x3 - 3 * x2 + 3 * x1 - x0, y3 - 3 * y2 + 3 * y1 - y0
        h = 1.0 / n / 3
        px, py = x0, y0
        sx, sy = bx, by  # B'(0)
        for k in range(1, n + 1):
            t = k / n
            qx = ((dx * t + cx) * t + bx) * t + x0
            qy = ((dy * t + cy) * t + by) * t + y0
            ex, ey = bx + (2 * cx + 3 * dx * t) * t, by + (2 * cy + 3 * dy * t) * t
            ax, ay = px + h * sx, py + h * sy
            zx, zy = qx - h * ex, qy - h * ey
            bounds = (min(px, ax, zx, qx), min(py, ay, zy, qy), max(px, ax, zx, qx), max(py, ay, zy, qy))
            pieces.append((*bounds, at, px, py, ax, ay, zx, zy, qx, qy))
            net = math.hypot(ax - px, ay - py) + math.hypot(zx - ax, zy - ay) + math.hypot(qx - zx, qy - zy)
            at += (net + math.hypot(qx - px, qy - py)) / 2  # a short piece: about its length
            px, py, sx, sy = qx, qy, ex, ey
        x0, y0 = x3, y3
    return pieces


def _raster(painter: QPainter) -> bool:
    engine = painter.paintEngine()
    return engine is not None and engine.type() is QPaintEngine.Type.Raster


def _flatten(piece: _Piece) -> list[QPointF]:
    """A piece's cubic as points no more than :data:`_FLAT_TOLERANCE` off the curve (Wang's bound), ends included."""
    x0, y0, x1, y1, x2, y2, x3, y3 = piece[5:]
    second = max(
        math.hypot(x0 - 2 * x1 + x2, y0 - 2 * y1 + y2),
        math.hypot(x1 - 2 * x2 + x3, y1 - 2 * y2 + y3),
    )
    n = max(1, min(64, math.ceil(math.sqrt(0.75 * second / _FLAT_TOLERANCE))))
    bx, by = 3 * (x1 - x0), 3 * (y1 - y0)
    cx, cy = 3 * (x2 - 2 * x1 + x0), 3 * (y2 - 2 * y1 + y0)
    dx, dy = x3 - 3 * x2 + 3 * x1 - x0, y3 - 3 * y2 + 3 * y1 - y0
    points = [QPointF(x0, y0)]
    for k in range(1, n):
        t = k / n
        points.append(QPointF(((dx * t + cx) * t + bx) * t + x0, ((dy * t + cy) * t + by) * t + y0))
    points.append(QPointF(x3, y3))
    return points


#: The drawing order of the edge layer's groups (later on top): solid quiet styles first, dashed ones over them (their
#: gaps show what runs under), risky last.
_LAYER_ORDER = ("member-of", "allowed", "unknown", "needs-caller-policy", "conditional", "risky")
#: The edge layer's cells (scene px): a frame draws the pieces of curve in the cells it overlaps.
_LAYER_CELL = 256.0
_LAYER_TILE = 8  # cells a side of the tiles in which the edge layer cuts and indexes edges (2,048 scene px)


def batches(style: Style, style_name: str, lod: float) -> bool:
    """Whether the edge layer draws the plain edges of ``style_name`` at ``lod``: up to :data:`_LINES_MAX_LOD` (far
    out straight hairlines, then one-pixel cosmetic curves, then flattened segments); closer in, few edges show and
    each draws itself."""
    return lod <= _LINES_MAX_LOD


_Group = tuple[str, bool]  # (style name, dimmed)


class _CellGroup:
    """The plain edges of one style and look in one cell of the layer: their pieces, and what is drawn of them."""

    __slots__ = ("arrows", "curves", "entries", "pairs", "polylines")

    def __init__(self) -> None:
        self.entries: list[tuple[EdgeItem, int, int]] = []
        self.curves = QPainterPath()
        self.arrows = QPainterPath()
        self.pairs: QPolygonF | None = None  # the solid segments, as point pairs (made when first drawn wide)
        self.polylines: list[tuple[QPolygonF, float]] | None = None  # dashed: a polyline and its phase (scene px)


def _group_pen(painter: QPainter, style: Style, key: tuple, lod: float) -> tuple[EdgeStyle, QPen, bool]:
    """Set ``painter`` up for one group of the edge layer (``key``: its style name and whether it is dimmed): its
    pen (a thin cosmetic one when the edge is a hairline at ``lod``), its opacity, no brush. Returns the edge style,
    its full pen, and whether it is thin."""
    theme = style.theme
    es = theme.edge_style(key[0])
    pen = style.edge_pen(es)
    thin = pen.widthF() * lod <= _THIN_PX
    painter.setOpacity(theme.dim_opacity if key[1] else 1.0)
    painter.setPen(style.thin_pen(es, lod) if thin else pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    return es, pen, thin


class EdgeLayerItem(QGraphicsItem):
    """The plain edges of a dense scene (shown, not lit, not selected) in a few batched calls, cached as a picture.

    A dense view crosses thousands of edges; each painting itself cost 20-70 us of Python and Qt per edge per frame.
    Up to :data:`_LINES_MAX_LOD` the layer draws the edges of one style and look (dimmed or not) per cell of a coarse
    grid (curves cut into pieces of about 300 px, each in the cell where it starts): far out one ``drawLines`` of
    chords, then one cosmetic path, then (wider than :data:`_THIN_PX` on screen) one ``drawLines`` of flattened
    segments, dashed styles one polyline per edge. Qt keeps the result as a viewport-sized pixmap (device coordinate
    cache): a repaint at the same zoom, or a pan, blits and scrolls it and draws only what came into view.

    The edge items keep their shape, tooltips and selection, and tell Qt they have no contents while the layer draws
    them; lit and selected edges (and all of them past 200 %) paint themselves above it. It takes no mouse events
    and has no shape.
    """

    def __init__(self, rect: QRectF, edges: Callable[[], Iterable[EdgeItem]], style: Callable[[], Style]) -> None:
        super().__init__()
        self._rect = QRectF(rect)
        self._edges = edges
        self._style = style
        self._cells: dict[tuple[int, int], list[tuple[EdgeItem, int, int]]] | None = None
        self._arrows: dict[tuple[int, int], list[EdgeItem]] = {}
        self._groups: dict[tuple[int, int], dict[_Group, _CellGroup]] = {}
        self._chords: dict[_Group, list[QLineF]] | None = None
        self._names: set[str] | None = None  # the edges' style names
        self._reach = 0.0
        self._tiles: dict[tuple[int, int], list[EdgeItem]] = {}  # tile -> the edges whose curve may enter it
        self._tiles_done: set[tuple[int, int]] = set()
        self._indexed: set[EdgeItem] = set()
        self._whole: dict[_Group, tuple[list[EdgeItem], QPainterPath | None, QPainterPath | None]] | None = None
        self.full_ms = 0.0
        """How long the layer's last drawing of (at least half of) a whole frame took: what a frame of this view costs
        when nothing is kept (the view pans a slow view by moving its last frame; see ``TrustView``)."""
        self.on_paint: Callable[[float], None] | None = None
        """Called with the zoom before each paint (the scene switches the edge items' painting by :func:`batches`)."""
        self.setZValue(Z.EDGE - 1)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)  # exposedRect: what to draw
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_rect(self, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self._rect = QRectF(rect)

    def geometry_changed(self) -> None:
        """An edge was routed again: index the pieces anew when next painted."""
        self._cells = None
        self._names = None
        self.changed()

    def changed(self) -> None:
        """Which edges are plain, or how they look, changed: make the paths anew when next painted."""
        self._groups = {}
        self._chords = None
        self._whole = None
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def shape(self) -> QPainterPath:
        return QPainterPath()

    def _ensure_cells(self, x0: int, y0: int, x1: int, y1: int) -> None:
        """Index the pieces of every edge that may have a piece (or an arrowhead) in cells ``x0..x1, y0..y1``.

        Edges are cut into pieces and indexed a tile of :data:`_LAYER_TILE` cells at a time, when a paint first
        needs that tile: the first frame of a 20,000-role graph at a readable zoom cut every one of its 22,000 edges
        (seconds), where the view shows a few hundred. An edge is bucketed by its curve's control points, which hold
        the whole curve, its pieces' middles and its arrowhead's tip, so a tile's bucket lists every edge with a
        piece in the tile.
        """
        if self._cells is None:
            self._cells, self._arrows, self._tiles_done, self._indexed = {}, {}, set(), set()
            self._tiles = self._bucket()
        tile = _LAYER_TILE
        for tx in range(x0 // tile, x1 // tile + 1):
            for ty in range(y0 // tile, y1 // tile + 1):
                if (tx, ty) in self._tiles_done:
                    continue
                self._tiles_done.add((tx, ty))
                for edge in self._tiles.get((tx, ty), ()):
                    if edge not in self._indexed:
                        self._indexed.add(edge)
                        self._index_edge(edge)

    def _bucket(self) -> dict[tuple[int, int], list[EdgeItem]]:
        tiles: dict[tuple[int, int], list[EdgeItem]] = {}
        span = _LAYER_CELL * _LAYER_TILE
        for edge in self._edges():
            rect = edge._path.controlPointRect()
            if edge._has_arrow:
                rect = rect.united(edge._arrow.boundingRect())
            for tx in range(int(rect.left() // span), int(rect.right() // span) + 1):
                for ty in range(int(rect.top() // span), int(rect.bottom() // span) + 1):
                    tiles.setdefault((tx, ty), []).append(edge)
        return tiles

    def _index_edge(self, edge: EdgeItem) -> None:
        """Add ``edge``'s pieces to the cells where their middles lie, and its arrowhead to its tip's cell."""
        cells = self._cells
        assert cells is not None
        size = _LAYER_CELL
        reach = self._reach
        pieces = edge._cut_pieces()
        start, cell = 0, None
        for index, piece in enumerate(pieces):
            half_w, half_h = (piece[2] - piece[0]) / 2, (piece[3] - piece[1]) / 2
            reach = max(reach, half_w + 16, half_h + 16)  # a piece reaches this far from its middle (arrowheads too)
            here = (int((piece[0] + half_w) // size), int((piece[1] + half_h) // size))  # its middle's cell
            if here != cell:
                if cell is not None:
                    cells.setdefault(cell, []).append((edge, start, index - 1))
                start, cell = index, here
        if cell is not None:
            cells.setdefault(cell, []).append((edge, start, len(pieces) - 1))
        if edge._has_arrow:
            tip = edge._arrow.at(0)
            self._arrows.setdefault((int(tip.x() // size), int(tip.y() // size)), []).append(edge)
        self._reach = reach

    def _cell_groups(self, cell: tuple[int, int]) -> dict[_Group, _CellGroup]:
        groups = self._groups.get(cell)
        if groups is None:
            assert self._cells is not None
            groups = self._groups[cell] = {}
            for edge, first, last in self._cells.get(cell, ()):
                if not edge.plain:
                    continue
                group = groups.get((edge.style_name, edge.dimmed))
                if group is None:
                    group = groups[(edge.style_name, edge.dimmed)] = _CellGroup()
                group.entries.append((edge, first, last))
                pieces = edge._pieces
                assert pieces is not None
                group.curves.moveTo(pieces[first][5], pieces[first][6])
                for piece in pieces[first : last + 1]:
                    group.curves.cubicTo(*piece[7:])
            for edge in self._arrows.get(cell, ()):
                if edge.plain:
                    group = groups.get((edge.style_name, edge.dimmed))
                    if group is None:
                        group = groups[(edge.style_name, edge.dimmed)] = _CellGroup()
                    group.arrows.addPolygon(edge._arrow)
                    group.arrows.closeSubpath()
        return groups

    def _chord_groups(self) -> dict[_Group, list[QLineF]]:
        if self._chords is None:
            chords: dict[_Group, list[QLineF]] = {}
            for edge in self._edges():
                if edge.plain:
                    chords.setdefault((edge.style_name, edge.dimmed), []).append(edge._chord)
            self._chords = chords
        return self._chords

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        style = self._style()
        lod = _lod(option, painter, style)
        if self.on_paint is not None:
            self.on_paint(lod)
        theme = style.theme
        if self._names is None:
            self._names = {edge.style_name for edge in self._edges()}
        present = self._names
        order = [name for name in _LAYER_ORDER if name in present]
        order += sorted(present.difference(_LAYER_ORDER))
        order = [name for name in order if batches(style, name, lod)]
        groups = [(name, dimmed) for dimmed in (True, False) for name in order]  # dimmed edges under the others
        painter.save()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if lod < _MIN_ARROW_LOD:  # far out: straight hairlines, as the items draw themselves there
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            chords = self._chord_groups()
            for key in groups:
                lines = chords.get(key)
                if lines:
                    painter.setOpacity(theme.dim_opacity if key[1] else 1.0)
                    painter.setPen(QPen(style.color(theme.edge_style(key[0]).color), 0))
                    painter.drawLines(lines)
            painter.restore()
            return
        started = time.perf_counter()
        exposed = self._area(painter, option)
        if exposed.contains(self._rect.adjusted(32, 32, -32, -32)):  # all of it (export): no pieces, no cells
            self._paint_whole(painter, style, lod, groups)
            painter.restore()
            self.full_ms = (time.perf_counter() - started) * 1000.0
            return
        size = _LAYER_CELL
        while True:  # the cells a piece drawn here may sit in, as far as the pieces indexed so far reach
            reach = self._reach + 2 * theme.highlight_width + 8  # (pen widths)
            x0, x1 = int((exposed.left() - reach) // size), int((exposed.right() + reach) // size)
            y0, y1 = int((exposed.top() - reach) // size), int((exposed.bottom() + reach) // size)
            known = self._reach
            self._ensure_cells(x0, y0, x1, y1)
            if self._reach == known:
                break
        assert self._cells is not None
        cells = sorted(c for c in self._cells.keys() | self._arrows.keys() if x0 <= c[0] <= x1 and y0 <= c[1] <= y1)
        # Always antialiased: the picture is kept, and a pan only draws the strip that came into view (cheap).
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        flat = _raster(painter)  # segments only into pixels (SVG and PDF keep the curves)
        for key in groups:
            es, pen, thin = _group_pen(painter, style, key, lod)
            heads: list[QPainterPath] = []
            for cell in cells:
                group = self._cell_groups(cell).get(key)
                if group is None:
                    continue
                if group.entries:
                    if thin or not flat:
                        painter.drawPath(group.curves)
                    elif es.dash:
                        self._draw_dashed(painter, group, pen)
                    else:
                        if group.pairs is None:
                            group.pairs = QPolygonF(
                                [p for edge, first, last in group.entries for p in edge.segment_pairs(first, last)]
                            )
                        painter.drawLines(group.pairs)
                if not group.arrows.isEmpty():
                    heads.append(group.arrows)
            if heads:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(style.color(es.color))
                for path in heads:
                    painter.drawPath(path)
        painter.restore()
        device = painter.device()
        shown = exposed.width() * exposed.height() * lod * lod  # device px drawn
        if device is not None and shown * 2 >= device.width() * device.height():
            self.full_ms = (time.perf_counter() - started) * 1000.0

    def _paint_whole(self, painter: QPainter, style: Style, lod: float, groups: list[_Group]) -> None:
        """Every plain edge, whole: one path per style and look (thin, or into SVG/PDF), else each edge's flattened
        curve (segments, or a dashed polyline); arrowheads one fill per style and look."""
        if self._whole is None:
            whole: dict[_Group, list[EdgeItem]] = {}
            for edge in self._edges():
                if edge.plain:
                    whole.setdefault((edge.style_name, edge.dimmed), []).append(edge)
            self._whole = {key: (edges, None, None) for key, edges in whole.items()}
        flat = _raster(painter)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for key in groups:
            found = self._whole.get(key)
            if found is None:
                continue
            edges, curves, heads = found
            es, _pen, thin = _group_pen(painter, style, key, lod)
            if thin or not flat:
                if curves is None:
                    curves = QPainterPath()
                    for edge in edges:
                        curves.addPath(edge._path)
                painter.drawPath(curves)
            else:
                for edge in edges:
                    if es.dash:
                        painter.drawPolyline(edge.whole_polyline())
                    else:
                        painter.drawLines(edge.whole_pairs())
            if heads is None:
                heads = QPainterPath()
                for edge in edges:
                    if edge._has_arrow:
                        heads.addPolygon(edge._arrow)
                        heads.closeSubpath()
            self._whole[key] = (edges, curves, heads)
            if not heads.isEmpty():
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(style.color(es.color))
                painter.drawPath(heads)

    def _area(self, painter: QPainter, option: QStyleOptionGraphicsItem) -> QRectF:
        """The part of the scene to draw: what Qt asks for (a new cache's whole item, or its part that came into
        view), within what the device shows (the cache is a viewport-sized picture) and the painter's clip."""
        area = option.exposedRect if not option.exposedRect.isEmpty() else QRectF(self._rect)
        device = painter.device()
        if device is not None and device.width() > 0 and device.height() > 0:
            inverse, invertible = painter.deviceTransform().inverted()
            if invertible:
                area = area.intersected(inverse.mapRect(QRectF(0, 0, device.width(), device.height())))
        if painter.hasClipping():
            area = area.intersected(painter.clipBoundingRect())
        return area

    @staticmethod
    def _draw_dashed(painter: QPainter, group: _CellGroup, pen: QPen) -> None:
        """Dashed edges as one polyline each, the pattern's phase where the piece starts along its curve."""
        if group.polylines is None:
            group.polylines = [
                (QPolygonF(edge.flat_points(first, last)), edge._pieces[first][4] if edge._pieces else 0.0)
                for edge, first, last in group.entries
            ]
        width = pen.widthF()
        for polyline, at in group.polylines:
            if at:
                phased = QPen(pen)
                phased.setDashOffset(at / width)
                painter.setPen(phased)
            else:
                painter.setPen(pen)
            painter.drawPolyline(polyline)


class BadgeItem(QGraphicsItem):
    """An edge's badge, drawn above every edge line so no other edge crosses its text."""

    def __init__(self, edge_item: EdgeItem) -> None:
        super().__init__()
        self._edge_item = edge_item
        self._rect = edge_item.badge_rect()
        self.merged_into: BadgeItem | None = None
        """The badge drawn instead of this one (the same text at about the same place), or None: this one is drawn
        (see :meth:`~iamviz.render.scene.TrustScene.merge_badges`)."""
        self.stacked = 1
        """How many edges' badges this one stands for (itself and those merged into it)."""
        self.setZValue(Z.BADGE)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks fall through to the edge
        self.setAcceptHoverEvents(False)
        # A small picture at the current zoom: a pan blits it (an antialiased pill and its text cost ~0.15 ms to
        # draw; a dense view shows hundreds); zoom gestures scale the last frame instead of redrawing.
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    @property
    def edge_item(self) -> EdgeItem:
        return self._edge_item

    @property
    def text(self) -> str:
        return self._edge_item.badge

    def tooltip_text(self) -> str:
        """The edge's tooltip; for a badge standing for several, how many it stands for first."""
        edge = self._edge_item.tooltip_text()
        if self.stacked < 2:
            return edge
        return f"'{self.text}' on {self.stacked} edges here (drawn once)\n{edge}"

    def geometry_changed(self) -> None:
        self.prepareGeometryChange()
        self._rect = self._edge_item.badge_rect()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-2, -2, 2, 2) if not self._rect.isNull() else QRectF()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        edge = self._edge_item
        style = edge._style
        if not edge.badge_visible or style.badge_font.pixelSize() * _lod(option, painter, style) < _MIN_TEXT_PX:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        edge._paint_badge(painter, style.theme.edge_style(edge.style_name))


# ---- Lanes ----------------------------------------------------------------------------------------------------------


class LaneItem(QGraphicsItem):
    """An account lane: a rounded rectangle with the account's id and alias as its title."""

    def __init__(self, account_id: str, label: str, rect: QRectF, style: Style, *, external: bool) -> None:
        super().__init__()
        self.account_id = account_id
        self.label = label
        self.external = external
        self._rect = QRectF(rect)
        self._style = style
        self.setZValue(Z.LANE)
        # No pixmap cache: a lane spans the drawing, its cache was a viewport-sized pixmap made again at every zoom
        # step, and two of them overflowed QPixmapCache, evicting the nodes' caches at every frame of a pan.

    def set_style(self, style: Style) -> None:
        self._style = style
        self.update()

    def set_rect(self, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self._rect = QRectF(rect)

    def rect(self) -> QRectF:
        return QRectF(self._rect)

    def boundingRect(self) -> QRectF:
        w = self._style.theme.lane_stroke_width
        return self._rect.adjusted(-w, -w, w, w)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        style = self._style
        theme = style.theme
        lod = _lod(option, painter)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(style.color(theme.colors.lane_stroke), theme.lane_stroke_width)
        if self.external:
            pen.setDashPattern([6.0, 4.0])
        painter.setPen(pen)
        fill = theme.colors.external_lane_fill if self.external else theme.colors.lane_fill
        painter.setBrush(style.color(fill))
        painter.drawRoundedRect(self._rect, 12, 12)
        if style.lane_font.pixelSize() * lod >= MIN_LANE_TITLE_PX:  # smaller: LaneTitleItem draws it, on top
            m = style.metrics
            painter.setFont(style.lane_font)
            painter.setPen(style.color(theme.colors.muted))
            title = QRectF(
                self._rect.left() + m.lane_padding,
                self._rect.top(),
                self._rect.width() - 2 * m.lane_padding,
                m.lane_title_height,
            )
            text = style.lane_metrics.elidedText(self.label, Qt.TextElideMode.ElideRight, title.width())
            painter.drawText(title, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)


class LaneTitleItem(QGraphicsItem):
    """A lane's title when zoomed out too far for the lane to draw it: never smaller than
    :data:`MIN_LANE_TITLE_PX` on screen, on a plate above the nodes, so which account is where stays readable.

    It takes no mouse events and has no shape (clicks and rubber bands go to the nodes under it).
    """

    def __init__(self, lane: LaneItem) -> None:
        super().__init__()
        self.lane = lane
        self.setZValue(Z.NODE_HIGHLIGHTED + 1)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)

    def set_style(self, style: Style) -> None:
        self.update()

    def boundingRect(self) -> QRectF:
        return self.lane.rect()

    def shape(self) -> QPainterPath:
        return QPainterPath()

    def screen_px(self, lod: float) -> float:
        """The title's size on screen at ``lod`` (0: the lane draws it itself)."""
        style = self.lane._style
        return 0.0 if style.lane_font.pixelSize() * lod >= MIN_LANE_TITLE_PX else MIN_LANE_TITLE_PX

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        lod = _lod(option, painter)
        if lod <= 0 or not self.screen_px(lod):
            return
        lane, style = self.lane, self.lane._style
        theme = style.theme
        rect = lane.rect()
        font = QFont(style.lane_font)
        font.setPixelSize(max(1, round(MIN_LANE_TITLE_PX)))
        fm = QFontMetricsF(font)
        pad = 4.0
        width = max(0.0, rect.width() * lod - 2 * pad)  # room on screen, the plate's padding aside
        lines, vertical = lane_title_lines(lane.label, fm, width - 2 * pad, rect.height() * lod - 2 * pad)
        line_h = fm.height()
        text_w = max(fm.horizontalAdvance(line) for line in lines)
        painter.save()
        painter.translate(rect.topLeft())
        painter.scale(1 / lod, 1 / lod)  # from here on, one unit is one screen pixel
        if vertical:  # a narrow, tall lane: the title reads upwards along its left edge
            painter.translate(0, rect.height() * lod)
            painter.rotate(-90)
        plate = QRectF(pad, pad, text_w + 2 * pad, line_h * len(lines) + pad)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        fill = QColor(style.color(theme.colors.external_lane_fill if lane.external else theme.colors.lane_fill))
        fill.setAlphaF(0.92)
        painter.setPen(QPen(style.color(theme.colors.lane_stroke), 1.0))
        painter.setBrush(fill)
        painter.drawRoundedRect(plate, 4, 4)
        painter.setFont(font)
        painter.setPen(style.color(theme.colors.text))
        for index, line in enumerate(lines):
            row = QRectF(plate.left(), plate.top() + pad / 2 + index * line_h, plate.width(), line_h)
            painter.drawText(row, Qt.AlignmentFlag.AlignCenter, line)
        painter.restore()


def lane_title_lines(label: str, fm: QFontMetricsF, width: float, height: float) -> tuple[list[str], bool]:
    """How a lane title of ``label`` fits ``width`` x ``height`` screen px: its lines, and whether it is set upwards.

    One line when it fits; else its words wrapped onto up to three lines; else, when the lane is taller than wide,
    one line upwards along its height; else elided (never to nothing but an ellipsis: at least the first letters).
    """
    if fm.horizontalAdvance(label) <= width:
        return [label], False
    words = label.split()
    if words and max(fm.horizontalAdvance(word) for word in words) <= width:
        lines = [words[0]]
        for word in words[1:]:
            joined = f"{lines[-1]} {word}"
            if fm.horizontalAdvance(joined) <= width:
                lines[-1] = joined
            else:
                lines.append(word)
        if len(lines) <= 3 and (len(lines) * fm.height() <= height or height <= 0):
            return lines, False
    if height > width:
        return [fm.elidedText(label, Qt.TextElideMode.ElideRight, max(height, fm.horizontalAdvance(label[:3])))], True
    short = fm.elidedText(label, Qt.TextElideMode.ElideRight, width)
    if len(short.rstrip("…")) < 3:  # an ellipsis alone says nothing: the first letters at least
        short = label[:3] + "…"
    return [short], False


# ---- Legend ---------------------------------------------------------------------------------------------------------

_KIND_NAMES = {
    NodeKind.ROLE: "role",
    NodeKind.USER: "user",
    NodeKind.GROUP: "group",
    NodeKind.SERVICE: "AWS service",
    NodeKind.SAML_PROVIDER: "SAML provider",
    NodeKind.OIDC_PROVIDER: "OIDC / web identity",
    NodeKind.ACCOUNT: "whole account",
    NodeKind.EXTERNAL_ACCOUNT: "external account",
    NodeKind.EXTERNAL_PRINCIPAL: "external principal",
    NodeKind.DELETED: "deleted principal",
    NodeKind.ANYONE: "anyone (*)",
}
_EDGE_ENTRIES = (
    ("allowed", "allowed", ""),
    ("conditional", "only with context", "MFA"),
    ("needs-caller-policy", "trust only", "needs caller policy"),
    ("unknown", "cannot judge", "?"),
    ("risky", "risky (a finding)", "no MFA"),
    ("member-of", "member of group", ""),
)


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: str  # "node" or "edge"
    name: str
    text: str
    badge: str = ""


def legend_entries(
    kinds: Iterable[NodeKind] | None = None,
    edge_styles: Iterable[str] | None = None,
    *,
    badges: Mapping[str, str] | None = None,
) -> list[_Entry]:
    """The legend's entries: node kinds (those given, or all) then edge styles (those given, or all).

    ``badges`` gives an edge style the sample badge the drawing really shows (the risky style: its most frequent
    finding's badge); the others keep a typical one.
    """
    wanted = set(kinds) if kinds is not None else set(_KIND_NAMES)
    styles = set(edge_styles) if edge_styles is not None else {name for name, _, _ in _EDGE_ENTRIES}
    chosen = badges or {}
    entries = [_Entry("node", kind.value, text) for kind, text in _KIND_NAMES.items() if kind in wanted]
    entries += [
        _Entry("edge", name, text, chosen.get(name, badge)) for name, text, badge in _EDGE_ENTRIES if name in styles
    ]
    return entries


def paint_legend(
    painter: QPainter | None,
    style: Style,
    origin: QPointF,
    max_width: float,
    entries: list[_Entry],
    *,
    font_px: float | None = None,
) -> QSizeF:
    """Lay out (and, with a painter, draw) the legend as wrapping rows from ``origin``; return its size.

    With ``painter=None`` it only measures, so export can reserve the space first.
    """
    theme = style.theme
    px = font_px or theme.small_font_px + 1
    font = _font(theme.font_family, px)
    fm = QFontMetricsF(font)
    row_h = max(fm.height(), px * 1.4) + 6
    pad = px * 0.8
    icon = px * 1.35
    sample = px * 3.2
    x, y = pad, pad
    widest = 0.0
    for entry in entries:
        label_w = fm.horizontalAdvance(entry.text)
        badge_w = fm.horizontalAdvance(entry.badge) + 8 if entry.badge else 0.0
        lead = icon if entry.kind == "node" else sample
        w = lead + px * 0.5 + label_w + (badge_w + px * 0.4 if badge_w else 0.0)
        if x > pad and x + w > max_width - pad:
            x = pad
            y += row_h
        if painter is not None:
            _paint_entry(painter, style, entry, origin + QPointF(x, y), row_h - 6, font, fm, icon, sample, badge_w)
        x += w + px * 1.6
        widest = max(widest, x - px * 1.6 + pad)
    height = y + row_h + pad - 6
    size = QSizeF(min(max_width, widest), height)
    if painter is not None:
        painter.save()
        painter.setPen(QPen(style.color(theme.colors.legend_stroke), 1.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(origin, size), 8, 8)
        painter.restore()
    return size


def _paint_entry(
    painter: QPainter,
    style: Style,
    entry: _Entry,
    at: QPointF,
    h: float,
    font: QFont,
    fm: QFontMetricsF,
    icon: float,
    sample: float,
    badge_w: float,
) -> None:
    theme = style.theme
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    cy = at.y() + h / 2
    if entry.kind == "node":
        kind = NodeKind(entry.name)
        paint_icon(painter, KIND_ICONS[kind], QRectF(at.x(), cy - icon / 2, icon, icon), theme.kind_color(kind))
        lead = icon
    else:
        es = theme.edge_style(entry.name)
        pen = style.edge_pen(es)
        painter.setPen(pen)
        end = QPointF(at.x() + sample - (8 if es.arrow else 0), cy)
        painter.drawLine(QPointF(at.x(), cy), end)
        if es.arrow:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(style.color(es.color))
            tip = QPointF(at.x() + sample, cy)
            half = 3.5 + 0.8 * es.width
            painter.drawPolygon(QPolygonF([tip, QPointF(end.x(), cy - half), QPointF(end.x(), cy + half)]))
        lead = sample
    painter.setFont(font)
    painter.setPen(style.color(theme.colors.text))
    text_x = at.x() + lead + fm.height() * 0.35
    label_w = fm.horizontalAdvance(entry.text)
    painter.drawText(QRectF(text_x, at.y(), label_w + 2, h), Qt.AlignmentFlag.AlignVCenter, entry.text)
    if entry.badge:
        es = theme.edge_style(entry.name)
        rect = QRectF(text_x + label_w + fm.height() * 0.3, cy - fm.height() / 2 - 1, badge_w, fm.height() + 2)
        risky = entry.name == "risky"
        painter.setPen(QPen(style.color(es.color), 1.2))
        painter.setBrush(style.color(theme.colors.risk if risky else theme.colors.badge_fill))
        painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        painter.setPen(QColor("#ffffff") if risky else style.color(theme.colors.badge_text))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, entry.badge)
    painter.restore()


class LegendItem(QGraphicsItem):
    """The legend as a scene item (the GUI may also draw it as a view overlay with :func:`paint_legend`)."""

    def __init__(self, style: Style, entries: list[_Entry], *, max_width: float = 900.0) -> None:
        super().__init__()
        self._style = style
        self._entries = entries
        self._max_width = max_width
        self._size = paint_legend(None, style, QPointF(0, 0), max_width, entries)
        self.setZValue(Z.OVERLAY)

    def set_style(self, style: Style) -> None:
        self.prepareGeometryChange()
        self._style = style
        self._size = paint_legend(None, style, QPointF(0, 0), self._max_width, self._entries)

    def boundingRect(self) -> QRectF:
        return QRectF(QPointF(0, 0), self._size).adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(self._style.color(self._style.theme.colors.legend_fill)))
        painter.drawRoundedRect(QRectF(QPointF(0, 0), self._size), 8, 8)
        painter.restore()
        paint_legend(painter, self._style, QPointF(0, 0), self._max_width, self._entries)
