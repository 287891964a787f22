"""The trust graph's vocabulary: node and edge kinds, decisions, and :class:`TrustGraph`.

A :class:`TrustGraph` wraps (does not subclass) a ``networkx.MultiDiGraph`` whose nodes are keyed by a stable id
and carry a :class:`Node` under the attribute ``"node"``; edges carry a :class:`TrustEdge` under ``"edge"``.

Account-root expansions are kept compact, beside the networkx graph: a trust that names a loaded account
(``arn:aws:iam::ACCT:root``) reaches each user and role of that account whose own policies allow the call, which on
a large account is most of the edges (397 such trusts x 575 principals = 228,000 of 250,000 edges at 20,000 roles).
Each is one :class:`AccountGrant` (the account node -> role edge itself stays in ``nx``), and principals alike share
their values. :meth:`TrustGraph.edges`, :meth:`~TrustGraph.in_edges`, :meth:`~TrustGraph.out_edges`,
:meth:`~TrustGraph.edge` and the other queries answer with every edge, expansions included, made as
:class:`TrustEdge` objects when asked for; ``nx`` alone holds the others (:meth:`TrustGraph.to_networkx` makes the
whole graph as one ``MultiDiGraph``).

Node ids:

* IAM users, groups, roles, SAML and OIDC providers: their ARN;
* accounts (loaded or external): the account-root ARN ``arn:aws:iam::ACCT:root``;
* principals in accounts that are not loaded: their ARN as written in the trust policy;
* service principals: ``service:lambda.amazonaws.com``;
* web identity providers named by host: ``federated:accounts.google.com``;
* deleted principals (bare unique IDs): ``deleted:AROA...``;
* anyone: ``*``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import networkx as nx

from iamviz.model.fast import fast_constructor

if TYPE_CHECKING:
    from iamviz.model.account import Snapshot

ANYONE_ID = "*"


class NodeKind(StrEnum):
    """What a node of the trust graph stands for."""

    ACCOUNT = "account"  # a loaded account
    EXTERNAL_ACCOUNT = "external-account"  # an account named by a trust but not loaded
    USER = "user"
    GROUP = "group"
    ROLE = "role"
    EXTERNAL_PRINCIPAL = "external-principal"  # a user/role/session ARN in an account that is not loaded
    SERVICE = "service"
    SAML_PROVIDER = "saml"
    OIDC_PROVIDER = "oidc"  # IAM OIDC providers and well-known web identity providers (Cognito, Google, ...)
    DELETED = "deleted"  # a bare unique ID left by a deleted principal
    ANYONE = "anyone"


class EdgeKind(StrEnum):
    """What an edge says."""

    MEMBER_OF = "member-of"  # user -> group
    CAN_ASSUME = "can-assume"  # principal -> role


class DecisionKind(StrEnum):
    """How an assume-role edge is granted; drawn as distinct line styles and badges."""

    ALLOWED = "allowed"  # allowed with no further context
    CONDITIONAL = "conditional"  # allowed only when the caller brings the named context (MFA, ExternalId, claims)
    NEEDS_CALLER_POLICY = "needs-caller-policy"  # the trust grants, the caller's own policy is not known
    UNKNOWN = "unknown"  # a condition iamviz cannot judge; never counted as allowed


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """A node of the trust graph."""

    id: str
    kind: NodeKind
    label: str
    account_id: str | None = None
    arn: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TrustEdge:
    """An edge of the trust graph.

    For ``CAN_ASSUME`` edges: ``action`` is the STS action, ``decision`` its kind, ``requirements`` the short
    names of what the caller must bring (``MFA``, ``ExternalId``, ``aud``, ``sub``, ``amr``, ``SourceArn``...),
    ``statement_index``/``statement_sid`` the trust statement that grants it, ``reasons`` the plain-words why, and
    ``via_account_root`` whether the trust named the caller's whole account rather than the caller.
    """

    source: str
    target: str
    kind: EdgeKind
    action: str | None = None
    decision: DecisionKind | None = None
    requirements: tuple[str, ...] = ()
    statement_index: int | None = None
    statement_sid: str | None = None
    reasons: tuple[str, ...] = ()
    via_account_root: bool = False

    @property
    def key(self) -> str:
        """The multigraph key of this edge: its kind, action and statement."""
        return f"{self.kind}|{self.action or ''}|{self.statement_index if self.statement_index is not None else ''}"


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class AccountGrant:
    """A role's trust in a loaded account, expanded to the users and roles of that account, as one record.

    ``root`` is the account's node (``arn:aws:iam::ACCT:root``), ``target`` the role, ``key`` the key of the edges
    (as :attr:`TrustEdge.key`: the trust statement and action). ``members`` pairs each principal that gets an
    edge with the values of that edge after ``source`` and ``target``, in :class:`TrustEdge`'s field order:
    ``TrustEdge(source, target, *values)`` positionally. Principals judged alike share one values tuple, and roles
    alike share one ``members`` tuple, so the record costs nothing per principal. Compared by identity.
    """

    root: str
    target: str
    key: str
    members: tuple[tuple[str, tuple], ...] = field(default=())


_new_edge = fast_constructor(TrustEdge)


def edge_from_row(source: str, target: str, values: tuple) -> TrustEdge:
    """The edge of an expansion row (see :meth:`TrustGraph.expanded_in`)."""
    return _new_edge(source, target, *values)


class TrustGraph:
    """The trust graph of a snapshot. Build it with ``iamviz.analysis.build_trust_graph``.

    ``nx`` holds the nodes and every edge but account-root expansions, which are :class:`AccountGrant` records
    (see the module docstring); the query methods answer with both. An expanded edge whose source, target and key
    ``nx`` also holds (a statement that names the account and the principal) is the ``nx`` one: the principal
    is named, which is what the rulebook judges first.
    """

    def __init__(self, *, snapshot: Snapshot | None = None) -> None:
        self.nx: nx.MultiDiGraph = nx.MultiDiGraph()
        self.snapshot = snapshot  # the snapshot the graph was built from
        self._grants: dict[str, dict[tuple[str, str], AccountGrant]] = {}  # role -> (root, key) -> its grant
        self._by_source: dict[str, list[tuple[AccountGrant, tuple]]] | None = None  # made when first needed
        self._expanded: int | None = None  # how many expanded edges are not shadowed by nx ones (when known)
        self._member_maps: dict[int, tuple[tuple, dict[str, tuple]]] = {}  # id(members) -> members, source -> values

    def add_node(self, node: Node) -> None:
        """Add ``node`` (or replace the one with its id)."""
        self.nx.add_node(node.id, node=node)

    def add_edge(self, edge: TrustEdge) -> None:
        """Add ``edge``; an edge with the same source, target and key replaces the old one."""
        self.nx.add_edge(edge.source, edge.target, key=edge.key, edge=edge)
        self._expanded = None

    def add_grant(self, grant: AccountGrant) -> None:
        """Add ``grant`` (or replace the one with its root, target and key); its nodes must be in the graph."""
        self._grants.setdefault(grant.target, {})[(grant.root, grant.key)] = grant
        self._by_source = None
        self._expanded = None

    def has_node(self, node_id: str) -> bool:
        return node_id in self.nx

    def node(self, node_id: str) -> Node:
        """The node with this id (``KeyError`` when absent)."""
        return self.nx.nodes[node_id]["node"]

    def nodes(self) -> Iterator[Node]:
        """Every node, in insertion order."""
        for _, data in self.nx.nodes(data="node"):
            yield data

    # --- account-root expansions ------------------------------------------------------------------------------

    def grants(self) -> Iterator[AccountGrant]:
        """Every account-root expansion record, by role in the order they were added."""
        for by_key in self._grants.values():
            yield from by_key.values()

    def grants_into(self, role: str) -> tuple[AccountGrant, ...]:
        """The account-root expansion records into ``role``."""
        by_key = self._grants.get(role)
        return () if by_key is None else tuple(by_key.values())

    def grant(self, root: str, target: str, key: str) -> AccountGrant | None:
        """The expansion record of the account-root edge ``(root, target, key)``, if any."""
        by_key = self._grants.get(target)
        return None if by_key is None else by_key.get((root, key))

    @property
    def grant_count(self) -> int:
        return sum(map(len, self._grants.values()))

    def grant_edges(self, grant: AccountGrant) -> Iterator[TrustEdge]:
        """The edges ``grant`` stands for, in member order (those ``nx`` holds too are left out)."""
        for source, target, values in self._grant_rows(grant, self.nx._pred.get(grant.target) or {}):
            yield _new_edge(source, target, *values)

    @staticmethod
    def _grant_rows(grant: AccountGrant, into: dict) -> Iterator[tuple[str, str, tuple]]:
        target, key = grant.target, grant.key
        for source, values in grant.members:
            keyed = into.get(source)
            if keyed is None or key not in keyed:
                yield source, target, values

    def expanded_in(self, node_id: str) -> Iterator[tuple[str, str, tuple]]:
        """The account-root expansions into ``node_id`` as ``(source, target, values)`` rows, none made into an
        edge (:func:`edge_from_row` makes one); those ``nx`` holds too are left out."""
        by_key = self._grants.get(node_id)
        if by_key is not None:
            into = self.nx._pred.get(node_id) or {}
            for grant in by_key.values():
                yield from self._grant_rows(grant, into)

    def expanded_out(self, node_id: str) -> Iterator[tuple[str, str, tuple]]:
        """The account-root expansions out of ``node_id`` as ``(source, target, values)`` rows (see
        :meth:`expanded_in`)."""
        for grant, values in self._expanded_from(node_id):
            yield node_id, grant.target, values

    def _expanded_from(self, node_id: str) -> Iterator[tuple[AccountGrant, tuple]]:
        """The records ``node_id`` is a member of, with its values, but those whose edge ``nx`` holds too."""
        if self._grants:
            out = self.nx._succ.get(node_id) or {}
            for grant, values in self._grants_from(node_id):
                keyed = out.get(grant.target)
                if keyed is None or grant.key not in keyed:
                    yield grant, values

    def grant_members(self, grant: AccountGrant) -> dict[str, tuple]:
        """``grant``'s members as a dict, source -> values (made once per members tuple, which roles alike share)."""
        members = grant.members
        found = self._member_maps.get(id(members))
        if found is None:
            found = self._member_maps[id(members)] = (members, dict(members))  # members kept: the id stays theirs
        return found[1]

    def _grants_from(self, source: str) -> list[tuple[AccountGrant, tuple]]:
        index = self._by_source
        if index is None:
            index = {}
            for by_key in self._grants.values():
                for grant in by_key.values():
                    for member, values in grant.members:
                        found = index.get(member)
                        if found is None:
                            index[member] = [(grant, values)]
                        else:
                            found.append((grant, values))
            self._by_source = index
        return index.get(source, [])

    # --- edges, expansions included -------------------------------------------------------------------------

    def edges(self, *, kind: EdgeKind | None = None) -> Iterator[TrustEdge]:
        """Every edge: those of ``nx`` in insertion order, then account-root expansions; optionally of one kind."""
        for _, _, data in self.nx.edges(data="edge"):
            if kind is None or data.kind is kind:
                yield data
        if kind is None or kind is EdgeKind.CAN_ASSUME:
            for grant in self.grants():
                yield from self.grant_edges(grant)

    def sources(self, *, kind: EdgeKind | None = None) -> set[str]:
        """The nodes with an out-edge (of ``kind``, when given), without making any expanded edge."""
        found = {source for source, _, data in self.nx.edges(data="edge") if kind is None or data.kind is kind}
        if kind is None or kind is EdgeKind.CAN_ASSUME:
            for grant in self.grants():
                found.update(self.grant_members(grant))
        return found

    def out_edges(self, node_id: str) -> Iterator[TrustEdge]:
        for _, _, data in self.nx.out_edges(node_id, data="edge"):
            yield data
        for source, target, values in self.expanded_out(node_id):
            yield _new_edge(source, target, *values)

    def out_keys(self, node_id: str) -> Iterator[tuple[str, str]]:
        """``(target, key)`` of each of ``node_id``'s out-edges, as :meth:`out_edges` orders them (none made)."""
        for target, keyed in self.nx._succ[node_id].items():
            for key in keyed:
                yield target, key
        for grant, _values in self._expanded_from(node_id):
            yield grant.target, grant.key

    def in_edges(self, node_id: str) -> Iterator[TrustEdge]:
        for _, _, data in self.nx.in_edges(node_id, data="edge"):
            yield data
        by_key = self._grants.get(node_id)
        if by_key is not None:
            for grant in by_key.values():
                yield from self.grant_edges(grant)

    def edge(self, source: str, target: str, key: str) -> TrustEdge | None:
        """The edge ``(source, target, key)``, or None."""
        keyed = self.nx._succ.get(source, {}).get(target)
        data = None if keyed is None else keyed.get(key)
        if data is not None:
            return data.get("edge")
        for grant in self.grants_into(target):
            if grant.key == key:
                values = self.grant_members(grant).get(source)
                if values is not None:
                    return _new_edge(source, target, *values)
        return None

    def edges_between(self, source: str, target: str) -> list[TrustEdge]:
        """Every edge from ``source`` to ``target`` (any key)."""
        keyed = self.nx._succ.get(source, {}).get(target) or {}
        found = [data["edge"] for data in keyed.values() if "edge" in data]
        for grant in self.grants_into(target):
            if grant.key not in keyed:
                values = self.grant_members(grant).get(source)
                if values is not None:
                    found.append(_new_edge(source, target, *values))
        return found

    def has_edge(self, source: str, target: str, key: str | None = None) -> bool:
        """Whether an edge goes from ``source`` to ``target`` (with ``key``, when given)."""
        if key is None:
            return bool(self.edges_between(source, target))
        return self.edge(source, target, key) is not None

    def successors(self, node_id: str) -> Iterator[str]:
        """The ends of ``node_id``'s out-edges, each once: ``nx``'s first, then those of expansions."""
        succ = self.nx._succ[node_id]
        yield from succ
        if self._grants:
            seen = set(succ)
            for grant, _values in self._grants_from(node_id):
                if grant.target not in seen:
                    seen.add(grant.target)
                    yield grant.target

    def predecessors(self, node_id: str) -> Iterator[str]:
        """The starts of ``node_id``'s in-edges, each once: ``nx``'s first, then those of expansions."""
        pred = self.nx._pred[node_id]
        yield from pred
        by_key = self._grants.get(node_id)
        if by_key is not None:
            seen = set(pred)
            for grant in by_key.values():
                for source, _values in grant.members:
                    if source not in seen:
                        seen.add(source)
                        yield source

    def predecessor_count(self, node_id: str) -> int:
        """How many nodes have an edge into ``node_id`` (each counted once)."""
        pred = self.nx._pred[node_id]
        by_key = self._grants.get(node_id)
        if not by_key:
            return len(pred)
        seen = set(pred)
        for grant in by_key.values():
            seen.update(self.grant_members(grant))
        return len(seen)

    def __len__(self) -> int:
        return self.nx.number_of_nodes()

    @property
    def edge_count(self) -> int:
        """How many edges, expansions included (no expanded edge is read: members are counted, and the few whose
        edge ``nx`` holds too are taken off)."""
        expanded = self._expanded
        if expanded is None:
            pred = self.nx._pred
            expanded = 0
            for grant in self.grants():
                expanded += len(grant.members)
                into = pred.get(grant.target)
                if into:
                    key = grant.key
                    named = [source for source, keyed in into.items() if key in keyed]
                    if named:
                        members = self.grant_members(grant)
                        expanded -= sum(source in members for source in named)
            self._expanded = expanded
        return self.nx.number_of_edges() + expanded

    def to_networkx(self) -> nx.MultiDiGraph:
        """The whole graph as one ``MultiDiGraph`` (a copy, expansions made): for exports and other tools."""
        whole = self.nx.copy()
        for grant in self.grants():
            for edge in self.grant_edges(grant):
                whole.add_edge(edge.source, edge.target, key=grant.key, edge=edge)
        return whole
