"""Presentation mode in the main window, offscreen: full screen, panels hidden, projector theme, caption overlay
with the step indicator, clicker keys, B/. black screen, Ctrl+plus text scale, Esc to leave."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from iamviz.gui.presentation import MIN_CAPTION_PX, PRESENTATION_THEME

pytestmark = pytest.mark.gui


@pytest.fixture
def window(classroom_player_window):
    return classroom_player_window


def test_f5_presents_with_caption_overlay_and_esc_leaves(qtbot, window):
    docks, presentation = window.player_docks, window.presentation
    docks.use_cases.play("break-glass")
    docks.player.pause()
    docks.player.seek(2)
    with qtbot.waitSignal(window.presenting_changed) as entered:
        window.act_present.trigger()
    assert entered.args == [True]
    assert window.isFullScreen()
    assert window.scene.theme.name == PRESENTATION_THEME
    assert all(not dock.isVisible() for dock in docks.panels())
    assert not window.inspector_dock.isVisible() and not window.menuBar().isVisible()
    overlay = presentation.overlay
    assert overlay.isVisible()
    step = docks.player.step
    assert overlay.caption == step.caption and overlay.indicator == f"3 / {docks.player.count}"
    assert overlay.caption_px() >= MIN_CAPTION_PX
    qtbot.waitUntil(lambda: overlay.geometry() == window.view.viewport().geometry())
    band = overlay.band_rect()
    assert band.height() <= overlay.height() / 3 + 1 and band.bottom() <= overlay.height()  # the bottom third
    assert band.top() > overlay.height() / 2
    # clicker keys step the scenario while presenting
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    assert docks.player.index == 3 and overlay.indicator.startswith("4 /")
    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    assert docks.player.index == 2
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert docks.player.playing or docks.player.index == docks.player.count - 1
    docks.player.pause()
    # Esc leaves: window normal, user's theme back, overlay gone, panels back
    with qtbot.waitSignal(window.presenting_changed) as left:
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert left.args == [False]
    assert not window.isFullScreen()
    assert window.scene.theme.name == "light"
    assert not overlay.isVisible()
    assert docks.player_dock.isVisible() and docks.use_cases_dock.isVisible()


def test_black_screen_with_b_or_dot_and_any_key_brings_the_picture_back(qtbot, window):
    presentation = window.presentation
    qtbot.keyClick(window, Qt.Key.Key_B)
    assert not presentation.blacked_out  # only while presenting
    window.toggle_presenting()
    qtbot.keyClick(window, Qt.Key.Key_B)
    assert presentation.blacked_out
    image = presentation.black.grab().toImage()
    assert image.pixelColor(image.width() // 2, image.height() // 2).black() > 250
    qtbot.keyClick(presentation.black, Qt.Key.Key_Right)
    assert not presentation.blacked_out
    qtbot.keyClick(window, Qt.Key.Key_Period)
    assert presentation.blacked_out
    presentation.toggle_black()
    assert not presentation.blacked_out
    window.toggle_presenting()
    assert not presentation.blacked_out and not window.isFullScreen()


def test_ctrl_plus_scales_scene_text_and_the_caption(qtbot, window):
    docks, presentation = window.player_docks, window.presentation
    docks.use_cases.play("saml")
    docks.player.pause()
    window.toggle_presenting()
    before_scene, before_caption = window.scene.text_scale, presentation.overlay.caption_px()
    window.act_text_bigger.trigger()
    qtbot.waitUntil(lambda: presentation.overlay.caption_px() > before_caption, timeout=2000)
    assert window.scene.text_scale > before_scene
    # the player's items survive the re-layout that larger text causes
    qtbot.waitUntil(lambda: docks.animator.callout is not None and docks.animator.callout.scene() is window.scene)
    window.act_text_reset.trigger()
    window.toggle_presenting()


def test_presenting_mid_scenario_keeps_the_hop_in_the_upper_two_thirds(qtbot, window):
    docks = window.player_docks
    docks.use_cases.play("cross-account")
    docks.player.pause()
    docks.player.seek(0)
    window.toggle_presenting()
    qtbot.waitUntil(lambda: docks.camera.last_target is not None and docks.camera.bottom_reserve > 0)
    docks.animator.refresh()
    view = window.view
    role = window.scene.node_item(docks.player.step.target)
    top_left = view.mapFromScene(role.scene_box().topLeft())
    assert 0 <= top_left.y() < view.viewport().height() * (2 / 3)
    window.toggle_presenting()
