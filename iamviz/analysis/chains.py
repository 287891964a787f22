"""Role chains: every assume-role path through the trust graph, and reachability queries.

A chain is a simple path (no node twice) over ``CAN_ASSUME`` edges, at most ``max_hops`` long. Each hop is the
graph's own :class:`~iamviz.model.graph.TrustEdge`, so it carries its decision kind, the context the caller must
bring (``MFA``, ``ExternalId``, ...) and the trust statement that grants it. Reachability is computed on the graph
(breadth-first search from the end that is fixed), never by evaluating every principal against every role, so a
``target=`` query on a 5,000-role account answers in milliseconds.

Role chaining caps the new session at one hour ([TERMS], [ARAPI]): a hop whose caller is a role session is
*chained*, and a chained hop into a role configured for longer sessions (``MaxSessionDuration`` > 3600), or asked
for a longer ``duration_seconds``, is *capped*: the caller gets at most one hour, and a longer request fails.

MFA is brought once, by an IAM user (or a principal of another account) at the chain's first call, and stays with
the sessions that follow: ``aws:MultiFactorAuthPresent`` is present only in temporary credentials made with MFA
(rulebook §6.3). A chain that starts at an AWS service, a SAML or OIDC provider, or a role that only they can
assume never has it: such a chain cannot pass a hop that requires ``MFA``, and is not listed.

Paths can explode combinatorially, so enumeration stops at ``limit`` chains (shortest first) and says so.
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass

from iamviz.errors import InputError
from iamviz.model.graph import DecisionKind, EdgeKind, Node, NodeKind, TrustEdge, TrustGraph, edge_from_row

DEFAULT_MAX_HOPS = 5
DEFAULT_LIMIT = 1000
CHAINED_SESSION_LIMIT = 3600  # seconds: role chaining caps a session at one hour
_MAX_EXPANSIONS = 250_000  # partial paths explored for a source-to-target query before giving up

MFA = "MFA"
"""The requirement of a hop whose trust needs ``aws:MultiFactorAuthPresent`` or ``aws:MultiFactorAuthAge``."""
_NO_MFA_KINDS = frozenset({NodeKind.SERVICE, NodeKind.SAML_PROVIDER, NodeKind.OIDC_PROVIDER})

TRAVERSABLE = frozenset({DecisionKind.ALLOWED, DecisionKind.CONDITIONAL, DecisionKind.NEEDS_CALLER_POLICY})
"""Decision kinds a chain may pass through by default; UNKNOWN never counts as allowed."""

_DECISION_RANK = {
    DecisionKind.ALLOWED: 0,
    DecisionKind.CONDITIONAL: 1,
    DecisionKind.NEEDS_CALLER_POLICY: 2,
    DecisionKind.UNKNOWN: 3,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Chain:
    """One assume-role path: ``hops[0].source`` assumes ``hops[0].target``, whose session assumes the next, ...

    ``chained_hops`` are the indices of hops whose caller is a role session (role chaining: one-hour sessions);
    ``capped_hops`` those of them that would need more than the one hour role chaining allows.
    """

    hops: tuple[TrustEdge, ...]
    chained_hops: tuple[int, ...] = ()
    capped_hops: tuple[int, ...] = ()

    @property
    def source(self) -> str:
        """The node id the chain starts from."""
        return self.hops[0].source

    @property
    def target(self) -> str:
        """The node id of the role the chain ends at."""
        return self.hops[-1].target

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every node id on the chain, in order."""
        return (self.hops[0].source, *(hop.target for hop in self.hops))

    @property
    def requirements(self) -> tuple[str, ...]:
        """Everything some hop requires, without repeats, in order of first appearance."""
        return tuple(dict.fromkeys(req for hop in self.hops for req in hop.requirements))

    def __len__(self) -> int:
        return len(self.hops)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChainSearch:
    """The result of a chain query: the chains (shortest first) and whether the ``limit`` cut the list short."""

    chains: tuple[Chain, ...]
    truncated: bool = False
    limit: int = DEFAULT_LIMIT
    note: str | None = None


