"""The scenario player, offscreen: every built-in scenario stepped through with animations off (what is lit, the
STS hub, the ticket, the deny and its reason, the credentials card, the event log), and with animations on
(``qtbot.waitSignal`` on ``step_finished``, never a sleep)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QWidget

from iamviz.analysis import build_trust_graph
from iamviz.gui.player import (
    CredentialsCard,
    EventLogPanel,
    PlayerBar,
    ScenarioPlayer,
    event_summary,
    format_countdown,
    install_player_keys,
)
from iamviz.gui.use_cases import ChainsDialog, UseCasesPanel
from iamviz.layout import layered_layout
from iamviz.loading import load_sources
from iamviz.playback import STS_NODE_ID, StepKind, available_builtins, build_builtin
from iamviz.playback.builder import deny_reason
from iamviz.render.animator import FLASH_COUNT, FLASH_CYCLE_MS, HOP_MS_MAX, HOP_MS_MIN, ScenarioAnimator
from iamviz.render.scene import TrustScene
from iamviz.render.sts_items import HubState, Tone
from iamviz.render.theme import load_theme

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def classroom():
    snapshot = load_sources([])
    graph = build_trust_graph(snapshot)
    return snapshot, graph, layered_layout(graph)


def _scenarios(classroom_snapshot):
    facts = classroom_snapshot.teaching["facts"]
    result = []
    for name in available_builtins(facts):
        base = build_builtin(classroom_snapshot, facts, name)
        result.append((name, None))
        result.extend((name, option.id) for option in base.what_ifs)
    return result


CASES = _scenarios(load_sources([]))


@pytest.fixture
def scene(qapp, classroom):
    _, graph, layout = classroom
    scene = TrustScene(theme=load_theme("light"))
    scene.set_graph(graph, layout)
    yield scene
    scene.clear()


@pytest.fixture
def animator(scene):
    animator = ScenarioAnimator(scene)
    animator.set_animations_enabled(False)
    return animator


def _assert_step_pose(scene, animator, step):
    """What the scene shows for ``step``: lit nodes, everything else dimmed, and the player's items."""
    expected = {n for n in step.path if n != STS_NODE_ID}
    assert scene.highlighted_nodes() == expected
    for node_id in scene.node_ids():
        assert scene.node_item(node_id).dimmed == (node_id not in expected), node_id
    if step.kind is StepKind.ASSUME:
        assert animator.hub is not None and animator.hub.scene() is scene and animator.hub.isVisible()
        source, target = step.edges[0]
        lit_edges = [item for item in scene.edges_at(source) if item.edge.target == target and item.highlighted]
        assert lit_edges, "the hop's edge is lit"
        hub_box = animator.hub.sceneBoundingRect()
        for edge_item in lit_edges:  # the hub and its STS label leave the hop's badge readable
            assert not hub_box.intersects(edge_item.badge_rect()), (edge_item.badge, hub_box, edge_item.badge_rect())
        assert animator.connector is not None
        if step.allowed:
            assert animator.hub.state is HubState.GRANTED
            assert animator.ticket is not None and animator.ticket.isVisible()
            assert step.credentials.access_key_id[:4] in animator.ticket.text
            assert step.credentials.access_key_id[-4:] in animator.ticket.text
            assert animator.flash is None
            # the ticket rests at the role, not at the caller
            role_box = scene.node_item(step.target).scene_box()
            assert abs(animator.ticket.pos().x() - role_box.center().x()) < 1
        else:
            assert animator.hub.state is HubState.REFUSED
            assert animator.ticket is None
            assert animator.flash is not None and animator.flash.lit
            assert animator.callout.tone is Tone.DENIED
            assert deny_reason(step.decision).rstrip(".") in animator.callout.text
    elif step.kind is StepKind.USE:
        assert animator.hub is None
        assert animator.callout.tone is (Tone.ALLOWED if step.allowed else Tone.DENIED)
        assert step.api_call.action in animator.callout.text
        assert (animator.ticket is not None) == (step.credentials is not None)
        if not step.allowed:
            assert step.reasons[0] in animator.callout.text
    else:
        assert animator.callout.tone is Tone.NOTE
        assert animator.callout.text == step.title


@pytest.mark.parametrize(("name", "what_if"), CASES, ids=[f"{n}:{w}" if w else n for n, w in CASES])
def test_every_step_of_every_builtin_lights_the_right_items(qtbot, classroom, scene, animator, name, what_if):
    snapshot = classroom[0]
    scenario = build_builtin(snapshot, snapshot.teaching["facts"], name, what_if)
    animator.set_scenario(scenario)
    cameras = []
    animator.camera_requested.connect(lambda rect, ms: cameras.append((QRectF(rect), ms)))
    for step in scenario.steps:
        with qtbot.waitSignal(animator.step_finished, timeout=1000) as blocker:
            animator.show_step(step.index)
        assert blocker.args == [step.index]
        _assert_step_pose(scene, animator, step)
        # the camera cut to a rectangle holding the actor
        rect, ms = cameras[-1]
        assert ms == 0
        assert rect.intersects(scene.node_item(step.actor).scene_box())
    animator.show_step(-1)
    assert scene.highlighted_nodes() == frozenset()
    assert animator.hub is None and animator.ticket is None


