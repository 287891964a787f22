"""Our own single-colour SVG icons (``resources/icons/NAME.svg``), recoloured in code and drawn as vectors.

Each icon is drawn in black (``#000``); :func:`icon_renderer` swaps black for the wanted colour in the SVG text and
keeps one ``QSvgRenderer`` per (icon, colour). Painting through the renderer keeps icons vector in SVG and PDF
exports; on screen the items' device-coordinate cache keeps it cheap.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRectF
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgRenderer

from iamviz._paths import resources_dir
from iamviz.model.graph import NodeKind

#: Icon name for each node kind; ``sts`` and ``ticket`` are used by the player.
KIND_ICONS: dict[NodeKind, str] = {
    NodeKind.ACCOUNT: "account",
    NodeKind.EXTERNAL_ACCOUNT: "external-account",
    NodeKind.USER: "user",
    NodeKind.GROUP: "group",
    NodeKind.ROLE: "role",
    NodeKind.EXTERNAL_PRINCIPAL: "external-principal",
    NodeKind.SERVICE: "service",
    NodeKind.SAML_PROVIDER: "saml",
    NodeKind.OIDC_PROVIDER: "oidc",
    NodeKind.DELETED: "deleted",
    NodeKind.ANYONE: "anyone",
}
EXTRA_ICONS = ("sts", "ticket")
ICON_NAMES: tuple[str, ...] = (*KIND_ICONS.values(), *EXTRA_ICONS)


@lru_cache(maxsize=32)
def icon_svg(name: str) -> str:
    """The SVG text of icon ``name`` (drawn in black)."""
    return (resources_dir() / "icons" / f"{name}.svg").read_text(encoding="utf-8")


@lru_cache(maxsize=256)
def icon_renderer(name: str, color: str) -> QSvgRenderer:
    """A renderer of icon ``name`` in ``color`` (``#rrggbb``)."""
    text = icon_svg(name).replace('"#000"', f'"{color}"')
    return QSvgRenderer(QByteArray(text.encode("utf-8")))


def paint_icon(painter: QPainter, name: str, rect: QRectF, color: str) -> None:
    """Draw icon ``name`` in ``color`` into ``rect``."""
    icon_renderer(name, color).render(painter, rect)