def find_chains(
    graph: TrustGraph,
    *,
    source: str | None = None,
    target: str | None = None,
    max_hops: int = DEFAULT_MAX_HOPS,
    limit: int = DEFAULT_LIMIT,
    decisions: Collection[DecisionKind] = TRAVERSABLE,
    duration_seconds: int | None = None,
) -> list[Chain]:
    """All assume-role chains, shortest first (see :func:`search_chains`, which also says whether it was cut)."""
    return list(
        search_chains(
            graph,
            source=source,
            target=target,
            max_hops=max_hops,
            limit=limit,
            decisions=decisions,
            duration_seconds=duration_seconds,
        ).chains
    )


def search_chains(
    graph: TrustGraph,
    *,
    source: str | None = None,
    target: str | None = None,
    max_hops: int = DEFAULT_MAX_HOPS,
    limit: int = DEFAULT_LIMIT,
    decisions: Collection[DecisionKind] = TRAVERSABLE,
    duration_seconds: int | None = None,
) -> ChainSearch:
    """Enumerate assume-role chains over ``CAN_ASSUME`` edges.

    * ``source`` and ``target``: every path from one to the other;
    * ``source`` only: what the principal can reach: every path from it (one per role and route);
    * ``target`` only: who can reach the role: every path ending at it;
    * neither: role chaining proper: paths of two or more hops starting at an identity source (a node that is not
      a role, or a role nothing can assume).

    Between two nodes only the most permissive edge is followed (ALLOWED before CONDITIONAL before
    NEEDS_CALLER_POLICY), so parallel statements do not multiply paths.

    Args:
        graph: the trust graph.
        source: node id the chains start from.
        target: node id (a role) the chains end at.
        max_hops: the longest chain, in hops (at least 1).
        limit: stop after this many chains (shortest are found first).
        decisions: edge decision kinds a chain may use; UNKNOWN is left out by default.
        duration_seconds: the session length the caller wants at every hop; chained hops asking more than an
            hour are marked capped. Without it, a chained hop is capped when the role allows sessions longer
            than an hour (its MaxSessionDuration, when the snapshot knows it).

    Returns:
        The chains, sorted by length then by the node ids along them.
    """
    index = _index(graph, frozenset(decisions))
    return _search(graph, index, source, target, max_hops, limit, duration_seconds)


def chain_searcher(
    graph: TrustGraph, *, decisions: Collection[DecisionKind] = TRAVERSABLE
) -> Callable[..., ChainSearch]:
    """``search(source=None, target=None, max_hops=5, limit=..., duration_seconds=None)`` for many queries.

    The same as :func:`search_chains` on ``graph``, without checking before each query that the graph has not
    changed (a pass over every node): for a batch of queries on a graph that stays as it is, such as findings
    looking for chains to each administrator role.
    """
    index = _index(graph, frozenset(decisions))

    def search(
        *,
        source: str | None = None,
        target: str | None = None,
        max_hops: int = DEFAULT_MAX_HOPS,
        limit: int = DEFAULT_LIMIT,
        duration_seconds: int | None = None,
    ) -> ChainSearch:
        return _search(graph, index, source, target, max_hops, limit, duration_seconds)

    return search


def _search(
    graph: TrustGraph,
    index: _Index,
    source: str | None,
    target: str | None,
    max_hops: int,
    limit: int,
    duration_seconds: int | None,
) -> ChainSearch:
    if max_hops < 1:
        raise ValueError("max_hops must be at least 1")
    if limit < 1:
        raise ValueError("limit must be at least 1")
    for name, node_id in (("source", source), ("target", target)):
        if node_id is not None and not graph.has_node(node_id):
            raise InputError(f"{name} {node_id!r} is not in the trust graph")
    if source is not None and target is not None:
        paths, truncated = _between(index, source, target, max_hops, limit)
    elif source is not None:
        paths, truncated = _forward(index, (source,), max_hops, limit, min_hops=1)
    elif target is not None:
        paths, truncated = _backward(index, target, max_hops, limit)
    else:
        paths, truncated = _forward(index, index.origins(), max_hops, limit, min_hops=2)
    paths.sort(key=lambda p: (len(p), [e.source for e in p], p[-1].target))
    chains = tuple(_chain(graph, index, path, duration_seconds) for path in paths)
    note = None
    if truncated:
        note = f"stopped after {len(chains)} chains (limit {limit}); narrow the query with a source or target"
    return ChainSearch(chains=chains, truncated=truncated, limit=limit, note=note)


