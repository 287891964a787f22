"""The trust graph's vocabulary: node and edge kinds, decisions, and :class:`TrustGraph`.

A :class:`TrustGraph` wraps (does not subclass) a ``networkx.MultiDiGraph`` whose nodes are keyed by a stable id
and carry a :class:`Node` under the attribute ``"node"``; edges carry a :class:`TrustEdge` under ``"edge"``.

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
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import networkx as nx

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


class TrustGraph:
    """The trust graph of a snapshot. Build it with ``iamviz.analysis.build_trust_graph``."""

    def __init__(self, *, snapshot: Snapshot | None = None) -> None:
        self.nx: nx.MultiDiGraph = nx.MultiDiGraph()
        self.snapshot = snapshot  # the snapshot the graph was built from

    def add_node(self, node: Node) -> None:
        """Add ``node`` (or replace the one with its id)."""
        self.nx.add_node(node.id, node=node)

    def add_edge(self, edge: TrustEdge) -> None:
        """Add ``edge``; an edge with the same source, target and key replaces the old one."""
        self.nx.add_edge(edge.source, edge.target, key=edge.key, edge=edge)

    def has_node(self, node_id: str) -> bool:
        return node_id in self.nx

    def node(self, node_id: str) -> Node:
        """The node with this id (``KeyError`` when absent)."""
        return self.nx.nodes[node_id]["node"]

    def nodes(self) -> Iterator[Node]:
        """Every node, in insertion order."""
        for _, data in self.nx.nodes(data="node"):
            yield data

    def edges(self, *, kind: EdgeKind | None = None) -> Iterator[TrustEdge]:
        """Every edge, in insertion order, optionally only those of one kind."""
        for _, _, data in self.nx.edges(data="edge"):
            if kind is None or data.kind is kind:
                yield data

    def out_edges(self, node_id: str) -> Iterator[TrustEdge]:
        for _, _, data in self.nx.out_edges(node_id, data="edge"):
            yield data

    def in_edges(self, node_id: str) -> Iterator[TrustEdge]:
        for _, _, data in self.nx.in_edges(node_id, data="edge"):
            yield data

    def __len__(self) -> int:
        return self.nx.number_of_nodes()

    @property
    def edge_count(self) -> int:
        return self.nx.number_of_edges()
