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
