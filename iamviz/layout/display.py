"""Which edges the picture draws: every edge of the trust graph, except account-root expansions, which are folded.

A trust that names an account (``arn:aws:iam::ACCT:root``) reaches every user or role of that account whose own
policies allow the call (``TrustEdge.via_account_root``); the trust graph keeps them as one
:class:`~iamviz.model.graph.AccountGrant` per trust. On a large account that is most of the edges (500 users x 431
roles), and drawing each of them made the layout, the scene and the picture unusable. The graph answers with every
edge (queries, chains and the inspector need them); the *drawing* folds them: when at least :data:`BUNDLE_MIN`
edges from one account's users and roles reach a role through the trust statement that names that account, only
the account node -> role edge of that statement is drawn, with a ``+94 principals`` badge, and the folded edges are
left out of the layout and the scene (the scene draws them again for a selected node, or a focus that names them;
``TrustScene.edge_item`` of a folded edge is its stand-in).

The rule looks at the statement (the edge key): an edge from a principal of the account through the same
statement (one that names the account and the principal) folds too. The expansion itself is never read edge by
edge: its members' count and sources are enough.

Qt-free, deterministic, one pass over the adjacency and the expansions; the layout, the scene and headless export
all use :func:`display_edges`, so the window and ``iamviz export`` draw the same picture.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from iamviz.model.graph import NodeKind, TrustEdge, TrustGraph

EdgeRef = tuple[str, str, str]
"""An edge as ``(source, target, key)``."""

BUNDLE_MIN = 7
"""A role reached through one account-root trust statement by at least this many expanded edges draws them as one."""

_PRINCIPAL_KINDS = frozenset({NodeKind.USER, NodeKind.ROLE})


@dataclass(frozen=True, slots=True, kw_only=True)
class DisplayEdges:
    """The edges a picture draws, and which account-root edges stand for folded expansions.

    Attributes:
        edges: the edges to draw (both ends selected, no self-loops); a folded edge is not among them.
        bundles: ``(account root, role, key)`` of each drawn account-root edge that stands for folded edges ->
            how many it stands for.
        groups: ``(role, account id, key)`` -> the account-root edge that stands for the folded edges of that
            account's principals into the role through that trust statement.
    """

    edges: tuple[TrustEdge, ...] = ()
    bundles: dict[EdgeRef, int] = field(default_factory=dict)
    groups: dict[tuple[str, str, str], EdgeRef] = field(default_factory=dict)

    @property
    def folded_count(self) -> int:
        """How many graph edges are folded into bundles (not drawn on their own)."""
        return sum(self.bundles.values())

    def bundled(self, ref: EdgeRef) -> int:
        """How many folded edges the drawn edge ``ref`` stands for (0: none)."""
        return self.bundles.get(ref, 0)

    def stand_in(self, graph: TrustGraph, source: str, target: str, key: str) -> EdgeRef | None:
        """The drawn edge that stands for the folded edge ``(source, target, key)``; None when it is not folded."""
        if not self.groups:
            return None
        node = graph.nx.nodes.get(source)
        principal = None if node is None else node.get("node")
        if principal is None or principal.kind not in _PRINCIPAL_KINDS or not principal.account_id:
            return None
        ref = self.groups.get((target, principal.account_id, key))
        if ref is None or source == target or graph.edge(source, target, key) is None:
            return None
        return ref

    def folded_edges(self, graph: TrustGraph, ref: EdgeRef) -> Iterator[TrustEdge]:
        """The edges folded into the drawn edge ``ref``: the expansion's, then those ``nx`` holds."""
        if ref not in self.bundles:
            return
        root, role, key = ref
        grant = graph.grant(root, role, key)
        if grant is not None:
            yield from (edge for edge in graph.grant_edges(grant) if edge.source != role)
        account = graph.node(root).account_id
        yield from (graph.nx._succ[source][role][key]["edge"] for source in _named(graph, account, role, key))


