"""The items the scenario player adds to a trust scene: the STS hub, the credentials ticket, callouts, deny flash.

They are drawn with the scene's :class:`~iamviz.render.items.Style` (theme colours ``sts``, ``ticket``, ``risk``),
never with colour literals, and sit above the graph at :attr:`~iamviz.render.items.Z.PLAYBACK`. All are
``QGraphicsObject``\\ s so the animator can tween ``pos``, ``opacity`` and ``scale``.

* :class:`StsHubItem` — "the token machine": a round hub with the STS icon, between caller and role.
* :class:`TicketItem` — temporary credentials: the access key ID and a clock (the session's expiry).
* :class:`CalloutItem` — a short note beside a node: the API call a USE step makes, or why STS refused.
* :class:`FlashItem` — the path of a refused hop, stroked in the risk colour (the animator blinks it).
* :class:`ConnectorItem` — the request's way: caller → STS → role, a thin line in the STS colour.
* :class:`RouteItem` — a hop over a folded edge: from the caller into its account's edge and along it to the role,
  drawn like a lit edge (the picture draws no edge of its own for it).
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsObject, QStyleOptionGraphicsItem, QWidget

from iamviz.render.icons import paint_icon
from iamviz.render.items import Style, Z


def _font(style: Style, px: float, *, bold: bool = False) -> QFont:
    font = QFont(style.theme.font_family)
    font.setPixelSize(max(1, round(px)))
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return font


class HubState(StrEnum):
    """What the STS hub shows."""

    WORKING = "working"  # a request is being decided
    GRANTED = "granted"  # credentials issued
    REFUSED = "refused"  # AccessDenied


class StsHubItem(QGraphicsObject):
    """The STS hub: a circle with the STS icon and a small ``STS`` label, centred on its position."""

    def __init__(self, style: Style) -> None:
        super().__init__()
        self._style = style
        self._state = HubState.WORKING
        self.setZValue(Z.PLAYBACK)
        self.setToolTip("AWS STS: checks the role's trust policy and issues temporary credentials")

    @property
    def state(self) -> HubState:
        return self._state

    def set_state(self, state: HubState) -> None:
        if state != self._state:
            self._state = state
            self.update()

    def set_style(self, style: Style) -> None:
        self.prepareGeometryChange()
        self._style = style
        self.update()

    def radius(self) -> float:
        return self._style.metrics.node_height * 0.8

    def _label_height(self) -> float:
        return self._style.badge_metrics.height()

    def boundingRect(self) -> QRectF:
        r = self.radius() + self._style.theme.highlight_width + 2
        return QRectF(-r, -r, 2 * r, 2 * r + self._label_height() + 4)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        style = self._style
        theme = style.theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        r = self.radius()
        accent = theme.kind_color("sts")
        ring = {HubState.WORKING: accent, HubState.GRANTED: theme.edge_style("allowed").color}.get(
            self._state, theme.colors.risk
        )
        halo = theme.highlight_width
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.color(theme.colors.highlight))
        painter.drawEllipse(QPointF(0, 0), r + halo, r + halo)
        painter.setBrush(style.color(theme.colors.node_fill))
        painter.setPen(QPen(style.color(ring), max(2.5, theme.node_stroke_width * 1.6)))
        painter.drawEllipse(QPointF(0, 0), r, r)
        icon = r * 1.15
        paint_icon(painter, "sts", QRectF(-icon / 2, -icon / 2, icon, icon), accent)
        painter.setFont(style.badge_font)
        painter.setPen(style.color(theme.colors.text))
        h = self._label_height()
        painter.drawText(QRectF(-r * 2, r + halo, r * 4, h + 2), Qt.AlignmentFlag.AlignCenter, "STS")


class TicketItem(QGraphicsObject):
    """Temporary credentials: a ticket with the ticket icon, the access key ID and the expiry clock time."""

    def __init__(self, style: Style, *, access_key_id: str, expires: str) -> None:
        super().__init__()
        self._style = style
        self.access_key_id = access_key_id
        self.expires = expires
        self.setZValue(Z.PLAYBACK + 2)
        self.setToolTip(f"temporary credentials {access_key_id}, expire {expires}")

    @property
    def text(self) -> str:
        """What the ticket reads: ``ASIA…X7Q2 · until 04:12 UTC``."""
        key = self.access_key_id
        short = key if len(key) <= 12 else f"{key[:4]}…{key[-4:]}"
        return f"{short} · until {self.expires}" if self.expires else short

    def set_style(self, style: Style) -> None:
        self.prepareGeometryChange()
        self._style = style
        self.update()

    def _size(self) -> tuple[float, float]:
        fm = self._style.badge_metrics
        h = max(fm.height() * 1.7, self._style.metrics.icon_size * 1.1)
        return h * 1.1 + fm.horizontalAdvance(self.text) + fm.height(), h

    def boundingRect(self) -> QRectF:
        w, h = self._size()
        return QRectF(-w / 2 - 3, -h / 2 - 3, w + 6, h + 6)

    def ticket_path(self) -> QPainterPath:
        """The ticket's outline: a rectangle with a half-round notch in each short side."""
        w, h = self._size()
        rect = QRectF(-w / 2, -h / 2, w, h)
        notch = h * 0.18
        path = QPainterPath()
        path.addRoundedRect(rect, h * 0.15, h * 0.15)
        for x in (rect.left(), rect.right()):
            cut = QPainterPath()
            cut.addEllipse(QPointF(x, 0), notch, notch)
            path = path.subtracted(cut)
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        style = self._style
        theme = style.theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        accent = style.color(theme.kind_color("ticket"))
        w, h = self._size()
        painter.setPen(QPen(accent, max(2.0, theme.node_stroke_width)))
        painter.setBrush(style.color(theme.colors.node_fill))
        painter.drawPath(self.ticket_path())
        icon = h * 0.72
        left = -w / 2 + h * 0.25
        paint_icon(painter, "ticket", QRectF(left, -icon / 2, icon, icon), theme.kind_color("ticket"))
        painter.setFont(style.badge_font)
        painter.setPen(style.color(theme.colors.text))
        text_left = left + icon + h * 0.15
        painter.drawText(QRectF(text_left, -h / 2, w / 2 - text_left, h), Qt.AlignmentFlag.AlignVCenter, self.text)


