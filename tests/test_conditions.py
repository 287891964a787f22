"""The IAM condition language, one test per rule.

Sources (tags as in shared/design/iam-trust-semantics.md §0):
[OPS]   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
[COND]  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
[MULTI] https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html and
        .../reference_policies_condition_examples-multi-valued-context-keys.html
[VARS]  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
"""

from __future__ import annotations

import base64
import doctest

import pytest

from iamviz.analysis.conditions import (
    CALLER_SUPPLIED_KEYS,
    PRINCIPAL_DERIVED_KEYS,
    SERVICE_SUPPLIED_KEYS,
    ConditionResult,
    RequestContext,
    Verdict,
    describe_condition,
    evaluate_condition,
    evaluate_conditions,
    is_known_operator,
    key_origin,
    match_policy_pattern,
    requirement_label,
)
from iamviz.errors import InputError
from iamviz.model.policy import Condition, parse_policy_document

T, F, U = Verdict.TRUE, Verdict.FALSE, Verdict.UNKNOWN


def cond(operator: str, key: str, *values: str) -> Condition:
    return Condition(operator=operator, key=key, values=tuple(values))


def ev(operator: str, key: str, values: str | tuple[str, ...], context: dict | None = None, **kw) -> ConditionResult:
    vals = (values,) if isinstance(values, str) else values
    return evaluate_condition(cond(operator, key, *vals), RequestContext.of(context or {}), **kw)


def verdict(operator: str, key: str, values: str | tuple[str, ...], context: dict | None = None, **kw) -> Verdict:
    return ev(operator, key, values, context, **kw).verdict


# ---------------------------------------------------------------------------------------------------------------------
# Request context
# ---------------------------------------------------------------------------------------------------------------------


def test_request_context_keys_are_case_insensitive_and_multi_valued():
    ctx = RequestContext.of({"aws:MultiFactorAuthPresent": "true", "aws:TagKeys": ["a", "b"]})
    assert ctx.get("AWS:multifactorauthpresent") == ("true",)
    assert ctx.get("aws:tagkeys") == ("a", "b")
    assert ctx.get("aws:SourceIp") is None
    assert "aws:TAGKEYS" in ctx
    assert set(ctx.keys()) == {"aws:MultiFactorAuthPresent", "aws:TagKeys"}


def test_request_context_converts_booleans_and_numbers_as_iam_sees_them():
    ctx = RequestContext.of({"aws:MultiFactorAuthPresent": True, "aws:MultiFactorAuthAge": 300})
    assert ctx.get("aws:MultiFactorAuthPresent") == ("true",)
    assert ctx.get("aws:MultiFactorAuthAge") == ("300",)


def test_request_context_with_values_replaces_any_spelling_and_none_removes():
    ctx = RequestContext.of({"sts:ExternalId": "a", "aws:SourceIp": "10.0.0.1"})
    newer = ctx.with_values({"STS:EXTERNALID": "b", "aws:sourceip": None})
    assert newer.get("sts:externalid") == ("b",)
    assert newer.get("aws:SourceIp") is None
    assert ctx.get("sts:ExternalId") == ("a",)  # immutable
    assert len(newer) == 1


def test_request_context_is_immutable_hashable_and_compares_by_content():
    a = RequestContext.of({"x:a": "1", "x:b": ["2", "3"]})
    b = RequestContext.of({"x:b": ["2", "3"], "x:a": "1"})
    assert a == b
    assert hash(a) == hash(b)
    with pytest.raises(AttributeError):
        a.entries = ()  # type: ignore[misc]
    assert RequestContext() == RequestContext.empty() == RequestContext.of({})


def test_request_context_from_cli_pairs_repeated_keys_are_multi_valued():
    ctx = RequestContext.from_pairs(["aws:TagKeys=a", "AWS:tagkeys=b", "sts:ExternalId=x=y", "aws:username="])
    assert ctx.get("aws:TagKeys") == ("a", "b")
    assert ctx.get("sts:ExternalId") == ("x=y",)
    assert ctx.get("aws:username") == ("",)
    with pytest.raises(InputError, match="--context expects KEY=VALUE"):
        RequestContext.from_pairs(["no-equals-sign"])
    with pytest.raises(InputError):
        RequestContext.from_pairs(["=value"])


def test_request_context_empty_list_is_present_with_no_values():
    ctx = RequestContext.of({"aws:TagKeys": []})
    assert ctx.get("aws:TagKeys") == ()
    assert "aws:TagKeys" in ctx


# ---------------------------------------------------------------------------------------------------------------------
# String operators
# ---------------------------------------------------------------------------------------------------------------------


def test_string_equals_matches_the_exact_value():
    # [OPS] StringEquals: "Exact matching, case sensitive"
    assert verdict("StringEquals", "sts:ExternalId", "zebra-42", {"sts:ExternalId": "zebra-42"}) is T
    assert verdict("StringEquals", "sts:ExternalId", "zebra-42", {"sts:ExternalId": "zebra-43"}) is F


def test_string_equals_values_are_case_sensitive():
    # [COND] "Case-sensitivity of context key values depends on the condition operator ... Users named JohnDoe are
    # denied access" for StringEquals "johndoe".
    assert verdict("StringEquals", "aws:username", "johndoe", {"aws:username": "JohnDoe"}) is F


def test_condition_key_names_are_case_insensitive():
    # [COND] "Context key names are not case-sensitive. For example, including the aws:SourceIP context key is
    # equivalent to testing for AWS:SourceIp."
    assert verdict("IpAddress", "aws:SourceIP", "203.0.113.0/24", {"AWS:SourceIp": "203.0.113.9"}) is T
    assert verdict("StringEquals", "SAML:aud", "https://x", {"saml:aud": "https://x"}) is T


def test_string_not_equals_matches_when_the_value_differs():
    # [OPS] StringNotEquals: "Negated matching"
    assert verdict("StringNotEquals", "aws:PrincipalOrgID", "o-good", {"aws:PrincipalOrgID": "o-evil"}) is T
    assert verdict("StringNotEquals", "aws:PrincipalOrgID", "o-good", {"aws:PrincipalOrgID": "o-good"}) is F


