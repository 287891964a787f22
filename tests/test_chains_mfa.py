"""Chains and MFA: MFA is presented once, by a user at the chain's first call, and stays with the sessions that
follow; a chain that starts at an AWS service or a SAML/OIDC provider (or a role only they can assume) never has
``aws:MultiFactorAuthPresent`` (rulebook §6.3: present only in temporary credentials made with MFA), so it cannot
pass a hop that requires MFA."""

from __future__ import annotations

import pytest
from trust_builders import ACCT, account, allow, inline, role, role_arn, snapshot, trust, user, user_arn

from iamviz.analysis import build_trust_graph
from iamviz.analysis.chains import find_chains, reachable_from, search_chains, who_can_reach

LAMBDA = "service:lambda.amazonaws.com"
SAML = f"arn:aws:iam::{ACCT}:saml-provider/Corp"
MFA_TRUE = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def _graph(*, admin_needs_mfa: bool):
    may_assume_admin = [inline(allow(action="sts:AssumeRole", resource=role_arn("admin")))]
    admin_trust = allow(
        aws=[role_arn("worker"), role_arn("ops"), role_arn("sso")], condition=MFA_TRUE if admin_needs_mfa else None
    )
    roles = [
        role("worker", trust_policy=trust(allow(service="lambda.amazonaws.com")), policies=may_assume_admin),
        role("ops", trust_policy=trust(allow(aws=user_arn("alice"))), policies=may_assume_admin),
        role(
            "sso",
            trust_policy=trust(allow(federated=SAML, action="sts:AssumeRoleWithSAML")),
            policies=may_assume_admin,
        ),
        role("admin", trust_policy=trust(admin_trust)),
    ]
    alice = user("alice", policies=[inline(allow(action="sts:AssumeRole", resource="*"))])
    return build_trust_graph(snapshot(account(ACCT, users=[alice], roles=roles)))


def _starts(chains):
    return {chain.source for chain in chains}


def test_a_chain_from_a_service_or_saml_session_cannot_pass_a_hop_that_needs_mfa():
    graph = _graph(admin_needs_mfa=True)
    admin = role_arn("admin")
    edge = graph.edge(role_arn("worker"), admin, "can-assume|sts:AssumeRole|0")
    assert edge is not None and "MFA" in edge.requirements  # the graph keeps the edge; chains judge the path
    into_admin = find_chains(graph, target=admin)
    assert _starts(into_admin) == {user_arn("alice"), role_arn("ops")}  # alice brings MFA; ops is hers to assume
    assert set(who_can_reach(graph, admin)) == {user_arn("alice"), role_arn("ops")}
    assert admin not in reachable_from(graph, LAMBDA) and admin not in reachable_from(graph, role_arn("worker"))
    assert admin not in reachable_from(graph, SAML) and admin in reachable_from(graph, user_arn("alice"))
    assert find_chains(graph, source=LAMBDA) and all(c.target != admin for c in find_chains(graph, source=LAMBDA))
    assert search_chains(graph, source=role_arn("worker"), target=admin).chains == ()
    assert all(admin not in chain.nodes for chain in find_chains(graph) if chain.source in (LAMBDA, SAML))
    assert any(chain.nodes == (user_arn("alice"), role_arn("ops"), admin) for chain in find_chains(graph))


@pytest.mark.parametrize("source", [LAMBDA, SAML, user_arn("alice")])
def test_without_the_mfa_condition_every_origin_reaches_the_role(source):
    graph = _graph(admin_needs_mfa=False)
    admin = role_arn("admin")
    assert source in who_can_reach(graph, admin)
    assert admin in reachable_from(graph, source)
    assert any(chain.target == admin for chain in find_chains(graph, source=source))
