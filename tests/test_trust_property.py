"""Property tests over generated trust policies: the evaluator never raises; unknown operators never allow."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from trust_builders import (
    ACCT,
    OTHER,
    account,
    allow,
    decide,
    inline,
    oidc_provider,
    role,
    role_arn,
    saml_arn,
    session_arn,
    snapshot,
    trust,
    user,
    user_arn,
)

from iamviz.analysis.trust import Outcome
from iamviz.model import parse_policy_document

PRINCIPALS = st.one_of(
    st.just("*"),
    st.fixed_dictionaries(
        {
            "AWS": st.lists(
                st.sampled_from(
                    [
                        "*",
                        ACCT,
                        OTHER,
                        f"arn:aws:iam::{ACCT}:root",
                        user_arn("alice"),
                        user_arn("bob", OTHER),
                        role_arn("Source"),
                        session_arn("Source", "s1"),
                        "AIDADELETED000000000",
                        f"arn:aws:iam::{ACCT}:role/ci-*",
                    ]
                ),
                min_size=1,
                max_size=3,
            )
        }
    ),
    st.fixed_dictionaries({"Service": st.sampled_from(["lambda.amazonaws.com", "ec2.amazonaws.com"])}),
    st.fixed_dictionaries(
        {
            "Federated": st.sampled_from(
                [
                    saml_arn("Okta"),
                    f"arn:aws:iam::{ACCT}:oidc-provider/token.actions.githubusercontent.com",
                    "accounts.google.com",
                ]
            )
        }
    ),
)
KNOWN_OPERATORS = st.sampled_from(
    [
        "StringEquals",
        "StringLike",
        "StringNotEquals",
        "Bool",
        "BoolIfExists",
        "NumericLessThan",
        "ArnLike",
        "Null",
        "ForAnyValue:StringEquals",
        "ForAllValues:StringLike",
        "DateGreaterThan",
        "IpAddress",
    ]
)
KEYS = st.sampled_from(
    [
        "aws:MultiFactorAuthPresent",
        "sts:ExternalId",
        "aws:PrincipalArn",
        "aws:PrincipalOrgID",
        "aws:SourceIp",
        "sts:RoleSessionName",
        "aws:MultiFactorAuthAge",
        "aws:CurrentTime",
        "saml:aud",
        "aws:TagKeys",
    ]
)
VALUES = st.lists(
    st.sampled_from(["true", "false", "3600", "x", "*", "10.0.0.0/8", "2020-01-01T00:00:00Z"]), min_size=1, max_size=2
)
CONDITIONS = st.dictionaries(KNOWN_OPERATORS, st.dictionaries(KEYS, VALUES, min_size=1, max_size=2), max_size=2)
ACTIONS = st.one_of(
    st.sampled_from(["sts:AssumeRole", "sts:*", "*", "sts:AssumeRoleWith*", "sts:TagSession", "STS:ASSUMEROLE"]),
    st.lists(st.sampled_from(["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]), min_size=1, max_size=3),
)


@st.composite
def statements(draw, *, unknown_operator: bool = False):
    statement = {
        "Effect": draw(st.sampled_from(["Allow", "Deny"])),
        "Principal": draw(PRINCIPALS),
        "Action": draw(ACTIONS),
    }
    condition = draw(CONDITIONS)
    if unknown_operator:
        statement["Effect"] = "Allow"
        condition = {
            **condition,
            draw(st.sampled_from(["StringSortOf", "Fancy", "ForSomeValues:StringEquals"])): {"k": "v"},
        }
    if condition:
        statement["Condition"] = condition
    return statement


CALLERS = st.sampled_from(
    [
        user_arn("alice"),
        user_arn("bob", OTHER),
        session_arn("Source", "s1"),
        role_arn("Source"),
        "lambda.amazonaws.com",
        saml_arn("Okta"),
        "token.actions.githubusercontent.com",
        "accounts.google.com",
        f"arn:aws:iam::{ACCT}:root",
        user_arn("vendor", "999999999999"),
    ]
)
CONTEXTS = st.dictionaries(
    KEYS, st.one_of(st.sampled_from(["true", "x", "600"]), st.lists(st.just("a"), max_size=2)), max_size=3
)


def _snapshot(trust_statements):
    assume = inline(allow(action="sts:*", resource="*"))
    target = role(
        "Target", trust_policy=parse_policy_document({"Version": "2012-10-17", "Statement": trust_statements})
    )
    source = role("Source", trust_policy=trust(allow(aws=ACCT)), policies=[assume])
    return snapshot(
        account(
            users=[user("alice", policies=[assume])],
            roles=[target, source],
            saml=[saml_arn("Okta")],
            oidc=[oidc_provider("token.actions.githubusercontent.com")],
            org="o-abc",
        ),
        account(OTHER, users=[user("bob", OTHER, policies=[assume])]),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(statements(), min_size=1, max_size=4),
    CALLERS,
    CONTEXTS,
    st.sampled_from([None, 900, 3600, 7200, 50000]),
    st.sampled_from([(), (("team", "a"),)]),
    st.sampled_from([None, "alice", "aws:x"]),
)
def test_evaluation_never_raises(trust_statements, caller, context, duration, tags, source_identity):
    decision = decide(
        _snapshot(trust_statements),
        caller,
        role_arn("Target"),
        context=context,
        duration_seconds=duration,
        tags=tags,
        source_identity=source_identity,
    )
    assert decision.outcome in (Outcome.ALLOW, Outcome.DENY)
    assert decision.reasons


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statements(unknown_operator=True), CALLERS, CONTEXTS)
def test_statement_with_unknown_operator_never_allows(statement, caller, context):
    # Issue 3: "An operator or form it does not know makes that statement's result unknown, which never allows."
    decision = decide(_snapshot([statement]), caller, role_arn("Target"), context=context)
    assert decision.outcome is Outcome.DENY
