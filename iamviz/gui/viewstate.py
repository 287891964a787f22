"""Search, filters and focus as plain data and pure functions over the trust graph (no Qt).

The toolbar edits a :class:`ViewFilter`; :func:`hidden_nodes` says which nodes to hide, :func:`neighbourhood` what
a focus keeps, :func:`search` which nodes a query matches, in a stable order for Enter to walk through.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

from iamviz.model.graph import NodeKind, TrustGraph

EdgeRef = tuple[str, str, str]


class FocusMode(StrEnum):
    """What a focus does to the rest of the graph."""

    DIM = "dim"
    HIDE = "hide"


@dataclass(frozen=True, slots=True, kw_only=True)
class ViewFilter:
    """The toolbar's filters and focus.

    Attributes:
        hide_services: hide AWS service principals.
        hide_groups: hide IAM groups (and so their membership edges).
        only_risky: show only the roles with findings, the edges findings apply to, and their ends.
        focus: the node whose neighbourhood is in focus, or ``None``.
        hops: how far out the focus reaches.
        focus_mode: dim or hide what is outside the focus.
    """

    hide_services: bool = False
    hide_groups: bool = False
    only_risky: bool = False
    focus: str | None = None
    hops: int = 1
    focus_mode: FocusMode = FocusMode.DIM


_KIND_FILTERS = (
    ("hide_services", frozenset({NodeKind.SERVICE})),
    ("hide_groups", frozenset({NodeKind.GROUP})),
)


def neighbourhood(graph: TrustGraph, node_id: str, hops: int) -> tuple[frozenset[str], frozenset[EdgeRef]]:
    """The nodes within ``hops`` edges of ``node_id`` (either direction) and the edges among them."""
    if not graph.has_node(node_id):
        return frozenset(), frozenset()
    seen = {node_id}
    frontier = {node_id}
    for _ in range(max(0, hops)):
        nxt: set[str] = set()
        for n in frontier:
            nxt.update(graph.predecessors(n))
            nxt.update(graph.successors(n))
        frontier = nxt - seen
        seen |= frontier
        if not frontier:
            break
    # The edges out of the nodes found, not every edge of the graph (3.6M at 20,000 roles in the worst mix).
    edges = frozenset((s, t, k) for s in seen for t, k in graph.out_keys(s) if t in seen)
    return frozenset(seen), edges


def risky_nodes(risky_edges: Iterable[EdgeRef], flagged: Collection[str]) -> frozenset[str]:
    """The nodes ``only risky`` keeps: roles with findings and both ends of each risky edge."""
    keep = set(flagged)
    for source, target, _ in risky_edges:
        keep.add(source)
        keep.add(target)
    return frozenset(keep)


def hidden_nodes(
    graph: TrustGraph,
    view: ViewFilter,
    *,
    risky_edges: Iterable[EdgeRef] = (),
    flagged: Collection[str] = (),
    drawn: Collection[str] | None = None,
) -> frozenset[str]:
    """The node ids to hide under ``view``.

    Args:
        risky_edges: the edges findings apply to (for ``only_risky``).
        flagged: node ids with findings (for ``only_risky``).
        drawn: the nodes drawn at all (a focused large graph); ``None`` means every node.
    """
    universe = set(drawn) if drawn is not None else {n.id for n in graph.nodes()}
    hidden: set[str] = set()
    kinds: set[NodeKind] = set()
    for attribute, node_kinds in _KIND_FILTERS:
        if getattr(view, attribute):
            kinds |= node_kinds
    if kinds:
        hidden.update(n.id for n in graph.nodes() if n.kind in kinds and n.id in universe)
    if view.only_risky:
        keep = risky_nodes(risky_edges, flagged)
        hidden.update(universe - keep)
    if view.focus and view.focus_mode is FocusMode.HIDE:
        near, _ = neighbourhood(graph, view.focus, view.hops)
        if near:
            hidden.update(universe - near)
    if view.focus:
        hidden.discard(view.focus)  # never hide what the user is looking at
    return frozenset(hidden)


def search(graph: TrustGraph, query: str, *, among: Collection[str] | None = None) -> list[str]:
    """Node ids whose label, id or ARN contains ``query`` (case-insensitive), labels matched first, then by id.

    An empty or blank query matches nothing.
    """
    needle = query.strip().lower()
    if not needle:
        return []
    by_label: list[str] = []
    by_arn: list[str] = []
    for node in graph.nodes():
        if among is not None and node.id not in among:
            continue
        if needle in node.label.lower():
            by_label.append(node.id)
        elif needle in node.id.lower() or (node.arn and needle in node.arn.lower()):
            by_arn.append(node.id)
    return sorted(by_label) + sorted(by_arn)
