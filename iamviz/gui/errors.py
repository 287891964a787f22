"""Unexpected exceptions in slots: shown in a dialog with details to copy, and the application goes on.

PySide6 hands an exception raised inside a slot or a virtual override to :func:`sys.excepthook` and carries on;
:func:`install_exception_hook` replaces that hook with one that prints the traceback to stderr (as before) and
shows :class:`ErrorDialog`. Errors iamviz raises on purpose (:class:`~iamviz.errors.IamvizError`) get their one-line
message; anything else is a bug, and the dialog says so.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from iamviz import __version__
from iamviz.errors import IamvizError

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def format_details(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> str:
    """The text a user copies into a bug report: version, Python, Qt and the traceback."""
    import PySide6

    header = f"iamviz {__version__}, Python {sys.version.split()[0]}, PySide6 {PySide6.__version__}\n\n"
    return header + "".join(traceback.format_exception(exc_type, exc, tb))


class ErrorDialog(QDialog):
    """A dialog with a short message, the full details in a read-only box, and a Copy button."""

    def __init__(self, message: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("iamviz: something went wrong")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        self.message_label = QLabel(message)
        self.message_label.setWordWrap(True)
        layout.addWidget(self.message_label)
        self.details_box = QPlainTextEdit(details)
        self.details_box.setReadOnly(True)
        self.details_box.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.details_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy details")
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        """Put the details on the clipboard."""
        QGuiApplication.clipboard().setText(self.details_box.toPlainText())


def show_exception(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Show ``exc`` in an :class:`ErrorDialog` over the active window (no-op without a QApplication)."""
    app = QApplication.instance()
    if app is None:
        return
    if isinstance(exc, IamvizError):
        message = str(exc)
    else:
        message = (
            f"An unexpected error happened ({exc_type.__name__}: {exc}). iamviz keeps running, but what you were "
            "doing may not have finished. Please report it with the details below."
        )
    dialog = ErrorDialog(message, format_details(exc_type, exc, tb), QApplication.activeWindow())
    dialog.exec()


_showing = False


def _make_hook(previous: ExceptHook, show: Callable[..., None]) -> ExceptHook:
    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        global _showing
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        traceback.print_exception(exc_type, exc, tb, file=sys.stderr)
        if _showing:  # an error while the dialog is up: print it, do not stack dialogs
            return
        _showing = True
        try:
            show(exc_type, exc, tb)
        except Exception:  # the dialog itself failed: never let the hook raise
            traceback.print_exc(file=sys.stderr)
        finally:
            _showing = False

    hook.iamviz_hook = True  # type: ignore[attr-defined]
    return hook


def install_exception_hook(show: Callable[..., None] | None = None) -> ExceptHook:
    """Route uncaught exceptions (slots included) to a dialog; return the hook that was replaced.

    Args:
        show: what to call with ``(exc_type, exc, tb)``; :func:`show_exception` by default.
    """
    previous = sys.excepthook
    if getattr(previous, "iamviz_hook", False):
        return previous
    sys.excepthook = _make_hook(previous, show or show_exception)
    return previous
