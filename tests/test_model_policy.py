"""The policy model: every shape IAM accepts parses to the same typed values; shapes it rejects raise PolicyError."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from iamviz.errors import ArnError, PolicyError
from iamviz.model import Arn, Principal, PrincipalKind, arn_like, parse_policy_document
from iamviz.model.wildcard import wildcard_match

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Lambda",
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}},
        }
    ],
}


@pytest.mark.parametrize(
    "raw",
    [TRUST, json.dumps(TRUST), quote(json.dumps(TRUST), safe="")],
    ids=["object", "json-string", "url-encoded-json-string"],
)
def test_document_forms_parse_alike(raw):
    doc = parse_policy_document(raw)
    (statement,) = doc.statements
    assert statement.sid == "Lambda"
    assert statement.principals == (Principal(kind=PrincipalKind.SERVICE, value="lambda.amazonaws.com"),)
    assert statement.actions == ("sts:AssumeRole",)
    assert statement.conditions[0].key == "aws:SourceAccount"


def test_single_statement_object_is_a_list_of_one():
    doc = parse_policy_document({"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}})
    assert len(doc.statements) == 1
    assert doc.statements[0].effect == "Deny"


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ("*", [(PrincipalKind.ANYONE, "*")]),
        ({"AWS": "*"}, [(PrincipalKind.ANYONE, "*")]),
        ({"AWS": "111122223333"}, [(PrincipalKind.AWS, "111122223333")]),
        (
            {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:user/wayne"]},
            [
                (PrincipalKind.AWS, "arn:aws:iam::111122223333:root"),
                (PrincipalKind.AWS, "arn:aws:iam::111122223333:user/wayne"),
            ],
        ),
        (
            {"Federated": "cognito-identity.amazonaws.com"},
            [(PrincipalKind.FEDERATED, "cognito-identity.amazonaws.com")],
        ),
        ({"CanonicalUser": "79a59df900b949e5"}, [(PrincipalKind.CANONICAL_USER, "79a59df900b949e5")]),
        (
            {"Service": ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"]},
            [(PrincipalKind.SERVICE, "ecs-tasks.amazonaws.com"), (PrincipalKind.SERVICE, "lambda.amazonaws.com")],
        ),
    ],
    ids=["star", "aws-star", "account-shorthand", "arn-list", "well-known-federated", "canonical", "service-list"],
)
def test_principal_shapes(principal, expected):
    doc = parse_policy_document(
        {"Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]}
    )
    assert [(p.kind, p.value) for p in doc.statements[0].principals] == expected


def test_account_shorthand_and_root_name_the_account():
    assert Principal(kind=PrincipalKind.AWS, value="111122223333").is_account
    assert Principal(kind=PrincipalKind.AWS, value="arn:aws:iam::111122223333:root").is_account
    assert not Principal(kind=PrincipalKind.AWS, value="arn:aws:iam::111122223333:user/root").is_account


def test_unique_id_of_a_deleted_principal_is_recognised():
    assert Principal(kind=PrincipalKind.AWS, value="AROA3XFRBF535PLBIFPI4").is_unique_id
    assert not Principal(kind=PrincipalKind.AWS, value="arn:aws:iam::111122223333:role/x").is_unique_id


def test_condition_values_become_strings_and_operator_parts_split():
    doc = parse_policy_document(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "sts:AssumeRole",
                    "Condition": {
                        "Bool": {"aws:MultiFactorAuthPresent": True},
                        "NumericLessThan": {"aws:MultiFactorAuthAge": 3600},
                        "ForAnyValue:StringLikeIfExists": {"cognito-identity.amazonaws.com:amr": ["authenticated"]},
                    },
                }
            ]
        }
    )
    bool_c, num_c, set_c = doc.statements[0].conditions
    assert bool_c.values == ("true",)
    assert num_c.values == ("3600",)
    assert set_c.set_operator == "ForAnyValue"
    assert set_c.if_exists
    assert set_c.base_operator == "StringLike"


@pytest.mark.parametrize(
    ("raw", "path_fragment"),
    [
        ({"Statement": [{"Effect": "Allow", "Principal": 42, "Action": "sts:AssumeRole"}]}, "$.Statement[0].Principal"),
        ({"Statement": []}, "$.Statement"),
        ({"Statement": "nope"}, "$.Statement"),
        ({"Statement": [{"Effect": "Maybe"}]}, "$.Statement[0].Effect"),
        ({"Statement": [{"Effect": "Allow", "Action": ["ok", 3]}]}, "$.Statement[0].Action[1]"),
        ({"Statement": [{"Effect": "Allow", "Principal": {"Robot": "x"}}]}, "$.Statement[0].Principal.Robot"),
        ({"Statement": [{"Effect": "Allow", "Condition": {"StringEquals": ["x"]}}]}, "$.Statement[0].Condition"),
        ("{not json", "$"),
        ({"Version": "2012-10-17"}, "$"),
    ],
    ids=[
        "number-principal",
        "empty-statement",
        "string-statement",
        "bad-effect",
        "non-string-action",
        "unknown-principal-type",
        "condition-block-list",
        "invalid-json",
        "no-statement",
    ],
)
def test_invalid_shapes_raise_policy_error_with_path(raw, path_fragment):
    with pytest.raises(PolicyError) as info:
        parse_policy_document(raw)
    assert (info.value.path or "$").startswith(path_fragment)


def test_unknown_condition_operator_is_not_a_parse_error():
    doc = parse_policy_document(
        {"Statement": [{"Effect": "Allow", "Principal": "*", "Condition": {"StringSortaEquals": {"k": "v"}}}]}
    )
    assert doc.statements[0].conditions[0].operator == "StringSortaEquals"


def test_arn_parse_and_parts():
    arn = Arn.parse("arn:aws:sts::111122223333:assumed-role/BreakGlass/wayne")
    assert arn.account == "111122223333"
    assert arn.resource_name == "BreakGlass"
    assert arn.session_name == "wayne"
    assert str(arn.role_arn_of_session()) == "arn:aws:iam::111122223333:role/BreakGlass"
    assert Arn.parse("arn:aws:iam::111122223333:root").is_account_root


@pytest.mark.parametrize("bad", ["", "arn:aws:iam", "nope:aws:iam::111122223333:root", "arn:aws:iam::12:root", 7])
def test_arn_parse_rejects_bad_input(bad):
    with pytest.raises(ArnError):
        Arn.parse(bad)


def test_arn_wildcards_never_cross_colons():
    # IAM UG, ARN condition operators: "Each of the six colon-delimited components of the ARN is checked separately".
    assert arn_like("arn:aws:iam::*:role/ci-*", "arn:aws:iam::111122223333:role/ci-deploy")
    assert not arn_like("arn:aws:iam::*", "arn:aws:iam::111122223333:role/ci-deploy")
    assert not arn_like("arn:aws:iam::1111*:role/x", "arn:aws:iam::111122223333:user/x")


def test_wildcard_brackets_are_literal():
    assert wildcard_match("repo:[org]/*", "repo:[org]/x")
    assert not wildcard_match("repo:[org]/*", "repo:o/x")
    assert wildcard_match("a?c", "abc")
    assert not wildcard_match("a?c", "abbc")


@pytest.mark.parametrize(
    "text",
    [
        '{"Statement": [{"Effect": "Deny", "Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}',
        '{"Statement": [{"Effect": "Allow", "Principal": "*", "Condition": {"NumericLessThan": {"k": NaN}}}]}',
    ],
    ids=["duplicate-effect", "nan"],
)
def test_string_documents_are_decoded_strictly(text):
    # A duplicate "Effect" must never silently read as the last one (here: Allow).
    with pytest.raises(PolicyError):
        parse_policy_document(text)
    with pytest.raises(PolicyError):
        parse_policy_document(quote(text, safe=""))


def test_huge_values_are_clipped_in_messages():
    with pytest.raises(PolicyError) as info:
        parse_policy_document({"Statement": [{"Effect": "A" * 100_000}]})
    assert len(str(info.value)) < 300
