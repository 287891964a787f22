"""What the window remembers between runs: geometry and dock state, theme, text size, recent files.

Backed by an INI-format :class:`QSettings`. Every value is checked on the way in; a corrupt or hand-edited settings
file gives the defaults for what cannot be read, never an error.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 10
DEFAULT_THEME = "light"
_TEXT_SCALE_RANGE = (0.5, 3.0)


def _default_path() -> Path:
    override = os.environ.get("IAMVIZ_SETTINGS")
    if override:
        return Path(override)
    base = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "iamviz", "iamviz").fileName()
    return Path(base)


class Settings:
    """Typed, forgiving access to the window's persistent settings.

    Args:
        path: the INI file to use; by default the user's ``iamviz/iamviz.ini`` (or ``$IAMVIZ_SETTINGS``).
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else _default_path()
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)
        if self._qs.status() != QSettings.Status.NoError:
            # Unreadable file: start from defaults; the next sync() writes a good one over it.
            self._qs.clear()

    # ---- Typed reads, each falling back to its default
    def _get(self, key: str) -> object:
        try:
            return self._qs.value(key)
        except (TypeError, ValueError, RuntimeError):
            return None

    def _get_str(self, key: str, default: str) -> str:
        value = self._get(key)
        return value if isinstance(value, str) and value else default

    def _get_bytes(self, key: str) -> QByteArray | None:
        value = self._get(key)
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        if isinstance(value, bytes | bytearray) and value:
            return QByteArray(bytes(value))
        return None

    # ---- Theme and text size
    @property
    def theme(self) -> str:
        """The theme name last chosen (``light`` when unknown)."""
        return self._get_str("view/theme", DEFAULT_THEME)

    @theme.setter
    def theme(self, name: str) -> None:
        self._qs.setValue("view/theme", name)

    @property
    def text_scale(self) -> float:
        """The text size factor last chosen, clamped to a sensible range."""
        try:
            value = float(self._get("view/text_scale"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return 1.0
        low, high = _TEXT_SCALE_RANGE
        return min(max(value, low), high) if value == value else 1.0  # NaN -> default

    @text_scale.setter
    def text_scale(self, value: float) -> None:
        self._qs.setValue("view/text_scale", float(value))

    # ---- Window geometry and dock layout
    @property
    def geometry(self) -> QByteArray | None:
        return self._get_bytes("window/geometry")

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self._qs.setValue("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        return self._get_bytes("window/state")

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self._qs.setValue("window/state", value)

    # ---- Recent files
    @property
    def recent_files(self) -> list[str]:
        """The most recently opened files, newest first, without duplicates."""
        value = self._get("files/recent")
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple):
            return []
        seen: list[str] = []
        for item in value:
            if isinstance(item, str) and item and item not in seen:
                seen.append(item)
        return seen[:MAX_RECENT]

    def add_recent_file(self, path: str) -> list[str]:
        """Put ``path`` first in the recent files; return the new list."""
        resolved = str(Path(path).expanduser().resolve())
        files = [resolved, *(p for p in self.recent_files if p != resolved)][:MAX_RECENT]
        self._qs.setValue("files/recent", files)
        return files

    def clear_recent_files(self) -> None:
        self._qs.remove("files/recent")

    @property
    def last_directory(self) -> str:
        """The folder of the last file dialog, or the home folder."""
        return self._get_str("files/last_directory", str(Path.home()))

    @last_directory.setter
    def last_directory(self, value: str) -> None:
        self._qs.setValue("files/last_directory", value)

    def sync(self) -> None:
        """Write pending changes to disk."""
        self._qs.sync()
