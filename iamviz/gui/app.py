"""Start the window: the QApplication, the error hook, the main window and the first load."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from iamviz import __version__
from iamviz._paths import resources_dir
from iamviz.gui.errors import install_exception_hook
from iamviz.gui.main_window import MainWindow
from iamviz.render._pyside_none import protect_none


def application(argv: Sequence[str] | None = None) -> QApplication:
    """The running QApplication, created (named and iconed) when there is none."""
    protect_none()  # the PySide6 6.12 refcount workaround, before any widget paints (idempotent)
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else [sys.argv[0]])
        app.setStyle("Fusion")  # the same look everywhere, and palettes (the dark theme) honoured in full
    app.setApplicationName("iamviz")
    app.setOrganizationName("iamviz")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("iamviz")
    try:
        icon = resources_dir() / "icons" / "iamviz.svg"
    except FileNotFoundError:
        icon = None
    if icon is not None and icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app  # type: ignore[return-value]


def start_window(
    sources: Sequence[str],
    *,
    live: dict[str, Any] | None = None,
    present: bool = False,
    theme: str | None = None,
) -> MainWindow:
    """Create and show the main window and start loading ``sources`` (or the live account)."""
    window = MainWindow(theme=theme)
    window.show()
    if live is not None:
        QTimer.singleShot(0, lambda: window.connect_live(live))
    else:
        QTimer.singleShot(0, lambda: window.open_sources(list(sources)))
    if present:
        QTimer.singleShot(0, window.toggle_presenting)
    return window


def run_gui(
    sources: list[str],
    *,
    live: dict[str, Any] | None = None,
    present: bool = False,
    theme: str | None = None,
) -> int:
    """Open the window on ``sources`` (``[]``: the classroom sample) or a live account, and run until it closes.

    Args:
        sources: file paths or ``sample:NAME``, as the CLI takes them.
        live: ``{"profile", "region", "endpoint_url"}`` to capture a live account instead.
        present: start in presentation mode.
        theme: ``light``, ``dark`` or ``projector`` (default: the last one used).

    Returns:
        The application's exit code.
    """
    protect_none()
    app = application()
    install_exception_hook()
    window = start_window(sources, live=live, present=present, theme=theme)
    code = app.exec()
    window.close()  # saves the window state and stops a load still running (no-op when already closed)
    return int(code)


def main() -> int:
    """Entry point for a desktop launcher: ``iamviz-gui [SOURCE...]``."""
    return run_gui(sys.argv[1:])