def test_string_not_equals_with_missing_key_is_true():
    # [OPS] "If the policy condition requires that the key is *not* matched, such as StringNotLike or ArnNotLike,
    # and the right key is not present, the condition is true. This logic applies to all condition operators
    # except ...IfExists and Null check."
    result = ev("StringNotEquals", "aws:PrincipalOrgID", "o-good", {})
    assert result.verdict is T
    assert "aws:PrincipalOrgID" in result.reason and "not in the request" in result.reason


def test_negated_operator_with_several_values_means_none_of_them():
    # Rulebook §6.1 ([MULTI] Note): "For negated operators (StringNotEquals and similar) several values act as AND:
    # the value must match none of them".
    values = ("o-one", "o-two")
    assert verdict("StringNotEquals", "aws:PrincipalOrgID", values, {"aws:PrincipalOrgID": "o-two"}) is F
    assert verdict("StringNotEquals", "aws:PrincipalOrgID", values, {"aws:PrincipalOrgID": "o-three"}) is T


def test_string_equals_ignore_case():
    # [OPS] StringEqualsIgnoreCase: "Exact matching, ignoring case"
    assert verdict("StringEqualsIgnoreCase", "aws:username", "johndoe", {"aws:username": "JohnDoe"}) is T
    assert verdict("StringEqualsIgnoreCase", "aws:username", "johndoe", {"aws:username": "JaneDoe"}) is F


def test_string_not_equals_ignore_case():
    # [OPS] StringNotEqualsIgnoreCase: "Negated matching, ignoring case"
    assert verdict("StringNotEqualsIgnoreCase", "aws:username", "johndoe", {"aws:username": "JOHNDOE"}) is F
    assert verdict("StringNotEqualsIgnoreCase", "aws:username", "johndoe", {"aws:username": "jane"}) is T
    assert verdict("StringNotEqualsIgnoreCase", "aws:username", "johndoe", {}) is T


def test_string_like_star_matches_any_run_of_characters():
    # [OPS] StringLike: "multi-character match wildcards (*) and single-character match wildcards (?) anywhere in the
    # string"
    sub = "token.actions.githubusercontent.com:sub"
    assert verdict("StringLike", sub, "repo:org/app:*", {sub: "repo:org/app:ref:refs/heads/main"}) is T
    assert verdict("StringLike", sub, "repo:org/app:*", {sub: "repo:org/other:ref:refs/heads/main"}) is F
    assert verdict("StringLike", sub, "*", {sub: ""}) is T


def test_string_like_question_mark_matches_exactly_one_character():
    assert verdict("StringLike", "sts:RoleSessionName", "ci-??", {"sts:RoleSessionName": "ci-42"}) is T
    assert verdict("StringLike", "sts:RoleSessionName", "ci-??", {"sts:RoleSessionName": "ci-421"}) is F
    assert verdict("StringLike", "sts:RoleSessionName", "ci-??", {"sts:RoleSessionName": "ci-4"}) is F


def test_string_like_brackets_are_literal_not_character_classes():
    # IAM wildcards are only * and ?; [ and ] are ordinary characters.
    assert verdict("StringLike", "x:k", "a[bc]", {"x:k": "a[bc]"}) is T
    assert verdict("StringLike", "x:k", "a[bc]", {"x:k": "ab"}) is F
    assert verdict("StringLike", "x:k", "a.c", {"x:k": "abc"}) is F  # '.' is not a regex wildcard either


def test_string_like_is_case_sensitive():
    # [OPS] StringLike: "Case-sensitive matching"
    assert verdict("StringLike", "x:k", "Repo:*", {"x:k": "repo:a"}) is F


def test_string_not_like():
    # [OPS] StringNotLike: "Negated case-sensitive matching"
    assert verdict("StringNotLike", "x:k", "test-*", {"x:k": "prod-1"}) is T
    assert verdict("StringNotLike", "x:k", "test-*", {"x:k": "test-1"}) is F
    assert verdict("StringNotLike", "x:k", "test-*", {}) is T  # [OPS] missing key with a negated operator: true


def test_several_values_of_one_key_are_ored():
    # [MULTI] "If a single condition operator includes multiple values for one key, that condition operator is
    # evaluated using a logical OR."
    values = ("repo:org/a:*", "repo:org/b:*")
    assert verdict("StringLike", "x:sub", values, {"x:sub": "repo:org/b:ref:x"}) is T
    assert verdict("StringLike", "x:sub", values, {"x:sub": "repo:org/c:ref:x"}) is F


def test_several_keys_are_anded():
    # [MULTI] "If your policy has multiple condition operators or multiple keys attached to a single condition
    # operator, the conditions are evaluated using a logical AND."
    conditions = (cond("StringEquals", "x:aud", "sts.amazonaws.com"), cond("StringLike", "x:sub", "repo:org/*"))
    both = RequestContext.of({"x:aud": "sts.amazonaws.com", "x:sub": "repo:org/app"})
    one = RequestContext.of({"x:aud": "sts.amazonaws.com", "x:sub": "repo:evil/app"})
    assert evaluate_conditions(conditions, both)[0] is T
    overall, results = evaluate_conditions(conditions, one)
    assert overall is F
    assert [r.verdict for r in results] == [T, F]


def test_several_operators_from_a_parsed_policy_are_anded():
    doc = parse_policy_document(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"sts:ExternalId": "abc"},
                    "Bool": {"aws:MultiFactorAuthPresent": True},
                },
            },
        }
    )
    conditions = doc.statements[0].conditions
    good = RequestContext.of({"sts:ExternalId": "abc", "aws:MultiFactorAuthPresent": True})
    assert evaluate_conditions(conditions, good)[0] is T
    assert evaluate_conditions(conditions, good.without("aws:MultiFactorAuthPresent"))[0] is F


def test_false_beats_unknown_when_conditions_are_anded():
    conditions = (cond("NoSuchOperator", "x:a", "1"), cond("StringEquals", "x:b", "yes"))
    assert evaluate_conditions(conditions, RequestContext.of({"x:b": "no"}))[0] is F
    assert evaluate_conditions(conditions, RequestContext.of({"x:b": "yes"}))[0] is U


