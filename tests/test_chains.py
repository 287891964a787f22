"""Role chains over hand-built trust graphs: paths, hop limit, cycles, caps, session-duration marks, queries."""

from __future__ import annotations

import pytest

from iamviz.analysis.chains import (
    ChainSearch,
    find_chains,
    reachable_from,
    resolve_node,
    search_chains,
    short_name,
    who_can_reach,
)
from iamviz.errors import InputError
from iamviz.model import Account, Snapshot
from iamviz.model.account import Role
from iamviz.model.graph import DecisionKind, EdgeKind, Node, NodeKind, TrustEdge, TrustGraph
from iamviz.model.policy import parse_policy_document

ACCT = "111111111111"


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCT}:role/{name}"


def user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCT}:user/{name}"


def graph_of(*edges: tuple[str, str] | tuple[str, str, DecisionKind] | tuple[str, str, DecisionKind, tuple[str, ...]]):
    """A graph from (source, target[, decision[, requirements]]) pairs; names starting lower-case are users."""
    graph = TrustGraph()
    for spec in edges:
        for name in spec[:2]:
            arn = user_arn(name) if name[0].islower() else role_arn(name)
            kind = NodeKind.USER if name[0].islower() else NodeKind.ROLE
            graph.add_node(Node(id=arn, kind=kind, label=name, account_id=ACCT, arn=arn))
    for i, spec in enumerate(edges):
        src, dst = spec[0], spec[1]
        decision = spec[2] if len(spec) > 2 else DecisionKind.ALLOWED
        reqs = spec[3] if len(spec) > 3 else ()
        graph.add_edge(
            TrustEdge(
                source=user_arn(src) if src[0].islower() else role_arn(src),
                target=role_arn(dst),
                kind=EdgeKind.CAN_ASSUME,
                action="sts:AssumeRole",
                decision=decision,
                requirements=reqs,
                statement_index=i,
            )
        )
    return graph


def names(graph: TrustGraph, chains) -> list[str]:
    return [" > ".join(short_name(graph, n) for n in c.nodes) for c in chains]


def test_who_can_reach_a_role_lists_every_path_ending_there_shortest_first():
    g = graph_of(("wayne", "BreakGlass", DecisionKind.CONDITIONAL, ("MFA",)), ("BreakGlass", "Admin"), ("ops", "Admin"))
    chains = find_chains(g, target=role_arn("Admin"))
    assert names(g, chains) == ["BreakGlass > Admin", "ops > Admin", "wayne > BreakGlass > Admin"]
    assert chains[-1].requirements == ("MFA",)
    assert who_can_reach(g, role_arn("Admin")) == {role_arn("BreakGlass"): 1, user_arn("ops"): 1, user_arn("wayne"): 2}


def test_what_a_principal_can_reach_lists_every_role_and_route():
    g = graph_of(("wayne", "A"), ("A", "B"), ("wayne", "B"), ("B", "C"))
    chains = find_chains(g, source=user_arn("wayne"))
    assert names(g, chains) == [
        "wayne > A",
        "wayne > B",
        "wayne > A > B",
        "wayne > B > C",
        "wayne > A > B > C",
    ]
    assert reachable_from(g, user_arn("wayne")) == {role_arn("A"): 1, role_arn("B"): 1, role_arn("C"): 2}


def test_source_and_target_give_only_paths_between_them():
    g = graph_of(("wayne", "A"), ("A", "B"), ("wayne", "B"), ("B", "C"), ("A", "X"))
    assert names(g, find_chains(g, source=user_arn("wayne"), target=role_arn("C"))) == [
        "wayne > B > C",
        "wayne > A > B > C",
    ]
    assert find_chains(g, source=role_arn("C"), target=role_arn("A")) == []


def test_hop_limit_is_respected():
    g = graph_of(("u", "R1"), ("R1", "R2"), ("R2", "R3"), ("R3", "R4"))
    assert len(find_chains(g, source=user_arn("u"), target=role_arn("R4"))) == 1
    assert find_chains(g, source=user_arn("u"), target=role_arn("R4"), max_hops=3) == []
    assert max(len(c) for c in find_chains(g, source=user_arn("u"), max_hops=2)) == 2
    with pytest.raises(ValueError):
        find_chains(g, source=user_arn("u"), max_hops=0)


def test_cycles_never_repeat_a_node():
    g = graph_of(("u", "A"), ("A", "B"), ("B", "A"), ("B", "C"), ("C", "A"))
    chains = find_chains(g, source=user_arn("u"), max_hops=10)
    for chain in chains:
        assert len(set(chain.nodes)) == len(chain.nodes)
    assert names(g, chains) == ["u > A", "u > A > B", "u > A > B > C"]