def who_can_reach(
    graph: TrustGraph,
    target: str,
    *,
    max_hops: int = DEFAULT_MAX_HOPS,
    decisions: Collection[DecisionKind] = TRAVERSABLE,
) -> dict[str, int]:
    """Every node that can reach role ``target`` within ``max_hops``, with the fewest hops it needs (a node that
    cannot bring MFA only over hops that do not need it)."""
    index = _index(graph, frozenset(decisions))
    found = _distances(index.pred, target, max_hops)
    blocked = [node for node in found if index.cannot_bring_mfa(node)]
    if blocked:
        plain = _distances(lambda n: tuple(i for i in index.pred(n) if MFA not in i[1].requirements), target, max_hops)
        for node in blocked:
            if node in plain:
                found[node] = plain[node]
            else:
                del found[node]
    return found


def reachable_from(
    graph: TrustGraph,
    source: str,
    *,
    max_hops: int = DEFAULT_MAX_HOPS,
    decisions: Collection[DecisionKind] = TRAVERSABLE,
) -> dict[str, int]:
    """Every role ``source`` can reach within ``max_hops``, with the fewest hops it needs."""
    index = _index(graph, frozenset(decisions))
    return _distances(index.succ_for(source), source, max_hops)


def is_role_session(node: Node) -> bool:
    """Whether a node's sessions are role sessions, so that its assume-role calls are role chaining."""
    if node.kind is NodeKind.ROLE:
        return True
    return node.kind is NodeKind.EXTERNAL_PRINCIPAL and (":role/" in node.id or ":assumed-role/" in node.id)


def resolve_node(graph: TrustGraph, text: str) -> str:
    """Find the node a person means: its id or ARN, or its name (``wayne``, ``BreakGlass``), case-insensitively.

    Raises:
        InputError: when nothing matches, or a name matches several nodes (the message lists them).
    """
    if graph.has_node(text):
        return text
    wanted = text.lower()
    exact = [n.id for n in graph.nodes() if n.id.lower() == wanted or (n.arn or "").lower() == wanted]
    if len(exact) == 1:
        return exact[0]
    named = [n.id for n in graph.nodes() if n.label.lower() == wanted or _short_name(n).lower() == wanted]
    matches = sorted(set(exact or named))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise InputError(f"no principal or role named {text!r} in the trust graph")
    listed = ", ".join(matches[:8]) + (", ..." if len(matches) > 8 else "")
    raise InputError(f"{text!r} names several nodes ({listed}); give the full ARN")


def short_name(graph: TrustGraph, node_id: str) -> str:
    """A short name for display: the user or role name, the service, the provider host, the account."""
    if not graph.has_node(node_id):
        return node_id
    return _short_name(graph.node(node_id))


def _short_name(node: Node) -> str:
    if node.kind in (NodeKind.USER, NodeKind.ROLE, NodeKind.GROUP, NodeKind.SAML_PROVIDER):
        return node.id.rsplit("/", 1)[-1]
    if node.kind is NodeKind.SERVICE:
        return node.id.removeprefix("service:")
    if node.kind is NodeKind.OIDC_PROVIDER:
        if ":oidc-provider/" in node.id:
            return node.id.split(":oidc-provider/", 1)[1]
        return node.id.removeprefix("federated:")
    if node.kind is NodeKind.DELETED:
        return node.id.removeprefix("deleted:")
    return node.label or node.id


# --- index ---------------------------------------------------------------------------------------------------


