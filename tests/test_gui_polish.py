"""How the window looks on first start: the classroom readable at 1280×720 with the default docks, the legend,
panels that appear only when they have something to show, real accounts opened at a readable zoom."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from iamviz.gui.main_window import OVERVIEW_NODES, READABLE_ZOOM, MainWindow
from iamviz.gui.settings import Settings
from iamviz.model.graph import NodeKind

pytestmark = pytest.mark.gui

LOAD_TIMEOUT = 30_000
REAL = "cloudsplaining-example-gaad.json"


@pytest.fixture
def make_window(qtbot, tmp_path, monkeypatch):
    for kind in ("critical", "warning", "information"):
        monkeypatch.setattr(QMessageBox, kind, lambda *a, **k: QMessageBox.StandardButton.Ok)
    made: list[MainWindow] = []

    def make(width: int = 1280, height: int = 720) -> MainWindow:
        window = MainWindow(Settings(tmp_path / f"settings-{len(made)}.ini"), theme="light")
        qtbot.addWidget(window)
        window.resize(width, height)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window

    yield make
    for window in made:
        if window._worker is not None:
            window._worker.cancel()
            window.pool.waitForDone(5000)


def open_and_wait(qtbot, window, sources=()):
    with qtbot.waitSignal(window.document_changed, timeout=LOAD_TIMEOUT) as blocker:
        window.open_sources(list(sources))
    qtbot.wait(50)  # the docks settle; the window fits again
    window.initial_view()
    return blocker.args[0]


def in_front(dock) -> bool:
    """Shown to the user: visible and, when tabbed, the current tab (Qt moves the other tabs out of sight)."""
    return dock.isVisible() and not dock.visibleRegion().isEmpty()


def _visible_docks(window):
    return {dock.objectName() for dock in window.findChildren(type(window.inspector_dock)) if in_front(dock)}


def test_classroom_reads_at_a_glance_in_a_1280x720_window(qtbot, make_window):
    window = make_window(1280, 720)
    doc = open_and_wait(qtbot, window)
    zoom = window.view.zoom
    assert zoom >= 0.9, f"the classroom fits only at {zoom:.0%}"
    assert window.scene.style.label_font.pixelSize() * zoom >= 11  # labels at least ~11 px on screen
    # nothing clipped: every node inside the part of the scene the view shows
    shown = window.view.visible_scene_rect()
    for node_id in doc.layout.positions:
        assert shown.contains(window.scene.node_item(node_id).sceneBoundingRect()), node_id
    # the default docks: Use cases in front (the sample has lessons), the legend visible, no player yet
    visible = _visible_docks(window)
    assert {"dock-use-cases", "dock-legend"} <= visible
    assert not {"dock-player", "dock-event-log"} & visible
    assert window.tabifiedDockWidgets(window.inspector_dock)  # Inspector shares a column of tabs


def test_selecting_on_the_canvas_brings_the_inspector_forward(qtbot, make_window):
    window = make_window()
    doc = open_and_wait(qtbot, window)
    assert not in_front(window.inspector_dock)  # behind the Use cases tab
    role = next(n for n in doc.graph.nodes() if n.kind is NodeKind.ROLE)
    window.scene.node_item(role.id).setSelected(True)
    qtbot.waitUntil(lambda: in_front(window.inspector_dock), timeout=2000)
    assert window.inspector.subject == role.id


def test_findings_list_stays_in_front_while_going_through_it(qtbot, make_window):
    window = make_window()
    open_and_wait(qtbot, window, ["sample:classroom-done-wrong"])
    window.show_dock(window.findings_dock)
    qtbot.waitUntil(lambda: in_front(window.findings_dock), timeout=2000)
    window.findings_panel.activate_row(0)
    qtbot.wait(50)
    assert in_front(window.findings_dock) and window.selected_node is not None


def test_player_docks_appear_only_while_a_scenario_is_loaded(qtbot, make_window):
    window = make_window()
    open_and_wait(qtbot, window)
    docks = window.player_docks
    docks.animator.set_animations_enabled(False)
    assert not docks.player_dock.isVisible()
    docks.use_cases.play("lambda")
    docks.player.pause()
    qtbot.waitUntil(docks.player_dock.isVisible, timeout=2000)
    assert docks.player_dock.height() < 200  # a strip, not half the window
    open_and_wait(qtbot, window)  # a new document clears the scenario
    assert not docks.player_dock.isVisible() and not docks.log_dock.isVisible()


def test_legend_shows_the_kinds_drawn_and_toggles(qtbot, make_window):
    window = make_window()
    doc = open_and_wait(qtbot, window)
    legend = window.legend_bar
    texts = {entry.text for entry in legend.entries()}
    assert {"role", "user", "group", "AWS service"} <= texts
    assert "anyone (*)" not in texts  # the classroom has no public trust: only what is drawn
    assert legend.height() > 20 and in_front(window.legend_dock)
    image = legend.grab().toImage()
    assert len({image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 5)}) > 3
    window.act_legend.trigger()
    assert not window.legend_dock.isVisible()
    window.act_legend.trigger()
    assert window.legend_dock.isVisible()
    assert "Legend" in [a.text().replace("&", "") for a in window.menuBar().actions()[1].menu().actions()]
    assert doc is window.document


def test_real_account_opens_readable_without_use_cases(qtbot, make_window, real_world_dir):
    window = make_window()
    doc = open_and_wait(qtbot, window, [str(real_world_dir / REAL)])
    assert len(doc.layout.positions) > OVERVIEW_NODES
    assert window.view.zoom >= READABLE_ZOOM - 1e-6
    assert "press F to fit" in window.status_label.text()
    assert "Showing the area around" in window.status_label.text()
    docks = window.player_docks
    assert not docks.use_cases_dock.isVisible()  # no built-in lessons for a real account
    assert window.act_chains.isEnabled()  # chains stay reachable from the toolbar
    assert window.act_chains in window.toolbar.actions()
    window.act_chains.trigger()
    dialog = docks.use_cases._dialog
    assert dialog.isVisible() and dialog.target_combo.count() > 1
    dialog.close()
    window.view.fit_all()  # F still fits the whole graph, below the readable floor
    assert window.view.zoom < READABLE_ZOOM


def test_hide_rest_focus_hides_lanes_left_empty(qtbot, make_window):
    window = make_window()
    doc = open_and_wait(qtbot, window)
    layout = doc.layout
    lonely = next(  # a node whose 1-hop neighbourhood stays in one lane
        n
        for n in layout.positions
        if {layout.node_lanes[m] for m in (n, *doc.graph.predecessors(n), *doc.graph.successors(n))}
        == {layout.node_lanes[n]}
    )
    window.select_node(lonely)
    window.search_bar.focus_mode.setCurrentIndex(1)  # hide rest
    window.search_bar.set_focus_node(lonely)
    lanes = {lane.account_id: lane.isVisible() for lane in window.scene.lane_items()}
    assert lanes[layout.node_lanes[lonely]]
    assert not any(shown for key, shown in lanes.items() if key != layout.node_lanes[lonely])


def test_right_click_on_empty_canvas_offers_chains(qtbot, make_window, monkeypatch, real_world_dir):
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QMenu

    from iamviz.gui import use_cases

    window = make_window()
    open_and_wait(qtbot, window, [str(real_world_dir / REAL)])
    offered: list[list[str]] = []

    class RecordingMenu(QMenu):
        def exec(self, *args):  # never block on a real popup
            offered.append([action.text() for action in self.actions()])

    monkeypatch.setattr(use_cases, "QMenu", RecordingMenu)
    view = window.view
    corner = QPoint(2, 2)
    while view.items(corner) and any(isinstance(getattr(i, "node_id", None), str) for i in view.items(corner)):
        corner += QPoint(3, 0)
    view.customContextMenuRequested.emit(corner)
    assert offered == [["Chains…"]]


def test_export_offers_the_scenario_step_all_steps_and_gif(qtbot, make_window, tmp_path):
    from PIL import Image

    from iamviz.gui.dialogs import ExportDialog

    window = make_window()
    open_and_wait(qtbot, window)
    docks = window.player_docks
    docks.animator.set_animations_enabled(False)
    scenario = docks.use_cases.play("break-glass")
    docks.player.pause()
    docks.player.seek(1)
    dialog = ExportDialog(
        window._drawn_rect(), default_path=str(tmp_path / "x.png"), scenario=(scenario.title, 1, len(scenario.steps))
    )
    qtbot.addWidget(dialog)
    assert [dialog.mode.itemData(i) for i in range(dialog.mode.count())] == ["graph", "step", "all", "gif"]
    assert dialog.scenario_mode() == "step" and "2 / " in dialog.mode.currentText()
    dialog.mode.setCurrentIndex(3)
    assert dialog.path.text().endswith(".gif") and "GIF" in dialog.size_label.text()
    dialog.mode.setCurrentIndex(2)
    assert dialog.path.text().endswith(".png")

    def width_of(path: str) -> int:
        with Image.open(path) as image:
            return image.size[0]

    step = window.export_scenario(str(tmp_path / "step.png"), "step", width=800)
    assert step == [str(tmp_path / "step.png")] and width_of(step[0]) == 800
    every = window.export_scenario(str(tmp_path / "all.png"), "all", width=600)
    assert len(every) == len(scenario.steps) and all(width_of(p) == 600 for p in every)
    (gif,) = window.export_scenario(str(tmp_path / "story.gif"), "gif", width=480)
    with Image.open(gif) as image:
        assert image.n_frames >= len(scenario.steps)
    # the window's own scene is left as it was: the step still shown, no export scene left behind
    assert docks.player.index == 1 and docks.animator.current_index == 1
    assert "Exported" in window.status_label.text()
