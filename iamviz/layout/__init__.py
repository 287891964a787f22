"""iamviz.layout: graph -> positions, in plain floats (Qt-free, deterministic)."""

from iamviz.layout.layered import (
    DEFAULT_METRICS,
    EXTERNAL_LANE_ID,
    Lane,
    Layout,
    LayoutMetrics,
    layered_layout,
)

__all__ = ["DEFAULT_METRICS", "EXTERNAL_LANE_ID", "Lane", "Layout", "LayoutMetrics", "layered_layout"]