def test_no_conditions_is_true():
    assert evaluate_conditions((), RequestContext())[0] is T


def test_missing_key_with_a_positive_operator_is_false():
    # [OPS] "If the key that you specify in a policy condition is not present in the request context, the values do
    # not match and the condition is false."
    for operator, value in [
        ("StringEquals", "a"),
        ("StringLike", "*"),
        ("NumericLessThan", "10"),
        ("DateGreaterThan", "2020-01-01"),
        ("Bool", "true"),
        ("BinaryEquals", "YQ=="),
        ("IpAddress", "0.0.0.0/0"),
        ("ArnLike", "arn:*:*:*:*:*"),
    ]:
        assert verdict(operator, "x:missing", value) is F, operator


def test_missing_key_with_every_negated_operator_is_true():
    # [OPS] (quoted above): negated operators with a missing key are true.
    for operator, value in [
        ("StringNotEquals", "a"),
        ("StringNotEqualsIgnoreCase", "a"),
        ("StringNotLike", "*"),
        ("NumericNotEquals", "10"),
        ("DateNotEquals", "2020-01-01"),
        ("NotIpAddress", "10.0.0.0/8"),
        ("ArnNotEquals", "arn:aws:s3:::b"),
        ("ArnNotLike", "arn:aws:s3:::b"),
    ]:
        assert verdict(operator, "x:missing", value) is T, operator


# ---------------------------------------------------------------------------------------------------------------------
# Numeric
# ---------------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "policy", "request_value", "expected"),
    [
        ("NumericEquals", "10", "10", T),
        ("NumericEquals", "10", "10.0", T),
        ("NumericEquals", "10", "11", F),
        ("NumericNotEquals", "10", "11", T),
        ("NumericNotEquals", "10", "10", F),
        ("NumericLessThan", "3600", "3599", T),
        ("NumericLessThan", "3600", "3600", F),
        ("NumericLessThanEquals", "3600", "3600", T),
        ("NumericLessThanEquals", "3600", "3601", F),
        ("NumericGreaterThan", "1.5", "1.75", T),
        ("NumericGreaterThan", "1.5", "1.5", F),
        ("NumericGreaterThanEquals", "-2", "-2", T),
        ("NumericGreaterThanEquals", "-2", "-3", F),
    ],
)
def test_numeric_operators_compare_numbers(operator, policy, request_value, expected):
    # [OPS] Numeric operators "restrict access based on comparing a key to an integer or decimal value".
    assert verdict(operator, "aws:MultiFactorAuthAge", policy, {"aws:MultiFactorAuthAge": request_value}) is expected


def test_numeric_policy_value_that_is_not_a_number_is_unknown():
    # Not documented by AWS: iamviz cannot tell how AWS treats it, so UNKNOWN (never allows) with a reason.
    result = ev("NumericLessThan", "aws:MultiFactorAuthAge", "one hour", {"aws:MultiFactorAuthAge": "30"})
    assert result.verdict is U
    assert "'one hour' is not a number" in result.reason


def test_numeric_request_value_that_is_not_a_number_is_unknown():
    assert verdict("NumericLessThan", "aws:MultiFactorAuthAge", "3600", {"aws:MultiFactorAuthAge": "soon"}) is U
    # and negation does not turn "cannot tell" into a match
    assert verdict("NumericNotEquals", "aws:MultiFactorAuthAge", "3600", {"aws:MultiFactorAuthAge": "soon"}) is U


def test_numeric_bad_value_does_not_hide_a_good_match():
    # Values OR: one matching value is enough even when another does not parse.
    assert verdict("NumericLessThan", "k:n", ("oops", "100"), {"k:n": "5"}) is T
    assert verdict("NumericLessThan", "k:n", ("oops", "100"), {"k:n": "500"}) is U


def test_numeric_does_not_substitute_policy_variables():
    # [OPS] "You can not use a policy variable with the Numeric condition operator": the text stays literal, which
    # is not a number, so UNKNOWN.
    assert verdict("NumericEquals", "k:n", "${k:m}", {"k:n": "5", "k:m": "5"}) is U


# ---------------------------------------------------------------------------------------------------------------------
# Date
# ---------------------------------------------------------------------------------------------------------------------

NOW = "2025-06-15T12:00:00Z"
NOW_EPOCH = "1749988800"


@pytest.mark.parametrize(
    ("operator", "policy", "expected"),
    [
        ("DateEquals", NOW, T),
        ("DateEquals", NOW_EPOCH, T),
        ("DateEquals", "2025-06-15T14:00:00+02:00", T),
        ("DateEquals", "2025-06-15T12:00:01Z", F),
        ("DateNotEquals", "2025-06-15T12:00:01Z", T),
        ("DateNotEquals", NOW_EPOCH, F),
        ("DateLessThan", "2026-01-01T00:00:00Z", T),
        ("DateLessThan", NOW, F),
        ("DateLessThanEquals", NOW_EPOCH, T),
        ("DateLessThanEquals", "2025-06-15", F),
        ("DateGreaterThan", "2025-06-15", T),
        ("DateGreaterThan", "1749988801", F),
        ("DateGreaterThanEquals", NOW, T),
        ("DateGreaterThanEquals", "2025-07", F),
    ],
)
def test_date_operators_compare_iso8601_and_epoch(operator, policy, expected):
    # [OPS] "You must specify date/time values with one of the W3C implementations of the ISO 8601 date formats or
    # in epoch (UNIX) time."
    assert verdict(operator, "aws:CurrentTime", policy, {"aws:CurrentTime": NOW}) is expected
    assert verdict(operator, "aws:EpochTime", policy, {"aws:EpochTime": NOW_EPOCH}) is expected


def test_date_w3c_month_form_and_all_digit_values_as_epoch_seconds():
    # W3C NOTE-datetime allows YYYY-MM. A bare number is read as epoch seconds (the only reading that keeps
    # aws:EpochTime working), so "2025" is 2025 seconds after 1970, not the year 2025.
    assert verdict("DateLessThan", "aws:CurrentTime", "2025-06", {"aws:CurrentTime": "2025-05-31T23:59:59Z"}) is T
    assert verdict("DateLessThan", "aws:CurrentTime", "2025-06", {"aws:CurrentTime": "2025-06-01T00:00:00Z"}) is F
    assert verdict("DateGreaterThan", "aws:CurrentTime", "2025", {"aws:CurrentTime": "1970-01-01T01:00:00Z"}) is T