def test_unknown_edges_are_not_traversed_unless_asked():
    g = graph_of(("u", "A", DecisionKind.UNKNOWN), ("A", "B"))
    assert find_chains(g, source=user_arn("u")) == []
    every = set(DecisionKind)
    assert names(g, find_chains(g, source=user_arn("u"), decisions=every)) == ["u > A", "u > A > B"]


def test_parallel_edges_are_followed_once_using_the_most_permissive():
    g = graph_of(("u", "A", DecisionKind.CONDITIONAL, ("MFA",)), ("u", "A", DecisionKind.ALLOWED))
    chains = find_chains(g, source=user_arn("u"))
    assert len(chains) == 1
    assert chains[0].hops[0].decision is DecisionKind.ALLOWED


def test_without_source_or_target_lists_multi_hop_chains_from_identity_sources():
    g = graph_of(("u", "A"), ("A", "B"), ("Lone", "B"), ("v", "C"))
    assert names(g, find_chains(g)) == ["u > A > B"]


def test_enumeration_stops_at_the_limit_with_a_note():
    # A ladder: every role of a layer trusts every role of the next, so paths multiply.
    edges = [("u", f"L0x{i}") for i in range(4)]
    for layer in range(4):
        edges += [(f"L{layer}x{i}", f"L{layer + 1}x{j}") for i in range(4) for j in range(4)]
    g = graph_of(*edges)
    result = search_chains(g, source=user_arn("u"), limit=50)
    assert isinstance(result, ChainSearch)
    assert len(result.chains) == 50 and result.truncated and "limit 50" in result.note
    assert [len(c) for c in result.chains] == sorted(len(c) for c in result.chains)
    full = search_chains(g, source=user_arn("u"), max_hops=2)
    assert not full.truncated and full.note is None and len(full.chains) == 4 + 16


def test_chained_hops_are_marked_and_capped_when_they_need_more_than_an_hour():
    g = graph_of(("u", "Long"), ("Long", "Short"), ("Short", "Long2"))
    chain = find_chains(g, source=user_arn("u"), target=role_arn("Long2"))[0]
    assert chain.chained_hops == (1, 2)
    assert chain.capped_hops == ()  # nothing known of session lengths
    asked = find_chains(g, source=user_arn("u"), target=role_arn("Long2"), duration_seconds=7200)[0]
    assert asked.capped_hops == (1, 2)
    hour = find_chains(g, source=user_arn("u"), target=role_arn("Long2"), duration_seconds=3600)[0]
    assert hour.capped_hops == ()


def test_capped_from_the_roles_max_session_duration_when_the_snapshot_knows_it():
    g = graph_of(("u", "A"), ("A", "Long"), ("A", "Short"))
    trust = parse_policy_document({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}})
    roles = tuple(
        Role(arn=role_arn(n), name=n, trust_policy=trust, max_session_duration=d)
        for n, d in (("A", 43200), ("Long", 43200), ("Short", 3600))
    )
    g.snapshot = Snapshot(accounts=(Account(account_id=ACCT, roles=roles),))
    by_target = {c.target: c for c in find_chains(g, source=user_arn("u"))}
    assert by_target[role_arn("A")].capped_hops == ()  # a user's call is not chaining
    assert by_target[role_arn("Long")].capped_hops == (1,)
    assert by_target[role_arn("Short")].capped_hops == ()


def test_unknown_nodes_are_refused_with_a_clear_error():
    g = graph_of(("u", "A"))
    with pytest.raises(InputError, match="not in the trust graph"):
        find_chains(g, target=role_arn("Nope"))


def test_resolve_node_by_arn_name_or_id():
    g = graph_of(("wayne", "BreakGlass"))
    assert resolve_node(g, "wayne") == user_arn("wayne")
    assert resolve_node(g, "breakglass") == role_arn("BreakGlass")
    assert resolve_node(g, role_arn("BreakGlass")) == role_arn("BreakGlass")
    with pytest.raises(InputError, match="no principal"):
        resolve_node(g, "nobody")
    other = Node(id="arn:aws:iam::222222222222:role/BreakGlass", kind=NodeKind.ROLE, label="BreakGlass")
    g.add_node(other)
    with pytest.raises(InputError, match="several"):
        resolve_node(g, "BreakGlass")


def test_index_follows_changes_to_the_graph():
    g = graph_of(("u", "A"))
    assert len(find_chains(g, source=user_arn("u"))) == 1
    g.add_node(Node(id=role_arn("B"), kind=NodeKind.ROLE, label="B", account_id=ACCT, arn=role_arn("B")))
    g.add_edge(
        TrustEdge(
            source=role_arn("A"),
            target=role_arn("B"),
            kind=EdgeKind.CAN_ASSUME,
            action="sts:AssumeRole",
            decision=DecisionKind.ALLOWED,
        )
    )
    assert len(find_chains(g, source=user_arn("u"))) == 2
