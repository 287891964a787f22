"""The trust graph on small built snapshots: nodes, edge kinds, requirements, account-root expansion."""

from __future__ import annotations

from trust_builders import (
    ACCT,
    OTHER,
    UNLOADED,
    account,
    allow,
    deny,
    group,
    inline,
    managed,
    oidc_arn,
    oidc_provider,
    role,
    role_arn,
    root,
    saml_arn,
    snapshot,
    tags,
    trust,
    user,
    user_arn,
)

from iamviz.analysis import build_trust_graph
from iamviz.model.graph import ANYONE_ID, DecisionKind, EdgeKind, NodeKind

ASSUME_ANY = inline(allow(action="sts:AssumeRole", resource="*"))
TARGET = role_arn("Target")


def _edges(graph, target=TARGET):
    return {e.source: e for e in graph.in_edges(target) if e.kind is EdgeKind.CAN_ASSUME}


def _one(trust_policy, *, users=(), roles=(), **kwargs):
    return build_trust_graph(
        snapshot(account(users=users, roles=[role("Target", trust_policy=trust_policy), *roles], **kwargs))
    )


def test_graph_keeps_the_snapshot_and_has_entity_nodes():
    snap = snapshot(
        account(
            users=[user("alice", groups=["ops"])],
            groups=[group("ops")],
            roles=[role("Target", trust_policy=trust(allow(aws=ACCT)))],
        )
    )
    graph = build_trust_graph(snap)
    assert graph.snapshot is snap
    assert graph.node(root()).kind is NodeKind.ACCOUNT
    assert graph.node(user_arn("alice")).kind is NodeKind.USER
    assert graph.node(TARGET).kind is NodeKind.ROLE
    member = [e for e in graph.out_edges(user_arn("alice")) if e.kind is EdgeKind.MEMBER_OF]
    assert [e.target for e in member] == [f"arn:aws:iam::{ACCT}:group/ops"]


def test_user_named_directly_is_allowed():
    graph = _one(trust(allow(aws=user_arn("alice"), sid="Alice")), users=[user("alice")])
    edge = _edges(graph)[user_arn("alice")]
    assert edge.decision is DecisionKind.ALLOWED
    assert edge.action == "sts:AssumeRole"
    assert (edge.statement_index, edge.statement_sid) == (0, "Alice")
    assert not edge.via_account_root


