"""The player's camera frames each hop whole and centred in the part of the view nothing covers.

Presentation mode covers the bottom of the view with the caption band (as tall as the step's caption needs) and the
top right corner with the step indicator; the camera used to assume a fixed third for the band, so a hop with a
short caption sat well above the middle of what was left (39-72 px at 1280x800). These tests measure the hop's
parts on screen: caller and role, the STS hub with its label, the request's way, the ticket over its travel, the
callout, against the free area the overlay leaves, at each step of a lesson and of a chain, and after the view
is resized (a dock appearing, full screen).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF, QSizeF

from iamviz.analysis.chains import find_chains
from iamviz.gui.player import CAMERA_MARGIN_PX
from iamviz.playback import StepKind, scenario_from_chain

pytestmark = pytest.mark.gui

TOLERANCE_PX = 3.0
"""Scroll bars move by whole pixels: the centre may be off by a pixel or two."""


@pytest.fixture
def window(classroom_player_window):
    return classroom_player_window


def _hop_rect(window, step) -> QRectF:
    """The hop's parts in scene coordinates, read from what the animator put on the scene (a USE or SIGN_IN step:
    the actor with its callout and ticket; its target may be a resource drawn far away, or not at all)."""
    animator, scene = window.player_docks.animator, window.scene
    rect = QRectF()
    for node in (step.actor, step.target) if step.kind is StepKind.ASSUME else (step.actor,):
        item = scene.node_item(node)
        if item is not None:
            rect = rect.united(item.scene_box())
    parts = (animator.hub, animator.connector, getattr(animator, "route", None), animator.flash, animator.ticket)
    for item in (*parts, animator.callout):
        if item is not None:
            rect = rect.united(item.sceneBoundingRect())
    if step.kind is StepKind.ASSUME and animator.ticket is not None:
        half = animator.ticket.boundingRect()
        travel = animator.hop_geometry(step).to_role.boundingRect()
        rect = rect.united(travel.adjusted(half.left(), half.top(), half.right(), half.bottom()))
    return rect


def _on_screen(window, rect: QRectF) -> QRectF:
    view = window.view
    return QRectF(view.mapFromScene(rect).boundingRect())


def _assert_framed(window, step, free: QRectF) -> None:
    shown = _on_screen(window, _hop_rect(window, step))
    where = f"step {step.index} ({step.kind}): hop {shown.getRect()} in free area {free.getRect()}"
    assert free.adjusted(-1, -1, 1, 1).contains(shown), where
    assert abs(shown.center().x() - free.center().x()) <= TOLERANCE_PX, where
    assert abs(shown.center().y() - free.center().y()) <= TOLERANCE_PX, where
    # as large as the margins allow, unless the zoom limit stopped it first
    camera = window.player_docks.camera
    if window.view.zoom < camera.max_zoom - 1e-6:
        fills_width = shown.width() >= free.width() - 2 * CAMERA_MARGIN_PX - 4
        fills_height = shown.height() >= free.height() - 2 * CAMERA_MARGIN_PX - 4
        assert fills_width or fills_height, where


def _presentation_free(window) -> QRectF:
    overlay = window.presentation.overlay
    free = overlay.free_area(QSizeF(window.view.viewport().size()))
    band, indicator = overlay.band_rect(), overlay.indicator_rect()
    assert free.bottom() <= band.top() + 0.5 and free.top() >= indicator.bottom() - 0.5  # nothing covers it
    return free


def _present(qtbot, window) -> None:
    window.toggle_presenting()
    qtbot.waitUntil(lambda: window.view.viewport().size() == window.presentation.overlay.size())
    qtbot.wait(50)  # the deferred fit and re-pose after entering


@pytest.mark.parametrize("lesson", ["cross-account", "break-glass", "saml"])
def test_presenting_frames_every_step_in_the_middle_of_what_the_caption_leaves(qtbot, window, lesson):
    docks = window.player_docks
    _present(qtbot, window)
    docks.use_cases.play(lesson)
    docks.player.pause()
    for index in range(docks.player.count):
        docks.player.seek(index)
        step = docks.player.step
        _assert_framed(window, step, _presentation_free(window))


def test_presenting_a_chain_frames_each_hop(qtbot, window):
    docks, graph = window.player_docks, window.document.graph
    chain = find_chains(graph, target="arn:aws:iam::444455556666:role/PartnerDataUploadRole", limit=5)[0]
    _present(qtbot, window)
    docks.player.load(scenario_from_chain(graph, chain))
    docks.player.pause()
    for index in range(docks.player.count):
        docks.player.seek(index)
        _assert_framed(window, docks.player.step, _presentation_free(window))


def test_entering_presentation_mid_hop_reframes_it_at_full_screen(qtbot, window):
    docks = window.player_docks
    docks.use_cases.play("cross-account")
    docks.player.pause()
    docks.player.seek(0)
    _present(qtbot, window)
    qtbot.waitUntil(lambda: docks.camera.last_target is not None)
    _assert_framed(window, docks.player.step, _presentation_free(window))
    window.toggle_presenting()
    qtbot.wait(50)
    assert docks.camera.free_rect() == QRectF(window.view.viewport().rect())  # nothing reserved after leaving


def test_a_resized_view_frames_the_hop_again_unless_the_user_moved(qtbot, window):
    docks, view = window.player_docks, window.view
    docks.use_cases.play("cross-account")
    docks.player.pause()
    docks.player.seek(0)
    step = docks.player.step
    qtbot.wait(50)  # the player dock appears: the view is smaller than when the hop was framed

    def framed() -> None:
        _assert_framed(window, step, QRectF(view.viewport().rect()))

    qtbot.waitUntil(framed)
    window.resize(900, 620)
    qtbot.waitUntil(framed)
    view.set_zoom(view.zoom * 2)  # the user zooms in: a resize now leaves the view alone
    zoom = view.zoom
    window.resize(1000, 700)
    qtbot.wait(50)
    assert view.zoom == pytest.approx(zoom)


def test_camera_centres_a_rect_in_a_free_area_with_margins(qtbot, window):
    camera, view = window.player_docks.camera, window.view
    viewport = QRectF(view.viewport().rect())
    free = QRectF(0, 60, viewport.width(), viewport.height() - 260)
    camera.set_free_area(lambda: free)
    try:
        box = window.scene.node_item("arn:aws:iam::444455556666:role/PartnerDataUploadRole").scene_box()
        for rect in (box, box.adjusted(-600, -40, 300, 160)):
            camera.move_to(rect, 0)
            shown = _on_screen(window, rect)
            assert free.adjusted(
                CAMERA_MARGIN_PX - 1, CAMERA_MARGIN_PX - 1, 1 - CAMERA_MARGIN_PX, 1 - CAMERA_MARGIN_PX
            ).contains(shown)
            assert abs(shown.center().x() - free.center().x()) <= TOLERANCE_PX
            assert abs(shown.center().y() - free.center().y()) <= TOLERANCE_PX
        assert camera.bottom_reserve == pytest.approx(1 - free.bottom() / viewport.height())
    finally:
        camera.set_free_area(None)


def test_a_resize_during_the_camera_move_lands_on_the_new_frame(qtbot, window):
    docks, view = window.player_docks, window.view
    docks.animator.set_animations_enabled(True)
    docks.use_cases.play("cross-account")
    docks.player.pause()
    qtbot.waitUntil(lambda: docks.animator.is_running, timeout=3000)
    qtbot.wait(60)  # the camera eases over the hop's first 30 % (240 ms at speed 1)
    window.resize(1000, 640)
    qtbot.waitUntil(lambda: not docks.animator.is_running, timeout=5000)
    qtbot.wait(50)
    _assert_framed(window, docks.player.step, QRectF(view.viewport().rect()))
    assert not docks.camera.moving()


def test_larger_text_while_presenting_keeps_the_hop_framed_above_the_taller_caption(qtbot, window):
    docks = window.player_docks
    _present(qtbot, window)
    docks.use_cases.play("break-glass")
    docks.player.pause()
    docks.player.seek(2)
    band = window.presentation.overlay.band_rect()
    window.act_text_bigger.trigger()
    window.act_text_bigger.trigger()
    qtbot.waitUntil(lambda: window.presentation.overlay.band_rect().height() > band.height())
    qtbot.waitUntil(lambda: docks.animator.hub is not None and docks.animator.hub.scene() is window.scene)
    qtbot.wait(50)
    _assert_framed(window, docks.player.step, _presentation_free(window))
    window.act_text_reset.trigger()
