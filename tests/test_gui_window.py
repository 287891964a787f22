"""The main window end to end, offscreen: open, draw, inspect, search, filter, fail gracefully, persist."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from iamviz.errors import LiveAccountError
from iamviz.gui import document as docmod
from iamviz.gui.main_window import MainWindow
from iamviz.gui.settings import Settings
from iamviz.model.graph import EdgeKind, NodeKind

pytestmark = pytest.mark.gui

LOAD_TIMEOUT = 20_000


@pytest.fixture
def settings(tmp_path):
    return Settings(tmp_path / "settings.ini")


@pytest.fixture
def messages(monkeypatch):
    """Every QMessageBox the window pops up, recorded instead of shown."""
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
def window(qtbot, settings, messages):
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    yield w
    if w._worker is not None:
        w._worker.cancel()
        w.pool.waitForDone(5000)


def open_and_wait(qtbot, window, sources=()):
    with qtbot.waitSignal(window.document_changed, timeout=LOAD_TIMEOUT) as blocker:
        window.open_sources(list(sources))
    return blocker.args[0]


@pytest.fixture
def classroom(qtbot, window):
    return open_and_wait(qtbot, window)


# ---- opening and drawing ------------------------------------------------------------------------------------------


def test_opens_the_classroom_sample_with_one_item_per_node_and_edge(window, classroom, messages):
    doc = classroom
    assert messages == []
    assert doc.account_count == 2
    assert window.windowTitle() == doc.window_title
    assert "(2 accounts)" in window.windowTitle()
    assert doc.focus is None and set(doc.layout.positions) == set(doc.graph.nx.nodes)
    for node in doc.graph.nodes():
        assert window.scene.node_item(node.id) is not None, node.id
    for source, target, key in ((e.source, e.target, e.key) for e in doc.graph.edges()):
        assert window.scene.edge_item(source, target, key) is not None, (source, target, key)
    assert window.act_export.isEnabled() and window.act_save.isEnabled()
    assert f"{len(doc.graph):,} nodes" in window.status_label.text()


def test_load_runs_in_the_worker_with_progress(qtbot, window):
    seen: list[str] = []
    window.load_progressed.connect(lambda done, total, message: seen.append(message))
    open_and_wait(qtbot, window)
    assert any("trust graph" in m for m in seen)
    assert any("Laying out" in m for m in seen)
    assert not window.is_loading
    assert not window.progress_bar.isVisible()


def test_findings_panel_lists_most_severe_first_and_clicking_selects(qtbot, window):
    doc = open_and_wait(qtbot, window, ["sample:classroom-done-wrong"])
    panel = window.findings_panel
    assert doc.findings, "the done-wrong classroom raises findings"
    assert panel.tree.topLevelItemCount() == len(doc.findings)
    assert window.findings_dock.windowTitle() == f"Findings ({len(doc.findings)})"
    ranks = [docmod.severity_rank(panel.finding_at(i).severity) for i in range(panel.tree.topLevelItemCount())]
    assert ranks == sorted(ranks)
    finding = panel.finding_at(0)
    panel.activate_row(0)
    assert window.selected_node == finding.role_arn
    assert window.view_filter.focus == finding.role_arn
    assert finding.title in window.inspector.plain_text()


# ---- inspector ----------------------------------------------------------------------------------------------------


def _a_role_with_incoming(doc):
    for node in doc.graph.nodes():
        if node.kind is NodeKind.ROLE:
            edges = [e for e in doc.graph.in_edges(node.id) if e.kind is EdgeKind.CAN_ASSUME]
            if edges:
                return node, edges[0]
    raise AssertionError("no role with a trust edge in the sample")


def test_selecting_a_node_fills_the_inspector(qtbot, window, classroom):
    role, edge = _a_role_with_incoming(classroom)
    item = window.scene.node_item(role.id)
    window.scene.clearSelection()
    item.setSelected(True)  # as a click would
    qtbot.waitUntil(lambda: window.inspector.subject == role.id, timeout=2000)
    text = window.inspector.plain_text()
    assert role.arn in text
    assert "IAM role" in text
    assert "Who can assume it" in text
    assert classroom.graph.node(edge.source).label in text
    assert "Trust policy" in text and '"Statement"' in text


def test_selecting_an_edge_shows_decision_and_highlights_its_statement(qtbot, window, classroom):
    role, edge = _a_role_with_incoming(classroom)
    window.scene.clearSelection()
    window.scene.edge_item(edge.source, edge.target, edge.key).setSelected(True)
    qtbot.waitUntil(lambda: window.inspector.subject == (edge.source, edge.target, edge.key), timeout=2000)
    assert window.inspector.highlighted_statement == edge.statement_index
    text = window.inspector.plain_text()
    assert "Decision" in text
    assert f"Trust policy of {role.label}" in text
    html = window.inspector.browser.toHtml()
    assert "#f0e442" in html.lower()  # the highlighted statement


def test_inspector_links_select_other_nodes(qtbot, window, classroom):
    role, edge = _a_role_with_incoming(classroom)
    window.select_node(role.id)
    with qtbot.waitSignal(window.node_focused) as blocker:
        window.inspector._on_anchor(QUrl(f"node:{edge.source}"))
    assert blocker.args == [edge.source]
    assert window.inspector.subject == edge.source


# ---- search, filters, focus ---------------------------------------------------------------------------------------


def test_search_lights_matches_and_enter_walks_them(qtbot, window, classroom):
    roles = sorted(n.label for n in classroom.graph.nodes() if n.kind is NodeKind.ROLE)
    query = roles[0][:4]
    qtbot.keyClicks(window.search_bar.search_field, query)
    expected = docmod_search(classroom, query)
    assert window.matches == expected and expected
    assert window.search_bar.match_label.text() == f"{len(expected)} found"
    qtbot.keyClick(window.search_bar.search_field, Qt.Key.Key_Return)
    assert window.selected_node == expected[0]
    assert window.search_bar.match_label.text() == f"1/{len(expected)}"
    if len(expected) > 1:
        qtbot.keyClick(window.search_bar.search_field, Qt.Key.Key_Return)
        assert window.selected_node == expected[1]
    window.search_bar.search_field.clear()
    assert window.matches == []


def docmod_search(doc, query):
    from iamviz.gui.viewstate import search

    return search(doc.graph, query)


def test_search_with_no_match_says_so(qtbot, window, classroom):
    qtbot.keyClicks(window.search_bar.search_field, "zzz-no-such")
    assert window.matches == []
    assert window.search_bar.match_label.text() == "no match"


def _visible(window, node_id):
    item = window.scene.node_item(node_id)
    return item is not None and item.isVisible()


def test_hide_services_and_groups_filters(qtbot, window, classroom):
    services = [n.id for n in classroom.graph.nodes() if n.kind is NodeKind.SERVICE]
    groups = [n.id for n in classroom.graph.nodes() if n.kind is NodeKind.GROUP]
    assert services and groups
    assert all(_visible(window, s) for s in services)
    window.search_bar.hide_services.click()
    assert not any(_visible(window, s) for s in services)
    assert all(_visible(window, g) for g in groups)
    window.search_bar.hide_groups.click()
    assert not any(_visible(window, g) for g in groups)
    window.search_bar.hide_services.click()
    window.search_bar.hide_groups.click()
    assert all(_visible(window, n) for n in services + groups)


def test_only_risky_keeps_flagged_roles(qtbot, window, classroom):
    window.search_bar.only_risky.click()
    visible = {n.id for n in classroom.graph.nodes() if _visible(window, n.id)}
    flagged = set(classroom.findings_by_node)
    assert flagged <= visible
    ends = {s for s, _, _ in classroom.risky_edges} | {t for _, t, _ in classroom.risky_edges}
    assert visible == flagged | ends


def test_focus_hides_all_but_the_neighbourhood(qtbot, window, classroom):
    from iamviz.gui.viewstate import neighbourhood

    role, _ = _a_role_with_incoming(classroom)
    window.select_node(role.id)
    window.search_bar.focus_mode.setCurrentIndex(1)  # hide rest
    window.search_bar.focus_button.click()
    assert window.view_filter.focus == role.id
    near, _ = neighbourhood(classroom.graph, role.id, 1)
    visible = {n.id for n in classroom.graph.nodes() if _visible(window, n.id)}
    assert visible == near
    window.clear_selection()  # Esc
    assert window.view_filter.focus is None
    assert all(_visible(window, n.id) for n in classroom.graph.nodes())


def test_focus_without_selection_asks_for_one(qtbot, window, classroom):
    window.search_bar.focus_button.click()
    assert window.view_filter.focus is None
    assert not window.search_bar.focus_button.isChecked()
    assert "Select a node" in window.status_label.text()


# ---- failures are dialogs, not crashes ----------------------------------------------------------------------------


def test_a_bad_file_shows_a_dialog(qtbot, window, messages, tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"RoleDetailList": [ {"Arn": 3} ')
    with qtbot.waitSignal(window.load_failed, timeout=LOAD_TIMEOUT) as blocker:
        window.open_files([str(bad)])
    assert messages and messages[-1][0] == "critical"
    assert "broken.json" in messages[-1][2]
    assert blocker.args[0] == messages[-1][2]
    assert window.document is None
    assert str(bad) not in window.settings.recent_files


def test_good_files_open_even_when_one_is_bad(qtbot, window, messages, tmp_path):
    from iamviz.loading.samples import sample_path

    bad = tmp_path / "notiam.json"
    bad.write_text(json.dumps({"hello": "world"}))
    good = str(sample_path("lambda"))
    with qtbot.waitSignal(window.document_changed, timeout=LOAD_TIMEOUT) as blocker:
        window.open_files([good, str(bad)])
    assert blocker.args[0].account_count >= 1
    assert messages and messages[-1][0] == "warning" and "notiam.json" in messages[-1][2]
    assert window.settings.recent_files[0].endswith("lambda.json")


def test_a_failed_live_connection_shows_a_dialog(qtbot, window, messages, monkeypatch):
    import iamviz.loading.live as live

    def refuse(**kwargs):
        raise LiveAccountError("could not connect to the endpoint URL http://127.0.0.1:9")

    monkeypatch.setattr(live, "capture_account", refuse)
    with qtbot.waitSignal(window.load_failed, timeout=LOAD_TIMEOUT):
        window.connect_live({"profile": None, "region": "us-east-1", "endpoint_url": "http://127.0.0.1:9"})
    kind, title, text = messages[-1]
    assert kind == "critical" and title == "Could not read AWS"
    assert "127.0.0.1:9" in text and "credentials" in text
    assert window._progress_dialog is None


def test_a_live_capture_reports_progress_and_opens(qtbot, window, monkeypatch, classroom):
    import iamviz.loading.live as live

    account = classroom.snapshot.accounts[0]

    def capture(*, progress, cancel, **kwargs):
        for phase in ("identity", "authorization-details", "done"):
            progress(live.CaptureProgress(phase=phase, message=f"reading {phase}"))
        return account

    monkeypatch.setattr(live, "capture_account", capture)
    seen = []
    window.load_progressed.connect(lambda d, t, m: seen.append((d, t, m)))
    with qtbot.waitSignal(window.document_changed, timeout=LOAD_TIMEOUT) as blocker:
        window.connect_live({"profile": "dev"})
    assert blocker.args[0].account_count == 1
    assert "live:dev" in window.windowTitle()
    assert (3, 7, "reading authorization-details") in seen


def test_cancel_stops_a_load(qtbot, window, monkeypatch):
    import threading

    import iamviz.loading.live as live
    from iamviz.errors import CancelledError

    started = threading.Event()

    def slow(*, progress, cancel, **kwargs):
        started.set()
        while not cancel():
            threading.Event().wait(0.005)
        raise CancelledError("cancelled")

    monkeypatch.setattr(live, "capture_account", slow)
    window.connect_live({"profile": None})
    assert started.wait(5)
    window.cancel_load()
    qtbot.waitUntil(lambda: not window.is_loading, timeout=5000)
    assert window.status_label.text() == "Cancelled."
    assert window.document is None


# ---- large graphs -------------------------------------------------------------------------------------------------


def test_a_large_graph_opens_focused_and_says_so(qtbot, window, classroom):
    focused = docmod.build_document(classroom.snapshot, sources=("big.json",), focus_threshold=5)
    assert focused.focus is not None and len(focused.focus) < len(focused.graph)
    window.set_document(focused)
    assert "Large graph" in window.status_label.text()
    assert window.act_whole.isEnabled()
    for node_id in focused.focus:
        assert window.scene.node_item(node_id) is not None
    with qtbot.waitSignal(window.document_changed, timeout=LOAD_TIMEOUT) as blocker:
        window.act_whole.trigger()
    assert blocker.args[0].focus is None
    assert all(window.scene.node_item(n.id) is not None for n in focused.graph.nodes())


# ---- files, settings, drag and drop -------------------------------------------------------------------------------


def test_save_snapshot_round_trips(qtbot, window, classroom, tmp_path):
    from iamviz.loading.bundle import read_bundle

    out = tmp_path / "saved.json"
    assert window.save_snapshot(str(out))
    again = read_bundle(out)
    assert [a.account_id for a in again.accounts] == [a.account_id for a in classroom.snapshot.accounts]
    assert window.settings.recent_files[0] == str(out.resolve())


def test_dropping_files_opens_them(qtbot, window):
    from iamviz.loading.samples import sample_path

    path = str(sample_path("break-glass"))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(path)])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    with qtbot.waitSignal(window.document_changed, timeout=LOAD_TIMEOUT) as blocker:
        window.dropEvent(event)
    assert blocker.args[0].sources == (path,)


def test_theme_and_text_size_persist(qtbot, settings, messages):
    first = MainWindow(settings)
    qtbot.addWidget(first)
    first.set_theme("dark")
    first.text_bigger()
    first.close()
    second = MainWindow(Settings(settings.path))
    qtbot.addWidget(second)
    assert second.theme_name == "dark"
    assert second.theme_actions["dark"].isChecked()
    assert second.text_scale == pytest.approx(1.15)


def test_samples_menu_lists_the_samples(window):
    titles = [a.text() for a in window.samples_menu.actions()]
    assert any("lassroom" in t for t in titles)


# ---- what it looks like -------------------------------------------------------------------------------------------


def test_a_screenshot_of_the_window_is_not_blank(qtbot, window, classroom, tmp_path):
    image = window.grab().toImage()
    assert image.width() >= 1000 and image.height() >= 600
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 20
    canvas = window.view.viewport().grab().toImage()
    background = canvas.pixel(2, 2)
    drawn = sum(
        canvas.pixel(x, y) != background for x in range(0, canvas.width(), 5) for y in range(0, canvas.height(), 5)
    )
    assert drawn > 200  # the graph is drawn, not an empty canvas
    window.grab().save(str(tmp_path / "window.png"))
