"""iamviz.layout: graph -> positions, in plain floats (Qt-free, deterministic)."""

from iamviz.layout.layered import (
    DEFAULT_METRICS,
    EXTERNAL_LANE_ID,
    Lane,
    Layout,
    LayoutMetrics,
    edge_badge_text,
    layered_layout,
)

__all__ = [
    "DEFAULT_METRICS",
    "EXTERNAL_LANE_ID",
    "Lane",
    "Layout",
    "LayoutMetrics",
    "edge_badge_text",
    "layered_layout",
]
