"""Time iamviz.layout.layered_layout on synthetic accounts: `python bench/layout_bench.py [ROLES...]`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from layout_graphs import synthetic_graph

from iamviz.layout import layered_layout


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 5000, 20000]
    for roles in sizes:
        graph = synthetic_graph(roles=roles)
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            layout = layered_layout(graph)
            best = min(best, time.perf_counter() - start)
        print(
            f"{roles:>6} roles, {len(graph):>6} nodes, {graph.edge_count:>6} edges: {best * 1000:7.1f} ms "
            f"({layout.arrangement}, {layout.width:.0f} x {layout.height:.0f})"
        )


if __name__ == "__main__":
    main()
