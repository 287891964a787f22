"""Account-root expansions are kept compact (one ``AccountGrant`` per trust, members shared between roles alike), and
every query of the trust graph answers as the whole graph, every expanded edge made, would."""

from __future__ import annotations

import pytest
from trust_builders import ACCT, account, allow, inline, role, role_arn, root, snapshot, trust, user, user_arn

from iamviz.analysis import build_trust_graph
from iamviz.loading import load_file, snapshot_from_json
from iamviz.loading.samples import list_samples, load_sample
from iamviz.model.graph import DecisionKind, EdgeKind, NodeKind

KEY0 = f"{EdgeKind.CAN_ASSUME}|sts:AssumeRole|0"


def _snapshots(real_world_dir, make_account):
    yield from (load_sample(info.name) for info in list_samples())
    yield from (load_file(path) for path in sorted(real_world_dir.glob("*.json")))
    yield snapshot_from_json([make_account.generate(roles=1000, seed=2)], name="realistic")
    yield snapshot_from_json([make_account.generate(roles=400, seed=2, mix="worst")], name="worst")


def _ref(edge):
    return (edge.source, edge.target, edge.key)


def _sorted(edges):
    return sorted(edges, key=repr)


def test_every_query_answers_as_the_whole_graph_does(real_world_dir, make_account):
    expanded = 0
    for snap in _snapshots(real_world_dir, make_account):
        graph = build_trust_graph(snap)
        whole = graph.to_networkx()
        expanded += sum(len(grant.members) for grant in graph.grants())
        assert graph.edge_count == whole.number_of_edges() == len(list(graph.edges()))
        assert _sorted(graph.edges()) == _sorted(data for _, _, data in whole.edges(data="edge"))
        for kind in (None, *EdgeKind):
            expected = {s for s, _, data in whole.edges(data="edge") if kind is None or data.kind is kind}
            assert graph.sources(kind=kind) == expected
        for node_id in whole:
            out = _sorted(data for _, _, data in whole.out_edges(node_id, data="edge"))
            into = _sorted(data for _, _, data in whole.in_edges(node_id, data="edge"))
            assert _sorted(graph.out_edges(node_id)) == out, node_id
            assert _sorted(graph.in_edges(node_id)) == into, node_id
            assert sorted(graph.out_keys(node_id)) == sorted((e.target, e.key) for e in out)
            assert list(graph.successors(node_id)) == list(dict.fromkeys(whole.successors(node_id)))
            assert set(graph.predecessors(node_id)) == set(whole.predecessors(node_id))
            assert len(list(graph.predecessors(node_id))) == graph.predecessor_count(node_id)
            assert graph.predecessor_count(node_id) == len(set(whole.predecessors(node_id)))
        for source, target, key, data in whole.edges(keys=True, data="edge"):
            assert graph.edge(source, target, key) == data
            assert graph.has_edge(source, target, key) and graph.has_edge(source, target)
            assert data in graph.edges_between(source, target)
            assert len(graph.edges_between(source, target)) == whole.number_of_edges(source, target)
        for node_id in list(whole)[:50]:
            assert graph.edge(node_id, node_id, "no such key") is None
    assert expanded > 2_000  # the accounts exercised the compact form


def test_expansions_are_records_shared_by_roles_alike_not_edges(make_account):
    snap = snapshot_from_json([make_account.generate(roles=2000, seed=2)], name="realistic")
    graph = build_trust_graph(snap)
    grants = list(graph.grants())
    assert len(grants) > 20
    assert len({id(grant.members) for grant in grants}) < len(grants)  # roles alike share one members tuple
    values = [values for grant in grants for _, values in grant.members]
    assert len({id(v) for v in values}) * 10 < len(values)  # principals alike share one values tuple
    for grant in grants:
        assert graph.node(grant.root).kind is NodeKind.ACCOUNT
        assert graph.edge(grant.root, grant.target, grant.key).via_account_root  # the account's own edge stays
        assert all(graph.node(source).account_id == graph.node(grant.root).account_id for source, _ in grant.members)
    # networkx holds no expanded edge: those from users and roles through an account-root trust are the records'.
    for source, _target, data in graph.nx.edges(data="edge"):
        if data.via_account_root:
            assert graph.node(source).kind in (NodeKind.ACCOUNT, NodeKind.EXTERNAL_ACCOUNT)
    assert graph.edge_count == graph.nx.number_of_edges() + len(values)  # none named beside the account here


@pytest.mark.parametrize("named_first", [True, False])
@pytest.mark.parametrize("with_policy", [True, False])
def test_a_principal_named_beside_its_account_keeps_the_named_edge(named_first, with_policy):
    """Rulebook §1 step 4: a same-account principal the statement names directly needs no identity policy; one
    reached through the account (``arn:aws:iam::ACCT:root``) needs its own policy to allow sts:AssumeRole. A
    statement naming both gives the principal the named edge, whatever the order of the two names."""
    names = [user_arn("alice"), root()] if named_first else [root(), user_arn("alice")]
    target = role("target", trust_policy=trust(allow(aws=names)))
    assume = inline(allow(action="sts:AssumeRole", resource="*"))
    users = [
        user("alice", policies=[assume] if with_policy else []),
        *(user(f"u{k}", policies=[assume]) for k in range(3)),
    ]
    graph = build_trust_graph(snapshot(account(ACCT, users=users, roles=[target])))
    edge = graph.edge(user_arn("alice"), role_arn("target"), KEY0)
    assert edge is not None and not edge.via_account_root and edge.decision is DecisionKind.ALLOWED
    assert [e for e in graph.in_edges(role_arn("target")) if e.source == user_arn("alice")] == [edge]
    others = [graph.edge(user_arn(f"u{k}"), role_arn("target"), KEY0) for k in range(3)]
    assert all(e is not None and e.via_account_root for e in others)
    assert graph.edge_count == len(list(graph.edges())) == graph.to_networkx().number_of_edges()


def test_chains_over_expansions_are_the_chains_over_the_whole_graph(real_world_dir, make_account):
    from iamviz.analysis.chains import find_chains, reachable_from, who_can_reach
    from iamviz.model.graph import TrustGraph

    compared = 0
    for snap in _snapshots(real_world_dir, make_account):
        graph = build_trust_graph(snap)
        whole = TrustGraph(snapshot=snap)
        whole.nx = graph.to_networkx()  # every expanded edge an edge of networkx, no records
        expanded = sorted({grant.target for grant in graph.grants()})[:40]
        roles = expanded + sorted(n.id for n in graph.nodes() if n.kind is NodeKind.ROLE)[:10]
        members = sorted({source for grant in graph.grants() for source, _ in grant.members})[:30]
        for role_id in roles:
            assert who_can_reach(graph, role_id) == who_can_reach(whole, role_id)
            assert find_chains(graph, target=role_id, limit=50) == find_chains(whole, target=role_id, limit=50)
            compared += role_id in expanded
        for source in members + sorted(graph.sources(kind=EdgeKind.CAN_ASSUME))[:10]:
            assert reachable_from(graph, source) == reachable_from(whole, source)
            assert find_chains(graph, source=source, limit=50) == find_chains(whole, source=source, limit=50)
        assert find_chains(graph, limit=100) == find_chains(whole, limit=100)
    assert compared > 50  # roles reached through account-root expansions
