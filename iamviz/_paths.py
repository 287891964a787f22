"""Where the shipped data lives: ``resources/`` and ``samples/``.

In a source checkout they sit at the top of the repository; in an installed wheel they are ``iamviz/_data/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"iamviz's {name}/ folder is missing from this installation")


def resources_dir() -> Path:
    """The folder with icons and themes."""
    return _data_dir("resources")


def samples_dir() -> Path:
    """The folder with the built-in sample accounts."""
    return _data_dir("samples")