class Tone(StrEnum):
    """How a callout reads: a plain note, an allowed call, a refusal."""

    NOTE = "note"
    ALLOWED = "allowed"
    DENIED = "denied"


_TONE_MARK = {Tone.NOTE: "", Tone.ALLOWED: "✓ ", Tone.DENIED: "✗ "}


class CalloutItem(QGraphicsObject):
    """A note beside a node, wrapped to a width: the API call of a USE step, or the reason for a deny.

    Positioned by its top-left corner. The border says the tone (and a ✓/✗ mark, so colour is never the only cue).
    """

    def __init__(self, style: Style, text: str, *, tone: Tone = Tone.NOTE, max_width: float | None = None) -> None:
        super().__init__()
        self._style = style
        self._text = text
        self._tone = Tone(tone)
        self._max_width = max_width
        self._rect = QRectF()
        self.setZValue(Z.PLAYBACK + 4)
        self._measure()

    @property
    def text(self) -> str:
        """The full text shown, with its ✓/✗ mark."""
        return _TONE_MARK[self._tone] + self._text

    @property
    def tone(self) -> Tone:
        return self._tone

    def set_style(self, style: Style) -> None:
        self._style = style
        self._measure()

    def _font(self) -> QFont:
        return _font(self._style, self._style.theme.font_px * self._style.text_scale * 0.9, bold=False)

    def _measure(self) -> None:
        self.prepareGeometryChange()
        fm = QFontMetricsF(self._font())
        limit = self._max_width or fm.averageCharWidth() * 46
        pad = fm.height() * 0.45
        box = fm.boundingRect(QRectF(0, 0, limit, 10_000), int(Qt.TextFlag.TextWordWrap), self.text)
        self._rect = QRectF(0, 0, box.width() + 2 * pad, box.height() + 2 * pad)
        self._pad = pad
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-3, -3, 3, 3)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        style = self._style
        theme = style.theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        border = {Tone.NOTE: theme.kind_color("sts"), Tone.ALLOWED: theme.edge_style("allowed").color}.get(
            self._tone, theme.colors.risk
        )
        width = max(2.0, theme.node_stroke_width * (1.6 if self._tone is Tone.DENIED else 1.0))
        painter.setPen(QPen(style.color(border), width))
        painter.setBrush(style.color(theme.colors.legend_fill))
        painter.drawRoundedRect(self._rect, 8, 8)
        painter.setFont(self._font())
        painter.setPen(style.color(theme.colors.text))
        inner = self._rect.adjusted(self._pad, self._pad, -self._pad, -self._pad)
        painter.drawText(inner, int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft), self.text)


