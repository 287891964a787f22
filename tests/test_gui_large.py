"""Opening a large account in the window: folded account-root expansions, a focused opening that says so, and
every graph edge still findable from the window (generated accounts from bench/make_account.py)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from iamviz.gui import document as docmod
from iamviz.gui.main_window import MainWindow
from iamviz.gui.settings import Settings

pytestmark = pytest.mark.gui

LOAD_TIMEOUT = 30_000


@pytest.fixture(scope="module")
def account_file(tmp_path_factory, make_account):
    module = make_account
    path = tmp_path_factory.mktemp("acct") / "acct-200.json"
    module.write(module.generate(roles=200, seed=4, mix="worst"), path)
    return path


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    for kind in ("critical", "warning", "information"):
        monkeypatch.setattr(QMessageBox, kind, lambda *a, **k: QMessageBox.StandardButton.Ok)
    w = MainWindow(Settings(tmp_path / "settings.ini"))
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    yield w
    if w._worker is not None:
        w._worker.cancel()
        w.pool.waitForDone(5000)


def _open(qtbot, window, path):
    with qtbot.waitSignal(window.document_changed, timeout=LOAD_TIMEOUT) as blocker:
        window.open_files([str(path)])
    return blocker.args[0]


def test_a_generated_account_opens_whole_with_folded_edges_all_represented(qtbot, window, account_file):
    doc = _open(qtbot, window, account_file)
    assert doc.focus is None  # 200 roles: under the focus threshold
    graph = doc.graph
    assert doc.edge_count == graph.edge_count
    assert f"{graph.edge_count:,} edges" in window.inspector.plain_text()  # counted in the worker, not on the UI
    scene = window.scene
    assert scene.display.bundles and len(scene.edge_refs()) < graph.edge_count
    for source, target, key in ((e.source, e.target, e.key) for e in graph.edges()):
        if source != target:
            assert scene.edge_item(source, target, key) is not None, (source, target, key)
    # Selecting a role whose principals are folded draws them; the inspector inspects the role.
    ref = max(scene.display.bundles, key=lambda r: (scene.display.bundles[r], r))
    window.select_node(ref[1])
    assert window.inspector.subject == ref[1]
    drawn_again = {r for r in scene.revealed_refs() if r[1] == ref[1]}
    assert len(drawn_again) == scene.display.bundles[ref]


def test_past_the_threshold_it_opens_focused_on_the_account_edges_and_says_so(qtbot, window, account_file):
    from iamviz.loading import load_paths

    snapshot = load_paths([str(account_file)]).snapshot
    doc = docmod.build_document(snapshot, sources=(str(account_file),), focus_threshold=50)
    assert doc.focus is not None and len(doc.focus) < len(doc.graph)
    window.set_document(doc)
    assert "Large graph" in window.status_label.text()
    # Focus neighbours come from the picture: a focused role trusted by its account shows the account's edge with
    # the number of principals it stands for, not a handful of them picked by name.
    display = doc.layout.display
    assert display is not None
    focused_bundles = [ref for ref in display.bundles if ref[1] in doc.focus]
    assert focused_bundles
    for ref in focused_bundles:
        item = window.scene.edge_item(*ref)
        assert item is not None and item.badge.endswith(f"+{display.bundles[ref]:,} principals")


def test_the_edge_count_counts_expansions_without_making_them(account_file):
    from iamviz.analysis import build_trust_graph
    from iamviz.layout import display_edges
    from iamviz.loading import load_paths, load_sources

    for snapshot in (load_paths([str(account_file)]).snapshot, load_sources(["sample:classroom"])):
        graph = build_trust_graph(snapshot)
        display = display_edges(graph)
        assert graph.edge_count == len(list(graph.edges())) == graph.to_networkx().number_of_edges()
        assert graph.edge_count == len(display.edges) + display.folded_count + sum(
            e.source == e.target for e in graph.edges()
        )
        doc = docmod.build_document(snapshot, focus_threshold=50)
        assert doc.edge_count == graph.edge_count


def _snapshot_frames(monkeypatch, view) -> list[int]:
    """Count the frames the view paints from its last sharp frame instead of drawing the items."""
    calls = [0]
    original = view._paint_snapshot

    def counted(event):
        calls[0] += 1
        return original(event)

    monkeypatch.setattr(view, "_paint_snapshot", counted)
    return calls


@pytest.mark.parametrize("slow_ms", [0.0, 1e9])
def test_a_pan_on_a_slow_view_moves_the_last_frame_and_a_fast_view_draws_each_step(
    qtbot, window, account_file, monkeypatch, slow_ms
):
    from PySide6.QtCore import Qt

    from iamviz.gui import view as viewmod

    monkeypatch.setattr(viewmod, "PAN_SNAPSHOT_MS", slow_ms)  # 0: every frame counts as slow; 1e9: none does
    _open(qtbot, window, account_file)
    view = window.view
    assert window.scene.overview() is not None  # a scene large enough to have the overview picture
    view.set_zoom(1.0)
    view.viewport().repaint()
    assert view.frame_ms > 0.0  # a full frame was timed
    frames = _snapshot_frames(monkeypatch, view)
    before = view.horizontalScrollBar().value()
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.moving and view.horizontalScrollBar().value() > before
    view.viewport().repaint()
    assert (frames[0] > 0) == (slow_ms == 0.0)  # slow: the last frame, moved; fast: drawn in full
    qtbot.waitUntil(lambda: not view.moving, timeout=2000)
    moved = frames[0]
    view.viewport().repaint()
    assert frames[0] == moved  # settled: the frame at rest is drawn in full, sharp


def test_a_zoom_gesture_scales_the_last_frame_until_it_settles(qtbot, window, account_file, monkeypatch):
    from PySide6.QtCore import Qt

    _open(qtbot, window, account_file)
    view = window.view
    view.set_zoom(1.0)
    view.viewport().repaint()
    frames = _snapshot_frames(monkeypatch, view)
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert view.moving and view.zoom > 1.0
    view.viewport().repaint()
    assert frames[0] > 0
    qtbot.waitUntil(lambda: not view.moving, timeout=2000)
    scaled = frames[0]
    view.viewport().repaint()
    assert frames[0] == scaled
