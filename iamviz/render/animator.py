"""Motion for the scenario player: applies one :class:`~iamviz.playback.Step` to a :class:`TrustScene`.

What a step looks like is decided here (a *pose*: what is lit, where the STS hub, the ticket and the callouts go);
which step comes next is not (that is :class:`iamviz.playback.PlaybackCursor`'s job). Timing follows the design's
Motion rules: ease-in-out, 400–900 ms a hop, the camera moves before the token does, a refused hop flashes at most
three times a second. With animations off (tests, export, reduced motion) every tween becomes a cut and
``step_finished`` is emitted at once, so stepping works the same.

Per step kind:

* SIGN_IN — the actor lights up (a short "ping") with a note of what happens.
* ASSUME — the camera eases to caller and role, the STS hub appears between them, the request travels to it; on
  allow the hub turns green and the credentials ticket travels on to the role; on deny the hop flashes in the risk
  colour and the reason appears under the hub. A hop over a *folded* edge (an account-root expansion the picture
  draws as its account's ``+N principals`` edge, :mod:`iamviz.layout.display`) lights that account edge and the
  account, and draws the hop's own way: from the caller into the account's edge, along it to the role.
* USE — the role (or user) that acts lights up, holding its ticket, with a callout of the API call and its result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import (
    QAbstractAnimation,
    QEasingCurve,
    QObject,
    QParallelAnimationGroup,
    QPauseAnimation,
    QPointF,
    QPropertyAnimation,
    QRectF,
    QSequentialAnimationGroup,
    QVariantAnimation,
    Signal,
)
from PySide6.QtGui import QPainterPath
from PySide6.QtWidgets import QGraphicsObject

from iamviz.playback import STS_NODE_ID, Scenario, Step, StepKind
from iamviz.render.items import EdgeItem, Style
from iamviz.render.scene import TrustScene
from iamviz.render.sts_items import (
    CalloutItem,
    ConnectorItem,
    FlashItem,
    HubState,
    RouteItem,
    StsHubItem,
    TicketItem,
    TokenDotItem,
    Tone,
)

HOP_MS_MIN = 400
"""The shortest a hop may take (ms), whatever the speed."""
HOP_MS_MAX = 900
"""The longest a hop may take (ms), whatever the speed."""
DEFAULT_HOP_MS = 800
FLASH_CYCLE_MS = 400
"""One on/off cycle of a refused hop's flash: 2.5 flashes a second, under the 3 a second limit."""
FLASH_COUNT = 3

# Shares of a hop's time: camera, hub appears, request to STS, ticket to the role (they add up to 1).
_CAMERA, _HUB, _REQUEST, _TICKET = 0.3, 0.15, 0.25, 0.3

EdgeRef = tuple[str, str, str]

ROUTE_SAMPLES = 64
"""Points the part of a folded hop's route along its account edge is drawn with."""


@dataclass(frozen=True, slots=True)
class HopGeometry:
    """Where an ASSUME step's parts go, in scene coordinates."""

    to_hub: QPainterPath  # caller -> hub
    to_role: QPainterPath  # hub -> role -> the ticket's resting place
    hub: QPointF
    connector: QPainterPath  # caller -> hub -> role, as drawn
    edge_path: QPainterPath  # the hop's way as drawn (or a straight stand-in): the deny flash strokes it
    focus: QRectF  # the hop's extent before its items exist (a posed step is framed by hop_focus)
    via: EdgeRef | None = None  # over a folded edge: the account edge that stands for it (its route is followed)


def _ease() -> QEasingCurve:
    return QEasingCurve(QEasingCurve.Type.InOutCubic)


