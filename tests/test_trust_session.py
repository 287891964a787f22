"""Session rules (rulebook §4, §5, §7, §9): chaining, durations, session names, tags, source identity, boundaries."""

from __future__ import annotations

from trust_builders import (
    ACCT,
    OTHER,
    TARGET,
    account,
    allow,
    decide,
    deny,
    inline,
    managed,
    one_role,
    role,
    role_arn,
    session_arn,
    snapshot,
    trust,
    user,
    user_arn,
)

from iamviz.analysis.trust import Outcome

ALICE = user_arn("alice")


def _chain(target_trust, *, source_policies=(), max_session=None, source_boundary=None, policies=()):
    source = role("Source", trust_policy=trust(allow(aws=ACCT)), policies=source_policies, boundary=source_boundary)
    target = role("Target", trust_policy=target_trust, max_session=max_session)
    return snapshot(account(roles=[source, target], policies=policies))


SOURCE_SESSION = session_arn("Source", "s1")


# --- durations ----------------------------------------------------------------------------------------------------


def test_role_chaining_limits_duration_to_one_hour():
    # [TERMS]/[ARAPI]: "if you assume a role using role chaining and provide a DurationSeconds parameter value
    # greater than one hour, the operation fails"; MaxSessionDuration does not lift it.
    snap = _chain(trust(allow(aws=role_arn("Source"))), max_session=43200)
    assert decide(snap, SOURCE_SESSION, TARGET, duration_seconds=3600).allowed
    decision = decide(snap, SOURCE_SESSION, TARGET, duration_seconds=7200)
    assert decision.outcome is Outcome.DENY
    assert any("role chaining" in r for r in decision.reasons)


def test_duration_must_fit_the_role_maximum():
    # [USE]/[QUOTA]: DurationSeconds 900-43200 and no more than the role's MaxSessionDuration.
    snap = one_role(trust(allow(aws=ALICE)), users=[user("alice")], max_session=7200)
    assert decide(snap, ALICE, TARGET, duration_seconds=7200).allowed
    assert not decide(snap, ALICE, TARGET, duration_seconds=10800).allowed
    assert not decide(snap, ALICE, TARGET, duration_seconds=899).allowed
    assert not decide(snap, ALICE, TARGET, duration_seconds=43201).allowed


def test_unknown_role_maximum_is_an_assumption():
    # [GAAD]: RoleDetail has no MaxSessionDuration; use it only when present.
    decision = decide(one_role(trust(allow(aws=ALICE)), users=[user("alice")]), ALICE, TARGET, duration_seconds=10800)
    assert decision.allowed
    assert any("maximum session duration" in a for a in decision.assumptions)


def test_service_sessions_are_not_limited_by_the_role_maximum():
    # [USE]: "The maximum session duration setting does not limit sessions assumed by AWS services".
    snap = one_role(trust(allow(service="lambda.amazonaws.com")), max_session=3600)
    assert decide(snap, "lambda.amazonaws.com", TARGET, duration_seconds=7200).allowed


def test_role_session_name_rules():
    # botocore STS model: RoleSessionName is 2-64 characters of [\w+=,.@-].
    snap = one_role(trust(allow(aws=ALICE)), users=[user("alice")])
    assert decide(snap, ALICE, TARGET, role_session_name="alice@example.com").allowed
    assert not decide(snap, ALICE, TARGET, role_session_name="a").allowed
    assert not decide(snap, ALICE, TARGET, role_session_name="has space").allowed
    assert not decide(snap, ALICE, TARGET, role_session_name="x" * 65).allowed


# --- chaining principals and the caller side ------------------------------------------------------------------------


def test_chained_session_named_by_role_arn_is_limited_by_its_boundary():
    # [EVAL] same-account table: a grant to the IAM role ARN is "limited by an implicit deny in a permissions
    # boundary or session policy".
    boundary = managed("OnlyS3", allow(action="s3:*", resource="*"))
    snap = _chain(trust(allow(aws=role_arn("Source"))), source_boundary=boundary.arn, policies=[boundary])
    decision = decide(snap, SOURCE_SESSION, TARGET)
    assert not decision.allowed
    assert any("permissions boundary" in r for r in decision.reasons)


def test_chained_session_named_by_session_arn_ignores_the_boundary():
    # [EVAL]: a grant to the role session ARN is "not limited by an implicit deny in an identity-based policy, a
    # permissions boundary, or session policy".
    boundary = managed("OnlyS3", allow(action="s3:*", resource="*"))
    snap = _chain(trust(allow(aws=SOURCE_SESSION)), source_boundary=boundary.arn, policies=[boundary])
    assert decide(snap, SOURCE_SESSION, TARGET).allowed


def test_chained_session_with_account_trust_needs_its_role_policy():
    no_policy = _chain(trust(allow(aws=ACCT)))
    assert not decide(no_policy, SOURCE_SESSION, TARGET).allowed
    with_policy = _chain(
        trust(allow(aws=ACCT)), source_policies=[inline(allow(action="sts:AssumeRole", resource=TARGET))]
    )
    decision = decide(with_policy, SOURCE_SESSION, TARGET)
    assert decision.allowed
    assert any("session policy" in a for a in decision.assumptions)


def test_user_named_directly_with_a_boundary_that_does_not_allow():
    # Rulebook §11.1, IAM UG "Update a role trust policy": "If a permissions boundary is set for the user, then it
    # must allow the sts:AssumeRole action." (The stricter, current reading.)
    boundary = managed("OnlyS3", allow(action="s3:*", resource="*"))
    alice = user("alice", boundary=boundary.arn)
    snap = snapshot(
        account(users=[alice], roles=[role("Target", trust_policy=trust(allow(aws=ALICE)))], policies=[boundary])
    )
    decision = decide(snap, ALICE, TARGET)
    assert not decision.allowed
    assert any("boundary" in r for r in decision.reasons)


