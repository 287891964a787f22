"""The scenario player: controls, step caption, credentials card, CloudTrail-style event log, and the camera.

* :class:`ScenarioPlayer` drives a :class:`~iamviz.render.animator.ScenarioAnimator` with a pure
  :class:`~iamviz.playback.PlaybackCursor` (the stepping logic stays in ``playback``); it adds play/pause with a
  reading pause after each step, speed and loop.
* :class:`PlayerBar` — ◀◀ ◀ ▶ ▶▶ ⟲, speed, loop, "3 / 7", the step's title and caption, the credentials card.
* :class:`CredentialsCard` — access key ID, session name, role session ARN and a live expiry countdown.
* :class:`EventLogPanel` — each step's CloudTrail-shaped event, appended as the story goes on, copyable.
* :class:`ViewCamera` — eases a :class:`~iamviz.gui.view.TrustView` to the rectangle the animator asks for.
* :func:`attach_player` — builds all of it into the main window (docks, keys, the use-cases panel).

Keys (while a scenario is loaded): Space play/pause, Right/PageDown next, Left/PageUp previous, Home first step,
End last step.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractAnimation,
    QEasingCurve,
    QElapsedTimer,
    QEvent,
    QObject,
    QPointF,
    QRectF,
    Qt,
    QTimer,
    QVariantAnimation,
    Signal,
)
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from iamviz.gui.view import MAX_ZOOM, MIN_ZOOM
from iamviz.playback import LoopMode, PlaybackCursor, Scenario, Step
from iamviz.render.animator import ScenarioAnimator

if TYPE_CHECKING:
    from iamviz.gui.main_window import MainWindow
    from iamviz.gui.view import TrustView

SPEEDS: tuple[float, ...] = (0.5, 0.75, 1.0, 1.5, 2.0)
"""The speeds offered (1.0 is normal)."""
DWELL_MS = 2800
"""How long a shown step stays before play moves on, at speed 1 (time to read the caption)."""

PLAYER_KEYS: dict[str, tuple[str, ...]] = {
    "toggle_play": ("Space",),
    "next": ("Right", "PgDown"),
    "previous": ("Left", "PgUp"),
    "home": ("Home",),
    "end": ("End",),
}
"""Player actions and their keys (presentation clickers send PageDown/PageUp)."""
CAMERA_MARGIN_PX = 32.0
"""Kept clear on screen around what the camera frames (at most an eighth of the free area)."""


# ================================================================================================ controller
class ScenarioPlayer(QObject):
    """Plays a scenario on an animator: the cursor says which step, the animator shows it.

    Args:
        animator: what shows the steps on the scene.
        parent: the Qt parent.
    """

    scenario_changed = Signal(object)
    """A scenario was loaded (the :class:`~iamviz.playback.Scenario`, or None when cleared)."""
    step_changed = Signal(int)
    """The step shown changed (its index; -1 before the first)."""
    playing_changed = Signal(bool)
    """Play started (True) or paused (False)."""
    finished = Signal()
    """Play reached the last step (and the loop is off)."""

    def __init__(self, animator: ScenarioAnimator, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.animator = animator
        self._scenario: Scenario | None = None
        self._cursor = PlaybackCursor(count=0)
        self._playing = False
        self._dwell_ms = DWELL_MS
        self._dwell = QTimer(self)
        self._dwell.setSingleShot(True)
        self._dwell.timeout.connect(self._advance)
        animator.step_finished.connect(self._on_step_finished)

    # ---- state
    @property
    def scenario(self) -> Scenario | None:
        return self._scenario

    @property
    def cursor(self) -> PlaybackCursor:
        return self._cursor

    @property
    def index(self) -> int:
        return self._cursor.index

    @property
    def count(self) -> int:
        return self._cursor.count

    @property
    def step(self) -> Step | None:
        """The step shown (None before the first)."""
        if self._scenario is None or self._cursor.index < 0:
            return None
        return self._scenario.steps[self._cursor.index]

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def speed(self) -> float:
        return self.animator.speed

    @property
    def loop(self) -> bool:
        return self._cursor.loop is LoopMode.LOOP

    # ---- loading
    def load(self, scenario: Scenario | None, *, autoplay: bool = False) -> None:
        """Load ``scenario`` (None clears); with ``autoplay`` start playing, else show its first step."""
        self.pause()
        self._scenario = scenario
        self._cursor = PlaybackCursor(count=len(scenario.steps) if scenario else 0, loop=self._cursor.loop)
        self.animator.set_scenario(scenario)
        self.scenario_changed.emit(scenario)
        self.step_changed.emit(-1)
        if scenario is not None and scenario.steps:
            if autoplay:
                self.play()
            else:
                self._go(self._cursor.home())

    # ---- commands
    def play(self) -> None:
        """Play from the current step (from the start when at the end)."""
        if self._scenario is None or not self._scenario.steps:
            return
        self._set_playing(True)
        if self._cursor.at_start:
            self._go(self._cursor.next())
        elif self._cursor.at_end and not self.loop:
            self._go(self._cursor.home())
        elif not self.animator.is_running:
            self._dwell.start(self._dwell_time())

    def pause(self) -> None:
        self._dwell.stop()
        self._set_playing(False)

    def toggle_play(self) -> None:
        self.pause() if self._playing else self.play()

    def next(self) -> None:
        self._dwell.stop()
        self._go(self._cursor.next())

    def previous(self) -> None:
        self._dwell.stop()
        self._go(self._cursor.previous())

    def home(self) -> None:
        self._dwell.stop()
        self._go(self._cursor.home())

    def end(self) -> None:
        self._dwell.stop()
        self._go(self._cursor.end())

    def seek(self, index: int) -> None:
        self._dwell.stop()
        self._go(self._cursor.seek(index))

    def restart(self) -> None:
        """Back to before the first step, then the first step again."""
        self._dwell.stop()
        self._cursor = self._cursor.restart()
        self.animator.show_step(-1)
        self.step_changed.emit(-1)
        self._go(self._cursor.next())

    def set_speed(self, speed: float) -> None:
        self.animator.set_speed(speed)

    def set_loop(self, on: bool) -> None:
        self._cursor = replace(self._cursor, loop=LoopMode.LOOP if on else LoopMode.ONCE)

    def set_dwell_ms(self, ms: int) -> None:
        """How long a step stays on screen while playing, at speed 1."""
        self._dwell_ms = max(0, int(ms))

    # ---- internals
    def _dwell_time(self) -> int:
        return int(self._dwell_ms / max(0.1, self.animator.speed))

    def _set_playing(self, on: bool) -> None:
        if on != self._playing:
            self._playing = on
            self.playing_changed.emit(on)

    def _go(self, cursor: PlaybackCursor) -> None:
        if cursor.index == self._cursor.index and cursor.index >= 0 and self.animator.current_index == cursor.index:
            return
        self._cursor = cursor
        self.step_changed.emit(cursor.index)
        self.animator.show_step(cursor.index)

    def _on_step_finished(self, index: int) -> None:
        if not self._playing or index != self._cursor.index:
            return
        if self._cursor.at_end and not self.loop:
            self._set_playing(False)
            self.finished.emit()
            return
        self._dwell.start(self._dwell_time())

    def _advance(self) -> None:
        if self._playing:
            self._go(self._cursor.next())


# ================================================================================================ camera
class ViewCamera(QObject):
    """Eases a view's centre and zoom to a scene rectangle (the animator's ``camera_requested``).

    The rectangle is framed in the view's *free area*: the viewport less what covers it (presentation mode's caption
    band and step indicator, see :meth:`set_free_area`) less a margin of :data:`CAMERA_MARGIN_PX` on each side. It
    is shown whole (down to the view's smallest zoom) and centred there; the zoom never goes past ``max_zoom``. A
    duration of 0 is a cut. When the view is resized (a dock appears, the window goes full screen) while it still
    shows what the camera framed, or while the camera moves, the rectangle is framed again at the new size.
    """

    def __init__(self, view: TrustView, *, max_zoom: float = 1.2, parent: QObject | None = None) -> None:
        super().__init__(parent or view)
        self.view = view
        self.max_zoom = max_zoom
        self._anim = QVariantAnimation(self)
        self._anim.setStartValue(0.0)
        self._anim.setEndValue(1.0)
        self._anim.setEasingCurve(QEasingCurve(QEasingCurve.Type.InOutCubic))
        self._anim.valueChanged.connect(self._frame)
        self._from: tuple[QPointF, float] = (QPointF(), 1.0)
        self._to: tuple[QPointF, float] = (QPointF(), 1.0)
        self.last_target: QRectF | None = None
        self._reserve = 0.0
        self._free_area: Callable[[], QRectF | None] | None = None
        self._placed: tuple[QPointF, float] | None = None  # where the last move left the view (centre, zoom)
        self._resized = QTimer(self)  # after the view has laid out its new size (the viewport is resized later)
        self._resized.setSingleShot(True)
        self._resized.setInterval(0)
        self._resized.timeout.connect(self._after_resize)
        view.installEventFilter(self)

    # ---- where a target may go
    @property
    def bottom_reserve(self) -> float:
        """The share of the viewport's height kept free at the bottom (below the free area)."""
        height = self.view.viewport().height()
        if self._free_area is None or height <= 0:
            return self._reserve
        return max(0.0, 1.0 - self.free_rect().bottom() / height)

    @bottom_reserve.setter
    def bottom_reserve(self, share: float) -> None:
        self._reserve = min(0.9, max(0.0, float(share)))

    def set_free_area(self, area: Callable[[], QRectF | None] | None) -> None:
        """Where on the viewport (its pixel coordinates) a target may be framed, asked at each move: overlays such
        as presentation mode's caption band cover the rest. None: the whole viewport (less ``bottom_reserve``)."""
        self._free_area = area

    def free_rect(self) -> QRectF:
        """The viewport's free area now (pixel coordinates)."""
        viewport = QRectF(self.view.viewport().rect())
        area = self._free_area() if self._free_area is not None else None
        if area is None:
            area = QRectF(viewport.left(), viewport.top(), viewport.width(), viewport.height() * (1.0 - self._reserve))
        area = area.intersected(viewport)
        return area if area.width() >= 1 and area.height() >= 1 else viewport

    def frame_rect(self) -> QRectF:
        """The free area less the margin kept around a framed target (smaller on a small viewport)."""
        free = self.free_rect()
        margin = min(CAMERA_MARGIN_PX, free.width() / 8, free.height() / 8)
        return free.adjusted(margin, margin, -margin, -margin)

    def target_zoom(self, rect: QRectF) -> float:
        """The zoom that shows ``rect`` whole in the frame (at most ``max_zoom``, at least the view's minimum)."""
        frame = self.frame_rect()
        if frame.width() <= 0 or frame.height() <= 0:
            return self.view.zoom
        fit = min(frame.width() / max(rect.width(), 1.0), frame.height() / max(rect.height(), 1.0))
        return max(MIN_ZOOM, min(self.max_zoom, MAX_ZOOM, fit))

    def target_center(self, rect: QRectF, zoom: float) -> QPointF:
        """The view centre (scene coordinates) that puts ``rect``'s centre on the free area's centre at ``zoom``."""
        shift = QRectF(self.view.viewport().rect()).center() - self.free_rect().center()
        return rect.center() + shift / zoom

    # ---- moving
    def move_to(self, rect: QRectF, ms: int) -> None:
        """Show ``rect`` (scene coordinates), easing over ``ms`` (0: at once)."""
        self.last_target = QRectF(rect)
        self._anim.stop()
        self._from = (self.view.scene_center(), self.view.zoom)
        self._to = self._aim(rect)
        if ms <= 0:
            self._frame(1.0)
            return
        self._anim.setDuration(ms)
        self._anim.start()

    def release(self) -> None:
        """Forget the target (nothing is shown any more): a later resize leaves the view alone."""
        self._anim.stop()
        self.last_target = None
        self._placed = None

    def _aim(self, rect: QRectF) -> tuple[QPointF, float]:
        zoom = self.target_zoom(rect)
        self._make_room(rect, zoom)
        return self.target_center(rect, zoom), zoom

    def _make_room(self, rect: QRectF, zoom: float) -> None:
        """Let the view scroll a viewport past the drawing's edges, so a hop near an edge can still be centred."""
        viewport = self.view.viewport().rect()
        scene = self.view.scene()
        if scene is None or zoom <= 0:
            return
        pad_x, pad_y = viewport.width() / zoom, viewport.height() / zoom
        room = scene.sceneRect().united(rect).adjusted(-pad_x, -pad_y, pad_x, pad_y)
        if not self.view.sceneRect().contains(room):
            self.view.setSceneRect(room)

    def reset_room(self) -> None:
        """Follow the scene's own rectangle again (a new drawing); the last target is forgotten."""
        self.release()
        self.view.setSceneRect(QRectF())

    def _frame(self, t: object) -> None:
        t = float(t)  # type: ignore[arg-type]
        (c0, z0), (c1, z1) = self._from, self._to
        zoom = z0 + (z1 - z0) * t
        self.view.set_zoom(zoom)
        self.view.centerOn(QPointF(c0.x() + (c1.x() - c0.x()) * t, c0.y() + (c1.y() - c0.y()) * t))
        if t >= 1.0:
            self._placed = (self.view.scene_center(), self.view.zoom)

    # ---- following resizes
    def moving(self) -> bool:
        return self._anim.state() == QAbstractAnimation.State.Running

    def _showing_target(self) -> bool:
        """Whether the view is still where the last move left it (the user has not panned or zoomed since)."""
        if self.last_target is None:
            return False
        if self.moving():
            return True
        if self._placed is None:
            return False
        centre, zoom = self._placed
        here = self.view.scene_center()
        return (
            abs(self.view.zoom - zoom) < 1e-6
            and abs(here.x() - centre.x()) * zoom < 2
            and abs(here.y() - centre.y()) * zoom < 2
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Resize and self._showing_target():
            self._resized.start()
        return False

    def _after_resize(self) -> None:
        """Frame the target again at the view's new size (the move in progress continues to the new aim)."""
        if self.last_target is None:
            return
        if self.moving():
            self._to = self._aim(self.last_target)
        else:
            self.move_to(self.last_target, 0)


# ================================================================================================ credentials card
def _parse(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None


def format_countdown(seconds: int) -> str:
    """``3599`` -> ``59:59``; ``3600`` -> ``1:00:00``."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class CredentialsCard(QFrame):
    """The credentials in hand at this step: access key ID, session name, and a countdown to expiry.

    The countdown runs on the scenario's clock: it starts at the step's time and ticks with real time.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("credentials-card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 4)
        grid.setVerticalSpacing(1)
        self.setToolTip("The temporary credentials STS issued at this step (the session name is in the ARN)")
        self.heading = QLabel("<b>Credentials</b>")
        self.key_label = QLabel()
        self.session_label = QLabel()
        self.role_label = QLabel()
        self.expiry_label = QLabel()
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        for label in (self.key_label, self.role_label):
            label.setFont(mono)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.role_label.setWordWrap(True)
        # Three rows, so the player stays one strip under the canvas: key, expiry, then the session's ARN (which
        # names the session too; the separate session label is kept for text() and tests, not shown).
        grid.addWidget(self.heading, 0, 0)
        grid.addWidget(self.key_label, 0, 1)
        grid.addWidget(QLabel("Expires"), 1, 0)
        grid.addWidget(self.expiry_label, 1, 1)
        grid.addWidget(self.role_label, 2, 0, 1, 2)
        grid.setColumnStretch(1, 1)
        self.session_label.setVisible(False)
        self._credentials = None
        self._start: datetime | None = None
        self._elapsed = QElapsedTimer()
        self._offset = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.refresh)
        self.set_step(None)

    @property
    def credentials(self):
        return self._credentials

    def set_step(self, step: Step | None) -> None:
        """Show the credentials ``step`` holds (or that none are in hand)."""
        credentials = step.credentials if step is not None else None
        self._credentials = credentials
        self._offset = 0.0
        self._elapsed.restart()
        if credentials is None:
            self._timer.stop()
            self._start = None
            self.key_label.setText("—")
            self.session_label.setText("—")
            self.role_label.setText("No temporary credentials in hand yet." if step is None or step.allowed else "")
            self.expiry_label.setText("—")
            return
        self._start = _parse(step.time) if step is not None else None
        self.key_label.setText(credentials.access_key_id)
        self.session_label.setText(credentials.session_name)
        self.role_label.setText(credentials.assumed_role_arn)
        self.refresh()
        self._timer.start()

    def advance(self, seconds: float) -> None:
        """Move the card's clock on by ``seconds`` (for tests and for skipping ahead)."""
        self._offset += seconds
        self.refresh()

    def now(self) -> datetime:
        """The scenario clock: the step's time plus the real time since it was shown."""
        base = self._start or datetime.now(UTC)
        return base + timedelta(seconds=self._elapsed.elapsed() / 1000.0 + self._offset)

    def seconds_left(self) -> int | None:
        if self._credentials is None:
            return None
        return self._credentials.seconds_left(self.now())

    def refresh(self) -> None:
        left = self.seconds_left()
        if left is None:
            return
        expires = self._credentials.expiration.replace("T", " ").replace("Z", " UTC")
        text = "expired" if left <= 0 else f"in {format_countdown(left)}"
        self.expiry_label.setText(f"{text}  ({expires})")

    def text(self) -> str:
        """Everything the card says, as plain text."""
        return " | ".join(
            label.text() for label in (self.key_label, self.session_label, self.expiry_label, self.role_label)
        )


# ================================================================================================ event log
def event_summary(event: Mapping[str, Any]) -> str:
    """``✓ 03:12:44  sts:AssumeRole  wayne`` — one row of the event log."""
    error = event.get("errorCode")
    mark = "✗" if error else "✓"
    time = str(event.get("eventTime", "")).partition("T")[2].rstrip("Z")
    source = str(event.get("eventSource", "")).removesuffix(".amazonaws.com")
    name = event.get("eventName", "")
    who = event.get("userIdentity", {}) or {}
    actor = who.get("userName") or str(who.get("arn") or who.get("invokedBy") or who.get("principalId") or "")
    actor = actor.rsplit("/", 1)[-1] if "/" in actor else actor
    tail = f"  {error}" if error else ""
    return f"{mark} {time}  {source}:{name}  {actor}{tail}"


class EventLogPanel(QWidget):
    """The CloudTrail-shaped events of the steps played so far: a list, the selected event's JSON, copy buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._events: list[dict[str, Any]] = []
        self.list = QListWidget(self)
        self.list.currentRowChanged.connect(self._show)
        self.json_view = QPlainTextEdit(self)
        self.json_view.setReadOnly(True)
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.json_view.setFont(mono)
        self.copy_button = QPushButton("Copy event", self)
        self.copy_button.setToolTip("Copy the selected event as JSON")
        self.copy_button.clicked.connect(self.copy_selected)
        self.copy_all_button = QPushButton("Copy all", self)
        self.copy_all_button.setToolTip('Copy every event as a CloudTrail-style {"Records": [...]} document')
        self.copy_all_button.clicked.connect(self.copy_all)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.copy_all_button)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.list)
        splitter.addWidget(self.json_view)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

    def entries(self) -> list[dict[str, Any]]:
        """The events shown, oldest first."""
        return [dict(e) for e in self._events]

    def clear(self) -> None:
        self._events = []
        self.list.clear()
        self.json_view.clear()

    def append(self, event: Mapping[str, Any]) -> None:
        """Add one event at the end and select it."""
        record = json.loads(json.dumps(dict(event), default=str))
        self._events.append(record)
        row = QListWidgetItem(event_summary(record))
        row.setToolTip(record.get("errorMessage", "") or record.get("eventName", ""))
        self.list.addItem(row)
        self.list.setCurrentRow(self.list.count() - 1)

    def sync(self, events: Sequence[Mapping[str, Any]]) -> None:
        """Show exactly ``events``: append when they extend what is shown, else start over."""
        wanted = [json.loads(json.dumps(dict(e), default=str)) for e in events]
        if wanted[: len(self._events)] != self._events:
            self.clear()
        for event in wanted[len(self._events) :]:
            self.append(event)

    def selected_json(self) -> str:
        row = self.list.currentRow()
        if not 0 <= row < len(self._events):
            return ""
        return json.dumps(self._events[row], indent=2, sort_keys=False)

    def all_json(self) -> str:
        return json.dumps({"Records": self._events}, indent=2)

    def copy_selected(self) -> None:
        QApplication.clipboard().setText(self.selected_json())

    def copy_all(self) -> None:
        QApplication.clipboard().setText(self.all_json())

    def _show(self, row: int) -> None:
        self.json_view.setPlainText(self.selected_json() if row >= 0 else "")


# ================================================================================================ player bar
class PlayerBar(QWidget):
    """The controls under the canvas: ◀◀ ◀ ▶ ▶▶ ⟲, speed, loop, "3 / 7", caption, and the credentials card."""

    def __init__(self, player: ScenarioPlayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        sp = QStyle.StandardPixmap
        self.home_button = self._button(sp.SP_MediaSkipBackward, "First step (Home)", player.home)
        self.previous_button = self._button(sp.SP_MediaSeekBackward, "Previous step (Left, PageUp)", player.previous)
        self.play_button = self._button(sp.SP_MediaPlay, "Play / pause (Space)", player.toggle_play)
        self.next_button = self._button(sp.SP_MediaSeekForward, "Next step (Right, PageDown)", player.next)
        self.end_button = self._button(sp.SP_MediaSkipForward, "Last step (End)", player.end)
        self.restart_button = self._button(sp.SP_BrowserReload, "Restart the scenario", player.restart)
        self.speed_combo = QComboBox(self)
        self.speed_combo.setToolTip("Playback speed")
        for speed in SPEEDS:
            self.speed_combo.addItem(f"{speed:g}×", speed)
        self.speed_combo.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_combo.currentIndexChanged.connect(lambda i: player.set_speed(float(self.speed_combo.itemData(i))))
        self.loop_box = QCheckBox("Loop", self)
        self.loop_box.setToolTip("Start again after the last step")
        self.loop_box.toggled.connect(player.set_loop)
        self.step_label = QLabel("– / –", self)
        self.step_label.setMinimumWidth(56)
        self.step_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        bold = QFont(self.step_label.font())
        bold.setBold(True)
        self.step_label.setFont(bold)
        self.title_label = QLabel("Pick a use case on the left, or a chain.", self)
        self.title_label.setFont(bold)
        self.caption_label = QLabel("", self)
        self.caption_label.setWordWrap(True)
        self.caption_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.card = CredentialsCard(self)

        controls = QHBoxLayout()
        controls.setSpacing(2)
        for widget in (
            self.home_button,
            self.previous_button,
            self.play_button,
            self.next_button,
            self.end_button,
            self.restart_button,
        ):
            controls.addWidget(widget)
        controls.addSpacing(8)
        controls.addWidget(self.step_label)
        controls.addSpacing(8)
        controls.addWidget(self.speed_combo)
        controls.addWidget(self.loop_box)
        controls.addStretch(1)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addLayout(controls)
        text.addWidget(self.title_label)
        text.addWidget(self.caption_label)
        text.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addLayout(text, 3)
        layout.addWidget(self.card, 2)

        player.scenario_changed.connect(self._on_scenario)
        player.step_changed.connect(self._on_step)
        player.playing_changed.connect(self._on_playing)
        self._on_scenario(player.scenario)

    def _button(self, icon: QStyle.StandardPixmap, tip: str, slot) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(self.style().standardIcon(icon))
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(lambda *_: slot())
        return button

    def _on_scenario(self, scenario: Scenario | None) -> None:
        enabled = scenario is not None and bool(scenario.steps)
        for button in (
            self.home_button,
            self.previous_button,
            self.play_button,
            self.next_button,
            self.end_button,
            self.restart_button,
        ):
            button.setEnabled(enabled)
        if scenario is None:
            self.title_label.setText("Pick a use case on the left, or a chain.")
            self.caption_label.setText("")
        self._on_step(self.player.index)

    def _on_step(self, index: int) -> None:
        player = self.player
        scenario = player.scenario
        count = player.count
        self.step_label.setText(
            f"{index + 1} / {count}" if scenario is not None and index >= 0 else f"– / {count or '–'}"
        )
        step = player.step
        if scenario is not None:
            what_if = f" — what if: {scenario.what_if.label}" if scenario.what_if else ""
            head = f"{scenario.title}{what_if}"
            self.title_label.setText(f"{head}: {step.title}" if step is not None else head)
            mark = "" if step is None else ("✓ " if step.allowed else "✗ ")
            self.caption_label.setText(mark + (step.caption if step is not None else scenario.summary))
        self.card.set_step(step)

    def _on_playing(self, playing: bool) -> None:
        sp = QStyle.StandardPixmap
        self.play_button.setIcon(self.style().standardIcon(sp.SP_MediaPause if playing else sp.SP_MediaPlay))


def install_player_keys(widget: QWidget, player: ScenarioPlayer) -> list[QShortcut]:
    """Space, Right/Left, PageDown/PageUp, Home/End on ``widget``'s window; on only while a scenario is loaded."""
    shortcuts: list[QShortcut] = []
    for name, keys in PLAYER_KEYS.items():
        for key in keys:
            shortcut = QShortcut(QKeySequence(key), widget)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(getattr(player, name))
            shortcut.setEnabled(player.scenario is not None)
            shortcuts.append(shortcut)

    def enable(scenario: Scenario | None) -> None:
        for shortcut in shortcuts:
            shortcut.setEnabled(scenario is not None)

    player.scenario_changed.connect(enable)
    return shortcuts


# ================================================================================================ window wiring
class PlayerDocks(QObject):
    """Everything the player adds to a main window, kept together (see :func:`attach_player`)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        from iamviz.gui.use_cases import UseCasesPanel, install_who_can_reach

        self.window = window
        self.animator = ScenarioAnimator(window.scene, self)
        self.player = ScenarioPlayer(self.animator, self)
        self.camera = ViewCamera(window.view, parent=self)
        self.animator.camera_requested.connect(self.camera.move_to)
        self.bar = PlayerBar(self.player, window)
        self.log = EventLogPanel(window)
        self.use_cases = UseCasesPanel(window)
        self.use_cases.setMinimumWidth(280)
        self.use_cases.scenario_chosen.connect(lambda s: self.player.load(s, autoplay=True))
        self.player_dock = self._dock("Player", "player", self.bar, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.log_dock = self._dock(
            "Event log (CloudTrail)", "event-log", self.log, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        for dock in (self.player_dock, self.log_dock):  # their tabs name them: no title bar, a compact strip
            dock.setTitleBarWidget(QWidget(dock))

        self.use_cases_dock = self._dock("Use cases", "use-cases", self.use_cases, Qt.DockWidgetArea.LeftDockWidgetArea)
        panels = getattr(window, "panels_menu", None)
        if panels is not None:  # View ▸ Panels: bring any of them back by hand
            for dock in (self.use_cases_dock, self.player_dock, self.log_dock):
                panels.addAction(dock.toggleViewAction())
        window.tabifyDockWidget(self.player_dock, self.log_dock)
        self.player_dock.raise_()
        self._sized = False
        self.player.scenario_changed.connect(lambda _s: self.sync_visibility())
        self.player.scenario_changed.connect(lambda s: self.camera.release() if s is None else None)
        self.sync_visibility()
        self.keys = install_player_keys(window, self.player)
        self.player.step_changed.connect(self._sync_log)
        self.player.scenario_changed.connect(lambda _s: self._sync_log(self.player.index))
        window.document_changed.connect(self._on_document)
        restyles = [window.act_text_bigger, window.act_text_smaller, window.act_text_reset]
        for action in [*restyles, *getattr(window, "theme_actions", {}).values()]:
            action.triggered.connect(lambda *_: QTimer.singleShot(0, self.animator.refresh))
        install_who_can_reach(window.view, window.scene, self.use_cases)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(f"dock-{name}")
        dock.setWidget(widget)
        self.window.addDockWidget(area, dock)
        return dock

    def _sync_log(self, index: int) -> None:
        scenario = self.player.scenario
        steps = scenario.steps[: index + 1] if scenario is not None and index >= 0 else ()
        self.log.sync([step.event for step in steps if step.event])

    def _on_document(self, document: Any) -> None:
        self.camera.reset_room()
        self.player.load(None)
        self.use_cases.set_document(document.snapshot, document.graph)
        self.sync_visibility()
        if self.has_lessons and not self._presenting():
            self.use_cases_dock.raise_()

    @property
    def has_lessons(self) -> bool:
        """Whether the open document has built-in use cases (samples do; real accounts do not)."""
        return self.use_cases.tree.topLevelItemCount() > 0

    def _presenting(self) -> bool:
        return bool(getattr(self.window, "_presenting", False))

    def sync_visibility(self) -> None:
        """The player and event log only while a scenario is loaded; Use cases only when there are lessons.

        Chains stay reachable without the Use cases dock (the toolbar's Chains… and the canvas's right-click menu).
        """
        if self._presenting():
            return  # presentation mode hides every panel and restores them when it ends
        playing = self.player.scenario is not None
        for dock in (self.player_dock, self.log_dock):
            dock.setVisible(playing)
        if playing:
            self.player_dock.raise_()
            if not self._sized:
                self._sized = True
                height = self.bar.sizeHint().height() + 28  # the bar plus the dock's title and tabs
                self.window.resizeDocks([self.player_dock], [height], Qt.Orientation.Vertical)
        self.use_cases_dock.setVisible(self.has_lessons or self.use_cases.graph is None)

    def panels(self) -> list[QDockWidget]:
        return [self.player_dock, self.log_dock, self.use_cases_dock]


def attach_player(window: MainWindow) -> PlayerDocks | None:
    """Add the player, event log and use-cases docks and the player keys to ``window`` (None without a TrustScene)."""
    from iamviz.render.scene import TrustScene

    if not isinstance(getattr(window, "scene", None), TrustScene):
        return None
    return PlayerDocks(window)
