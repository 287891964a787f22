"""``iamviz graph SOURCE... --format json|graphml|dot|mermaid [-o FILE]``: the trust graph for other tools.

Mermaid output is a ``flowchart LR`` a README can embed: node ids are generated (``n0``, ``n1``...), labels are
quoted with Mermaid's entity codes for characters it would otherwise read as syntax.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from iamviz.analysis.trust_graph import build_trust_graph
from iamviz.cli._common import add_sources, load_sources
from iamviz.errors import InputError
from iamviz.model.graph import DecisionKind, EdgeKind, Node, TrustEdge, TrustGraph


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``graph`` subcommand."""
    parser = subparsers.add_parser(
        "graph",
        help="write the trust graph as JSON, GraphML, Graphviz DOT or a Mermaid flowchart",
        description="Build the trust graph (who can assume which role, and under which conditions) and write it "
        "for other tools.",
    )
    add_sources(parser)
    parser.add_argument("--format", choices=sorted(FORMATS), default="json", help="output format (default: json)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    parser.set_defaults(func=run)


def _node_dict(node: Node) -> dict[str, Any]:
    return {"id": node.id, "kind": str(node.kind), "label": node.label, "account_id": node.account_id, "arn": node.arn}


def _edge_dict(edge: TrustEdge) -> dict[str, Any]:
    return {
        "source": edge.source,
        "target": edge.target,
        "kind": str(edge.kind),
        "action": edge.action,
        "decision": str(edge.decision) if edge.decision else None,
        "requirements": list(edge.requirements),
        "statement_index": edge.statement_index,
        "statement_sid": edge.statement_sid,
        "via_account_root": edge.via_account_root,
        "reasons": list(edge.reasons),
    }


def to_json(graph: TrustGraph) -> str:
    """``{"nodes": [...], "edges": [...]}``."""
    data = {"nodes": [_node_dict(n) for n in graph.nodes()], "edges": [_edge_dict(e) for e in graph.edges()]}
    return json.dumps(data, indent=2) + "\n"


def to_graphml(graph: TrustGraph) -> str:
    """GraphML with string/boolean attributes (lists joined with ``; ``)."""
    import networkx as nx

    plain = nx.MultiDiGraph()
    for node in graph.nodes():
        plain.add_node(node.id, **{k: ("" if v is None else v) for k, v in _node_dict(node).items() if k != "id"})
    for edge in graph.edges():
        attrs = _edge_dict(edge)
        flat = {
            k: "; ".join(v) if isinstance(v, list) else ("" if v is None else v)
            for k, v in attrs.items()
            if k not in ("source", "target")
        }
        flat["statement_index"] = "" if edge.statement_index is None else str(edge.statement_index)
        plain.add_edge(edge.source, edge.target, key=edge.key, **flat)
    return "\n".join(nx.generate_graphml(plain)) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_DOT_STYLE = {
    DecisionKind.ALLOWED: "solid",
    DecisionKind.CONDITIONAL: "dashed",
    DecisionKind.NEEDS_CALLER_POLICY: "dotted",
    DecisionKind.UNKNOWN: "dotted",
}


def _edge_label(edge: TrustEdge) -> str:
    if edge.kind is EdgeKind.MEMBER_OF:
        return "member of"
    label = (edge.action or "").removeprefix("sts:")
    if edge.requirements:
        label += f" [{', '.join(edge.requirements)}]"
    if edge.decision in (DecisionKind.NEEDS_CALLER_POLICY, DecisionKind.UNKNOWN):
        label += f" ({edge.decision})"
    return label


def to_dot(graph: TrustGraph) -> str:
    """Graphviz DOT, left to right; conditional edges dashed, unknown and needs-policy dotted."""
    lines = ["digraph trust {", "  rankdir=LR;", "  node [shape=box, style=rounded];"]
    for node in graph.nodes():
        lines.append(f"  {_dot_quote(node.id)} [label={_dot_quote(node.label)}, kind={_dot_quote(str(node.kind))}];")
    for edge in graph.edges():
        style = _DOT_STYLE.get(edge.decision, "solid") if edge.decision else "solid"
        lines.append(
            f"  {_dot_quote(edge.source)} -> {_dot_quote(edge.target)} "
            f"[label={_dot_quote(_edge_label(edge))}, style={style}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


_MERMAID_ESCAPES = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;", "|": "#124;", "`": "#96;", "&": "#amp;"}


def mermaid_text(text: str) -> str:
    """``text`` made safe inside a quoted Mermaid label."""
    return "".join(_MERMAID_ESCAPES.get(c, c) for c in text.replace("\n", " "))


_MERMAID_SHAPES = {
    "user": ('(["', '"])'),
    "group": ('[["', '"]]'),
    "role": ('["', '"]'),
    "service": ('{{"', '"}}'),
    "anyone": ('(("', '"))'),
    "deleted": ('[/"', '"/]'),
}
_MERMAID_ARROWS = {
    DecisionKind.ALLOWED: "-->",
    DecisionKind.CONDITIONAL: "-.->",
    DecisionKind.NEEDS_CALLER_POLICY: "-.->",
    DecisionKind.UNKNOWN: "-.-x",
}


def to_mermaid(graph: TrustGraph) -> str:
    """A Mermaid ``flowchart LR``; conditional edges dotted with their requirements, unknown ones crossed."""
    ids = {node.id: f"n{i}" for i, node in enumerate(graph.nodes())}
    lines = ["flowchart LR"]
    for node in graph.nodes():
        left, right = _MERMAID_SHAPES.get(str(node.kind), ('["', '"]'))
        lines.append(f"  {ids[node.id]}{left}{mermaid_text(node.label)}{right}")
    for edge in graph.edges():
        arrow = "-->" if edge.kind is EdgeKind.MEMBER_OF else _MERMAID_ARROWS.get(edge.decision, "-->")
        label = mermaid_text(_edge_label(edge))
        lines.append(f'  {ids[edge.source]} {arrow}|"{label}"| {ids[edge.target]}')
    return "\n".join(lines) + "\n"


FORMATS: dict[str, Callable[[TrustGraph], str]] = {
    "json": to_json,
    "graphml": to_graphml,
    "dot": to_dot,
    "mermaid": to_mermaid,
}


def run(args: argparse.Namespace) -> int:
    """Build the graph and write it in the chosen format."""
    graph = build_trust_graph(load_sources(args))
    text = FORMATS[args.format](graph)
    if args.output:
        path = Path(args.output)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
        print(f"wrote {path} ({graph.nx.number_of_nodes()} nodes, {graph.nx.number_of_edges()} edges)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
