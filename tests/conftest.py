"""Shared test set-up. Qt must run offscreen: set it before anything imports PySide6."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never reach a real AWS account from the tests, whatever the machine has configured.
os.environ.setdefault("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
os.environ.setdefault("AWS_CONFIG_FILE", os.devnull)
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

# The PySide6 6.12 refcount workaround (None/True/False) before any test paints; it imports no Qt.
from iamviz.render._pyside_none import protect_none

protect_none()

REPO = Path(__file__).resolve().parents[1]
REAL_WORLD = REPO.parent / "shared" / "real-world"


@pytest.fixture
def real_world_dir() -> Path:
    """The folder of real get-account-authorization-details exports (read in place, never copied)."""
    if not REAL_WORLD.is_dir():
        pytest.skip(f"{REAL_WORLD} is not present")
    return REAL_WORLD


@pytest.fixture(autouse=True)
def _gui_thread_collector():
    """Once a window has moved cyclic collection to the GUI thread (iamviz.gui.collector), the tests that follow
    run no event loop to tick it: collect what is due after each test, on this (the GUI) thread."""
    yield
    collector = sys.modules.get("iamviz.gui.collector")
    if collector is not None and collector.installed():
        collector.collect_due()


@pytest.fixture(scope="session")
def make_account():
    """``bench/make_account.py``, the generator of synthetic accounts, loaded once (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_make_account", REPO / "bench" / "make_account.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def classroom_player_window(qtbot, tmp_path, monkeypatch):
    """The main window (1280x800, light theme, dialogs answered OK) on the classroom sample, shown and active, with
    the scenario player's animations off and no dwell between steps."""
    from PySide6.QtWidgets import QMessageBox

    from iamviz.gui.main_window import MainWindow
    from iamviz.gui.settings import Settings

    for kind in ("critical", "warning", "information"):
        monkeypatch.setattr(QMessageBox, kind, lambda *a, **k: QMessageBox.StandardButton.Ok)
    settings = Settings(tmp_path / "settings.ini")
    settings.theme = "light"
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    with qtbot.waitActive(w):
        w.activateWindow()
    with qtbot.waitSignal(w.document_changed, timeout=20_000):
        w.open_sources([])
    w.player_docks.animator.set_animations_enabled(False)
    w.player_docks.player.set_dwell_ms(0)
    yield w
    if w._worker is not None:
        w._worker.cancel()
        w.pool.waitForDone(5000)


@pytest.fixture(scope="session")
def generated_150_file(tmp_path_factory, make_account):
    """A generated 150-role account (seed 3): large enough that the drawing folds account-root expansions."""
    path = tmp_path_factory.mktemp("acct") / "acct-150.json"
    make_account.write(make_account.generate(roles=150, seed=3), path)
    return path


@pytest.fixture(scope="session")
def generated_150_graph(generated_150_file):
    from iamviz.analysis import build_trust_graph
    from iamviz.loading import load_paths

    return build_trust_graph(load_paths([str(generated_150_file)]).snapshot)


@pytest.fixture
def generated_150_scene(qapp, generated_150_graph):
    """A light-theme scene of :func:`generated_150_graph`, laid out, animations off."""
    from iamviz.layout import layered_layout
    from iamviz.render.scene import TrustScene
    from iamviz.render.theme import load_theme

    scene = TrustScene(theme=load_theme("light"))
    scene.set_animations_enabled(False)
    scene.set_graph(generated_150_graph, layered_layout(generated_150_graph))
    yield scene
    scene.clear()
    scene.deleteLater()
