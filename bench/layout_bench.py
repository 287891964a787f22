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
        best = cpu = float("inf")
        for _ in range(5):
            start, start_cpu = time.perf_counter(), time.process_time()
            layout = layered_layout(graph)
            best = min(best, time.perf_counter() - start)
            cpu = min(cpu, time.process_time() - start_cpu)
        print(
            f"{roles:>6} roles, {len(graph):>6} nodes, {graph.edge_count:>6} edges: {best * 1000:7.1f} ms wall, "
            f"{cpu * 1000:7.1f} ms CPU ({layout.arrangement}, {layout.width:.0f} x {layout.height:.0f})"
        )


if __name__ == "__main__":
    main()