def test_explicit_deny_in_callers_policy_wins_even_when_named_directly():
    # Rulebook §1.4: "no identity policy is needed. An explicit deny still wins."
    alice = user("alice", policies=[inline(deny(action="sts:AssumeRole", resource="*"), name="no-roles")])
    decision = decide(one_role(trust(allow(aws=ALICE)), users=[alice]), ALICE, TARGET)
    assert decision.outcome is Outcome.DENY
    assert any("explicitly deny" in r for r in decision.reasons)


# --- session tags and source identity -----------------------------------------------------------------------------


def test_session_tags_need_tag_session_in_the_trust():
    # [TAGS]: "In addition to the action that matches the API operation, you must have the following
    # permissions-only action in your policy: sts:TagSession"; without it "the user can't assume the role".
    without = one_role(trust(allow(aws=ALICE)), users=[user("alice")])
    decision = decide(without, ALICE, TARGET, tags=(("project", "blue"),))
    assert not decision.allowed
    assert any("sts:TagSession" in r for r in decision.reasons)
    with_tag = one_role(trust(allow(aws=ALICE, action=["sts:AssumeRole", "sts:TagSession"])), users=[user("alice")])
    assert decide(with_tag, ALICE, TARGET, tags=(("project", "blue"),)).allowed


def test_request_tags_and_transitive_keys_reach_conditions():
    # [TAGS]/[STSKEYS]: aws:RequestTag/K, aws:TagKeys and sts:TransitiveTagKeys are present when tags are passed.
    condition = {
        "StringEquals": {"aws:RequestTag/project": "blue"},
        "ForAllValues:StringEquals": {"sts:TransitiveTagKeys": ["project"]},
    }
    policy = trust(allow(aws=ALICE), allow(aws=ALICE, action="sts:TagSession", condition=condition))
    snap = one_role(policy, users=[user("alice")])
    assert decide(snap, ALICE, TARGET, tags=(("project", "blue"),), transitive_tag_keys=("project",)).allowed
    assert not decide(snap, ALICE, TARGET, tags=(("project", "red"),)).allowed
    assert not decide(
        snap, ALICE, TARGET, tags=(("project", "blue"), ("cost", "1")), transitive_tag_keys=("project", "cost")
    ).allowed


def test_too_many_or_duplicate_session_tags_are_refused():
    # [TAGS]/[QUOTA]: at most 50 session tags; tag keys are case-insensitive.
    snap = one_role(trust(allow(aws=ALICE, action="sts:*")), users=[user("alice")])
    many = tuple((f"k{i}", "v") for i in range(51))
    assert not decide(snap, ALICE, TARGET, tags=many).allowed
    assert not decide(snap, ALICE, TARGET, tags=(("Team", "a"), ("team", "b"))).allowed


def test_source_identity_needs_set_source_identity_in_the_trust():
    # [SRCID]: sts:SetSourceIdentity is needed in the trust policy.
    without = one_role(trust(allow(aws=ALICE)), users=[user("alice")])
    decision = decide(without, ALICE, TARGET, source_identity="alice")
    assert not decision.allowed
    assert any("sts:SetSourceIdentity" in r for r in decision.reasons)
    policy = trust(
        allow(aws=ALICE),
        allow(aws=ALICE, action="sts:SetSourceIdentity", condition={"StringEquals": {"sts:SourceIdentity": "alice"}}),
    )
    with_it = one_role(policy, users=[user("alice")])
    assert decide(with_it, ALICE, TARGET, source_identity="alice").allowed
    assert not decide(with_it, ALICE, TARGET, source_identity="mallory").allowed


def test_source_identity_format_and_reserved_prefix():
    # botocore: SourceIdentity 2-64 characters of [\w+=,.@-]; AssumeRole: a value "that begins with the text aws:"
    # is reserved.
    snap = one_role(trust(allow(aws=ALICE, action="sts:*")), users=[user("alice")])
    assert not decide(snap, ALICE, TARGET, source_identity="x").allowed
    assert not decide(snap, ALICE, TARGET, source_identity="aws:me").allowed


def test_chained_source_identity_needs_the_callers_permission_too():
    # [SRCID]: "For role chaining ... it is needed in both the caller's permissions policy and the target role's
    # trust policy."
    policy = trust(allow(aws=role_arn("Source"), action=["sts:AssumeRole", "sts:SetSourceIdentity"]))
    without = _chain(policy)
    assert not decide(without, SOURCE_SESSION, TARGET, source_identity="alice").allowed
    grant = inline(allow(action="sts:SetSourceIdentity", resource=TARGET))
    assert decide(_chain(policy, source_policies=[grant]), SOURCE_SESSION, TARGET, source_identity="alice").allowed


def test_cross_account_tags_need_the_callers_tag_session_permission():
    # [XACCT]: both accounts must allow; the caller's policy must allow every action of the request.
    policy = trust(allow(aws=OTHER, action=["sts:AssumeRole", "sts:TagSession"]))
    only_assume = user("partner", OTHER, policies=[inline(allow(action="sts:AssumeRole", resource="*"))])
    both = user("partner2", OTHER, policies=[inline(allow(action=["sts:AssumeRole", "sts:TagSession"], resource="*"))])
    snap = snapshot(account(roles=[role("Target", trust_policy=policy)]), account(OTHER, users=[only_assume, both]))
    assert not decide(snap, user_arn("partner", OTHER), TARGET, tags=(("a", "b"),)).allowed
    assert decide(snap, user_arn("partner2", OTHER), TARGET, tags=(("a", "b"),)).allowed