class _Index:
    """The traversable CAN_ASSUME adjacency, built lazily node by node (best edge per node pair).

    A query touches only the nodes it visits, so "who can reach R" costs what R's neighbourhood costs, not a pass
    over every edge of a 200,000-edge account graph.
    """

    def __init__(self, graph: TrustGraph, decisions: frozenset[DecisionKind]) -> None:
        self._graph = graph
        self._decisions = decisions
        self._succ: dict[str, tuple[tuple[str, TrustEdge], ...]] = {}
        self._pred: dict[str, tuple[tuple[str, TrustEdge], ...]] = {}
        self._ranks: dict[int, tuple[tuple | None, tuple]] = {}  # id(values) -> (rank or None, values kept alive)
        self._no_mfa: dict[str, bool] = {}

    def cannot_bring_mfa(self, node_id: str) -> bool:
        """Whether a chain starting at ``node_id`` can never present MFA: an AWS service, a SAML or OIDC provider
        (their sessions lack ``aws:MultiFactorAuthPresent``), or a role only they can assume."""
        found = self._no_mfa.get(node_id)
        if found is None:
            graph = self._graph
            node = graph.nx.nodes[node_id].get("node") if graph.has_node(node_id) else None
            if node is None:
                found = False
            elif node.kind in _NO_MFA_KINDS:
                found = True
            elif node.kind is NodeKind.ROLE:
                found = self._only_sessions_without_mfa(node_id)
            else:
                found = False
            self._no_mfa[node_id] = found
        return found

    def _only_sessions_without_mfa(self, role: str) -> bool:
        """Whether ``role`` has callers and all of them are services or SAML/OIDC providers (stops at the first
        other caller: users and roles of account-root expansions are read only when nothing else answered)."""
        nodes = self._graph.nx._node
        callers = False
        for source, keyed in self._graph.nx._pred[role].items():
            if any(self._traversable(data.get("edge")) for data in keyed.values()):
                node = nodes[source].get("node")
                if node is None or node.kind not in _NO_MFA_KINDS:
                    return False
                callers = True
        for row in self._graph.expanded_in(role):
            if self._traversable(edge_from_row(*row)):
                return False  # a user or role of the account
        return callers

    def succ_for(self, start: str) -> Callable[[str], tuple[tuple[str, TrustEdge], ...]]:
        """:meth:`succ` for the chains starting at ``start``: without the hops needing MFA when it cannot bring it."""
        if not self.cannot_bring_mfa(start):
            return self.succ

        def without_mfa(node_id: str) -> tuple[tuple[str, TrustEdge], ...]:
            return tuple(item for item in self.succ(node_id) if MFA not in item[1].requirements)

        return without_mfa

    def succ(self, node_id: str) -> tuple[tuple[str, TrustEdge], ...]:
        """``(target, best edge)`` for each role ``node_id`` can assume, by target id."""
        found = self._succ.get(node_id)
        if found is None:
            found = self._succ[node_id] = self._adjacent(node_id, outgoing=True)
        return found

    def pred(self, node_id: str) -> tuple[tuple[str, TrustEdge], ...]:
        """``(source, best edge)`` for each node that can assume role ``node_id``, by source id."""
        found = self._pred.get(node_id)
        if found is None:
            found = self._pred[node_id] = self._adjacent(node_id, outgoing=False)
        return found

    def _adjacent(self, node_id: str, *, outgoing: bool) -> tuple[tuple[str, TrustEdge], ...]:
        """The best traversable edge to each neighbour on one side of ``node_id`` (see :meth:`_best`)."""
        graph = self._graph
        if not graph.has_node(node_id):
            return ()
        side = graph.nx._succ if outgoing else graph.nx._pred
        plain = ((other, data.get("edge")) for other, keyed in side[node_id].items() for data in keyed.values())
        if outgoing:
            return self._best(plain, ((row[1], row) for row in graph.expanded_out(node_id)))
        return self._best(plain, ((row[0], row) for row in graph.expanded_in(node_id)))

    def origins(self) -> Iterator[str]:
        """Identity sources, by id: nodes with a traversable out-edge that are not roles, or roles nothing can assume.

        A generator, so a capped listing stops looking once it has enough chains.
        """
        graph = self._graph
        for node_id in sorted(graph.nx):
            node = graph.nx.nodes[node_id].get("node")
            if not self._any(graph.out_edges(node_id)):
                continue
            if node is None or node.kind is not NodeKind.ROLE or not self._any(graph.in_edges(node_id)):
                yield node_id

    def _any(self, edges: Iterable[TrustEdge]) -> bool:
        """Whether any traversable edge is among ``edges`` (stops at the first)."""
        decisions = self._decisions
        for edge in edges:
            if edge.kind is not EdgeKind.CAN_ASSUME or edge.decision not in decisions:
                continue
            if edge.source != edge.target:
                return True
        return False

    def _traversable(self, edge: TrustEdge | None) -> bool:
        return (
            edge is not None
            and edge.kind is EdgeKind.CAN_ASSUME
            and edge.decision in self._decisions
            and edge.source != edge.target
        )

    def _best(
        self,
        plain: Iterable[tuple[str, TrustEdge | None]],
        expanded: Iterable[tuple[str, tuple[str, str, tuple]]],
    ) -> tuple[tuple[str, TrustEdge], ...]:
        """The best traversable edge to each other end: of ``plain`` ``(other end, edge)`` pairs and ``expanded``
        ``(other end, expansion row)`` pairs. Rows are ranked by their values (shared by principals alike: ranked
        once each) and only the winners are made into edges."""
        best: dict[str, tuple[tuple, object]] = {}
        for other, edge in plain:
            if not self._traversable(edge):
                continue
            rank = _edge_rank(edge)
            found = best.get(other)
            if found is None or rank < found[0]:
                best[other] = (rank, edge)
        ranks = self._ranks
        for other, row in expanded:
            source, target, values = row
            if source == target:
                continue
            rank = ranks.get(id(values), _MISSING)
            if rank is _MISSING:
                edge = edge_from_row(source, target, values)
                rank = ranks[id(values)] = (_edge_rank(edge) if self._traversable(edge) else None, values)
            if rank[0] is None:
                continue
            found = best.get(other)
            if found is None or rank[0] < found[0]:
                best[other] = (rank[0], row)
        out = []
        for other in sorted(best):
            item = best[other][1]
            out.append((other, item if isinstance(item, TrustEdge) else edge_from_row(*item)))
        return tuple(out)