def test_date_that_does_not_parse_is_unknown():
    result = ev("DateLessThan", "aws:CurrentTime", "next tuesday", {"aws:CurrentTime": NOW})
    assert result.verdict is U
    assert "not a date" in result.reason
    assert verdict("DateLessThan", "aws:CurrentTime", "2025-13-45", {"aws:CurrentTime": NOW}) is U
    assert verdict("DateLessThan", "aws:CurrentTime", NOW, {"aws:CurrentTime": "yesterday"}) is U


# ---------------------------------------------------------------------------------------------------------------------
# Bool
# ---------------------------------------------------------------------------------------------------------------------


def test_bool_matches_true_and_false():
    # [OPS] "Boolean conditions let you construct Condition elements that restrict access based on comparing a key
    # to "true" or "false.""
    mfa = "aws:MultiFactorAuthPresent"
    assert verdict("Bool", mfa, "true", {mfa: "true"}) is T
    assert verdict("Bool", mfa, "true", {mfa: "false"}) is F
    assert verdict("Bool", mfa, "false", {mfa: "false"}) is T


def test_bool_compares_case_insensitively():
    mfa = "aws:MultiFactorAuthPresent"
    assert verdict("Bool", mfa, "True", {mfa: "TRUE"}) is T


def test_bool_with_a_non_boolean_policy_value_never_matches():
    # AWS compares the strings "true"/"false"; a policy value that is neither matches nothing: FALSE, not UNKNOWN.
    mfa = "aws:MultiFactorAuthPresent"
    assert verdict("Bool", mfa, "yes", {mfa: "true"}) is F


def test_bool_mfa_key_absent_for_long_term_keys_is_false():
    # Rulebook §6.3: aws:MultiFactorAuthPresent "is absent for long-term access keys, so a plain Bool … "true" denies
    # them and BoolIfExists … "true" allows them".
    mfa = "aws:MultiFactorAuthPresent"
    assert verdict("Bool", mfa, "true", {}) is F
    assert verdict("BoolIfExists", mfa, "true", {}) is T
    assert verdict("BoolIfExists", mfa, "true", {mfa: "false"}) is F


# ---------------------------------------------------------------------------------------------------------------------
# Binary
# ---------------------------------------------------------------------------------------------------------------------


def test_binary_equals_compares_bytes_of_base64():
    # [OPS] BinaryEquals "compares the value of the specified key byte for byte against a base-64 encoded
    # representation of the binary value in the policy".
    encoded = base64.b64encode(b"BinaryValueInBase64").decode()
    assert verdict("BinaryEquals", "x:bin", encoded, {"x:bin": encoded}) is T
    assert verdict("BinaryEquals", "x:bin", encoded, {"x:bin": base64.b64encode(b"other").decode()}) is F


def test_binary_equals_with_bad_base64_is_unknown():
    assert verdict("BinaryEquals", "x:bin", "not base64!", {"x:bin": "YQ=="}) is U


# ---------------------------------------------------------------------------------------------------------------------
# IP address
# ---------------------------------------------------------------------------------------------------------------------


def test_ip_address_ipv4_cidr():
    # [OPS] "The value must be in the standard CIDR format (for example, 203.0.113.0/24 or 2001:DB8:1234:5678::/64)"
    assert verdict("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.113.200"}) is T
    assert verdict("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.114.1"}) is F


def test_ip_address_ipv6_cidr():
    assert (
        verdict("IpAddress", "aws:SourceIp", "2001:DB8:1234:5678::/64", {"aws:SourceIp": "2001:db8:1234:5678::9"}) is T
    )
    assert (
        verdict("IpAddress", "aws:SourceIp", "2001:DB8:1234:5678::/64", {"aws:SourceIp": "2001:db8:1234:5679::9"}) is F
    )


def test_ip_address_without_prefix_means_slash_32():
    # [OPS] "If you specify an IP address without the associated routing prefix, IAM uses the default prefix value
    # of /32."
    assert verdict("IpAddress", "aws:SourceIp", "203.0.113.5", {"aws:SourceIp": "203.0.113.5"}) is T
    assert verdict("IpAddress", "aws:SourceIp", "203.0.113.5", {"aws:SourceIp": "203.0.113.6"}) is F


def test_ip_address_mixed_v4_and_v6_ranges_are_ored_and_never_cross_versions():
    ranges = ("203.0.113.0/24", "2001:DB8:1234:5678::/64")
    assert verdict("IpAddress", "aws:SourceIp", ranges, {"aws:SourceIp": "2001:db8:1234:5678::1"}) is T
    assert verdict("IpAddress", "aws:SourceIp", "::/0", {"aws:SourceIp": "10.0.0.1"}) is F


def test_not_ip_address():
    # [OPS] NotIpAddress: "All IP addresses except the specified IP address or range"
    assert verdict("NotIpAddress", "aws:SourceIp", "10.0.0.0/8", {"aws:SourceIp": "192.168.0.1"}) is T
    assert verdict("NotIpAddress", "aws:SourceIp", "10.0.0.0/8", {"aws:SourceIp": "10.9.9.9"}) is F


def test_ip_address_with_a_bad_cidr_in_the_policy_is_unknown():
    result = ev("IpAddress", "aws:SourceIp", "10.0.0.0/33", {"aws:SourceIp": "10.0.0.1"})
    assert result.verdict is U
    assert "10.0.0.0/33" in result.reason
    # negation cannot turn "cannot tell" into allow
    assert verdict("NotIpAddress", "aws:SourceIp", "banana", {"aws:SourceIp": "10.0.0.1"}) is U
    assert verdict("IpAddress", "aws:SourceIp", "10.0.0.0/8", {"aws:SourceIp": "not-an-ip"}) is U


# ---------------------------------------------------------------------------------------------------------------------
# ARN
# ---------------------------------------------------------------------------------------------------------------------