@pytest.mark.parametrize(
    ("name", "what_if"), [case for case in CASES if case[1] is not None], ids=[f"{n}:{w}" for n, w in CASES if w]
)
def test_each_what_if_ends_in_a_deny_with_its_reason(classroom, scene, animator, name, what_if):
    snapshot = classroom[0]
    scenario = build_builtin(snapshot, snapshot.teaching["facts"], name, what_if)
    last = scenario.steps[-1]
    assert not last.allowed
    animator.set_scenario(scenario)
    animator.show_step(last.index)
    assert animator.callout is not None and animator.callout.tone is Tone.DENIED
    assert animator.flash is not None and animator.flash.lit
    assert "refuse" in animator.callout.text.lower()


def test_an_animated_hop_moves_the_camera_first_and_finishes(qtbot, classroom, scene):
    snapshot = classroom[0]
    scenario = build_builtin(snapshot, snapshot.teaching["facts"], "break-glass")
    animator = ScenarioAnimator(scene)
    animator.set_animations_enabled(True)
    animator.set_speed(4.0)  # still at least HOP_MS_MIN a hop
    assert animator.hop_ms() == HOP_MS_MIN
    animator.set_speed(0.1)
    assert animator.hop_ms() == HOP_MS_MAX
    animator.set_speed(2.0)
    animator.set_scenario(scenario)
    events = []
    animator.camera_requested.connect(lambda rect, ms: events.append(("camera", ms)))
    assume = next(s for s in scenario.steps if s.kind is StepKind.ASSUME)
    with qtbot.waitSignal(animator.step_finished, timeout=5000) as blocker:
        animator.show_step(assume.index)
        assert animator.is_running
        assert animator.ticket is not None and not animator.ticket.isVisible()  # the token has not moved yet
        assert animator.hub.opacity() < 1.0
    assert blocker.args == [assume.index]
    assert events and events[0][0] == "camera" and events[0][1] > 0
    assert not animator.is_running
    _assert_step_pose(scene, animator, assume)


def test_an_animated_deny_flashes_at_most_three_times_a_second(qtbot, classroom, scene):
    snapshot = classroom[0]
    scenario = build_builtin(snapshot, snapshot.teaching["facts"], "cross-account", "no-external-id")
    animator = ScenarioAnimator(scene)
    animator.set_animations_enabled(True)
    animator.set_speed(2.0)
    animator.set_scenario(scenario)
    with qtbot.waitSignal(animator.step_finished, timeout=8000):
        animator.show_step(0)
        assert animator.callout is not None and not animator.callout.isVisible()
    assert animator.flash.lit and animator.callout.isVisible()
    assert 1000 / FLASH_CYCLE_MS <= 3
    assert 0 < animator.flash_toggles <= 2 * FLASH_COUNT


def test_switching_animations_off_mid_step_jumps_to_its_end(qtbot, classroom, scene):
    snapshot = classroom[0]
    scenario = build_builtin(snapshot, snapshot.teaching["facts"], "saml")
    animator = ScenarioAnimator(scene)
    animator.set_animations_enabled(True)
    animator.set_scenario(scenario)
    with qtbot.waitSignal(animator.step_finished, timeout=1000):
        animator.show_step(1)
        animator.set_animations_enabled(False)
    assert not animator.is_running
    _assert_step_pose(scene, animator, scenario.steps[1])


# ---- the player controller and its widgets ---------------------------------------------------------------------


@pytest.fixture
def player(animator):
    player = ScenarioPlayer(animator)
    player.set_dwell_ms(0)
    return player


def test_player_steps_with_the_pure_cursor(classroom, player):
    snapshot = classroom[0]
    scenario = build_builtin(snapshot, snapshot.teaching["facts"], "break-glass")
    seen = []
    player.step_changed.connect(seen.append)
    player.load(scenario)
    assert player.index == 0
    player.next()
    player.next()
    assert player.index == 2
    player.previous()
    assert player.index == 1
    player.end()
    assert player.index == len(scenario.steps) - 1
    player.next()  # stays at the end without loop
    assert player.index == len(scenario.steps) - 1
    player.set_loop(True)
    player.next()
    assert player.index == 0
    player.home()
    player.restart()
    assert player.index == 0
    assert seen[:3] == [-1, 0, 1]


def test_play_runs_to_the_end_and_stops(qtbot, classroom, player):
    snapshot = classroom[0]
    scenario = build_builtin(snapshot, snapshot.teaching["facts"], "lambda")
    player.load(scenario)
    with qtbot.waitSignal(player.finished, timeout=5000):
        player.play()
    assert player.index == len(scenario.steps) - 1
    assert not player.playing


