"""The display rule: account-root expansions folded into their account's edge, every other edge drawn.

The rule is checked against a plain reading of its definition on generated accounts (which mix account-root
trusts, named principals, chains and external accounts), on the samples and on real-world exports, whole and
focused, so the fast paths (counting principals without reading their edges) cannot drift from it.
"""

from __future__ import annotations

import pytest

from iamviz.analysis import build_trust_graph
from iamviz.layout import BUNDLE_MIN, bundle_badge, display_edges, layered_layout
from iamviz.loading import load_paths, load_sources
from iamviz.model.graph import DecisionKind, EdgeKind, Node, NodeKind, TrustEdge, TrustGraph

ACCT = "123456789012"
ROOT = f"arn:aws:iam::{ACCT}:root"


@pytest.fixture(scope="module")
def generated(make_account, tmp_path_factory):
    """Trust graphs of generated accounts of a few sizes and seeds."""
    graphs = []
    for roles, seed in ((100, 1), (300, 2), (400, 5)):
        path = tmp_path_factory.mktemp("acct") / f"acct-{roles}-{seed}.json"
        make_account.write(make_account.generate(roles=roles, seed=seed), path)
        graphs.append(build_trust_graph(load_paths([str(path)]).snapshot))
    return graphs


def _reference(graph: TrustGraph, node_ids=None, bundle_min: int = BUNDLE_MIN):
    """The rule as written: (drawn refs, {bundle ref: count}); counts include principals that are not chosen."""
    chosen = set(graph.nx.nodes) if node_ids is None else set(node_ids)
    nodes = {node.id: node for node in graph.nodes()}
    folded_by: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
    for edge in graph.edges():
        source = nodes[edge.source]
        if source.kind is NodeKind.ACCOUNT and edge.via_account_root and edge.target in chosen and source.id in chosen:
            folded_by[(edge.source, edge.target, edge.key)] = []
    roots = {nodes[ref[0]].account_id: ref[0] for ref in folded_by}
    for edge in graph.edges():
        source = nodes[edge.source]
        if source.kind not in (NodeKind.USER, NodeKind.ROLE) or edge.source == edge.target:
            continue
        root = roots.get(source.account_id)
        members = folded_by.get((root, edge.target, edge.key)) if root else None
        if members is not None:
            members.append((edge.source, edge.target, edge.key))
    bundles = {ref: len(members) for ref, members in folded_by.items() if len(members) >= bundle_min}
    hidden = {member for ref in bundles for member in folded_by[ref] if member[0] in chosen}
    drawn = {
        (e.source, e.target, e.key)
        for e in graph.edges()
        if e.source != e.target and e.source in chosen and e.target in chosen
    } - hidden
    return drawn, bundles


def _refs(edges):
    return [(e.source, e.target, e.key) for e in edges]


def _check(graph: TrustGraph, node_ids=None) -> None:
    display = display_edges(graph, node_ids)
    drawn, bundles = _reference(graph, node_ids)
    refs = _refs(display.edges)
    assert len(refs) == len(set(refs)), "an edge drawn twice"
    assert set(refs) == drawn
    assert display.bundles == bundles
    chosen = set(graph.nx.nodes) if node_ids is None else set(node_ids)
    for edge in graph.edges():
        ref = (edge.source, edge.target, edge.key)
        if edge.source == edge.target or edge.source not in chosen or edge.target not in chosen:
            continue
        stand_in = display.stand_in(graph, *ref)
        if ref in drawn:
            assert stand_in is None, ref
        else:  # folded: its account's edge through the same statement stands for it
            assert stand_in in bundles, ref
            assert stand_in[1:] == ref[1:] and graph.node(stand_in[0]).account_id == graph.node(ref[0]).account_id
    for ref, count in bundles.items():
        assert count >= BUNDLE_MIN
        folded = _refs(display.folded_edges(graph, ref))
        assert len(folded) == count
        assert all(display.stand_in(graph, *f) == ref for f in folded if f[0] in chosen)


def test_generated_accounts_fold_exactly_as_the_rule_says(generated):
    assert any(display_edges(g).bundles for g in generated)  # the accounts do exercise folding
    for graph in generated:
        _check(graph)


def test_focused_selections_fold_exactly_as_the_rule_says(generated):
    graph = generated[1]
    roles = sorted(n.id for n in graph.nodes() if n.kind is NodeKind.ROLE)
    nodes = sorted(graph.nx.nodes)
    half = set(nodes[::2]) | {ROOT}
    with_root = set(roles[:60]) | {n for n in nodes if "user/" in n} | {ROOT}
    for chosen in (half, with_root, set(nodes) - {ROOT}):
        _check(graph, chosen)


