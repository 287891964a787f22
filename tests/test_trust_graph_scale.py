"""The trust graph's fast account-root expansion decides exactly what judging every principal on its own decides.

Principals whose statements that cover a role are the same share one judgement, copied to each of them; these
tests build graphs both ways (``share=False`` judges each principal alone) on accounts made to stress the
grouping: wildcards, NotResource, policy variables, conditions, missing managed policies, boundaries, denies on
either side, several trust statements, and the benchmark's generated accounts.
"""

from __future__ import annotations

import pytest
from trust_builders import (
    ACCT,
    account,
    allow,
    deny,
    group,
    inline,
    managed,
    role,
    role_arn,
    root,
    snapshot,
    tags,
    trust,
    user,
    user_arn,
)

from iamviz.analysis import build_trust_graph
from iamviz.analysis.trust_graph import _Builder
from iamviz.loading import load_paths
from iamviz.model.graph import EdgeKind


def _both(snap):
    """The edges, in graph order with their data, built with sharing and judged principal by principal."""
    fast = build_trust_graph(snap)
    slow = _Builder(snap, share=False).build()
    whole = fast.to_networkx(), slow.to_networkx()  # account-root expansions made as edges
    return list(whole[0].edges(keys=True, data="edge")), list(whole[1].edges(keys=True, data="edge")), fast


def _crafted():
    assume_any = managed("AssumeAny", allow(action="sts:AssumeRole", resource="*"))
    team = managed("AssumeTeam", allow(action="sts:AssumeRole", resource=role_arn("team-*")))
    not_ops = managed("NotOps", allow(action="sts:AssumeRole", not_resource=role_arn("ops-*")))
    own = managed("Own", allow(action="sts:AssumeRole", resource=role_arn("${aws:username}")))
    mfa = managed(
        "AssumeWithMfa",
        allow(action="sts:AssumeRole", resource="*", condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
    )
    no_ops = managed("DenyOps", deny(action="sts:AssumeRole", resource=role_arn("ops-b")))
    boundary = managed("Boundary", allow(action="sts:*", resource=role_arn("team-*")))
    groups = [
        group("any", managed_arns=[assume_any.arn]),
        group("team", managed_arns=[team.arn]),
        group("deny-ops", managed_arns=[no_ops.arn]),
        group("named", policies=[inline(allow(action="sts:AssumeRole", resource=role_arn("ops-a")), name="ops-a")]),
    ]
    users = [
        user("u1", groups=["any"]),
        user("u2", groups=["any"]),  # same class as u1
        user("u3", groups=["any", "named"]),  # the same as u1 except for ops-a
        user("u4", groups=["team", "named"]),
        user("u5", groups=["any", "deny-ops"]),
        user("u6", managed_arns=[not_ops.arn]),
        user("u7", managed_arns=[own.arn]),  # a policy variable: judged on its own
        user("team-x", managed_arns=[own.arn]),  # ${aws:username} names the role team-x
        user("u8", managed_arns=[mfa.arn]),  # a condition: judged on its own
        user("u9", groups=["any"], managed_arns=["arn:aws:iam::111111111111:policy/Gone"]),  # missing policy
        user("u10", groups=["any"], boundary=boundary.arn),
        user("u11", groups=["any"], user_tags=tags(team="blue")),
    ]
    to_root = trust(allow(aws=root()))
    roles = [
        role("ops-a", trust_policy=to_root),
        role("ops-b", trust_policy=trust(allow(aws=ACCT, condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))),
        role("team-x", trust_policy=to_root),
        role("team-y", trust_policy=trust(allow(aws=root(), sid="Root"), allow(aws=user_arn("u1")))),
        role("plain", trust_policy=to_root, managed_arns=[assume_any.arn]),
        role(
            "tagged",
            trust_policy=trust(allow(aws=root(), condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}})),
        ),
        role(
            "guarded",
            trust_policy=trust(
                allow(aws=root()),
                deny(aws="*", condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
            ),
        ),
        role("walled", trust_policy=trust(allow(aws=root()), deny(aws=user_arn("u2")))),
        role("worker", trust_policy=trust(allow(service="lambda.amazonaws.com")), managed_arns=[team.arn]),
    ]
    policies = [assume_any, team, not_ops, own, mfa, no_ops, boundary]
    return snapshot(account(users=users, roles=roles, groups=groups, policies=policies))


def test_shared_expansion_matches_judging_every_principal_on_a_crafted_account():
    fast, slow, graph = _both(_crafted())
    assert fast == slow
    expanded = {(e.source, e.target) for _, _, _, e in fast if e.via_account_root and e.source != root()}
    # The grouping really was exercised: several principals share edges, and the special ones got theirs.
    assert (user_arn("u1"), role_arn("ops-a")) in expanded and (user_arn("u2"), role_arn("ops-a")) in expanded
    assert (user_arn("u4"), role_arn("ops-a")) in expanded  # only through the group's inline policy
    assert (user_arn("u4"), role_arn("team-x")) in expanded  # through the wildcard
    assert (user_arn("u5"), role_arn("ops-b")) not in expanded  # its explicit Deny
    assert (user_arn("team-x"), role_arn("team-x")) in expanded  # ${aws:username}
    assert (user_arn("u7"), role_arn("team-x")) not in expanded
    assert (user_arn("u10"), role_arn("ops-a")) not in expanded  # the boundary allows team-* only
    assert (user_arn("u2"), role_arn("walled")) not in expanded  # the trust's Deny names u2
    assert graph.edge_count == len(fast)


def test_edge_reasons_name_a_statement_that_covers_that_role():
    """A principal allowed on "*" and on one role by name: each edge's reason cites a statement covering its role.

    (The graph once reused the first role's caller-side reasons for every role once an Allow on "*" was seen.)
    """
    named = inline(allow(action="sts:AssumeRole", resource=role_arn("first")), name="first-only")
    snap = snapshot(
        account(
            users=[user("alice", policies=[named], managed_arns=["arn:aws:iam::111111111111:policy/Any"])],
            roles=[
                role("first", trust_policy=trust(allow(aws=root()))),
                role("second", trust_policy=trust(allow(aws=root()))),
            ],
            policies=[managed("Any", allow(action="sts:AssumeRole", resource="*"))],
        )
    )
    graph = build_trust_graph(snap)
    by_target = {e.target: e for e in graph.out_edges(user_arn("alice")) if e.kind is EdgeKind.CAN_ASSUME}
    assert any("first-only" in r for r in by_target[role_arn("first")].reasons)
    assert not any("first-only" in r for r in by_target[role_arn("second")].reasons)
    assert any("managed policy Any" in r for r in by_target[role_arn("second")].reasons)


@pytest.mark.parametrize(("roles", "users", "seed"), [(300, None, 2), (250, 150, 3)])
def test_shared_expansion_matches_on_generated_accounts(make_account, tmp_path, roles, users, seed):
    path = tmp_path / "account.json"
    # The heavy mix: many principals allowed in by account-root trusts, so the shared expansion is exercised.
    document = make_account.generate(roles=roles, users=users, seed=seed, mix="worst")
    make_account.write(document, path, indent=None)
    result = load_paths([path])
    assert not result.errors
    fast, slow, _ = _both(result.snapshot)
    assert fast == slow
    assert sum(1 for _, _, _, e in fast if e.via_account_root) > roles  # root expansion took part
