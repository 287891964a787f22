"""Which edges the picture draws: every edge of the trust graph, except account-root expansions, which are folded.

A trust that names an account (``arn:aws:iam::ACCT:root``) is expanded by the trust engine into one edge per user
or role of that account whose own policies allow the call (``TrustEdge.via_account_root``). On a large account
that is most of the graph (500 users x 431 roles), and drawing each of them made the layout, the scene and the
picture unusable. The graph keeps every edge (queries, chains and the inspector need them); the *drawing* folds
them: when at least :data:`BUNDLE_MIN` edges from one account's users and roles reach a role through the trust
statement that names that account, only the account node -> role edge of that statement is drawn, with a
``+94 principals`` badge, and the folded edges are left out of the layout and the scene (the scene draws them
again for a selected node, or a focus that names them; ``TrustScene.edge_item`` of a folded edge is its stand-in).

The rule looks at the statement (the edge key), not at ``via_account_root``: an edge from a principal of the
account through the same statement (one that names the account and the principal) folds too. Checking the flag
would mean reading every one of millions of edges; the key is in the adjacency dicts.

Qt-free, deterministic, one pass over the adjacency; the layout, the scene and headless export all use
:func:`display_edges`, so the window and ``iamviz export`` draw the same picture.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from itertools import filterfalse, repeat
from operator import contains

from iamviz.model.graph import NodeKind, TrustEdge, TrustGraph
from iamviz.model.policy import Effect, PrincipalKind

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
        if ref is None or source == target or graph.nx.get_edge_data(source, target, key) is None:
            return None
        return ref

    def folded_edges(self, graph: TrustGraph, ref: EdgeRef) -> Iterator[TrustEdge]:
        """The edges folded into the drawn edge ``ref`` (in the graph's order)."""
        if ref not in self.bundles:
            return
        root, role, key = ref
        account = graph.node(root).account_id
        nodes = graph.nx.nodes
        for source, keyed in graph.nx.pred[role].items():
            data = keyed.get(key)
            if data is None or source in (root, role):
                continue
            principal = nodes[source]["node"]
            if principal.kind in _PRINCIPAL_KINDS and principal.account_id == account:
                yield data["edge"]


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

    Edges from the users and roles of a loaded account into a role through the trust statement by which the role
    trusts that account (its account node -> role edge, ``via_account_root``) are folded into that edge when there
    are at least ``bundle_min`` of them and the account node and the role are drawn; fewer are drawn one by one.
    The count is of all such edges, drawn principals or not: in a focused picture the account edge still says how
    many principals it stands for.
    """
    nxg = graph.nx
    nodes = getattr(nxg, "_node", None) or nxg.nodes
    pred = getattr(nxg, "_pred", None) or nxg.pred  # the raw dicts: the public views cost a Python call per access
    succ = getattr(nxg, "_succ", None) or nxg.adj
    selected = None if node_ids is None else {n for n in node_ids if n in nodes}
    principal_account: dict[str, str] = {}
    principals: dict[str, set[str]] = {}
    roots: dict[str, str] = {}
    for node_id, data in nodes.items():
        node = data["node"]
        if node.account_id:
            if node.kind in _PRINCIPAL_KINDS:
                principal_account[node_id] = node.account_id
                principals.setdefault(node.account_id, set()).add(node_id)
            elif node.kind is NodeKind.ACCOUNT and (selected is None or node_id in selected):
                roots[node_id] = node.account_id
    # role -> account -> key -> the account-root edge that could stand for expansions through that statement
    candidates: dict[str, dict[str, dict[str, EdgeRef]]] = {}
    for root, account in roots.items():
        for target, keyed in succ[root].items():
            if target == root or (selected is not None and target not in selected):
                continue
            for key, data in keyed.items():
                if data["edge"].via_account_root:
                    candidates.setdefault(target, {}).setdefault(account, {})[key] = (root, target, key)
    if not candidates:
        return DisplayEdges(edges=tuple(_all_edges(succ, selected)))
    # Into each role, the sources that are not users or roles of a loaded account (few: their out-edges are read).
    outside: dict[str, list[str]] = {}
    for source in nodes:
        if source not in principal_account:
            for target in succ[source]:
                outside.setdefault(target, []).append(source)
    drawn: list[TrustEdge] = []
    bundles: dict[EdgeRef, int] = {}
    groups: dict[tuple[str, str, str], EdgeRef] = {}
    for target, into in pred.items():
        if selected is not None and target not in selected:
            continue
        by_account = candidates.get(target)
        if by_account is None:
            for source, keyed in into.items():
                if source != target and (selected is None or source in selected):
                    drawn.extend(data["edge"] for data in keyed.values())
            continue
        if len(by_account) == 1:
            ((account, by_key),) = by_account.items()
            if len(by_key) == 1:
                ((key, ref),) = by_key.items()
                alone = _trusts_account_alone(graph, target, account, succ[ref[0]][target][key]["edge"])
                members = principals.get(account, set())
                others = outside.get(target, []) if alone else None
                folded = _fold_fast(target, into, members, key, alone, others, selected, bundle_min, drawn)
                if folded:
                    bundles[ref] = folded
                    groups[(target, account, key)] = ref
                    continue
        held: dict[EdgeRef, list[TrustEdge]] = {}
        for source, keyed in into.items():
            if source == target:
                continue
            account = principal_account.get(source)
            by_key = by_account.get(account) if account is not None else None
            if by_key is None:
                if selected is None or source in selected:
                    drawn.extend(data["edge"] for data in keyed.values())
                continue
            for key, data in keyed.items():
                edge = data["edge"]
                ref = by_key.get(key)
                if ref is not None:
                    folded = held.get(ref)
                    if folded is None:
                        held[ref] = [edge]
                    else:
                        folded.append(edge)
                elif selected is None or source in selected:
                    drawn.append(edge)
        for ref, folded in held.items():
            if len(folded) >= bundle_min:
                bundles[ref] = len(folded)
                groups[(target, roots[ref[0]], ref[2])] = ref
            else:
                drawn.extend(e for e in folded if selected is None or e.source in selected)
    if not bundles:  # nothing folded: the graph's own order, as every edge is drawn
        return DisplayEdges(edges=tuple(_all_edges(succ, selected)))
    return DisplayEdges(edges=tuple(drawn), bundles=bundles, groups=groups)


def _trusts_account_alone(graph: TrustGraph, role_arn: str, account_id: str, root_edge: TrustEdge) -> bool:
    """Whether only ``root_edge``'s statement lets users and roles of loaded accounts into the role, by the account.

    True when that statement is the one Allow statement naming ``account_id``, and no Allow statement names an
    individual principal of it, or anything of another loaded account (an ARN, an account, a unique ID, a
    NotPrincipal). Then the only users and roles with an edge into the role are the account's, each with one
    edge, the expanded one: they can be counted without reading them.
    """
    snapshot = graph.snapshot
    account = None if snapshot is None else snapshot.account(graph.node(role_arn).account_id or "")
    role = None if account is None else account.roles_by_arn.get(role_arn)
    if role is None:
        return False
    found = False
    for statement in role.trust_policy.statements:
        if statement.effect is not Effect.ALLOW:
            continue
        if statement.not_principals:
            return False
        for principal in statement.principals or ():
            if principal.kind is not PrincipalKind.AWS:
                continue  # services, identity providers, anyone: their own nodes, never a user or role
            owner = principal.account_id
            if owner is None:
                return False  # a unique ID (a user or role of some account), or a value that cannot be placed
            if owner == account_id:
                if not principal.is_account or statement.index != root_edge.statement_index:
                    return False
                found = True
            elif snapshot.account(owner) is not None:
                return False  # a loaded account's principal or root: its users and roles get edges too
    return found


def _fold_fast(
    target: str,
    into: dict,
    members: set[str],
    key: str,
    alone: bool,
    others: list[str] | None,
    selected: set[str] | None,
    bundle_min: int,
    drawn: list[TrustEdge],
) -> int:
    """The common case, at C speed: each principal of the account has one edge into the role, the folded one.

    ``alone`` (see :func:`_trusts_account_alone`) means it is so without looking, and ``others`` then lists the
    role's sources that are not users or roles (when known: then nothing is read per principal at all); otherwise
    each of the principals' edge dicts is checked (one key, ``key``). When it holds and at least ``bundle_min``
    are folded, add the role's other edges to ``drawn`` and return how many are folded; otherwise change nothing
    and return 0 (the caller goes the careful way). The edges themselves are never read: millions of them would
    not stay in the CPU's caches.
    """
    itself = target in members and target in into  # a role of the account that may assume itself: never drawn
    if others is None:
        others = list(filterfalse(members.__contains__, into))
    if alone:
        count = len(into) - len(others) - itself
    else:
        sources = [source for source in filter(members.__contains__, into) if source != target]
        keyeds = list(map(into.__getitem__, sources))
        if sum(map(len, keyeds)) != len(sources) or not all(map(contains, keyeds, repeat(key))):
            return 0  # a principal with another edge into the role too
        count = len(sources)
    if count < bundle_min:
        return 0
    for source in others:
        if source != target and (selected is None or source in selected):
            drawn.extend(data["edge"] for data in into[source].values())
    return count


def _all_edges(succ: dict, selected: set[str] | None) -> Iterator[TrustEdge]:
    for source, targets in succ.items():
        if selected is not None and source not in selected:
            continue
        for target, keyed in targets.items():
            if target != source and (selected is None or target in selected):
                for data in keyed.values():
                    yield data["edge"]