def test_arn_like_matches_per_component():
    # [CD] example: ArnLike aws:SourceArn arn:aws:ssm-incidents:*:111122223333:incident-record/myresponseplan/*
    pattern = "arn:aws:ssm-incidents:*:111122223333:incident-record/myresponseplan/*"
    good = "arn:aws:ssm-incidents:us-east-1:111122223333:incident-record/myresponseplan/abc"
    assert verdict("ArnLike", "aws:SourceArn", pattern, {"aws:SourceArn": good}) is T
    other = "arn:aws:ssm-incidents:us-east-1:999999999999:incident-record/myresponseplan/abc"
    assert verdict("ArnLike", "aws:SourceArn", pattern, {"aws:SourceArn": other}) is F


def test_arn_wildcards_do_not_cross_colons():
    # [OPS] "Each of the six colon-delimited components of the ARN is checked separately ... With a StringLike
    # condition, the match succeeds ... With an ArnLike condition, which matches elements between colons, the match
    # fails."
    pattern = "arn:aws:someservice:*:111122223333:finance/*"
    value = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
    assert verdict("StringLike", "aws:SourceArn", pattern, {"aws:SourceArn": value}) is T
    assert verdict("ArnLike", "aws:SourceArn", pattern, {"aws:SourceArn": value}) is F