def test_credentials_card_shows_key_session_and_a_countdown(qapp, classroom):
    snapshot = classroom[0]
    scenario = build_builtin(snapshot, snapshot.teaching["facts"], "break-glass")
    card = CredentialsCard()
    card.set_step(scenario.steps[0])
    assert card.credentials is None and "No temporary credentials" in card.text()
    assume = next(s for s in scenario.steps if s.kind is StepKind.ASSUME)
    card.set_step(assume)
    text = card.text()
    assert assume.credentials.access_key_id in text
    assert assume.credentials.session_name in text
    assert "in 1:00:00" in text or "in 59:59" in text
    card.advance(600)
    assert card.seconds_left() in (3000, 2999)
    assert "in 50:00" in card.text() or "in 49:59" in card.text()
    card.advance(4000)
    assert "expired" in card.text()
    assert format_countdown(59) == "00:59" and format_countdown(3661) == "1:01:01"


def test_event_log_appends_each_step_and_truncates_when_going_back(qapp, classroom):
    snapshot = classroom[0]
    scenario = build_builtin(snapshot, snapshot.teaching["facts"], "break-glass")
    events = [dict(s.event) for s in scenario.steps if s.event]
    log = EventLogPanel()
    log.sync(events[:1])
    log.sync(events[:3])
    assert [e["eventName"] for e in log.entries()] == [e["eventName"] for e in events[:3]]
    assert log.list.count() == 3 and log.list.currentRow() == 2
    assert '"eventSource"' in log.selected_json()
    log.copy_all()
    assert '"Records"' in qapp.clipboard().text()
    log.copy_selected()
    assert events[2]["eventName"] in qapp.clipboard().text()
    log.sync(events[:1])
    assert len(log.entries()) == 1
    denied = next(e for e in events if e.get("errorCode"))
    assert event_summary(denied).startswith("✗") and denied["errorCode"] in event_summary(denied)


def test_player_bar_and_keys_drive_the_player(qtbot, classroom, player):
    snapshot = classroom[0]
    scenario = build_builtin(snapshot, snapshot.teaching["facts"], "cross-account")
    host = QWidget()
    qtbot.addWidget(host)
    bar = PlayerBar(player, host)
    install_player_keys(host, player)
    host.show()
    with qtbot.waitActive(host):
        host.activateWindow()
    player.load(scenario)
    assert bar.step_label.text() == f"1 / {len(scenario.steps)}"
    assert scenario.steps[0].caption in bar.caption_label.text()
    assert scenario.steps[0].credentials.access_key_id in bar.card.text()
    bar.next_button.click()
    assert player.index == 1 and bar.step_label.text() == "2 / 2"
    for key, expected in ((Qt.Key.Key_PageUp, 0), (Qt.Key.Key_PageDown, 1), (Qt.Key.Key_Left, 0)):
        qtbot.keyClick(host, key)
        assert player.index == expected, key
    qtbot.keyClick(host, Qt.Key.Key_End)
    assert player.index == 1
    qtbot.keyClick(host, Qt.Key.Key_Home)
    assert player.index == 0
    bar.speed_combo.setCurrentIndex(bar.speed_combo.findData(2.0))
    assert player.speed == 2.0
    bar.loop_box.setChecked(True)
    assert player.loop


def test_use_cases_panel_builds_the_checked_what_if(qtbot, classroom):
    snapshot, graph, _ = classroom
    panel = UseCasesPanel()
    qtbot.addWidget(panel)
    panel.set_document(snapshot, graph)
    assert panel.use_case_names() == available_builtins(snapshot.teaching["facts"])
    panel.set_what_if("break-glass", "no-mfa")
    assert panel.checked_what_if("break-glass") == "no-mfa"
    panel.what_if_item("break-glass", "stale-mfa").setCheckState(0, Qt.CheckState.Checked)
    assert panel.checked_what_if("break-glass") == "stale-mfa"  # exclusive
    with qtbot.waitSignal(panel.scenario_chosen) as blocker:
        top = next(
            panel.tree.topLevelItem(i)
            for i in range(panel.tree.topLevelItemCount())
            if "Break" in panel.tree.topLevelItem(i).text(0)
        )
        panel.tree.setCurrentItem(top)
        panel.play_selected()
    scenario = blocker.args[0]
    assert scenario.what_if.id == "stale-mfa" and not scenario.outcome_allowed


def test_chains_dialog_lists_who_can_reach_a_role_and_animates_one(qtbot, classroom):
    _, graph, _ = classroom
    role = "arn:aws:iam::444455556666:role/PartnerDataUploadRole"
    dialog = ChainsDialog(graph, target=role)
    qtbot.addWidget(dialog)
    assert dialog.chains and all(chain.target == role for chain in dialog.chains)
    assert "PartnerDataUploadRole" in dialog.list.item(0).text()
    with qtbot.waitSignal(dialog.scenario_chosen) as blocker:
        dialog.accept()
    scenario = blocker.args[0]
    assert scenario.id.startswith("chain:") and scenario.steps[0].target == role
