"""iamviz.layout: graph -> positions, in plain floats (Qt-free, deterministic)."""

from iamviz.layout.display import BUNDLE_MIN, DisplayEdges, bundle_badge, display_edges
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
    "BUNDLE_MIN",
    "DEFAULT_METRICS",
    "EXTERNAL_LANE_ID",
    "DisplayEdges",
    "Lane",
    "Layout",
    "LayoutMetrics",
    "bundle_badge",
    "display_edges",
    "edge_badge_text",
    "layered_layout",
]
