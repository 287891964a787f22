"""Trust policy principals and actions (rulebook §2-§4): one test per rule, the AWS text quoted."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from trust_builders import (
    ACCT,
    OTHER,
    TARGET,
    account,
    allow,
    decide,
    deny,
    inline,
    one_role,
    role,
    role_arn,
    root,
    session_arn,
    snapshot,
    trust,
    user,
    user_arn,
)

from iamviz.analysis.trust import Outcome
from iamviz.errors import InputError
from iamviz.model import parse_policy_document

ALICE = user_arn("alice")


def _alice_may(trust_policy, **kwargs):
    return decide(one_role(trust_policy, users=[user("alice")]), ALICE, TARGET, **kwargs)


def test_user_named_directly_in_same_account_needs_no_identity_policy():
    # [ARAPI]: "Add the user as a principal directly in the role's trust policy. ... When a resource-based policy
    # grants access to a principal in the same account, no additional identity-based policy is required."
    decision = _alice_may(trust(allow(aws=ALICE, sid="Alice")))
    assert decision.outcome is Outcome.ALLOW
    assert decision.matched_statements[0].sid == "Alice"
    assert "not needed" in decision.caller_side
    assert any("Sid 'Alice'" in r for r in decision.reasons)


def test_user_arn_is_case_sensitive():
    # [PRIN] "IAM user principals": the user-name part of the ARN is case-sensitive.
    assert not _alice_may(trust(allow(aws=user_arn("Alice")))).allowed


def test_principal_list_values_are_ored():
    # [PRIN]: several values for one principal type are ORed ("you authenticate as one principal at a time").
    assert _alice_may(trust(allow(aws=[user_arn("bob"), ALICE]))).allowed


def test_account_root_trust_without_identity_policy_denies():
    # [PRIN] "AWS account principals": this delegates to the account; [ARAPI]: "Attach a policy to the user that
    # allows the user to call AssumeRole (as long as the role's trust policy trusts the account)".
    decision = _alice_may(trust(allow(aws=root())))
    assert decision.outcome is Outcome.DENY
    assert any("must allow sts:AssumeRole" in r for r in decision.reasons)


def test_account_root_trust_with_identity_policy_allows():
    alice = user("alice", policies=[inline(allow(action="sts:AssumeRole", resource=TARGET))])
    decision = decide(one_role(trust(allow(aws=root())), users=[alice]), ALICE, TARGET)
    assert decision.allowed
    assert "required" in decision.caller_side
    assert any(ref.policy.startswith("inline policy") for ref in decision.matched_statements)


def test_account_id_shorthand_equals_root_arn():
    # [PRIN]: {"AWS": "123456789012"} is the same as ":root".
    alice = user("alice", policies=[inline(allow(action="sts:AssumeRole", resource="*"))])
    assert decide(one_role(trust(allow(aws=ACCT)), users=[alice]), ALICE, TARGET).allowed
    assert not decide(one_role(trust(allow(aws=ACCT)), users=[user("alice")]), ALICE, TARGET).allowed


def test_wildcard_principal_star_and_aws_star_are_equivalent():
    # [PRIN] "All principals": "*" and {"AWS": "*"} are equivalent; for principals in your account no other
    # permission is required.
    assert _alice_may(trust(allow(principal="*"))).allowed
    assert _alice_may(trust(allow(aws="*"))).allowed


def test_wildcard_principal_from_another_account_needs_its_identity_policy():
    # [PRIN] "All principals": "For principals in other accounts, they must also have identity-based permissions".
    bob_plain = user("bob", OTHER)
    bob_allowed = user("carol", OTHER, policies=[inline(allow(action="sts:AssumeRole", resource="*"))])
    snap = snapshot(
        account(roles=[role("Target", trust_policy=trust(allow(aws="*")))]),
        account(OTHER, users=[bob_plain, bob_allowed]),
    )
    assert not decide(snap, user_arn("bob", OTHER), TARGET).allowed
    assert decide(snap, user_arn("carol", OTHER), TARGET).allowed


def test_partial_wildcard_in_principal_arn_matches_nothing():
    # [PRIN]: "You cannot use a wildcard to match part of a principal name or ARN".
    snap = one_role(trust(allow(aws=role_arn("ci-*"))), users=[user("alice")])
    snap = snapshot(
        account(
            users=[user("alice")],
            roles=[*snap.accounts[0].roles, role("ci-deploy", trust_policy=trust(allow(aws=ACCT)))],
        )
    )
    assert not decide(snap, session_arn("ci-deploy", "s"), TARGET).allowed


def test_service_principal_matches_only_that_service():
    # [PRIN] "AWS service principals"; Lambda DG: the trust must specify lambda.amazonaws.com.
    snap = one_role(trust(allow(service=["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"])))
    decision = decide(snap, "lambda.amazonaws.com", TARGET)
    assert decision.allowed
    assert decision.caller_side.startswith("not needed")
    assert not decide(snap, "ec2.amazonaws.com", TARGET).allowed


def test_service_principal_confused_deputy_source_arn_and_account():
    # [CD]: put aws:SourceArn and/or aws:SourceAccount in the trust policy of roles that services assume.
    condition = {
        "ArnLike": {"aws:SourceArn": "arn:aws:ssm-incidents:*:111111111111:incident-record/myresponseplan/*"},
        "StringEquals": {"aws:SourceAccount": ACCT},
    }
    snap = one_role(trust(allow(service="ssm-incidents.amazonaws.com", condition=condition)))
    good = {
        "aws:SourceArn": "arn:aws:ssm-incidents:us-east-1:111111111111:incident-record/myresponseplan/abc",
        "aws:SourceAccount": ACCT,
    }
    assert decide(snap, "ssm-incidents.amazonaws.com", TARGET, context=good).allowed
    assert not decide(snap, "ssm-incidents.amazonaws.com", TARGET).allowed
    bad = {**good, "aws:SourceAccount": OTHER}
    assert not decide(snap, "ssm-incidents.amazonaws.com", TARGET, context=bad).allowed


def test_not_principal_in_trust_policy_grants_nothing():
    # [NOTP]: "You cannot use the NotPrincipal element in an IAM identity-based policy or in an IAM role trust
    # policy"; the rulebook: treat such a statement as non-granting.
    decision = _alice_may(trust(allow(not_principal={"AWS": user_arn("mallory")})))
    assert not decision.allowed
    assert any("NotPrincipal" in r for r in decision.reasons)


def test_action_names_are_case_insensitive_and_take_wildcards():
    # IAM UG reference_policies_elements_action: "sts:assumerole" equals "sts:AssumeRole"; "sts:*" works.
    assert _alice_may(trust(allow(aws=ALICE, action="sts:assumerole"))).allowed
    assert _alice_may(trust(allow(aws=ALICE, action="sts:*"))).allowed
    assert _alice_may(trust(allow(aws=ALICE, action="sts:Assume?ole"))).allowed


def test_not_action_in_trust_statement():
    assert _alice_may(trust(allow(aws=ALICE, action=None, not_action="sts:TagSession"))).allowed
    assert not _alice_may(trust(allow(aws=ALICE, action=None, not_action="sts:Assume*"))).allowed


def test_trust_statement_for_another_action_does_not_grant():
    decision = _alice_may(trust(allow(aws=ALICE, action="sts:AssumeRoleWithSAML")))
    assert not decision.allowed
    assert any("not the action" in r for r in decision.reasons)


def test_explicit_deny_in_trust_policy_wins():
    # [EVAL]: "an explicit deny in any of these policies overrides the allow"; Deny statements in trust policies
    # are matched with the same Principal, Action and Condition rules.
    decision = _alice_may(trust(allow(aws=ALICE), deny(aws="*", sid="NoOne")))
    assert decision.outcome is Outcome.DENY
    assert [r.sid for r in decision.matched_statements] == ["NoOne"]


def test_deny_with_false_condition_does_not_apply():
    policy = trust(allow(aws=ALICE), deny(aws="*", condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}))
    assert _alice_may(policy, context={"aws:MultiFactorAuthPresent": "true"}).allowed
    assert not _alice_may(policy, context={"aws:MultiFactorAuthPresent": "false"}).allowed


def test_deleted_principal_unique_id_matches_nobody():
    # [PRIN]: when a named user is deleted "the raw unique ID appears"; re-creating the name does not restore access.
    policy = trust(allow(aws="AIDAOLDALICE00000000"))
    decision = decide(one_role(policy, users=[user("alice", user_id="AIDANEWALICE00000000")]), ALICE, TARGET)
    assert not decision.allowed


def test_unique_id_matches_the_entity_with_exactly_that_id():
    # [PRIN]/[IDS]: the stored form of a named principal is its unique ID.
    policy = trust(allow(aws="AIDASAMEALICE0000000"))
    decision = decide(one_role(policy, users=[user("alice", user_id="AIDASAMEALICE0000000")]), ALICE, TARGET)
    assert decision.allowed


def test_role_arn_principal_covers_its_sessions():
    # [PRIN] "IAM role principals": one role covers every session of that role.
    source = role("Source", trust_policy=trust(allow(aws=ACCT)))
    snap = snapshot(account(roles=[source, role("Target", trust_policy=trust(allow(aws=role_arn("Source"))))]))
    assert decide(snap, session_arn("Source", "any-session"), TARGET).allowed
    assert decide(snap, role_arn("Source"), TARGET).allowed


def test_session_arn_principal_covers_only_that_session():
    # [PRIN] "Role session principals": one specific session; no wildcard for all sessions.
    source = role("Source", trust_policy=trust(allow(aws=ACCT)))
    policy = trust(allow(aws=session_arn("Source", "alice")))
    snap = snapshot(account(roles=[source, role("Target", trust_policy=policy)]))
    decision = decide(snap, session_arn("Source", "alice"), TARGET)
    assert decision.allowed
    assert "session directly" in decision.caller_side
    assert not decide(snap, session_arn("Source", "bob"), TARGET).allowed


def test_role_does_not_trust_itself_implicitly():
    # [SELF]: "A role trust policy must explicitly grant permission to all principals, including the role itself."
    snap = snapshot(account(roles=[role("Target", trust_policy=trust(allow(service="ec2.amazonaws.com")))]))
    assert not decide(snap, session_arn("Target", "me"), TARGET).allowed


def test_url_encoded_trust_document_evaluates_like_an_object():
    # [GAAD]: "URL-encoded compliant with RFC 3986"; accept objects, JSON strings and URL-encoded JSON strings.
    raw = {"Version": "2012-10-17", "Statement": [allow(aws=ALICE)]}
    encoded = parse_policy_document(quote(json.dumps(raw)))
    assert _alice_may(encoded).allowed


def test_root_user_cannot_assume_roles():
    # IAM UG id_credentials_temp_request: AssumeRole can be called by an IAM user or role, not the root user.
    decision = decide(one_role(trust(allow(aws=ACCT))), root(), TARGET)
    assert not decision.allowed
    assert any("root user" in r for r in decision.reasons)


def test_federated_user_session_cannot_assume_roles():
    caller = f"arn:aws:sts::{ACCT}:federated-user/bob"
    assert not decide(one_role(trust(allow(aws=caller))), caller, TARGET).allowed


def test_unknown_role_is_bad_input():
    with pytest.raises(InputError):
        decide(one_role(trust(allow(aws=ACCT))), ALICE, role_arn("Nope"))


def test_unrecognised_caller_is_bad_input():
    with pytest.raises(InputError):
        decide(one_role(trust(allow(aws=ACCT))), "not a principal", TARGET)


def test_canonical_user_is_not_a_trust_principal():
    # [PRIN]: CanonicalUser is an Amazon S3 feature, not a role-trust principal.
    assert not _alice_may(trust(allow(principal={"CanonicalUser": "79a59df900b949e55d96a1e698fbaced"}))).allowed