def test_mfa_condition_makes_a_conditional_edge():
    graph = _one(
        trust(allow(aws=user_arn("alice"), condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
        users=[user("alice")],
    )
    edge = _edges(graph)[user_arn("alice")]
    assert edge.decision is DecisionKind.CONDITIONAL
    assert edge.requirements == ("MFA",)


def test_bool_if_exists_mfa_needs_nothing():
    graph = _one(
        trust(allow(aws=user_arn("alice"), condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})),
        users=[user("alice")],
    )
    assert _edges(graph)[user_arn("alice")].decision is DecisionKind.ALLOWED


def test_account_root_trust_is_expanded_to_principals_whose_policies_allow():
    admins = managed("Assume", allow(action="sts:*", resource="*"))
    users = [
        user("alice", groups=["admins"]),
        user("bob"),
        user("carol", policies=[inline(allow(action="s3:*", resource="*"))]),
    ]
    source = role("Source", trust_policy=trust(allow(service="ec2.amazonaws.com")), policies=[ASSUME_ANY])
    graph = _one(
        trust(allow(aws=root())),
        users=users,
        roles=[source],
        groups=[group("admins", managed_arns=[admins.arn])],
        policies=[admins],
    )
    edges = _edges(graph)
    assert set(edges) == {user_arn("alice"), role_arn("Source"), root()}
    assert all(e.via_account_root for e in edges.values())
    assert edges[user_arn("alice")].decision is DecisionKind.ALLOWED


def test_principal_condition_is_evaluated_per_caller():
    condition = {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:role/ci-*"}}
    roles = [
        role("ci-deploy", trust_policy=trust(allow(service="codebuild.amazonaws.com")), policies=[ASSUME_ANY]),
        role("web", trust_policy=trust(allow(service="ec2.amazonaws.com")), policies=[ASSUME_ANY]),
    ]
    graph = _one(trust(allow(aws=ACCT, condition=condition)), roles=roles)
    edges = _edges(graph)
    assert role_arn("ci-deploy") in edges
    assert role_arn("web") not in edges
    # The account node stands for every principal of the account, so the ARN pattern is what a caller must fit.
    assert edges[root()].requirements == ("PrincipalArn",)


def test_principal_tag_condition_uses_user_tags():
    condition = {"StringEquals": {"aws:PrincipalTag/team": "ops"}}
    users = [user("olga", policies=[ASSUME_ANY], user_tags=tags(team="ops")), user("dave", policies=[ASSUME_ANY])]
    edges = _edges(_one(trust(allow(aws=ACCT, condition=condition)), users=users))
    assert user_arn("olga") in edges and user_arn("dave") not in edges


def test_role_trusting_a_role_gives_a_chain_edge():
    source = role("Source", trust_policy=trust(allow(service="ec2.amazonaws.com")))
    graph = _one(trust(allow(aws=role_arn("Source"))), roles=[source])
    edge = _edges(graph)[role_arn("Source")]
    assert edge.decision is DecisionKind.ALLOWED
    assert graph.node(role_arn("Source")).kind is NodeKind.ROLE


def test_cross_account_loaded_caller_needs_its_policy():
    snap = snapshot(
        account(roles=[role("Target", trust_policy=trust(allow(aws=OTHER)))]),
        account(OTHER, users=[user("partner", OTHER, policies=[ASSUME_ANY]), user("idle", OTHER)]),
    )
    edges = _edges(build_trust_graph(snap))
    assert edges[user_arn("partner", OTHER)].decision is DecisionKind.ALLOWED
    assert user_arn("idle", OTHER) not in edges
    assert edges[root(OTHER)].via_account_root


def test_unloaded_account_gives_needs_caller_policy_with_requirements():
    condition = {"StringEquals": {"sts:ExternalId": "zebra"}}
    graph = _one(trust(allow(aws=UNLOADED, condition=condition), allow(aws=user_arn("vendor", UNLOADED))))
    edges = _edges(graph)
    assert graph.node(root(UNLOADED)).kind is NodeKind.EXTERNAL_ACCOUNT
    assert edges[root(UNLOADED)].decision is DecisionKind.NEEDS_CALLER_POLICY
    assert edges[root(UNLOADED)].requirements == ("ExternalId",)
    assert graph.node(user_arn("vendor", UNLOADED)).kind is NodeKind.EXTERNAL_PRINCIPAL
    assert edges[user_arn("vendor", UNLOADED)].decision is DecisionKind.NEEDS_CALLER_POLICY


def test_service_edge_with_confused_deputy_requirements():
    condition = {"StringEquals": {"aws:SourceAccount": ACCT}, "ArnLike": {"aws:SourceArn": "arn:aws:s3:::bucket"}}
    graph = _one(trust(allow(service="s3.amazonaws.com", condition=condition)))
    edge = _edges(graph)["service:s3.amazonaws.com"]
    assert graph.node("service:s3.amazonaws.com").kind is NodeKind.SERVICE
    assert edge.decision is DecisionKind.CONDITIONAL
    assert set(edge.requirements) == {"SourceAccount", "SourceArn"}


def test_federated_edges_use_the_fitting_action_and_claim_labels():
    gh = "token.actions.githubusercontent.com"
    policy = trust(
        allow(
            federated=oidc_arn(gh),
            action="sts:AssumeRoleWithWebIdentity",
            condition={"StringEquals": {f"{gh}:aud": "sts.amazonaws.com"}, "StringLike": {f"{gh}:sub": "repo:acme/*"}},
        ),
        allow(
            federated=saml_arn("Okta"),
            action="sts:AssumeRoleWithSAML",
            condition={"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
        ),
        allow(federated="cognito-identity.amazonaws.com", action="sts:AssumeRoleWithWebIdentity"),
    )
    graph = _one(policy, saml=[saml_arn("Okta")], oidc=[oidc_provider(gh)])
    edges = _edges(graph)
    assert edges[oidc_arn(gh)].action == "sts:AssumeRoleWithWebIdentity"
    assert set(edges[oidc_arn(gh)].requirements) == {"aud", "sub"}
    assert edges[saml_arn("Okta")].action == "sts:AssumeRoleWithSAML"
    assert edges[saml_arn("Okta")].requirements == ("SAML:aud",)
    assert graph.node("federated:cognito-identity.amazonaws.com").kind is NodeKind.OIDC_PROVIDER
    assert edges["federated:cognito-identity.amazonaws.com"].decision is DecisionKind.ALLOWED


def test_federated_principal_with_wrong_action_draws_nothing():
    graph = _one(trust(allow(federated=saml_arn("Okta"), action="sts:AssumeRole")), saml=[saml_arn("Okta")])
    assert _edges(graph) == {}


def test_anyone_node_and_unknown_operator():
    graph = _one(trust(allow(principal="*", condition={"Mystery": {"k": "v"}})))
    edge = _edges(graph)[ANYONE_ID]
    assert graph.node(ANYONE_ID).kind is NodeKind.ANYONE
    assert edge.decision is DecisionKind.UNKNOWN


def test_deleted_principal_node():
    graph = _one(trust(allow(aws="AROAGONE000000000000")))
    node = graph.node("deleted:AROAGONE000000000000")
    assert node.kind is NodeKind.DELETED
    assert _edges(graph)[node.id].decision is DecisionKind.UNKNOWN


def test_trust_deny_removes_or_conditions_the_edge():
    always = _one(trust(allow(aws=user_arn("alice")), deny(aws="*")), users=[user("alice")])
    assert _edges(always) == {}
    unless_mfa = _one(
        trust(
            allow(aws=user_arn("alice")),
            deny(aws="*", condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
        ),
        users=[user("alice")],
    )
    edge = _edges(unless_mfa)[user_arn("alice")]
    assert edge.decision is DecisionKind.CONDITIONAL and edge.requirements == ("MFA",)


def test_identity_deny_removes_the_edge():
    alice = user("alice", policies=[ASSUME_ANY, inline(deny(action="sts:AssumeRole", resource=TARGET), name="d")])
    assert _edges(_one(trust(allow(aws=user_arn("alice"))), users=[alice])) == {}


def test_identity_condition_becomes_a_requirement_on_root_expansion():
    mfa_only = inline(
        allow(action="sts:AssumeRole", resource="*", condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    )
    edges = _edges(_one(trust(allow(aws=ACCT)), users=[user("alice", policies=[mfa_only])]))
    assert edges[user_arn("alice")].decision is DecisionKind.CONDITIONAL
    assert edges[user_arn("alice")].requirements == ("MFA",)


def test_not_principal_draws_nothing():
    assert _edges(_one(trust(allow(not_principal={"AWS": user_arn("x")})), users=[user("alice")])) == {}


def test_boundary_blocks_root_expansion():
    boundary = managed("OnlyS3", allow(action="s3:*", resource="*"))
    alice = user("alice", policies=[ASSUME_ANY], boundary=boundary.arn)
    edges = _edges(_one(trust(allow(aws=ACCT)), users=[alice], policies=[boundary]))
    assert user_arn("alice") not in edges
