"""Caller-side identity policies: inline, managed default version, groups, boundary, wildcards, explicit deny."""

from __future__ import annotations

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
    session_arn,
    trust,
    user,
    user_arn,
)

from iamviz.analysis.conditions import RequestContext
from iamviz.analysis.identity import IdentityOutcome, evaluate_identity, expand_variables, policies_for

TARGET = role_arn("Target")
A = "sts:AssumeRole"


def _acct(*users, policies=(), groups=(), roles=()):
    target = role("Target", trust_policy=trust(allow(aws=ACCT)))
    return account(users=users, policies=policies, groups=groups, roles=[target, *roles])


def _eval(acct, name="alice", action=A, resource=TARGET, context=None):
    return evaluate_identity(acct, user_arn(name), action, resource, RequestContext.of(context or {}))


def test_user_without_policies_is_implicitly_denied():
    # [EVAL]: a request is denied unless an identity policy allows it (implicit deny).
    result = _eval(_acct(user("alice")))
    assert result.outcome is IdentityOutcome.IMPLICIT_DENY
    assert any("no identity policies" in r for r in result.reasons)


def test_inline_policy_allows_assume_role_on_the_role():
    acct = _acct(user("alice", policies=[inline(allow(action=A, resource=TARGET))]))
    result = _eval(acct)
    assert result.outcome is IdentityOutcome.ALLOW
    assert result.statements[0].policy == "inline policy 'inline' of user alice"


def test_action_wildcards_are_case_insensitive():
    # IAM UG reference_policies_elements_action: action names are case-insensitive and take wildcards.
    acct = _acct(user("alice", policies=[inline(allow(action="STS:assume*", resource="*"))]))
    assert _eval(acct).allowed


def test_not_action_excludes_the_named_actions():
    acct = _acct(
        user("alice", policies=[inline(allow(action=None, not_action="sts:*", resource="*"))]),
        user("bob", policies=[inline(allow(action=None, not_action="iam:*", resource="*"))]),
    )
    assert _eval(acct, "alice").outcome is IdentityOutcome.IMPLICIT_DENY
    assert _eval(acct, "bob").allowed


def test_resource_wildcards_do_not_cross_colons():
    # ARN wildcards match per colon-separated component ([OPS] ArnLike): "arn:aws:iam::*" is not a role pattern.
    acct = _acct(
        user("alice", policies=[inline(allow(action=A, resource="arn:aws:iam::*:role/Tar*"))]),
        user("bob", policies=[inline(allow(action=A, resource="arn:aws:iam::*"))]),
    )
    assert _eval(acct, "alice").allowed
    assert not _eval(acct, "bob").allowed


def test_not_resource_excludes_the_role():
    acct = _acct(
        user("alice", policies=[inline(allow(action=A, resource=None, not_resource=TARGET))]),
        user("bob", policies=[inline(allow(action=A, resource=None, not_resource=role_arn("Other")))]),
    )
    assert not _eval(acct, "alice").allowed
    assert _eval(acct, "bob").allowed


def test_explicit_deny_wins_over_allow():
    # [EVAL]: "an explicit deny in any of these policies overrides the allow".
    acct = _acct(user("alice", policies=[inline(allow(action="*", resource="*"), deny(action=A, resource=TARGET))]))
    result = _eval(acct)
    assert result.outcome is IdentityOutcome.EXPLICIT_DENY
    assert result.statements[0].effect == "Deny"


def test_managed_policy_default_version_applies():
    policy = managed("AssumeAll", allow(action=A, resource="*"))
    acct = _acct(user("alice", managed_arns=[policy.arn]), policies=[policy])
    assert _eval(acct).allowed
    assert [p.source for p in policies_for(acct, user_arn("alice"))] == ["managed policy AssumeAll"]


def test_group_policies_reach_their_members():
    # [GAAD]: group permissions reach users through UserDetailList[].GroupList.
    policy = managed("GroupAssume", allow(action=A, resource=TARGET))
    acct = _acct(
        user("alice", groups=["ops"]),
        groups=[group("ops", policies=[inline(deny(action=A, resource=role_arn("Other")))], managed_arns=[policy.arn])],
        policies=[policy],
    )
    assert _eval(acct).allowed
    assert _eval(acct, resource=role_arn("Other")).explicitly_denied
    sources = [p.source for p in policies_for(acct, user_arn("alice"))]
    assert "managed policy GroupAssume (via group ops)" in sources