def test_arn_equals_behaves_like_arn_like():
    # [OPS] "The ArnEquals and ArnLike condition operators behave identically."
    pattern = "arn:aws:iam::111122223333:role/ci-*"
    for op in ("ArnEquals", "ArnLike"):
        assert (
            verdict(op, "aws:PrincipalArn", pattern, {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/ci-x"}) is T
        )
        assert verdict(op, "aws:PrincipalArn", pattern, {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/x"}) is F


def test_arn_matching_is_case_sensitive():
    # [OPS] ArnEquals, ArnLike: "Case-sensitive matching of the ARN."
    assert (
        verdict(
            "ArnEquals",
            "aws:PrincipalArn",
            "arn:aws:iam::1:role/Admin",
            {"aws:PrincipalArn": "arn:aws:iam::1:role/admin"},
        )
        is F
    )


def test_arn_not_like_and_arn_not_equals():
    # [OPS] "ArnNotEquals and ArnNotLike condition operators behave identically."
    arn = {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic"}
    for op in ("ArnNotEquals", "ArnNotLike"):
        assert verdict(op, "aws:SourceArn", "arn:aws:sns:*:111122223333:*", arn) is F
        assert verdict(op, "aws:SourceArn", "arn:aws:sns:*:999999999999:*", arn) is T


def test_arn_operator_with_a_value_that_is_not_an_arn_is_unknown():
    # [OPS] ARN operators check "each of the six colon-delimited components"; what AWS does with a value that has
    # fewer is not documented, so iamviz says UNKNOWN (never allows, and a negated operator does not flip it).
    assert verdict("ArnLike", "aws:SourceArn", "arn:aws:s3:::bucket", {"aws:SourceArn": "bucket"}) is U
    result = ev("ArnLike", "aws:SourceArn", "*", {"aws:SourceArn": "arn:aws:s3:::bucket"})
    assert result.verdict is U
    assert "not an ARN" in result.reason
    assert verdict("ArnNotLike", "aws:SourceArn", "*", {"aws:SourceArn": "arn:aws:s3:::bucket"}) is U
    # another, well-formed value can still match (values OR)
    assert verdict("ArnLike", "aws:SourceArn", ("*", "arn:aws:s3:::b*"), {"aws:SourceArn": "arn:aws:s3:::bucket"}) is T


# ---------------------------------------------------------------------------------------------------------------------
# Null
# ---------------------------------------------------------------------------------------------------------------------


def test_null_true_means_the_key_is_absent():
    # [OPS] Null: "use either true (the key doesn't exist — it is null) or false (the key exists and its value is
    # not null)."
    assert verdict("Null", "aws:TokenIssueTime", "true", {}) is T
    assert verdict("Null", "aws:TokenIssueTime", "true", {"aws:TokenIssueTime": NOW}) is F


def test_null_false_means_the_key_is_present():
    assert verdict("Null", "aws:TokenIssueTime", "false", {"aws:TokenIssueTime": NOW}) is T
    assert verdict("Null", "aws:TokenIssueTime", "false", {}) is F


def test_null_with_a_value_other_than_true_or_false_is_unknown():
    assert verdict("Null", "aws:TokenIssueTime", "maybe", {}) is U


def test_null_cannot_take_if_exists():
    # [OPS] "You can add IfExists to the end of any condition operator name except the Null condition"
    assert verdict("NullIfExists", "aws:TokenIssueTime", "true", {}) is U


# ---------------------------------------------------------------------------------------------------------------------
# ...IfExists
# ---------------------------------------------------------------------------------------------------------------------


def test_if_exists_without_the_key_is_true():
    # [OPS] "If the key is not present, evaluate the condition element as true."
    assert verdict("StringEqualsIfExists", "x:k", "a", {}) is T
    assert verdict("StringNotEqualsIfExists", "x:k", "a", {}) is T
    assert verdict("NumericLessThanIfExists", "aws:MultiFactorAuthAge", "3600", {}) is T


def test_if_exists_with_the_key_evaluates_normally():
    # [OPS] "If the policy key is present in the context of the request, process the key as specified in the policy."
    assert verdict("StringEqualsIfExists", "x:k", "a", {"x:k": "a"}) is T
    assert verdict("StringEqualsIfExists", "x:k", "a", {"x:k": "b"}) is F
    assert verdict("StringNotEqualsIfExists", "x:k", "a", {"x:k": "a"}) is F
    assert verdict("NumericLessThanIfExists", "aws:MultiFactorAuthAge", "3600", {"aws:MultiFactorAuthAge": "9000"}) is F


# ---------------------------------------------------------------------------------------------------------------------
# Set operators
# ---------------------------------------------------------------------------------------------------------------------


def test_for_all_values_every_request_value_must_match_some_policy_value():
    # [MULTI] ForAllValues: "The condition returns true if there's a match between every one of the specified key
    # values in the request and at least one value in the policy."
    op, key, allowed = "ForAllValues:StringEquals", "aws:TagKeys", ("team", "cost")
    assert verdict(op, key, allowed, {key: ["team", "cost"]}) is T
    assert verdict(op, key, allowed, {key: ["team"]}) is T


def test_for_all_values_partial_match_is_false():
    op, key, allowed = "ForAllValues:StringEquals", "aws:TagKeys", ("team", "cost")
    result = ev(op, key, allowed, {key: ["team", "admin"]})
    assert result.verdict is F
    assert "'admin'" in result.reason


def test_for_all_values_with_missing_key_is_true():
    # [MULTI examples] "The ForAllValues set operator also returns true if there are no context keys in the request."
    assert verdict("ForAllValues:StringEquals", "aws:TagKeys", "team", {}) is T


def test_for_all_values_with_empty_set_is_true():
    # [MULTI] "If the key values in the request resolve to an empty data set (for example, an empty string), a
    # condition operator modified by ForAllValues returns true, and a condition operator modified by ForAnyValue
    # returns false."
    assert verdict("ForAllValues:StringEquals", "aws:TagKeys", "team", {"aws:TagKeys": []}) is T
    assert verdict("ForAllValues:StringEquals", "aws:TagKeys", "team", {"aws:TagKeys": ""}) is T


def test_for_any_value_one_matching_request_value_is_enough():
    # [MULTI] ForAnyValue: "The condition returns true if any one of the key values in the request matches any one
    # of the condition values in the policy."
    amr = "cognito-identity.amazonaws.com:amr"
    ctx = {amr: ["authenticated", "cognito-identity.amazonaws.com:CognitoSignIn:abc"]}
    assert verdict("ForAnyValue:StringLike", amr, "authenticated", ctx) is T
    assert verdict("ForAnyValue:StringLike", amr, "unauthenticated", ctx) is F


def test_for_any_value_with_missing_key_is_false():
    # Rulebook §6.1: "ForAnyValue: true if at least one value matches; false when the key is missing or the set is
    # empty ([MULTI])".
    assert verdict("ForAnyValue:StringLike", "cognito-identity.amazonaws.com:amr", "authenticated", {}) is F


def test_for_any_value_with_empty_set_is_false():
    # [MULTI] (quoted above): ForAnyValue with an empty data set returns false.
    assert verdict("ForAnyValue:StringEquals", "aws:TagKeys", "team", {"aws:TagKeys": []}) is F
    assert verdict("ForAnyValue:StringEquals", "aws:TagKeys", "team", {"aws:TagKeys": ""}) is F


def test_for_all_values_with_a_negated_operator():
    # [MULTI examples] Deny with "ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}: aws:TagKeys [key1:legal] ->
    # no match; [key1:hr, key1:personnel] -> no match; [key2:audit] -> match; no aws:TagKeys -> match.
    op, key = "ForAllValues:StringNotLike", "aws:TagKeys"
    assert verdict(op, key, "key1*", {key: ["key1:legal"]}) is F
    assert verdict(op, key, "key1*", {key: ["key1:hr", "key1:personnel"]}) is F
    assert verdict(op, key, "key1*", {key: ["key2:audit"]}) is T
    assert verdict(op, key, "key1*", {}) is T


def test_for_any_value_with_a_negated_operator():
    # True when at least one request value matches none of the policy values; false for a missing key (ForAnyValue).
    # Same results as the published table for ForAnyValue:StringNotEquals {"aws:TagKeys": ["DataClass", "Owner"]}
    # (iam.cloudcopilot.io, an AWS-checked simulator): null -> no; [DataClass, Owner] -> no; [Dept, DataClass] -> yes.
    op, key, values = "ForAnyValue:StringNotEquals", "aws:TagKeys", ("DataClass", "Owner")
    assert verdict(op, key, values, {}) is F
    assert verdict(op, key, values, {key: ["DataClass", "Owner"]}) is F
    assert verdict(op, key, values, {key: ["Dept", "DataClass"]}) is T


def test_for_all_values_string_not_equals_means_no_request_value_is_listed():
    op, key, values = "ForAllValues:StringNotEquals", "aws:TagKeys", ("DataClass", "Owner")
    assert verdict(op, key, values, {key: ["Dept", "SIC"]}) is T
    assert verdict(op, key, values, {key: ["Dept", "SIC", "DataClass"]}) is F


def test_for_any_value_if_exists_with_missing_key_is_true():
    # [OPS] IfExists: "If the key is not present, evaluate the condition element as true." (Applied as documented;
    # see the report for the doubt.)
    assert verdict("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", "team", {}) is T


def test_set_operator_prefix_that_is_unknown_is_unknown():
    result = ev("ForSomeValues:StringEquals", "aws:TagKeys", "team", {"aws:TagKeys": ["team"]})
    assert result.verdict is U
    assert "ForSomeValues" in result.reason


def test_plain_operator_on_a_multivalued_request_key_is_unknown():
    # [MULTI single-vs-multivalued] "Multivalued context keys require a condition set operator." What AWS does
    # without one is not documented, so iamviz does not guess.
    assert verdict("StringEquals", "aws:TagKeys", "team", {"aws:TagKeys": ["team", "cost"]}) is U


# ---------------------------------------------------------------------------------------------------------------------
# Policy variables
# ---------------------------------------------------------------------------------------------------------------------


def test_policy_variable_is_substituted_from_the_context():
    # [VARS] "When the policy is evaluated, the policy variables are replaced with values that come from the context
    # of the request itself."
    ctx = {"aws:username": "alice", "sts:RoleSessionName": "alice"}
    assert verdict("StringEquals", "sts:RoleSessionName", "${aws:username}", ctx) is T
    ctx_other = {"aws:username": "alice", "sts:RoleSessionName": "mallory"}
    result = ev("StringEquals", "sts:RoleSessionName", "${aws:username}", ctx_other)
    assert result.verdict is F
    assert "'alice'" in result.reason


def test_policy_variable_in_string_like_keeps_the_policy_wildcards():
    ctx = {"aws:username": "alice", "sts:RoleSessionName": "alice-laptop"}
    assert verdict("StringLike", "sts:RoleSessionName", "${aws:username}-*", ctx) is T


def test_cognito_sub_policy_variable():
    sub = "cognito-identity.amazonaws.com:sub"
    ctx = {sub: "us-east-1:1234", "x:owner": "us-east-1:1234"}
    assert verdict("StringEquals", "x:owner", "${cognito-identity.amazonaws.com:sub}", ctx) is T


def test_policy_variable_key_names_are_case_insensitive():
    ctx = {"aws:username": "alice", "sts:RoleSessionName": "alice"}
    assert verdict("StringEquals", "sts:RoleSessionName", "${AWS:UserName}", ctx) is T


def test_unresolvable_policy_variable_is_unknown_not_a_silent_match():
    # [VARS] "If AWS cannot resolve a variable, this might cause the entire statement to be invalid."
    result = ev("StringNotEquals", "sts:RoleSessionName", "${aws:username}", {"sts:RoleSessionName": "x"})
    assert result.verdict is U
    assert "aws:username" in result.reason
    assert verdict("StringLike", "sts:RoleSessionName", "${aws:username}*", {}) is U


def test_policy_variable_default_value():
    # [VARS] "To add a default value to a variable, surround the default value with single quotes (' '), and
    # separate the variable text and the default value with a comma and space (, )."
    assert verdict("StringEquals", "x:who", "${aws:userid, 'anonymous'}", {"x:who": "anonymous"}) is T
    assert (
        verdict("StringEquals", "x:who", "${aws:userid, 'anonymous'}", {"x:who": "AIDA1", "aws:userid": "AIDA1"}) is T
    )


def test_policy_variable_escapes_are_literal_characters():
    # [VARS] "${*} - use where you need an * (asterisk) character. ${?} - ... a ? (question mark) character.
    # ${$} - ... a $ (dollar sign) character."
    assert verdict("StringLike", "x:k", "a${*}b", {"x:k": "a*b"}) is T
    assert verdict("StringLike", "x:k", "a${*}b", {"x:k": "axxb"}) is F
    assert verdict("StringLike", "x:k", "what${?}*", {"x:k": "what?now"}) is T
    assert verdict("StringLike", "x:k", "what${?}*", {"x:k": "whatXnow"}) is F
    assert verdict("StringEquals", "x:k", "${$}5", {"x:k": "$5"}) is T


def test_substituted_variable_values_are_literal_in_like_patterns():
    ctx = {"aws:PrincipalTag/team": "a*", "x:k": "abc"}
    assert verdict("StringLike", "x:k", "${aws:PrincipalTag/team}", ctx) is F
    assert verdict("StringLike", "x:k", "${aws:PrincipalTag/team}", {**ctx, "x:k": "a*"}) is T


def test_multivalued_key_cannot_be_a_policy_variable():
    # [single-vs-multivalued] "you can't use multivalued context keys as policy variables"
    ctx = {"aws:TagKeys": ["a", "b"], "x:k": "a"}
    assert verdict("StringEquals", "x:k", "${aws:TagKeys}", ctx) is U


def test_policy_variables_in_arn_operators():
    # [OPS] "You can use a policy variable with the ARN condition operator."
    ctx = {"aws:PrincipalAccount": "111122223333", "aws:SourceArn": "arn:aws:s3:::111122223333-logs"}
    assert verdict("ArnLike", "aws:SourceArn", "arn:aws:s3:::${aws:PrincipalAccount}-*", ctx) is T
    assert verdict("ArnLike", "aws:SourceArn", "arn:aws:s3:::${aws:PrincipalAccount}${*}", ctx) is F


def test_policy_variables_are_literal_text_in_old_policy_versions():
    # [VARS] "If you don't include the Version element and set it to an appropriate version date, variables like
    # ${aws:username} are treated as literal strings in the policy."
    ctx = {"aws:username": "alice", "x:k": "${aws:username}"}
    assert verdict("StringEquals", "x:k", "${aws:username}", ctx, policy_variables=False) is T
    assert verdict("StringEquals", "x:k", "${aws:username}", ctx) is F


def test_bool_with_a_policy_variable_is_unknown():
    # [OPS] says Bool takes policy variables; [VARS] says it does not. The documentation disagrees: UNKNOWN.
    ctx = {"aws:SecureTransport": "true", "x:flag": "true"}
    assert verdict("Bool", "aws:SecureTransport", "${x:flag}", ctx) is U


# ---------------------------------------------------------------------------------------------------------------------
# Unknown operators
# ---------------------------------------------------------------------------------------------------------------------


def test_unknown_operator_is_unknown_and_never_true():
    for operator in ("StringEqualz", "StringStartsWith", "Foo:StringEquals", "ForAnyValue:Nope", "", ":"):
        result = ev(operator, "x:k", "a", {"x:k": "a"})
        assert result.verdict is U, operator
        assert "never allows" in result.reason or "unknown" in result.reason
    assert not is_known_operator("StringStartsWith")
    assert is_known_operator("ForAnyValue:StringLikeIfExists")


def test_operator_names_are_read_case_insensitively():
    assert verdict("stringequals", "x:k", "a", {"x:k": "a"}) is T
    assert verdict("forallvalues:stringlikeifexists", "x:k", "a*", {}) is T


def test_condition_without_values_is_unknown():
    assert verdict("StringEquals", "x:k", (), {"x:k": "a"}) is U


# ---------------------------------------------------------------------------------------------------------------------
# Reasons, labels, descriptions, key origins
# ---------------------------------------------------------------------------------------------------------------------


def test_reason_names_the_key_the_expected_and_the_present_values():
    result = ev("StringEquals", "sts:ExternalId", ("alpha", "beta"), {"sts:ExternalId": "gamma"})
    assert result.verdict is F
    for part in ("sts:ExternalId", "'alpha'", "'beta'", "'gamma'"):
        assert part in result.reason


def test_requirement_labels():
    assert requirement_label("aws:MultiFactorAuthPresent") == "MFA"
    assert requirement_label("AWS:multifactorauthage") == "MFA"
    assert requirement_label("sts:ExternalId") == "ExternalId"
    assert requirement_label("token.actions.githubusercontent.com:aud") == "aud"
    assert requirement_label("token.actions.githubusercontent.com:sub") == "sub"
    assert requirement_label("cognito-identity.amazonaws.com:amr") == "amr"
    assert requirement_label("aws:SourceArn") == "SourceArn"
    assert requirement_label("aws:SourceAccount") == "SourceAccount"
    assert requirement_label("aws:PrincipalOrgID") == "OrgID"
    assert requirement_label("SAML:aud") == "SAML:aud"
    assert requirement_label("saml:aud") == "SAML:aud"


def test_describe_condition_in_plain_words():
    assert describe_condition(cond("Bool", "aws:MultiFactorAuthPresent", "true")) == "the caller signed in with MFA"
    assert describe_condition(cond("StringEquals", "sts:ExternalId", "x")) == "the request carries ExternalId 'x'"
    sub = "token.actions.githubusercontent.com:sub"
    assert (
        describe_condition(cond("StringEquals", sub, "repo:org/repo:ref:refs/heads/main"))
        == "the OIDC token's sub is repo:org/repo:ref:refs/heads/main"
    )
    assert "matches 'repo:org/*'" in describe_condition(cond("StringLike", sub, "repo:org/*"))
    assert "greater than '5'" in describe_condition(cond("NumericGreaterThan", "x:n", "5"))
    assert "is not in '10.0.0.0/8'" in describe_condition(cond("NotIpAddress", "aws:SourceIp", "10.0.0.0/8"))
    amr = describe_condition(cond("ForAnyValue:StringLike", "cognito-identity.amazonaws.com:amr", "authenticated"))
    assert "at least one" in amr and "Cognito" in amr and "'authenticated'" in amr
    assert "unknown" in describe_condition(cond("StringStartsWith", "x:k", "a"))


def test_key_origin():
    assert key_origin("aws:MultiFactorAuthPresent") == "caller"
    assert key_origin("sts:ExternalId") == "caller"
    assert key_origin("saml:aud") == "caller"
    assert key_origin("token.actions.githubusercontent.com:sub") == "caller"
    assert key_origin("aws:RequestTag/team") == "caller"
    assert key_origin("aws:SourceIp") == "caller"
    assert key_origin("aws:PrincipalArn") == "principal"
    assert key_origin("AWS:principalorgid") == "principal"
    assert key_origin("aws:PrincipalTag/team") == "principal"
    assert key_origin("aws:userid") == "principal"
    assert key_origin("aws:SourceArn") == "service"
    assert key_origin("aws:SourceAccount") == "service"
    assert key_origin("aws:SourceOrgID") == "service"
    assert key_origin("ec2:InstanceType") == "unknown"


def test_key_sets_are_case_insensitive():
    assert "AWS:MULTIFACTORAUTHPRESENT" in CALLER_SUPPLIED_KEYS
    assert "aws:PrincipalArn" not in CALLER_SUPPLIED_KEYS
    for key in ("aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:PrincipalType", "aws:userid"):
        assert key in PRINCIPAL_DERIVED_KEYS
    assert "aws:principaltag/Team" in PRINCIPAL_DERIVED_KEYS
    assert "aws:sourcearn" in SERVICE_SUPPLIED_KEYS
    assert "aws:MultiFactorAuthPresent" in list(CALLER_SUPPLIED_KEYS)


def test_describe_condition_for_common_trust_keys():
    age = describe_condition(cond("NumericLessThan", "aws:MultiFactorAuthAge", "3600"))
    assert age == "the caller signed in with MFA less than 3600 seconds ago"
    assert describe_condition(cond("StringEquals", "aws:PrincipalOrgID", "o-abc")) == (
        "the caller's account is in organization 'o-abc'"
    )
    assert describe_condition(cond("StringEquals", "aws:SourceAccount", "111122223333")) == (
        "the calling service acts for account '111122223333'"
    )
    assert describe_condition(cond("ArnLike", "aws:SourceArn", "arn:aws:s3:::b")) == (
        "the calling service acts for a resource matching 'arn:aws:s3:::b'"
    )
    assert describe_condition(cond("BoolIfExists", "aws:MultiFactorAuthPresent", "true")).startswith(
        "the caller signed in with MFA, or"
    )
    saml = describe_condition(cond("StringEquals", "SAML:aud", "https://signin.aws.amazon.com/saml"))
    assert saml == "the SAML assertion's audience (Recipient) is 'https://signin.aws.amazon.com/saml'"
    assert (
        describe_condition(cond("Null", "aws:TokenIssueTime", "true"))
        == "the request does not carry aws:TokenIssueTime"
    )


def test_match_policy_pattern_shares_the_variable_and_wildcard_rules():
    ctx = RequestContext.of({"aws:username": "bob"})
    assert match_policy_pattern("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/bob/x", ctx, arn=True) is T
    assert match_policy_pattern("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/eve/x", ctx, arn=True) is F
    assert match_policy_pattern("home/${aws:userid}/*", "home/x/y", ctx) is U
    assert match_policy_pattern("a${*}", "a*", ctx) is T
    assert match_policy_pattern("a${*}", "ab", ctx) is F
    assert match_policy_pattern("arn:aws:iam::*", "arn:aws:iam::1:role/x", ctx, arn=True) is F


def test_module_examples_hold():
    import iamviz.analysis.conditions as module

    failures, tried = doctest.testmod(module)
    assert tried > 0
    assert failures == 0


def test_reasons_for_negated_set_and_null_operators_name_the_values():
    negated = ev("StringNotEquals", "aws:PrincipalOrgID", ("o-1", "o-2"), {"aws:PrincipalOrgID": "o-1"})
    assert negated.verdict is F
    assert "match none of 'o-1' or 'o-2'" in negated.reason
    partial = ev("ForAllValues:StringEquals", "aws:TagKeys", "team", {"aws:TagKeys": ["team", "admin"]})
    assert "every value" in partial.reason and "not satisfied by 'admin'" in partial.reason
    null = ev("Null", "aws:SourceIp", "true", {"aws:SourceIp": "10.0.0.1"})
    assert null.reason == "aws:SourceIp is present ('10.0.0.1'); Null 'true' requires it to be absent: not satisfied"