_MISSING = object()
_CACHE: weakref.WeakKeyDictionary[TrustGraph, dict[tuple[object, ...], _Index]] = weakref.WeakKeyDictionary()


def _index(graph: TrustGraph, decisions: frozenset[DecisionKind]) -> _Index:
    """The (cached) lazy adjacency of ``graph``.

    The cache is dropped when the graph's node count or its number of connected node pairs changes (counting
    parallel edges would cost a pass over every edge).
    """
    nx_graph = graph.nx
    stamp = (
        id(nx_graph),
        nx_graph.number_of_nodes(),
        sum(map(len, nx_graph._succ.values())),
        graph.grant_count,
        decisions,
    )
    per_graph = _CACHE.setdefault(graph, {})
    index = per_graph.get(stamp)
    if index is None:
        per_graph.clear()  # keep only the latest state of this graph
        index = per_graph[stamp] = _Index(graph, decisions)
    return index


def _first(item: tuple[str, TrustEdge]) -> str:
    return item[0]


def _edge_rank(edge: TrustEdge) -> tuple[int, int, int, str]:
    return (
        _DECISION_RANK.get(edge.decision, 9) if edge.decision else 9,
        len(edge.requirements),
        edge.statement_index if edge.statement_index is not None else 1 << 30,
        edge.action or "",
    )


def _distances(
    adjacency: Callable[[str], tuple[tuple[str, TrustEdge], ...]], start: str, max_hops: int
) -> dict[str, int]:
    seen = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        depth = seen[node]
        if depth >= max_hops:
            continue
        for other, _ in adjacency(node):
            if other not in seen:
                seen[other] = depth + 1
                queue.append(other)
    del seen[start]
    return seen


# --- enumeration (breadth-first over partial paths: shortest chains come first) --------------------------------

_Path = tuple[TrustEdge, ...]