def test_permissions_boundary_caps_identity_policies():
    # access_policies_boundaries: only actions allowed by both the identity policies and the boundary.
    boundary = managed("Boundary", allow(action="s3:*", resource="*"))
    acct = _acct(
        user("alice", policies=[inline(allow(action="*", resource="*"))], boundary=boundary.arn), policies=[boundary]
    )
    result = _eval(acct)
    assert result.outcome is IdentityOutcome.IMPLICIT_DENY
    assert result.policy_outcome is IdentityOutcome.ALLOW
    assert result.boundary_outcome is IdentityOutcome.IMPLICIT_DENY


def test_boundary_that_allows_lets_identity_allow_through():
    boundary = managed("Boundary", allow(action="sts:*", resource="*"))
    acct = _acct(
        user("alice", policies=[inline(allow(action=A, resource="*"))], boundary=boundary.arn), policies=[boundary]
    )
    assert _eval(acct).allowed


def test_missing_managed_policy_is_unknown_not_denied():
    acct = _acct(user("alice", managed_arns=["arn:aws:iam::aws:policy/AdministratorAccess"]))
    result = _eval(acct)
    assert result.outcome is IdentityOutcome.UNKNOWN
    assert any("not in the snapshot" in r for r in result.reasons)


def test_missing_managed_policy_beside_an_allow_is_an_assumption():
    acct = _acct(
        user(
            "alice",
            policies=[inline(allow(action=A, resource="*"))],
            managed_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        )
    )
    result = _eval(acct)
    assert result.allowed
    assert any("assumed they hold no Deny" in a for a in result.assumptions)


def test_condition_in_identity_policy_is_evaluated():
    acct = _acct(
        user(
            "alice",
            policies=[
                inline(allow(action=A, resource="*", condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
            ],
        )
    )
    assert not _eval(acct).allowed
    assert _eval(acct, context={"aws:MultiFactorAuthPresent": "true"}).allowed


def test_unknown_operator_in_identity_allow_never_allows():
    acct = _acct(user("alice", policies=[inline(allow(action=A, resource="*", condition={"StringSorta": {"k": "v"}}))]))
    assert _eval(acct).outcome is IdentityOutcome.UNKNOWN


def test_unknown_operator_in_identity_deny_makes_the_result_unknown():
    acct = _acct(
        user(
            "alice",
            policies=[
                inline(allow(action=A, resource="*"), deny(action=A, resource="*", condition={"Weird": {"k": "v"}}))
            ],
        )
    )
    result = _eval(acct)
    assert result.outcome is IdentityOutcome.UNKNOWN
    assert result.deny_unknown


def test_policy_variable_in_resource_is_filled_from_context():
    acct = _acct(
        user("alice", policies=[inline(allow(action=A, resource="arn:aws:iam::*:role/${aws:username}-*"))]),
        roles=[role("alice-admin", trust_policy=trust(allow(aws=ACCT)))],
    )
    ctx = {"aws:username": "alice"}
    assert _eval(acct, resource=role_arn("alice-admin"), context=ctx).allowed
    assert not _eval(acct, resource=TARGET, context=ctx).allowed
    assert not _eval(acct, resource=role_arn("alice-admin")).allowed  # variable unresolved: no match


def test_expand_variables_default_and_escape():
    ctx = RequestContext.of({"aws:username": "bob"})
    assert expand_variables("a/${aws:username}", ctx) == "a/bob"
    assert expand_variables("a/${aws:PrincipalTag/team, 'none'}", ctx) == "a/none"
    assert expand_variables("a/${aws:PrincipalTag/team}", ctx) is None


def test_role_session_uses_its_role_policies():
    source = role("Source", trust_policy=trust(allow(aws=ACCT)), policies=[inline(allow(action=A, resource=TARGET))])
    acct = _acct(roles=[source])
    result = evaluate_identity(acct, session_arn("Source", "s1"), A, TARGET, RequestContext.of({}))
    assert result.allowed


def test_unknown_principal_is_unknown():
    result = evaluate_identity(_acct(), user_arn("ghost"), A, TARGET)
    assert result.outcome is IdentityOutcome.UNKNOWN