class ScenarioAnimator(QObject):
    """Shows a scenario's steps on a scene, tweened or cut.

    Args:
        scene: the trust scene to draw on (its graph must hold the scenario's nodes to show them).
        parent: the Qt parent.

    Example:
        >>> animator = ScenarioAnimator(scene)          # doctest: +SKIP
        >>> animator.set_animations_enabled(False)      # doctest: +SKIP
        >>> animator.set_scenario(scenario); animator.show_step(0)  # doctest: +SKIP
    """

    # ---- Signals
    step_started = Signal(int)
    """A step began to show (its index)."""
    step_finished = Signal(int)
    """A step is fully shown: its tweens ended (or were cut). Carries its index."""
    camera_requested = Signal(QRectF, int)
    """The view should ease to this scene rectangle over this many ms (0: a cut). Emitted before the token moves."""

    def __init__(self, scene: TrustScene, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._scene = scene
        self._scenario: Scenario | None = None
        self._index = -1
        self._animations = bool(scene.animations_enabled)
        self._speed = 1.0
        self._base_ms = DEFAULT_HOP_MS
        self._group: QSequentialAnimationGroup | None = None
        self._retired: list[QSequentialAnimationGroup] = []
        self._emitting = False
        self._items: list[QGraphicsObject] = []
        self.hub: StsHubItem | None = None
        self.ticket: TicketItem | None = None
        self.token: TokenDotItem | None = None
        self.callout: CalloutItem | None = None
        self.flash: FlashItem | None = None
        self.connector: ConnectorItem | None = None
        self.route: RouteItem | None = None
        self.flash_toggles = 0  # how many times the flash changed state in the last deny (tests check the rate)

    # ---- Properties
    @property
    def scene(self) -> TrustScene:
        return self._scene

    @property
    def scenario(self) -> Scenario | None:
        return self._scenario

    @property
    def current_index(self) -> int:
        return self._index

    @property
    def current_step(self) -> Step | None:
        if self._scenario is None or not 0 <= self._index < len(self._scenario.steps):
            return None
        return self._scenario.steps[self._index]

    @property
    def animations_enabled(self) -> bool:
        return self._animations

    @property
    def is_running(self) -> bool:
        return self._group is not None and self._group.state() == QAbstractAnimation.State.Running

    @property
    def speed(self) -> float:
        return self._speed

    def hop_ms(self) -> int:
        """How long one hop takes at the current speed, kept within 400–900 ms."""
        return int(max(HOP_MS_MIN, min(HOP_MS_MAX, self._base_ms / self._speed)))

    # ---- Settings
    def set_animations_enabled(self, enabled: bool) -> None:
        """Tween (True) or cut (False); switching off mid-step jumps to the step's end."""
        self._animations = bool(enabled)
        if not enabled:
            self.finish()

    def set_speed(self, speed: float) -> None:
        """Playback speed: 1.0 normal, 2.0 twice as fast (a hop still takes 400–900 ms)."""
        self._speed = max(0.1, float(speed))

    # ---- Stepping
    def set_scenario(self, scenario: Scenario | None) -> None:
        """Show ``scenario`` from its start (nothing lit until :meth:`show_step`)."""
        self._stop()
        self._scenario = scenario
        self._index = -1
        self.clear()

    def show_step(self, index: int) -> None:
        """Show step ``index`` (-1: none); tweened when animations are on. Emits ``step_finished`` when done."""
        self._stop()
        scenario = self._scenario
        if scenario is None or index < 0 or index >= len(scenario.steps):
            self._index = -1
            self.clear()
            return
        self._index = index
        step = scenario.steps[index]
        self.step_started.emit(index)
        self._pose(step, animate=self._animations)

    def finish(self) -> None:
        """Jump to the end of the running step (no-op when idle)."""
        step = self.current_step
        if self.is_running and step is not None:
            self._stop()
            self._pose(step, animate=False)

    def refresh(self) -> None:
        """Pose the current step again without motion (after the theme, text size or layout changed)."""
        self._stop()
        step = self.current_step
        if step is None:
            self.clear()
        else:
            self._pose(step, animate=False, emit=False)

    def clear(self) -> None:
        """Stop, and remove the player's items and the highlight."""
        self._stop()
        self._remove_items()
        self._scene.clear_highlight()

    # ---- Posing
    def _stop(self) -> None:
        if self._group is not None:
            group, self._group = self._group, None
            group.stop()
            self._retired.append(group)
        self._purge()

    def _purge(self) -> None:
        """Delete finished or stopped animation groups, now (a deleteLater still pending when the animator itself is
        deleted crashes PySide), but never while one of their own signals is being delivered."""
        if self._emitting:
            return
        retired, self._retired = self._retired, []
        for group in retired:
            if shiboken6.isValid(group):
                shiboken6.delete(group)

    def _remove_items(self) -> None:
        for item in self._items:
            if shiboken6.isValid(item):
                if item.scene() is not None:
                    item.scene().removeItem(item)
                shiboken6.delete(item)  # now: a pending deleteLater can outlive what it points at
        self._items = []
        self.hub = self.ticket = self.token = self.callout = self.flash = self.connector = self.route = None

    def _keep_inside(self, item: QGraphicsObject) -> None:
        """Shift ``item`` so it lies within the drawing's rectangle when it can (it would be clipped outside)."""
        bounds = self._scene.sceneRect()
        rect = item.sceneBoundingRect()
        dx = min(0.0, bounds.right() - rect.right()) or max(0.0, bounds.left() - rect.left())
        dy = min(0.0, bounds.bottom() - rect.bottom()) or max(0.0, bounds.top() - rect.top())
        if dx or dy:
            item.moveBy(dx, dy)

    def _add(self, item: QGraphicsObject) -> QGraphicsObject:
        self._scene.addItem(item)
        self._items.append(item)
        return item

    def _pose(self, step: Step | None, *, animate: bool, emit: bool = True) -> None:
        if step is None:
            return
        self._remove_items()
        lit = [n for n in step.path if n != STS_NODE_ID and self._scene.node_item(n) is not None]
        hops = self._hop_items(step)
        edges = [item.key for _ref, item in hops]
        lit += [item.key[0] for ref, item in hops if item.key != ref and item.key[0] not in lit]  # the account
        self._scene.highlight(lit, edges, dim_others=True)
        posers = {
            StepKind.ASSUME: self._pose_assume,
            StepKind.USE: self._pose_use,
            StepKind.SIGN_IN: self._pose_sign_in,
        }
        group = posers[step.kind](step, animate=animate)
        if group is None or not animate:
            if emit:
                self.step_finished.emit(step.index)
            return
        self._group = group
        index = step.index
        group.finished.connect(lambda: self._on_group_finished(group, index))
        group.start()

    def _on_group_finished(self, group: QSequentialAnimationGroup, index: int) -> None:
        if self._group is group:
            self._group = None
            self._retired.append(group)
            self._emit_inside(self.step_finished.emit, index)

    def _emit_inside(self, emit, *args) -> None:
        """Emit from inside an animation's signal: receivers may step on, but the group must outlive the call."""
        was, self._emitting = self._emitting, True
        try:
            emit(*args)
        finally:
            self._emitting = was

    def _hop_items(self, step: Step) -> list[tuple[EdgeRef, EdgeItem]]:
        """The step's graph edges (those of its API action when some match) with the item that draws each.

        Read from the graph, not from the drawn items: a folded edge has no item of its own, and
        :meth:`TrustScene.edge_item` answers with its account's edge (its stand-in), or with the edge itself while
        the scene draws it again.
        """
        graph = self._scene.graph
        if graph is None:
            return []
        found: list[tuple[EdgeRef, EdgeItem]] = []
        seen: set[EdgeRef] = set()
        action = step.api_call.action.lower() if step.api_call else ""
        for source, target in step.edges:
            candidates = graph.edges_between(source, target)
            exact = [edge for edge in candidates if (edge.action or "").lower() == action]
            for edge in exact or candidates:
                ref = (edge.source, edge.target, edge.key)
                item = self._scene.edge_item(*ref)
                if item is not None and item.key not in seen:
                    seen.add(item.key)
                    found.append((ref, item))
        return found

    def _box(self, node_id: str) -> QRectF | None:
        item = self._scene.node_item(node_id)
        return item.scene_box() if item is not None and item.isVisible() else None

    def _camera(self, rect: QRectF, ms: int) -> None:
        if not rect.isNull():
            self._emit_inside(self.camera_requested.emit, rect, ms)

    # -- ASSUME
    def hop_geometry(self, step: Step) -> HopGeometry | None:
        """Where the hub, the request and the ticket go for an ASSUME step (None when caller or role is not drawn).

        The hop's way is its drawn edge; over a folded edge it is the way from the caller into the account edge
        that stands for it, then along that edge to the role (:meth:`folded_route`); with no drawn edge at all, a
        straight line between the two boxes.
        """
        source, target = self._box(step.actor), self._box(step.target)
        if source is None or target is None:
            return None
        hops = self._hop_items(step)
        ref, item = hops[0] if hops else (None, None)
        via = item.key if item is not None and item.key != ref else None
        if item is not None and not item.path().isEmpty():
            edge_path = self.folded_route(source, item.path()) if via is not None else item.path()
        else:
            edge_path = QPainterPath(_exit_point(source, target.center()))
            edge_path.lineTo(_exit_point(target, source.center()))
        start = edge_path.pointAtPercent(0.0)
        end = edge_path.pointAtPercent(1.0)
        mid = edge_path.pointAtPercent(0.5)
        lift = self._scene.style.metrics.node_height * 1.6
        hub = self._clear_of_badge(QPointF(mid.x(), mid.y() - lift), item)
        lift = max(lift, mid.y() - hub.y())
        to_hub = QPainterPath(start)
        to_hub.quadTo(QPointF((start.x() + hub.x()) / 2, hub.y()), hub)
        rest = self._ticket_rest(target)
        to_role = QPainterPath(hub)
        to_role.quadTo(QPointF((hub.x() + end.x()) / 2, hub.y()), end)
        connector = QPainterPath(to_hub)
        connector.connectPath(QPainterPath(to_role))
        to_role.lineTo(rest)
        focus = source.united(target).united(QRectF(hub.x() - lift, hub.y() - lift, 2 * lift, 2 * lift))
        focus = focus.united(QRectF(rest.x() - lift, rest.y(), 2 * lift, lift))
        focus = focus.united(connector.boundingRect()).united(edge_path.boundingRect())
        return HopGeometry(
            to_hub=to_hub, to_role=to_role, hub=hub, connector=connector, edge_path=edge_path, focus=focus, via=via
        )

    def folded_route(self, source: QRectF, trunk: QPainterPath) -> QPainterPath:
        """The way of a hop over a folded edge: from the caller's box into ``trunk`` (its account edge, as drawn),
        then along it to its end at the role.

        The caller merges into the trunk where it passes nearest, within the trunk's first half (the way follows
        at least the half that reaches the role) and ahead of the caller (no hairpin turn); when no point is ahead
        (the caller lies past the role), the way goes to the account itself, where the trunk begins.
        """
        centre = source.center()
        ahead: list[tuple[float, float, QPointF]] = []  # (distance, t, direction there)
        for i in range(ROUTE_SAMPLES // 2 + 1):
            t = i / ROUTE_SAMPLES
            point = trunk.pointAtPercent(t)
            angle = math.radians(trunk.angleAtPercent(t))
            along = QPointF(math.cos(angle), -math.sin(angle))  # Qt's angles turn counter-clockwise, y points down
            towards = point - _exit_point(source, point)
            if towards.x() * along.x() + towards.y() * along.y() > 0:
                ahead.append((_distance(point, centre), t, along))
        join_at = min(ahead, key=lambda found: found[:2])[1] if ahead else 0.0
        join = trunk.pointAtPercent(join_at)
        start = _exit_point(source, join)
        reach = max(20.0, 0.4 * _distance(start, join))
        out = _unit(join - start)
        merge = min(ahead, key=lambda found: found[:2])[2] if ahead else out
        route = QPainterPath(start)
        route.cubicTo(start + out * reach, join - merge * reach, join)
        steps = max(2, round(ROUTE_SAMPLES * (1.0 - join_at)))
        for i in range(1, steps + 1):
            route.lineTo(trunk.pointAtPercent(join_at + (1.0 - join_at) * i / steps))
        return route

    def _clear_of_badge(self, hub: QPointF, edge: object) -> QPointF:
        """``hub``, raised when the hub and its ``STS`` label would cover the hop edge's badge.

        On a bent edge (a hop between two accounts) the badge sits below the chord's middle and the label landed on
        it (``ExternalId`` under ``STS``, unreadable on the projector).
        """
        badge_rect = getattr(edge, "badge_rect", None)
        badge = badge_rect() if callable(badge_rect) else QRectF()
        if badge.isNull() or badge.isEmpty():
            return hub
        style = self._scene.style
        reach = style.metrics.node_height * 0.8 + style.theme.highlight_width + 2  # StsHubItem.boundingRect
        below = reach + style.badge_metrics.height() + 4
        body = QRectF(hub.x() - 2 * reach, hub.y() - reach, 4 * reach, reach + below)
        gap = 4.0
        if not body.intersects(badge.adjusted(-gap, -gap, gap, gap)):
            return hub
        return QPointF(hub.x(), min(hub.y(), badge.top() - gap - below))

    def _ticket_rest(self, box: QRectF) -> QPointF:
        gap = self._scene.style.metrics.node_height * 0.75
        return QPointF(box.center().x(), box.bottom() + gap)

    def _pose_assume(self, step: Step, *, animate: bool) -> QSequentialAnimationGroup | None:
        geometry = self.hop_geometry(step)
        if geometry is None:
            return None
        style = self._scene.style
        if geometry.via is not None:
            self.route = self._add(RouteItem(style, geometry.edge_path))
        self.connector = self._add(ConnectorItem(style, geometry.connector))
        self.hub = self._add(StsHubItem(style))
        self.hub.setPos(geometry.hub)
        self.token = self._add(TokenDotItem(style))
        self.token.setVisible(False)
        refused = not step.allowed
        if step.allowed and step.credentials is not None:
            self.ticket = self._add(_ticket(style, step))
            self.ticket.setPos(geometry.to_role.pointAtPercent(1.0))
        if refused:
            self.flash = self._add(FlashItem(style, geometry.edge_path))
            self.callout = self._add(CalloutItem(style, _deny_text(step), tone=Tone.DENIED))
            self.callout.setPos(self._above(geometry.hub, self.callout, self.hub.radius() * 1.4))
            self._keep_inside(self.callout)
        self.hub.set_state(HubState.REFUSED if refused else HubState.GRANTED)
        focus = self.hop_focus(step, geometry)
        if not animate:
            self._camera(focus, 0)
            return None
        return self._assume_timeline(step, geometry, focus)

    def hop_focus(self, step: Step, geometry: HopGeometry) -> QRectF:
        """What the camera frames for a posed ASSUME step: the union of caller and role, the hub with its label,
        the request's way (the connector, and the hop's route or flash), the ticket over its whole travel and at
        rest, and the reason's callout."""
        focus = QRectF()
        for box in (self._box(step.actor), self._box(step.target)):
            if box is not None:
                focus = focus.united(box)
        for item in (self.hub, self.connector, self.route, self.flash, self.ticket, self.callout):
            if item is not None:
                focus = focus.united(item.sceneBoundingRect())
        if self.ticket is not None:
            half = self.ticket.boundingRect()
            focus = focus.united(
                geometry.to_role.boundingRect().adjusted(half.left(), half.top(), half.right(), half.bottom())
            )
        return focus if not focus.isEmpty() else QRectF(geometry.focus)

    def _assume_timeline(self, step: Step, geometry: HopGeometry, focus: QRectF) -> QSequentialAnimationGroup:
        hop = self.hop_ms()
        hub, token, ticket, flash, callout = self.hub, self.token, self.ticket, self.flash, self.callout
        assert hub is not None and token is not None
        hub.set_state(HubState.WORKING)
        hub.setOpacity(0.0)
        for item in (ticket, callout, self.connector):
            if item is not None:
                item.setVisible(False)
        if flash is not None:
            flash.set_lit(False)
        group = QSequentialAnimationGroup(self)
        camera = QPauseAnimation(int(hop * _CAMERA), group)
        group.addAnimation(camera)
        camera.stateChanged.connect(
            lambda new, _old: (
                self._camera(focus, int(hop * _CAMERA)) if new == QAbstractAnimation.State.Running else None
            )
        )
        appear = QParallelAnimationGroup(group)
        fade = QPropertyAnimation(hub, b"opacity", appear)
        fade.setStartValue(0.0)
        fade.setEndValue(1.0)
        grow = QPropertyAnimation(hub, b"scale", appear)
        grow.setStartValue(0.6)
        grow.setEndValue(1.0)
        for anim in (fade, grow):
            anim.setDuration(int(hop * _HUB))
            anim.setEasingCurve(_ease())
            appear.addAnimation(anim)
        group.addAnimation(appear)
        connector = self.connector

        def start_request() -> None:
            if connector is not None:
                connector.setVisible(True)
            token.setVisible(True)

        request = self._travel(token, geometry.to_hub, int(hop * _REQUEST), on_start=start_request)
        group.addAnimation(request)
        if step.allowed:

            def granted() -> None:
                token.setVisible(False)
                hub.set_state(HubState.GRANTED)
                if ticket is not None:
                    ticket.setVisible(True)

            if ticket is not None:
                group.addAnimation(self._travel(ticket, geometry.to_role, int(hop * _TICKET), on_start=granted))
            else:
                request.finished.connect(granted)
        else:

            def refused() -> None:
                token.setVisible(False)
                hub.set_state(HubState.REFUSED)

            blink = self._flash_animation(flash, on_start=refused)
            group.addAnimation(blink)
            if callout is not None:
                callout.setOpacity(0.0)
                show = QPropertyAnimation(callout, b"opacity", group)
                show.setStartValue(0.0)
                show.setEndValue(1.0)
                show.setDuration(int(hop * _HUB))
                show.setEasingCurve(_ease())
                blink.finished.connect(lambda: callout.setVisible(True))
                group.addAnimation(show)
        return group

    def _travel(self, item: QGraphicsObject, path: QPainterPath, ms: int, *, on_start=None) -> QVariantAnimation:
        anim = QVariantAnimation(self)
        anim.setStartValue(0.0)
        anim.setEndValue(1.0)
        anim.setDuration(max(1, ms))
        anim.setEasingCurve(_ease())
        anim.valueChanged.connect(lambda t: item.setPos(path.pointAtPercent(min(1.0, max(0.0, float(t))))))
        if on_start is not None:
            anim.stateChanged.connect(lambda new, _old: on_start() if new == QAbstractAnimation.State.Running else None)
        return anim

    def _flash_animation(self, flash: FlashItem | None, *, on_start) -> QVariantAnimation:
        """Blink the refused hop FLASH_COUNT times (on, off, ..., ending on), one cycle per FLASH_CYCLE_MS."""
        self.flash_toggles = 0
        anim = QVariantAnimation(self)
        steps = 2 * FLASH_COUNT
        anim.setStartValue(0)
        anim.setEndValue(steps)
        anim.setDuration(FLASH_CYCLE_MS * FLASH_COUNT)

        def tick(value: object) -> None:
            if flash is None:
                return
            phase = min(steps - 1, int(value))  # 0 on, 1 off, ..., last phase on
            lit = phase % 2 == 0 or phase == steps - 1
            if lit != flash.lit:
                self.flash_toggles += 1
                flash.set_lit(lit)

        anim.valueChanged.connect(tick)
        anim.stateChanged.connect(lambda new, _old: on_start() if new == QAbstractAnimation.State.Running else None)
        anim.finished.connect(lambda: flash.set_lit(True) if flash is not None else None)
        return anim

    def _above(self, point: QPointF, item: CalloutItem, gap: float) -> QPointF:
        """The top-left corner that centres ``item`` over ``point``, ``gap`` above it (the hop stays in sight)."""
        rect = item.boundingRect()
        return QPointF(point.x() - rect.width() / 2, point.y() - gap - rect.height())

    # -- USE
    def _pose_use(self, step: Step, *, animate: bool) -> QSequentialAnimationGroup | None:
        box = self._box(step.actor)
        if box is None:
            return None
        style = self._scene.style
        if step.credentials is not None:
            self.ticket = self._add(_ticket(style, step))
            self.ticket.setPos(self._ticket_rest(box))
        tone = Tone.ALLOWED if step.allowed else Tone.DENIED
        self.callout = self._add(CalloutItem(style, _use_text(step), tone=tone))
        gap = style.metrics.node_height * 0.6
        size = self.callout.boundingRect()
        self.callout.setPos(QPointF(box.right() + gap, box.top() - size.height() - gap / 2))
        if self.callout.sceneBoundingRect().right() > self._scene.sceneRect().right():
            self.callout.setPos(QPointF(box.right() - size.width(), box.top() - size.height() - gap / 2))
        self._keep_inside(self.callout)
        focus = box.united(self.callout.sceneBoundingRect())
        if self.ticket is not None:
            focus = focus.united(self.ticket.sceneBoundingRect())
        if not step.allowed and self._scene.node_item(step.actor) is not None:
            path = QPainterPath()
            path.addRoundedRect(box.adjusted(-4, -4, 4, 4), 8, 8)
            self.flash = self._add(FlashItem(style, path))
            focus = focus.united(self.flash.sceneBoundingRect())
        if not animate:
            self._camera(focus, 0)
            return None
        return self._reveal_timeline(focus, self.callout, flash=self.flash)

    # -- SIGN_IN
    def _pose_sign_in(self, step: Step, *, animate: bool) -> QSequentialAnimationGroup | None:
        box = self._box(step.actor)
        if box is None:
            return None
        style = self._scene.style
        self.callout = self._add(CalloutItem(style, step.title, tone=Tone.NOTE))
        gap = style.metrics.node_height * 0.6
        self.callout.setPos(QPointF(box.left(), box.top() - self.callout.boundingRect().height() - gap / 2))
        self._keep_inside(self.callout)
        focus = box.united(self.callout.sceneBoundingRect())
        if not animate:
            self._camera(focus, 0)
            return None
        return self._reveal_timeline(focus, self.callout, ping=self._scene.node_item(step.actor))

    def _reveal_timeline(
        self,
        focus: QRectF,
        callout: CalloutItem,
        *,
        ping: QGraphicsObject | None = None,
        flash: FlashItem | None = None,
    ) -> QSequentialAnimationGroup:
        hop = self.hop_ms()
        group = QSequentialAnimationGroup(self)
        camera = QPauseAnimation(int(hop * _CAMERA), group)
        group.addAnimation(camera)
        camera.stateChanged.connect(
            lambda new, _old: (
                self._camera(focus, int(hop * _CAMERA)) if new == QAbstractAnimation.State.Running else None
            )
        )
        callout.setOpacity(0.0)
        reveal = QParallelAnimationGroup(group)
        show = QPropertyAnimation(callout, b"opacity", reveal)
        show.setStartValue(0.0)
        show.setEndValue(1.0)
        show.setDuration(int(hop * (1 - _CAMERA)))
        show.setEasingCurve(_ease())
        reveal.addAnimation(show)
        if ping is not None:
            bump = QPropertyAnimation(ping, b"scale", reveal)
            bump.setDuration(int(hop * (1 - _CAMERA)))
            bump.setKeyValues([(0.0, 1.0), (0.5, 1.12), (1.0, 1.0)])
            bump.setEasingCurve(_ease())
            reveal.addAnimation(bump)
        group.addAnimation(reveal)
        if flash is not None:
            flash.set_lit(False)
            group.addAnimation(self._flash_animation(flash, on_start=lambda: None))
        return group


def _distance(a: QPointF, b: QPointF) -> float:
    return math.hypot(a.x() - b.x(), a.y() - b.y())


def _unit(vector: QPointF) -> QPointF:
    length = math.hypot(vector.x(), vector.y())
    return QPointF(1.0, 0.0) if length < 1e-9 else vector / length


def _exit_point(box: QRectF, toward: QPointF) -> QPointF:
    """Where the line from ``box``'s centre to ``toward`` leaves the box (``toward`` itself when inside)."""
    centre = box.center()
    dx, dy = toward.x() - centre.x(), toward.y() - centre.y()
    scales = [1.0]
    if abs(dx) > 1e-9:
        scales.append(box.width() / 2 / abs(dx))
    if abs(dy) > 1e-9:
        scales.append(box.height() / 2 / abs(dy))
    scale = min(scales)
    return QPointF(centre.x() + dx * scale, centre.y() + dy * scale)


def _ticket(style: Style, step: Step) -> TicketItem:
    credentials = step.credentials
    assert credentials is not None
    return TicketItem(style, access_key_id=credentials.access_key_id, expires=_clock(credentials.expiration))


def _clock(expiration: str) -> str:
    """``2026-11-21T04:12:44Z`` -> ``04:12 UTC``."""
    time = expiration.partition("T")[2]
    return f"{time[:5]} UTC" if len(time) >= 5 else expiration


def _deny_text(step: Step) -> str:
    text = step.caption
    return text if text else "Denied: " + (step.reasons[0] if step.reasons else "no statement allows it")


def _use_text(step: Step) -> str:
    call = step.api_call.action if step.api_call else "call"
    target = step.target_label or step.target
    head = f"{call} on {target}"
    if step.allowed:
        return head
    reason = step.reasons[0] if step.reasons else "no policy allows it"
    return f"{head}\nrefused: {reason}"