class FlashItem(QGraphicsObject):
    """A refused hop's path, stroked thick in the risk colour; the animator switches it on and off."""

    def __init__(self, style: Style, path: QPainterPath) -> None:
        super().__init__()
        self._style = style
        self._path = QPainterPath(path)
        self._lit = True
        self.setZValue(Z.PLAYBACK - 2)

    @property
    def lit(self) -> bool:
        return self._lit

    def path(self) -> QPainterPath:
        return QPainterPath(self._path)

    def set_lit(self, on: bool) -> None:
        if on != self._lit:
            self._lit = on
            self.update()

    def set_style(self, style: Style) -> None:
        self.prepareGeometryChange()
        self._style = style

    def _pen(self) -> QPen:
        theme = self._style.theme
        pen = QPen(self._style.color(theme.colors.risk), theme.edge_style("risky").width + theme.highlight_width * 0.5)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        return pen

    def boundingRect(self) -> QRectF:
        m = self._pen().widthF() + 2
        return self._path.boundingRect().adjusted(-m, -m, m, m)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if not self._lit:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(self._pen())
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)


class ConnectorItem(QGraphicsObject):
    """The request's way through STS (caller → hub → role), a dashed line in the STS colour."""

    def __init__(self, style: Style, path: QPainterPath) -> None:
        super().__init__()
        self._style = style
        self._path = QPainterPath(path)
        self.setZValue(Z.PLAYBACK - 4)

    def path(self) -> QPainterPath:
        return QPainterPath(self._path)

    def set_style(self, style: Style) -> None:
        self.prepareGeometryChange()
        self._style = style

    def _pen(self) -> QPen:
        theme = self._style.theme
        width = max(2.0, theme.edge_style("allowed").width)
        pen = QPen(QColor(self._style.color(theme.kind_color("sts"))), width)
        pen.setDashPattern([3.0, 2.0])
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        return pen

    def boundingRect(self) -> QRectF:
        m = self._pen().widthF() + 2
        return self._path.boundingRect().adjusted(-m, -m, m, m)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(self._pen())
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)


class RouteItem(QGraphicsObject):
    """The way of a hop whose edge is folded into its account's edge, drawn like a lit edge and stacked as one
    (above the edges, below their badges and the nodes): the caller's own branch into the account edge would
    otherwise not be drawn at all."""

    def __init__(self, style: Style, path: QPainterPath) -> None:
        super().__init__()
        self._style = style
        self._path = QPainterPath(path)
        self.setZValue(Z.EDGE_HIGHLIGHTED + 1)

    def path(self) -> QPainterPath:
        return QPainterPath(self._path)

    def set_style(self, style: Style) -> None:
        self.prepareGeometryChange()
        self._style = style

    def _pens(self) -> tuple[QPen, QPen]:
        theme = self._style.theme
        es = theme.edge_style("allowed")
        line = QPen(self._style.color(es.color), max(1.5, es.width))
        halo = QPen(self._style.color(theme.colors.highlight), line.widthF() + theme.highlight_width)
        for pen in (line, halo):
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return halo, line

    def boundingRect(self) -> QRectF:
        m = self._pens()[0].widthF() + 2
        return self._path.boundingRect().adjusted(-m, -m, m, m)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for pen in self._pens():
            painter.setPen(pen)
            painter.drawPath(self._path)


class TokenDotItem(QGraphicsObject):
    """The request on its way to STS: a small dot in the STS colour (credentials do not exist yet)."""

    def __init__(self, style: Style) -> None:
        super().__init__()
        self._style = style
        self.setZValue(Z.PLAYBACK + 1)

    def set_style(self, style: Style) -> None:
        self.prepareGeometryChange()
        self._style = style

    def _radius(self) -> float:
        return self._style.metrics.node_height * 0.22

    def boundingRect(self) -> QRectF:
        r = self._radius() + 3
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        theme = self._style.theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(self._style.color(theme.colors.node_fill), 2.0))
        painter.setBrush(self._style.color(theme.kind_color("sts")))
        r = self._radius()
        painter.drawEllipse(QPointF(0, 0), r, r)
