"""The trust graph's decisions, pinned: every built-in sample and real-world export gives exactly these edges.

Speed work on the graph builder must not change what it decides. ``trust_graph_pinned.json`` holds, per input, every
edge as ``[source, target, key, decision, requirements, via_account_root]``. When a decision changes on purpose,
regenerate it with ``.venv/bin/python tests/test_trust_graph_pinned.py`` and review the diff.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from iamviz.analysis import build_trust_graph
from iamviz.loading import load_paths
from iamviz.loading.samples import list_samples, load_sample

PINNED = Path(__file__).with_name("trust_graph_pinned.json")
REAL_WORLD = Path(__file__).resolve().parents[2] / "shared" / "real-world"


def edge_rows(graph) -> list[list]:
    """Every edge of ``graph`` as a sorted list of plain rows."""
    rows = [
        [
            e.source,
            e.target,
            e.key,
            None if e.decision is None else str(e.decision),
            list(e.requirements),
            e.via_account_root,
        ]
        for e in graph.edges()
    ]
    return sorted(rows, key=json.dumps)


def _pinned() -> dict[str, list[list]]:
    return json.loads(PINNED.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", [info.name for info in list_samples()])
def test_sample_edges_are_pinned(name):
    assert edge_rows(build_trust_graph(load_sample(name))) == _pinned()[f"sample:{name}"]


def test_real_world_edges_are_pinned(real_world_dir):
    pinned = _pinned()
    files = sorted(real_world_dir.glob("*.json"))
    assert files
    for path in files:
        key = f"real-world:{path.name}"
        if key not in pinned:
            continue  # a file added later: not pinned yet
        result = load_paths([path])
        assert not result.errors
        assert edge_rows(build_trust_graph(result.snapshot)) == pinned[key], path.name


def test_every_pinned_input_still_exists():
    names = {f"sample:{info.name}" for info in list_samples()}
    for key in _pinned():
        if key.startswith("sample:"):
            assert key in names


def _regenerate() -> None:
    data = {f"sample:{info.name}": edge_rows(build_trust_graph(load_sample(info.name))) for info in list_samples()}
    for path in sorted(REAL_WORLD.glob("*.json")):
        data[f"real-world:{path.name}"] = edge_rows(build_trust_graph(load_paths([path]).snapshot))
    lines = ["{"]
    for index, (key, rows) in enumerate(data.items()):
        lines.append(f"  {json.dumps(key)}: [")
        lines.extend(f"    {json.dumps(row)}{',' if i < len(rows) - 1 else ''}" for i, row in enumerate(rows))
        lines.append("  ]" + ("," if index < len(data) - 1 else ""))
    lines.append("}")
    PINNED.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {PINNED} ({sum(len(rows) for rows in data.values())} edges)", file=sys.stderr)


if __name__ == "__main__":
    _regenerate()