def _forward(
    index: _Index, starts: Iterable[str], max_hops: int, limit: int, *, min_hops: int
) -> tuple[list[_Path], bool]:
    """Breadth-first from each start in turn (so a capped listing still covers the first sources fully)."""
    found: list[_Path] = []
    expansions = 0
    for start in starts:
        succ = index.succ_for(start)
        queue: deque[tuple[tuple[str, ...], _Path]] = deque([((start,), ())])
        while queue:
            nodes, path = queue.popleft()
            for other, edge in succ(nodes[-1]):
                if other in nodes:
                    continue
                expansions += 1
                if expansions > _MAX_EXPANSIONS:
                    return found, True
                extended = (*path, edge)
                if len(extended) >= min_hops:
                    found.append(extended)
                    if len(found) >= limit:
                        return found, True
                if len(extended) < max_hops and succ(other):  # a dead end extends nothing
                    queue.append(((*nodes, other), extended))
    return found, False


def _backward(index: _Index, target: str, max_hops: int, limit: int) -> tuple[list[_Path], bool]:
    found: list[_Path] = []
    queue: deque[tuple[tuple[str, ...], _Path, bool]] = deque([((target,), (), False)])
    while queue:
        nodes, path, needs_mfa = queue.popleft()  # nodes[0] starts the partial chain; path runs to the target
        if len(path) >= max_hops:
            continue
        for other, edge in index.pred(nodes[0]):
            if other in nodes:
                continue
            extended = (edge, *path)
            mfa = needs_mfa or MFA in edge.requirements
            if not mfa or not index.cannot_bring_mfa(other):
                found.append(extended)
                if len(found) >= limit:
                    return found, True
            queue.append(((other, *nodes), extended, mfa))
    return found, False


def _between(index: _Index, source: str, target: str, max_hops: int, limit: int) -> tuple[list[_Path], bool]:
    distance = _distances(index.pred, target, max_hops)
    distance[target] = 0
    if source not in distance:
        return [], False
    found: list[_Path] = []
    succ = index.succ_for(source)
    queue: deque[tuple[tuple[str, ...], _Path]] = deque([((source,), ())])
    expansions = 0
    while queue:
        nodes, path = queue.popleft()
        budget = max_hops - len(path) - 1
        for other, edge in succ(nodes[-1]):
            if other in nodes or distance.get(other, max_hops + 1) > budget:
                continue
            expansions += 1
            if expansions > _MAX_EXPANSIONS:
                return found, True
            extended = (*path, edge)
            if other == target:
                found.append(extended)
                if len(found) >= limit:
                    return found, True
            else:
                queue.append(((*nodes, other), extended))
    return found, False


# --- session-duration marks ------------------------------------------------------------------------------------


def _chain(graph: TrustGraph, index: _Index, path: _Path, duration_seconds: int | None) -> Chain:
    del index
    chained: list[int] = []
    capped: list[int] = []
    for i, hop in enumerate(path):
        caller = graph.node(hop.source) if graph.has_node(hop.source) else None
        if caller is None or not is_role_session(caller):
            continue
        chained.append(i)
        wanted = duration_seconds if duration_seconds is not None else _max_session_duration(graph, hop.target)
        if wanted is not None and wanted > CHAINED_SESSION_LIMIT:
            capped.append(i)
    return Chain(hops=path, chained_hops=tuple(chained), capped_hops=tuple(capped))


def _max_session_duration(graph: TrustGraph, role_id: str) -> int | None:
    snapshot = getattr(graph, "snapshot", None)
    if snapshot is None or not graph.has_node(role_id):
        return None
    node = graph.node(role_id)
    account = snapshot.account(node.account_id) if node.account_id else None
    role = account.roles_by_arn.get(node.arn or role_id) if account is not None else None
    return role.max_session_duration if role is not None else None


def iter_hops(chain: Chain) -> Iterator[tuple[int, TrustEdge, bool, bool]]:
    """Each hop with its index and whether it is chained and capped."""
    chained = set(chain.chained_hops)
    capped = set(chain.capped_hops)
    for i, hop in enumerate(chain.hops):
        yield i, hop, i in chained, i in capped