def test_samples_and_real_world_exports_follow_the_rule(real_world_dir):
    from iamviz.loading.samples import list_samples

    for sample in list_samples():
        graph = build_trust_graph(load_sources([f"sample:{sample.name}"]))
        _check(graph)
        assert not display_edges(graph).bundles, sample.name  # the lessons draw every edge
    for path in sorted(real_world_dir.glob("*.json")):
        _check(build_trust_graph(load_paths([str(path)]).snapshot))


def _account_graph(users: int, *, direct: tuple[str, ...] = (), other_key: tuple[str, ...] = ()) -> TrustGraph:
    """An account whose role trusts the account: ``users`` expanded edges, some named directly too."""
    g = TrustGraph()
    role = f"arn:aws:iam::{ACCT}:role/Target"
    g.add_node(Node(id=ROOT, kind=NodeKind.ACCOUNT, label=ACCT, account_id=ACCT))
    g.add_node(Node(id=role, kind=NodeKind.ROLE, label="Target", account_id=ACCT, arn=role))
    g.add_node(Node(id="service:ec2.amazonaws.com", kind=NodeKind.SERVICE, label="ec2.amazonaws.com"))

    def edge(source, index, root, decision=DecisionKind.CONDITIONAL):
        return TrustEdge(
            source=source,
            target=role,
            kind=EdgeKind.CAN_ASSUME,
            action="sts:AssumeRole",
            decision=decision,
            requirements=("MFA",) if decision is DecisionKind.CONDITIONAL else (),
            statement_index=index,
            via_account_root=root,
        )

    g.add_edge(edge(ROOT, 0, True))
    g.add_edge(edge("service:ec2.amazonaws.com", 1, False, DecisionKind.ALLOWED))
    for k in range(users):
        user = f"arn:aws:iam::{ACCT}:user/u{k:02d}"
        g.add_node(Node(id=user, kind=NodeKind.USER, label=f"u{k:02d}", account_id=ACCT, arn=user))
        g.add_edge(edge(user, 0, True))
        if user.endswith(direct):
            g.add_edge(edge(user, 2, False, DecisionKind.ALLOWED))  # also named by its ARN in statement 2
    for name in other_key:
        user = f"arn:aws:iam::{ACCT}:user/{name}"
        g.add_node(Node(id=user, kind=NodeKind.USER, label=name, account_id=ACCT, arn=user))
        g.add_edge(edge(user, 2, False, DecisionKind.ALLOWED))
    return g


def test_a_role_with_many_expanded_principals_draws_one_account_edge():
    graph = _account_graph(12)
    display = display_edges(graph)
    role = f"arn:aws:iam::{ACCT}:role/Target"
    ref = (ROOT, role, f"{EdgeKind.CAN_ASSUME}|sts:AssumeRole|0")
    assert display.bundles == {ref: 12}
    assert set(_refs(display.edges)) == {
        ref,
        ("service:ec2.amazonaws.com", role, f"{EdgeKind.CAN_ASSUME}|sts:AssumeRole|1"),
    }
    assert display.folded_count == 12
    assert bundle_badge("MFA", 12) == "MFA · +12 principals" and bundle_badge("", 1) == "+1 principal"


def test_a_few_expanded_principals_are_drawn_one_by_one():
    graph = _account_graph(BUNDLE_MIN - 1)
    display = display_edges(graph)
    assert display.bundles == {}
    assert len(display.edges) == graph.edge_count


def test_principals_named_by_another_statement_keep_that_edge_drawn():
    graph = _account_graph(10, direct=("u03", "u07"), other_key=("named",))
    _check(graph)
    drawn = set(_refs(display_edges(graph).edges))
    key2 = f"{EdgeKind.CAN_ASSUME}|sts:AssumeRole|2"
    role = f"arn:aws:iam::{ACCT}:role/Target"
    for name in ("u03", "u07", "named"):
        assert (f"arn:aws:iam::{ACCT}:user/{name}", role, key2) in drawn


def test_the_layout_lays_out_only_drawn_edges_and_keeps_the_display(generated):
    graph = generated[-1]
    layout = layered_layout(graph)
    assert layout.display is not None and layout.display.bundles
    assert set(_refs(layout.display.edges)) == set(_refs(display_edges(graph).edges))
    assert layout == layered_layout(graph)  # deterministic
    # Folded principals are still laid out (they are nodes of the picture), inside their lanes.
    assert set(layout.positions) == set(graph.nx.nodes)
