"""A saved window layout comes back, unless an older arrangement of the docks saved it (then the default shows)."""

from __future__ import annotations

import pytest

from iamviz.gui.main_window import MainWindow
from iamviz.gui.settings import Settings

pytestmark = pytest.mark.gui


def _window(qtbot, settings: Settings) -> MainWindow:
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_saved_layout_is_restored_and_an_older_one_is_refused(qtbot, tmp_path):
    settings = Settings(tmp_path / "settings.ini")
    first = _window(qtbot, settings)
    assert first.legend_dock.isVisible()
    first.legend_dock.setVisible(False)
    old_layout = first.saveState()  # what iamviz wrote before it versioned the layout (version 0)
    first.close()

    second = _window(qtbot, Settings(tmp_path / "settings.ini"))
    assert not second.legend_dock.isVisible()  # the user's own layout, restored
    second.close()

    settings = Settings(tmp_path / "settings.ini")
    settings.window_state = old_layout
    settings.sync()
    third = _window(qtbot, Settings(tmp_path / "settings.ini"))
    assert third.legend_dock.isVisible()  # the older arrangement is refused: the default docks show
