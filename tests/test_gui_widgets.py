"""GUI building blocks on their own: settings, the error hook, the worker, the view, the dialogs, the search bar."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QByteArray, QPointF, QRectF, Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QGraphicsRectItem, QGraphicsScene, QPushButton

from iamviz.errors import CancelledError, InputError
from iamviz.gui.dialogs import ConnectDialog, ExportDialog, ShortcutsDialog
from iamviz.gui.errors import ErrorDialog, format_details, install_exception_hook
from iamviz.gui.searchbar import SearchFilterBar
from iamviz.gui.settings import MAX_RECENT, Settings
from iamviz.gui.view import TrustView
from iamviz.gui.viewstate import FocusMode
from iamviz.gui.workers import Worker

pytestmark = pytest.mark.gui


# ---- settings -----------------------------------------------------------------------------------------------------


def test_settings_round_trip(tmp_path):
    path = tmp_path / "s.ini"
    s = Settings(path)
    s.theme = "dark"
    s.text_scale = 1.5
    s.geometry = QByteArray(b"\x01\x02geom")
    for name in ("a.json", "b.json", "a.json"):
        (tmp_path / name).write_text("{}")
        s.add_recent_file(str(tmp_path / name))
    s.sync()
    again = Settings(path)
    assert again.theme == "dark"
    assert again.text_scale == 1.5
    assert bytes(again.geometry) == b"\x01\x02geom"
    assert again.recent_files == [str(tmp_path / "a.json"), str(tmp_path / "b.json")]


def test_recent_files_are_capped(tmp_path):
    s = Settings(tmp_path / "s.ini")
    for i in range(MAX_RECENT + 5):
        s.add_recent_file(str(tmp_path / f"{i}.json"))
    assert len(s.recent_files) == MAX_RECENT
    assert s.recent_files[0].endswith(f"{MAX_RECENT + 4}.json")


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\xff\xfe garbage \x00",
        b"[view]\ntheme=\ntext_scale=huge\n[window]\ngeometry=@Variant(\\0\\0\\0\\x7f)\n[files]\nrecent=@Variant(zz\n",
        b"[view]\ntext_scale=nan\n",
    ],
    ids=["binary", "wrong-types", "nan"],
)
def test_corrupt_settings_give_defaults(tmp_path, content):
    path = tmp_path / "s.ini"
    path.write_bytes(content)
    s = Settings(path)
    assert s.theme == "light"
    assert s.text_scale == 1.0
    assert all(isinstance(p, str) for p in s.recent_files)
    assert s.geometry is None or isinstance(s.geometry, QByteArray)
    s.theme = "projector"  # and it can still be written
    s.sync()
    assert Settings(path).theme == "projector"


def test_out_of_range_text_scale_is_clamped(tmp_path):
    s = Settings(tmp_path / "s.ini")
    s.text_scale = 50
    assert s.text_scale == 3.0


# ---- error hook ---------------------------------------------------------------------------------------------------


def test_exception_hook_shows_details_and_restores(qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    previous = install_exception_hook(lambda t, e, tb: shown.append((t, e)))
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            sys.excepthook(*sys.exc_info())
        assert shown and shown[0][0] is ValueError
        # installing twice keeps one hook
        hook = sys.excepthook
        install_exception_hook(lambda *a: None)
        assert sys.excepthook is hook
    finally:
        sys.excepthook = previous


def test_exception_in_a_slot_reaches_the_dialog_and_the_app_goes_on(qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
    install_exception_hook(lambda t, e, tb: shown.append(str(e)))
    button = QPushButton("x")
    qtbot.addWidget(button)
    calls = []

    def bad_slot():
        calls.append(1)
        raise RuntimeError("slot failed")

    button.clicked.connect(bad_slot)
    with qtbot.capture_exceptions() as exceptions:
        button.click()
        button.click()
    assert calls == [1, 1]  # the app went on and handled the second click
    assert exceptions  # pytest-qt saw them (it wraps the hook while capturing)


def test_error_dialog_copies_details(qtbot):
    try:
        raise InputError("bad thing", file="f.json", path="$.Roles[0]")
    except InputError as exc:
        details = format_details(type(exc), exc, exc.__traceback__)
    dialog = ErrorDialog("Could not do it", details)
    qtbot.addWidget(dialog)
    assert "f.json: at $.Roles[0]: bad thing" in dialog.details_box.toPlainText()
    assert "Traceback" in details and "iamviz" in details
    dialog.copy_details()
    assert QApplication.clipboard().text() == details


# ---- worker -------------------------------------------------------------------------------------------------------


def test_worker_reports_progress_and_result(qtbot):
    def job(progress, cancel):
        for i in range(3):
            progress(i + 1, 3, f"step {i + 1}")
        return "result"

    worker = Worker(job)
    seen = []
    worker.signals.progressed.connect(lambda d, t, m: seen.append((d, t, m)))
    with qtbot.waitSignal(worker.signals.finished, timeout=5000) as blocker:
        worker.start()
    assert blocker.args == ["result"]
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=2000)
    assert seen[-1] == (3, 3, "step 3")


def test_worker_failure_carries_the_exception(qtbot):
    def job(progress, cancel):
        raise InputError("not IAM", file="x.json")

    worker = Worker(job)
    with qtbot.waitSignal(worker.signals.failed, timeout=5000) as blocker:
        worker.start()
    exc, details = blocker.args
    assert isinstance(exc, InputError) and "x.json" in details


def test_worker_cancel(qtbot):
    import threading

    started = threading.Event()

    def job(progress, cancel):
        started.set()
        while not cancel():
            threading.Event().wait(0.005)
        raise CancelledError("stopped")

    worker = Worker(job, pool=QThreadPool.globalInstance())
    with qtbot.waitSignal(worker.signals.cancelled, timeout=5000):
        worker.start()
        assert started.wait(5)
        worker.cancel()


# ---- view ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def view(qtbot):
    scene = QGraphicsScene()
    for x in range(0, 2000, 200):
        item = QGraphicsRectItem(QRectF(x, 0, 100, 60))
        item.setFlag(QGraphicsRectItem.GraphicsItemFlag.ItemIsSelectable)
        scene.addItem(item)
    scene.setSceneRect(QRectF(-500, -500, 3000, 1500))
    v = TrustView(scene)
    v.resize(600, 400)
    qtbot.addWidget(v)
    v.show()
    v.scene_ref = scene  # keep it alive
    return v


def test_zoom_keys_wheel_and_limits(qtbot, view):
    assert view.zoom == pytest.approx(1.0)
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert view.zoom == pytest.approx(1.25)
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    assert view.zoom == pytest.approx(0.8)
    view.set_zoom(1000)
    assert view.zoom == pytest.approx(8.0)
    qtbot.keyClick(view, Qt.Key.Key_0)
    assert view.zoom == pytest.approx(1.0)


def test_fit_shows_every_item(qtbot, view):
    qtbot.keyClick(view, Qt.Key.Key_F)
    visible = view.visible_scene_rect()
    assert visible.contains(QRectF(0, 0, 1900, 60))
    assert view.zoom < 1.0


def test_arrow_keys_pan(qtbot, view):
    view.set_zoom(2.0)
    before = view.visible_scene_rect().center()
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    after = view.visible_scene_rect().center()
    assert after.x() > before.x() and after.y() > before.y()


def test_shift_drag_selects_with_a_rubber_band(qtbot, view):
    view.reset_zoom()
    view.centerOn(QPointF(300, 30))
    start = view.mapFromScene(QPointF(-20, -20))
    end = view.mapFromScene(QPointF(320, 80))
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, start)
    qtbot.mouseMove(view.viewport(), end)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, end)
    assert len(view.scene().selectedItems()) == 2


# ---- dialogs ------------------------------------------------------------------------------------------------------


def test_connect_dialog_values(qtbot):
    dialog = ConnectDialog(profiles=["dev", "prod"], initial={"region": "eu-west-1"})
    qtbot.addWidget(dialog)
    assert dialog.values() == {"profile": None, "region": "eu-west-1", "endpoint_url": None}
    dialog.profile.setCurrentIndex(dialog.profile.findData("prod"))
    dialog.endpoint_url.setText("http://127.0.0.1:5000")
    assert dialog.values() == {"profile": "prod", "region": "eu-west-1", "endpoint_url": "http://127.0.0.1:5000"}
    dialog.profile.setEditText("typed-profile")
    assert dialog.values()["profile"] == "typed-profile"


def test_connect_dialog_refuses_a_bad_endpoint(qtbot):
    dialog = ConnectDialog(profiles=[])
    qtbot.addWidget(dialog)
    dialog.endpoint_url.setText("localhost:5000")
    dialog._accept()
    assert dialog.result() != ConnectDialog.DialogCode.Accepted
    assert "http://" in dialog.problem.text()


def test_export_dialog_shows_the_output_size(qtbot):
    dialog = ExportDialog(QRectF(0, 0, 800, 400), default_path="/tmp/x.png")
    qtbot.addWidget(dialog)
    dialog.scale.setValue(2.0)
    assert dialog.output_size() == (1600, 800)
    assert "1,600 × 800 px" in dialog.size_label.text()
    dialog.width.setValue(3840)
    assert dialog.output_size() == (3840, 1920)
    assert dialog.options()["width"] == 3840
    dialog.path.setText("/tmp/x.svg")
    assert "vector" in dialog.size_label.text()


def test_export_dialog_proposes_an_8k_png_of_a_huge_drawing_and_refuses_a_too_large_one(qtbot):
    """A PNG may have at most 16,384 px a side (QImage): the whole graph of a large account at the default scale
    would pass it, so the dialog proposes 8K, and says why Save is off when the options ask for more."""
    dialog = ExportDialog(QRectF(0, 0, 16_500, 6_000), default_path="/tmp/x.png")
    qtbot.addWidget(dialog)
    assert dialog.output_size() == (7680, round(6_000 * 7680 / 16_500))
    assert dialog.save_button.isEnabled() and "too large" not in dialog.size_label.text()
    dialog.width.setValue(0)  # back to the scale: 33,000 px wide
    assert not dialog.save_button.isEnabled()
    assert "too large for a PNG (at most 16,384 px a side)" in dialog.size_label.text()
    dialog.path.setText("/tmp/x.pdf")  # vector output has no pixel limit
    assert dialog.save_button.isEnabled()


def test_shortcuts_dialog_lists_the_keys(qtbot):
    dialog = ShortcutsDialog()
    qtbot.addWidget(dialog)
    keys = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert "F" in keys and "Ctrl+O" in keys


# ---- search bar ---------------------------------------------------------------------------------------------------


def test_search_bar_emits_filters_and_queries(qtbot):
    bar = SearchFilterBar()
    qtbot.addWidget(bar)
    with qtbot.waitSignal(bar.filter_changed) as blocker:
        bar.hide_services.click()
    assert blocker.args[0].hide_services is True
    with qtbot.waitSignal(bar.filter_changed) as blocker:
        bar.focus_mode.setCurrentIndex(1)
    assert blocker.args[0].focus_mode is FocusMode.HIDE
    with qtbot.waitSignal(bar.search_changed) as blocker:
        qtbot.keyClicks(bar.search_field, "Adm")
    assert bar.query == "Adm"
    with qtbot.waitSignal(bar.search_next) as blocker:
        qtbot.keyClick(bar.search_field, Qt.Key.Key_Return)
    assert blocker.args == [1]
    bar.set_match_info(0, 3)
    assert bar.match_label.text() == "1/3"
    with qtbot.waitSignal(bar.filter_changed) as blocker:
        bar.set_focus_node("arn:x")
    assert blocker.args[0].focus == "arn:x" and bar.focus_button.isChecked()
