"""Themes as data: colours, line styles, fonts and spacing, loaded from ``resources/themes/NAME.json``.

Items never hold colour or size literals: they ask the :class:`Theme`. Decision kinds differ by line style AND badge
(never by colour alone), so a theme may recolour freely.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from iamviz._paths import resources_dir
from iamviz.errors import InputError
from iamviz.layout import LayoutMetrics

THEME_NAMES: tuple[str, ...] = ("light", "dark", "projector")

#: Edge style names: the decision kinds, plus ``risky`` and ``member-of``.
EDGE_STYLE_NAMES = ("allowed", "conditional", "needs-caller-policy", "unknown", "risky", "member-of")
_COLOR_NAMES = (
    "background",
    "text",
    "muted",
    "lane_fill",
    "lane_stroke",
    "external_lane_fill",
    "node_fill",
    "node_stroke",
    "highlight",
    "selection",
    "badge_fill",
    "badge_text",
    "legend_fill",
    "legend_stroke",
    "risk",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class EdgeStyle:
    """How one kind of edge is stroked: colour, width (px), dash pattern (px, empty = solid), arrowhead."""

    color: str
    width: float
    dash: tuple[float, ...] = ()
    arrow: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Palette:
    """The theme's named colours (``#rrggbb``)."""

    background: str
    text: str
    muted: str
    lane_fill: str
    lane_stroke: str
    external_lane_fill: str
    node_fill: str
    node_stroke: str
    highlight: str
    selection: str
    badge_fill: str
    badge_text: str
    legend_fill: str
    legend_stroke: str
    risk: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Theme:
    """A complete look: read it, never mutate it (it is frozen)."""

    name: str
    description: str
    font_family: str
    font_px: float
    small_font_px: float
    lane_font_px: float
    title_font_px: float
    caption_font_px: float
    colors: Palette
    kinds: Mapping[str, str]
    edges: Mapping[str, EdgeStyle]
    node_stroke_width: float
    lane_stroke_width: float
    highlight_width: float
    dim_opacity: float
    layout: LayoutMetrics

    def kind_color(self, kind: str) -> str:
        """The accent colour of a node kind (or ``sts``/``ticket``); the muted colour for an unknown kind."""
        return self.kinds.get(str(kind), self.colors.muted)

    def edge_style(self, name: str) -> EdgeStyle:
        """The style of a decision kind, ``risky`` or ``member-of``; ``unknown``'s for anything else."""
        return self.edges.get(str(name), self.edges["unknown"])


def load_theme(name: str) -> Theme:
    """The theme called ``name`` (one of :data:`THEME_NAMES`, or any ``resources/themes/NAME.json``).

    Raises:
        InputError: no such theme, or its file is malformed (the message names the file and the key).
    """
    return _load_theme(str(name))


@lru_cache(maxsize=16)
def _load_theme(name: str) -> Theme:
    path = resources_dir() / "themes" / f"{name}.json"
    if not path.is_file():
        raise InputError(f"no theme called {name!r} (choose from {', '.join(THEME_NAMES)})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not readable JSON ({exc})") from exc
    try:
        return _theme_from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: bad or missing theme key {exc}") from exc


def _theme_from_dict(data: dict[str, Any]) -> Theme:
    colors = Palette(**{key: str(data["colors"][key]) for key in _COLOR_NAMES})
    edges = {
        key: EdgeStyle(
            color=str(spec["color"]),
            width=float(spec["width"]),
            dash=tuple(float(d) for d in spec.get("dash", ())),
            arrow=bool(spec.get("arrow", True)),
        )
        for key, spec in ((key, data["edges"][key]) for key in EDGE_STYLE_NAMES)
    }
    known = {f.name for f in fields(LayoutMetrics)}
    spacing = {key: value for key, value in data.get("layout", {}).items() if key in known}
    spacing["font_px"] = float(data["font_px"])  # labels and badges are measured at the theme's font sizes
    spacing["badge_font_px"] = float(data["small_font_px"])
    spacing["lane_font_px"] = float(data["lane_font_px"])
    layout = LayoutMetrics(**spacing)
    return Theme(
        name=str(data["name"]),
        description=str(data.get("description", "")),
        font_family=str(data["font_family"]),
        font_px=float(data["font_px"]),
        small_font_px=float(data["small_font_px"]),
        lane_font_px=float(data["lane_font_px"]),
        title_font_px=float(data["title_font_px"]),
        caption_font_px=float(data["caption_font_px"]),
        colors=colors,
        kinds=MappingProxyType({str(k): str(v) for k, v in data["kinds"].items()}),
        edges=MappingProxyType(edges),
        node_stroke_width=float(data["node_stroke_width"]),
        lane_stroke_width=float(data["lane_stroke_width"]),
        highlight_width=float(data["highlight_width"]),
        dim_opacity=float(data["dim_opacity"]),
        layout=layout,
    )