def bundle_badge(badge: str, count: int) -> str:
    """The badge of an account-root edge standing for ``count`` folded edges: ``MFA · +94 principals``."""
    if count <= 0:
        return badge
    folded = f"+{count:,} principal{'s' if count != 1 else ''}"
    return f"{badge} · {folded}" if badge else folded


def display_edges(
    graph: TrustGraph, node_ids: Collection[str] | None = None, *, bundle_min: int = BUNDLE_MIN
) -> DisplayEdges:
    """The edges to draw among ``node_ids`` (all nodes when None), with account-root expansions folded.

    The edges from the users and roles of a loaded account into a role through the trust statement by which the
    role trusts that account (its :class:`~iamviz.model.graph.AccountGrant`, and the edges of the principals that
    statement names besides the account) are folded into the account node -> role edge when there are at least
    ``bundle_min`` of them and the account node and the role are drawn; fewer are drawn one by one. The count is
    of all such edges, drawn principals or not: in a focused picture the account edge still says how many
    principals it stands for. A role's edge to itself is never drawn nor counted.
    """
    nxg = graph.nx
    nodes = getattr(nxg, "_node", None) or nxg.nodes
    succ = getattr(nxg, "_succ", None) or nxg.adj  # the raw dicts: the public views cost a Python call per access
    selected = None if node_ids is None else {n for n in node_ids if n in nodes}
    drawn: list[TrustEdge] = []
    bundles: dict[EdgeRef, int] = {}
    groups: dict[tuple[str, str, str], EdgeRef] = {}
    folded_named: set[EdgeRef] = set()  # edges nx holds that a bundle stands for
    folded_grants: set[int] = set()  # ids of the expansions a bundle stands for
    for root, data in nodes.items():
        node = data["node"]
        if node.kind is not NodeKind.ACCOUNT or not node.account_id or (selected is not None and root not in selected):
            continue
        for target, keyed in succ[root].items():
            if target == root or (selected is not None and target not in selected):
                continue
            for key, edge_data in keyed.items():
                if not edge_data["edge"].via_account_root:
                    continue
                grant = graph.grant(root, target, key)
                members = {} if grant is None else graph.grant_members(grant)
                named = _named(graph, node.account_id, target, key)
                count = len(members) - (target in members) + sum(source not in members for source in named)
                if count >= bundle_min:
                    ref = (root, target, key)
                    bundles[ref] = count
                    groups[(target, node.account_id, key)] = ref
                    folded_named.update((source, target, key) for source in named)
                    if grant is not None:
                        folded_grants.add(id(grant))
    for grant in graph.grants():
        target = grant.target
        if id(grant) in folded_grants or (selected is not None and target not in selected):
            continue
        drawn.extend(
            edge
            for edge in graph.grant_edges(grant)
            if edge.source != target and (selected is None or edge.source in selected)
        )
    if not bundles and not drawn:  # nothing expanded: the graph's own order
        return DisplayEdges(edges=tuple(_all_edges(succ, selected)))
    plain = list(_all_edges(succ, selected, folded_named))
    return DisplayEdges(edges=(*plain, *drawn), bundles=bundles, groups=groups)


def _named(graph: TrustGraph, account: str | None, role: str, key: str) -> list[str]:
    """The users and roles of ``account`` with an ``nx`` edge into ``role`` by ``key`` (the statement names them)."""
    nodes = graph.nx._node
    found = []
    for source, keyed in graph.nx._pred[role].items():
        if key in keyed and source != role:
            node = nodes[source].get("node")
            if node is not None and node.kind in _PRINCIPAL_KINDS and node.account_id == account:
                found.append(source)
    return found


def _all_edges(succ: dict, selected: set[str] | None, skip: Collection[EdgeRef] = ()) -> Iterator[TrustEdge]:
    for source, targets in succ.items():
        if selected is not None and source not in selected:
            continue
        for target, keyed in targets.items():
            if target != source and (selected is None or target in selected):
                for key, data in keyed.items():
                    if not skip or (source, target, key) not in skip:
                        yield data["edge"]
