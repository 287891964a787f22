"""Property tests: whatever JSON arrives, the loader answers with a snapshot or its own InputError, nothing else."""

from __future__ import annotations

import contextlib
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamviz.errors import InputError
from iamviz.loading import snapshot_from_json
from iamviz.loading._files import decode_bytes, parse_json_values

GAAD_WORDS = [
    "UserDetailList", "GroupDetailList", "RoleDetailList", "Policies", "Arn", "RoleName", "UserName", "GroupList",
    "AssumeRolePolicyDocument", "PolicyDocument", "RolePolicyList", "UserPolicyList", "AttachedManagedPolicies",
    "PolicyArn", "PolicyVersionList", "Document", "IsDefaultVersion", "DefaultVersionId", "VersionId",
    "InstanceProfileList", "Roles", "MaxSessionDuration", "RoleLastUsed", "Tags", "Key", "Statement", "Effect",
    "Principal", "Action", "Condition", "AWS", "Service", "Federated", "format", "version", "accounts",
    "account_id", "authorization_details", "saml_providers", "oidc_providers", "organization", "gaps",
]  # fmt: skip
ARNS = [
    "arn:aws:iam::111122223333:role/r",
    "arn:aws:iam::111122223333:user/u",
    "arn:aws:iam::111122223333:group/g",
    "arn:aws:iam::111122223333:policy/p",
    "arn:aws:iam::aws:policy/A",
    "arn:aws:iam::aws:user/x",
    "111122223333",
    "iamviz-snapshot",
    "Allow",
    "*",
]
scalars = st.none() | st.booleans() | st.integers(-2, 2**40) | st.sampled_from(ARNS) | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(GAAD_WORDS) | st.text(max_size=4), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(json_values, min_size=1, max_size=3))
def test_generated_json_never_escapes_as_another_exception(values):
    try:
        snapshot = snapshot_from_json(values, name="generated.json")
    except InputError as exc:
        assert exc.file == "generated.json"
        assert "\n" not in str(exc)
    else:
        assert snapshot.accounts


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_decode_or_fail_cleanly(data):
    try:
        values = parse_json_values(decode_bytes(data, file="b.json"), file="b.json")
    except InputError as exc:
        assert exc.file == "b.json"
    else:
        with contextlib.suppress(InputError):
            snapshot_from_json(values, name="b.json")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["{", "}", "[", "]", ",", ":", '"a"', "1", "null", " "]), max_size=20))
def test_broken_json_text_is_an_input_error(tokens):
    text = "".join(tokens)
    try:
        json.loads(text)
    except ValueError:
        try:
            parse_json_values(text, file="t.json")
        except InputError as exc:
            assert exc.file == "t.json"


entry_values = st.sampled_from(ARNS) | json_values
role_entries = st.fixed_dictionaries(
    {"Arn": st.sampled_from(ARNS[:1]) | entry_values},
    optional={
        "AssumeRolePolicyDocument": json_values,
        "RoleLastUsed": json_values,
        "InstanceProfileList": json_values,
        "RolePolicyList": json_values,
        "MaxSessionDuration": entry_values,
    },
)
policy_entries = st.fixed_dictionaries(
    {"Arn": st.sampled_from(ARNS[3:5]) | entry_values},
    optional={"PolicyVersionList": json_values, "DefaultVersionId": entry_values},
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {"RoleDetailList": st.lists(role_entries, max_size=3), "Policies": st.lists(policy_entries, max_size=2)}
    )
)
def test_gaad_shaped_documents_never_escape(page):
    try:
        snapshot_from_json([page], name="gaad.json")
    except InputError as exc:
        assert exc.file == "gaad.json"
        assert exc.path and exc.path.startswith("$")
