"""The window under bad input and under stress, offscreen, with no sleeps.

* Bad files from the corpus each give a dialog naming the file (and the JSON path); a mix opens the good ones and
  lists the bad ones.
* Opening an account while another loads: the later load wins, the earlier one is cancelled, its result (even if it
  ignores the cancel) and its progress dialog are dropped, no dialog appears and the scene is the later one's.
* The player stepped fast with animations on, and switched to another scenario mid-animation: afterwards exactly the
  shown step's nodes are lit and only its items are on the scene.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from iamviz.gui import document as docmod
from iamviz.gui.main_window import MainWindow
from iamviz.gui.settings import Settings
from iamviz.loading.samples import sample_path
from iamviz.playback import STS_NODE_ID, build_builtin
from iamviz.render import sts_items

pytestmark = pytest.mark.gui

CORPUS = Path(__file__).parent / "corpus"
MANIFEST = json.loads((CORPUS / "bad-manifest.json").read_text(encoding="utf-8"))["files"]
LOAD_TIMEOUT = 20_000
PLAYER_ITEMS = (
    sts_items.StsHubItem,
    sts_items.TicketItem,
    sts_items.CalloutItem,
    sts_items.FlashItem,
    sts_items.ConnectorItem,
    sts_items.TokenDotItem,
)


@pytest.fixture
def messages(monkeypatch):
    shown: list[tuple[str, str, str]] = []

    def record(kind):
        def box(parent, title, text, *args, **kwargs):
            shown.append((kind, title, text))
            return QMessageBox.StandardButton.Ok

        return box

    for kind in ("critical", "warning", "information"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    return shown


@pytest.fixture
def window(qtbot, tmp_path, messages):
    w = MainWindow(Settings(tmp_path / "settings.ini"))
    qtbot.addWidget(w)
    w.show()
    yield w
    for worker in (w._worker, *getattr(w, "_abandoned", ())):
        if worker is not None:
            worker.cancel()
    w.pool.waitForDone(5000)


def _open_and_wait(qtbot, window, sources):
    with qtbot.waitSignal(window.document_changed, timeout=LOAD_TIMEOUT) as blocker:
        window.open_sources(list(sources))
    return blocker.args[0]


# ---- bad files are dialogs ----------------------------------------------------------------------------------------

BAD_SAMPLES = [
    "syntax-truncated-object.json",
    "nan-literal.json",
    "duplicate-key-statement.json",
    "foreign-aws-iam-list-roles.json",
    "bundle-version-2.json",
    "policy-principal-number.json",
    "not-utf8-gzip.json",
]


@pytest.mark.parametrize("name", BAD_SAMPLES)
def test_a_bad_file_shows_a_dialog_naming_it_and_the_path(qtbot, window, messages, name):
    path = CORPUS / "bad" / name
    with qtbot.waitSignal(window.load_failed, timeout=LOAD_TIMEOUT):
        window.open_files([str(path)])
    [(kind, title, text)] = messages
    assert kind == "critical" and name in title
    assert str(path) in text and MANIFEST[name]["message"] in text
    json_path = MANIFEST[name]["path"]
    if json_path not in (None, "$"):
        assert f"at {json_path}" in text
    assert "\n" not in text and "Traceback" not in text
    assert window.document is None and not window.is_loading


def test_a_folder_and_a_missing_file_are_dialogs_too(qtbot, window, messages, tmp_path):
    with qtbot.waitSignal(window.load_failed, timeout=LOAD_TIMEOUT):
        window.open_files([str(tmp_path)])
    with qtbot.waitSignal(window.load_failed, timeout=LOAD_TIMEOUT):
        window.open_files([str(tmp_path / "gone.json")])
    assert [m[0] for m in messages] == ["critical", "critical"]
    assert "is a folder" in messages[0][2] and "no such file" in messages[1][2]


def test_a_mix_opens_the_good_files_and_lists_the_bad(qtbot, window, messages, tmp_path):
    other = tmp_path / "other-account.json"
    other.write_text(
        (CORPUS / "odd" / "principal-star.json").read_text(encoding="utf-8").replace("111122223333", "444455556666"),
        encoding="utf-8",
    )
    good = [str(CORPUS / "odd" / "unicode-tags.json"), str(other)]
    bad = [str(CORPUS / "bad" / "bundle-version-2.json"), str(CORPUS / "bad" / "type-arn-number.json")]
    with qtbot.waitSignal(window.document_changed, timeout=LOAD_TIMEOUT) as blocker:
        window.open_files([bad[0], good[0], bad[1], good[1]])
    document = blocker.args[0]
    assert document.account_count >= 2
    assert {a.account_id for a in document.snapshot.accounts} == {"111122223333", "444455556666"}
    [(kind, _title, text)] = messages
    assert kind == "warning"
    for path in bad:
        assert path in text
    assert "at $.RoleDetailList[0].Arn" in text
    recent = window.settings.recent_files
    assert all(str(Path(p).resolve()) in recent for p in good)
    assert not any(str(Path(p).resolve()) in recent for p in bad)


# ---- the later load wins -------------------------------------------------------------------------------------------


def test_opening_while_a_live_capture_runs_cancels_it_cleanly(qtbot, window, messages, monkeypatch):
    import iamviz.loading.live as live

    started, saw_cancel = threading.Event(), threading.Event()

    def slow_capture(*, progress, cancel, **kwargs):
        started.set()
        while not cancel():
            progress(live.CaptureProgress(phase="authorization-details", message="page 1"))
            threading.Event().wait(0.01)
        saw_cancel.set()
        from iamviz.errors import CancelledError

        raise CancelledError("cancelled")

    monkeypatch.setattr(live, "capture_account", slow_capture)
    changes: list[object] = []
    window.document_changed.connect(changes.append)
    window.connect_live({"profile": "slow"})
    assert started.wait(5)
    first_dialog = window._progress_dialog
    assert isinstance(first_dialog, QProgressDialog)
    qtbot.waitUntil(first_dialog.isVisible, timeout=5000)  # shown once the capture has run a while
    document = _open_and_wait(qtbot, window, ["sample:lambda"])
    assert saw_cancel.wait(5)
    window.pool.waitForDone(5000)
    QApplication.processEvents()
    assert changes == [document] and window.document is document
    assert messages == []
    assert window._progress_dialog is None and _gone(first_dialog)
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
    assert set(window.scene.node_ids()) == set(document.layout.positions)
    assert not window.is_loading and window.status_label.text() != "Cancelled."


def test_a_first_load_that_ignores_cancel_is_still_dropped(qtbot, window, messages, monkeypatch):
    release = threading.Event()
    real_open_paths = docmod.open_paths
    calls: list[bool] = []

    def stubborn(paths, progress, cancel, **kwargs):
        document = real_open_paths(paths, progress, lambda: False, **kwargs)
        release.wait(10)
        calls.append(cancel())
        return document  # returns its result although cancelled

    monkeypatch.setattr(docmod, "open_paths", stubborn)
    window.open_files([str(sample_path("classroom"))])
    second = _open_and_wait(qtbot, window, ["sample:lambda"])
    release.set()
    window.pool.waitForDone(10_000)
    QApplication.processEvents()
    assert calls == [True]
    assert window.document is second and "lambda" in window.windowTitle().lower()
    assert set(window.scene.node_ids()) == set(second.layout.positions)
    assert messages == []
    assert not getattr(window, "_abandoned", ())


def test_two_live_connections_leave_one_dialog_and_the_second_wins(qtbot, window, messages, monkeypatch):
    import iamviz.loading.live as live
    from iamviz.loading import load_sources

    first, second = load_sources(["sample:classroom"]).accounts[:2]
    gate = threading.Event()

    def capture(*, profile, progress, cancel, **kwargs):
        if profile == "first":
            while not cancel():
                progress(live.CaptureProgress(phase="identity", message="who am I"))
                gate.wait(0.01)
            from iamviz.errors import CancelledError

            raise CancelledError("cancelled")
        return second

    monkeypatch.setattr(live, "capture_account", capture)
    window.connect_live({"profile": "first"})
    first_dialog = window._progress_dialog
    qtbot.waitUntil(first_dialog.isVisible, timeout=5000)
    with qtbot.waitSignal(window.document_changed, timeout=LOAD_TIMEOUT) as blocker:
        window.connect_live({"profile": "second"})
    window.pool.waitForDone(5000)
    QApplication.processEvents()
    assert [a.account_id for a in blocker.args[0].snapshot.accounts] == [second.account_id]
    assert first.account_id != second.account_id
    assert _gone(first_dialog) and window._progress_dialog is None
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
    assert messages == []


# ---- the player under stress ---------------------------------------------------------------------------------------


@pytest.fixture
def player_window(qtbot, window):
    document = _open_and_wait(qtbot, window, [])
    docks = window.player_docks
    docks.animator.set_animations_enabled(True)
    docks.player.set_dwell_ms(0)
    return window, docks, document


def _gone(dialog: QProgressDialog) -> bool:
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def _lit(step) -> set[str]:
    return {n for n in step.path if n != STS_NODE_ID}


def _assert_shows_only(window, docks, step) -> None:
    scene = window.scene
    drawn = {n for n in _lit(step) if scene.node_item(n) is not None}
    assert scene.highlighted_nodes() == drawn
    for node_id in scene.node_ids():
        assert scene.node_item(node_id).dimmed == (node_id not in drawn), node_id
    owned = set(map(id, docks.animator._items))
    strays = [item for item in scene.items() if isinstance(item, PLAYER_ITEMS) and id(item) not in owned]
    assert strays == [], "items of an earlier step are still on the scene"
    for kind in PLAYER_ITEMS:
        assert sum(isinstance(item, kind) for item in scene.items()) <= 1, kind.__name__


def test_fast_stepping_with_animations_leaves_exactly_the_last_step_lit(qtbot, player_window):
    window, docks, document = player_window
    snapshot = document.snapshot
    scenario = build_builtin(snapshot, snapshot.teaching["facts"], "cross-account")
    player = docks.player
    player.load(scenario)
    pattern = [1, 1, -1, 1, 1, 1, -1, -1, 1, 1, 1, 1, -1, 1] * 3
    for i, step in enumerate(pattern):
        (player.next if step > 0 else player.previous)()
        assert docks.animator.current_index == player.index
        _assert_shows_only(window, docks, scenario.steps[player.index])  # lit at once, even mid-tween
        if i % 5 == 0:
            QApplication.processEvents()  # let a tween get under way before the next key press
    final = player.index
    if docks.animator.is_running:
        with qtbot.waitSignal(docks.animator.step_finished, timeout=5000) as blocker:
            pass
        assert blocker.args == [final]
    _assert_shows_only(window, docks, scenario.steps[final])
    assert window.player_docks.bar.step_label.text() == f"{final + 1} / {len(scenario.steps)}"
    events = [s.event for s in scenario.steps[: final + 1] if s.event]
    assert len(docks.log.entries()) == len(events)


def test_keys_held_down_do_not_leave_stale_highlights(qtbot, player_window):
    window, docks, document = player_window
    snapshot = document.snapshot
    scenario = build_builtin(snapshot, snapshot.teaching["facts"], "break-glass")
    docks.player.load(scenario)
    by_key = {shortcut.key().toString(): shortcut for shortcut in docks.keys}
    presses = ["Right"] * 12 + ["PgUp"] * 5 + ["End", "Home", "PgDown"]
    for key in presses:  # as fast as auto-repeat can deliver them, each tween cut short by the next
        assert by_key[key].isEnabled()
        by_key[key].activated.emit()
    assert docks.player.index == 1
    if docks.animator.is_running:
        with qtbot.waitSignal(docks.animator.step_finished, timeout=5000):
            pass
    _assert_shows_only(window, docks, scenario.steps[1])


def test_switching_scenario_mid_animation_clears_the_previous_one(qtbot, player_window):
    window, docks, document = player_window
    snapshot = document.snapshot
    facts = snapshot.teaching["facts"]
    first = build_builtin(snapshot, facts, "cross-account")
    second = build_builtin(snapshot, facts, "lambda")
    player = docks.player
    player.load(first)
    player.next()
    assert docks.animator.is_running, "the hop is being animated"
    player.load(second)
    assert docks.animator.scenario is second and player.index == 0
    _assert_shows_only(window, docks, second.steps[0])
    if docks.animator.is_running:
        with qtbot.waitSignal(docks.animator.step_finished, timeout=5000) as blocker:
            pass
        assert blocker.args == [0]
    _assert_shows_only(window, docks, second.steps[0])
    assert not (_lit(first.steps[1]) - _lit(second.steps[0])) & window.scene.highlighted_nodes()
    assert [e.get("eventName") for e in docks.log.entries()] == [
        s.event.get("eventName") for s in second.steps[:1] if s.event
    ]
    assert second.title in docks.bar.title_label.text()


def test_a_new_document_mid_animation_clears_the_player(qtbot, player_window):
    window, docks, document = player_window
    scenario = build_builtin(document.snapshot, document.snapshot.teaching["facts"], "cross-account")
    docks.player.load(scenario)
    docks.player.next()
    other = _open_and_wait(qtbot, window, ["sample:lambda"])
    assert docks.player.scenario is None and not docks.animator.is_running
    assert window.scene.highlighted_nodes() == frozenset()
    assert [item for item in window.scene.items() if isinstance(item, PLAYER_ITEMS)] == []
    assert set(window.scene.node_ids()) == set(other.layout.positions)
