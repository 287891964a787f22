"""The loaders' happy paths (``_quick_*``) against their careful parsers, on valid and mangled input.

The quick parsers may give up (``None``, or an exception) on anything unusual, and the careful parser then decides;
whenever a quick parser does return a value, it must be exactly what the careful parser returns for that input.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamviz.errors import IamvizError
from iamviz.loading import gaad
from iamviz.model import account as account_model
from iamviz.model import policy
from iamviz.model.arn import Arn

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.sampled_from(["", "*", "Allow", "Deny", "sts:AssumeRole", "arn:aws:iam::111122223333:root", "AIDAEXAMPLE12345"]),
    st.sampled_from(
        [
            "arn:aws:iam::111122223333:role/a/b",
            "arn:aws:iam:::role/x",
            "arn:aws:iam::aws:role/x",
            "arn:aws:iam::aws:user/x",
            "arn:aws:sts::111122223333:role/x",
            "arn::iam::111122223333:role/x",
            "arn:aws:iam::111122223333:role",
            "arn:aws:iam::111122223333:role:x/y",
            "arn:aws:iam::11112222333:user/x",
            "arn:aws:iam::111122223333:user/x",
            "arn:aws:iam::111122223333:user/",
        ]
    ),
    st.text(max_size=4),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)
STATEMENT_KEYS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
GOOD_VALUES: dict[str, list[Any]] = {
    "Sid": ["", "S1", None],
    "Effect": ["Allow", "Deny"],
    "Principal": [
        "*",
        {"AWS": "*"},
        {"AWS": ["arn:aws:iam::111122223333:root", "111122223333"]},
        {"Service": "lambda.amazonaws.com"},
        {"Federated": "arn:aws:iam::111122223333:saml-provider/x", "CanonicalUser": []},
    ],
    "Action": ["sts:AssumeRole", ["sts:AssumeRole", "sts:TagSession"], []],
    "Resource": ["*", ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]],
    "Condition": [
        None,
        {},
        {"StringEquals": {"sts:ExternalId": "x"}},
        {"Bool": {"aws:MultiFactorAuthPresent": True}, "NumericLessThan": {"aws:MultiFactorAuthAge": [3600, 1.5]}},
        {"ForAnyValue:StringLike": {"aws:PrincipalTag/team": ["a*", "b"]}},
    ],
}
GOOD_VALUES["NotPrincipal"] = GOOD_VALUES["Principal"]
GOOD_VALUES["NotAction"] = GOOD_VALUES["Action"]
GOOD_VALUES["NotResource"] = GOOD_VALUES["Resource"]


def _outcome(parse, *args, **kwargs) -> tuple[str, Any]:
    try:
        return "ok", parse(*args, **kwargs)
    except IamvizError as exc:
        return "error", (type(exc).__name__, str(exc), getattr(exc, "path", None))


@st.composite
def statements(draw) -> Any:
    """Mostly well-formed statements, some with one element mangled, some not statements at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(JSON)
    keys = draw(st.lists(st.sampled_from(STATEMENT_KEYS), unique=True, max_size=6))
    raw: dict[str, Any] = {"Effect": draw(st.sampled_from(GOOD_VALUES["Effect"]))}
    for key in keys:
        raw[key] = draw(st.sampled_from(GOOD_VALUES[key]))
    if draw(st.booleans()):
        raw[draw(st.sampled_from((*STATEMENT_KEYS, "Unknown")))] = draw(JSON)
    return raw


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(statements(), st.integers(0, 3))
def test_a_quick_statement_is_the_careful_one(raw, index):
    quick = policy._quick_statement(raw, index)
    careful = _outcome(policy._parse_statement_carefully, raw, index=index, path="$.S")
    if quick is not None:
        assert careful == ("ok", quick)
    assert _outcome(policy.parse_statement, raw, index=index, path="$.S") == careful


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(statements(), max_size=3), st.sampled_from(["list", "single", "string", "version"]))
def test_a_document_parses_as_the_careful_parser_does(items, form):
    document: Any = {"Version": "2012-10-17", "Statement": items}
    if form == "single":
        document["Statement"] = items[0] if items else None
    elif form == "version":
        document["Version"] = 2012
    elif form == "string":
        try:
            document = json.dumps(document)
        except (TypeError, ValueError):
            return
    fast = _outcome(policy.parse_policy_document, document, path="$.D")
    decoded = _outcome(policy.decode_document, document, path="$.D")
    if decoded[0] == "error":
        assert fast == decoded
        return
    careful = _outcome(policy._parse_document_carefully, decoded[1], "$.D")
    assert fast == careful
    if fast[0] == "ok":
        assert fast[1].text == careful[1].text


ROLE: dict[str, Any] = {
    "Path": "/ops/",
    "RoleName": "app",
    "RoleId": "AROAEXAMPLE123456789",
    "Arn": "arn:aws:iam::111122223333:role/ops/app",
    "CreateDate": "2024-01-01T00:00:00Z",
    "AssumeRolePolicyDocument": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    },
    "InstanceProfileList": [
        {
            "Arn": "arn:aws:iam::111122223333:instance-profile/app",
            "Roles": [
                {"Arn": "arn:aws:iam::111122223333:role/ops/app", "RoleId": "x", "MaxSessionDuration": 7200},
                {"Arn": "arn:aws:iam::111122223333:role/other", "RoleId": "AROAEXAMPLE123456789", "Description": "d"},
            ],
        }
    ],
    "RolePolicyList": [
        {"PolicyName": "p", "PolicyDocument": {"Statement": {"Effect": "Deny", "NotAction": "*", "Resource": "*"}}}
    ],
    "AttachedManagedPolicies": [{"PolicyName": "ro", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
    "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::aws:policy/B"},
    "Tags": [{"Key": "team", "Value": "data"}, {"Key": "empty"}],
    "RoleLastUsed": {"LastUsedDate": "2024-06-01T00:00:00Z", "Region": "us-east-1"},
}
USER: dict[str, Any] = {
    "Path": "/",
    "UserName": "alice",
    "UserId": "AIDAEXAMPLE123456789",
    "Arn": "arn:aws:iam::111122223333:user/alice",
    "CreateDate": "2024-01-01T00:00:00Z",
    "GroupList": ["admins"],
    "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": '{"Statement": {"Effect": "Allow", "Action": "*"}}'}],
    "AttachedManagedPolicies": [],
    "Tags": [],
}
# Where to mangle an entry: a path of keys and list positions from the entry down.
ROLE_SPOTS = [(key,) for key in ROLE if key != "Arn"] + [
    ("Arn",),
    ("RoleLastUsed", "Region"),
    ("InstanceProfileList", 0, "Roles"),
    ("InstanceProfileList", 0, "Roles", 0, "MaxSessionDuration"),
    ("InstanceProfileList", 0, "Roles", 1, "Description"),
    ("InstanceProfileList", 0, "Arn"),
    ("RolePolicyList", 0, "PolicyName"),
    ("RolePolicyList", 0, "PolicyDocument"),
    ("RolePolicyList", 0, "PolicyDocument", "Statement", "Effect"),
    ("AttachedManagedPolicies", 0, "PolicyArn"),
    ("PermissionsBoundary", "PermissionsBoundaryArn"),
    ("Tags", 0, "Key"),
    ("Tags", 1, "Value"),
    ("AssumeRolePolicyDocument", "Statement", 0, "Principal"),
    ("AssumeRolePolicyDocument", "Statement", 0, "Condition"),
    ("MaxSessionDuration",),
    ("Description",),
]
USER_SPOTS = [(key,) for key in USER] + [
    ("GroupList", 0),
    ("UserPolicyList", 0, "PolicyDocument"),
    ("UserPolicyList", 0, "PolicyName"),
    ("PermissionsBoundary",),
]


def _mangle(entry: dict[str, Any], spots: list[tuple[Any, ...]], draw) -> dict[str, Any]:
    result = copy.deepcopy(entry)
    for _ in range(draw(st.integers(0, 2))):
        spot = draw(st.sampled_from(spots))
        parent: Any = result
        for step in spot[:-1]:
            try:
                parent = parent[step]
            except (KeyError, IndexError, TypeError):
                break
        else:
            last = spot[-1]
            if isinstance(parent, dict) and isinstance(last, str):
                if draw(st.integers(0, 4)) == 0:
                    parent.pop(last, None)
                else:
                    parent[last] = draw(JSON)
            elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
                parent[last] = draw(JSON)
    return result


@st.composite
def roles(draw) -> dict[str, Any]:
    return _mangle(ROLE, ROLE_SPOTS, draw)


@st.composite
def users(draw) -> dict[str, Any]:
    return _mangle(USER, USER_SPOTS, draw)


def _check_entry(quick, careful, raw: dict[str, Any]) -> None:
    try:
        fast = quick(raw, {})
    except Exception:  # the careful parser decides
        fast = None
    outcome = _outcome(careful, gaad._Fields(raw, "$.L[0]"))
    if fast is not None:
        assert outcome == ("ok", fast)
        assert [p.document.text for p in fast[1].inline_policies] == [
            p.document.text for p in outcome[1][1].inline_policies
        ]


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(roles())
def test_a_quick_role_is_the_careful_one(raw):
    _check_entry(gaad._quick_role, gaad.parse_role, raw)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(users())
def test_a_quick_user_is_the_careful_one(raw):
    _check_entry(gaad._quick_user, gaad.parse_user, raw)


def test_the_quick_parsers_take_the_usual_shapes():
    assert gaad._quick_role(copy.deepcopy(ROLE), {}) == gaad.parse_role(gaad._Fields(copy.deepcopy(ROLE), "$"))
    assert gaad._quick_user(copy.deepcopy(USER), {}) == gaad.parse_user(gaad._Fields(copy.deepcopy(USER), "$"))
    _, role = gaad._quick_role(copy.deepcopy(ROLE), {})
    assert role.max_session_duration == 7200 and role.description == "d"
    assert [t.value for t in role.tags] == ["data", ""]


@pytest.mark.parametrize(
    "cls",
    [
        policy.Principal,
        policy.Condition,
        policy.Statement,
        policy.PolicyDocument,
        account_model.Tag,
        account_model.InlinePolicy,
        account_model.User,
        account_model.Role,
        Arn,
    ],
)
def test_fast_constructor_makes_what_the_constructor_makes(cls):
    names = [f.name for f in dataclasses.fields(cls)]
    values = [f"v{i}" for i in range(len(names))]
    fast = policy.fast_constructor(cls)(*values)
    if cls is policy.PolicyDocument:
        values[names.index("_text")] = None
        fast = policy.fast_constructor(cls)(*values)
        slow = cls(version="v0", statements="v1", source="v3")
    else:
        slow = cls(**dict(zip(names, values, strict=True)))
    assert fast == slow and repr(fast) == repr(slow)
    assert [getattr(fast, n) for n in names] == [getattr(slow, n) for n in names]
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(fast, names[0], "changed")


def _role(name: str, trust: Any) -> dict[str, Any]:
    return {"RoleName": name, "Arn": f"arn:aws:iam::111122223333:role/{name}", "AssumeRolePolicyDocument": trust}


TRUST = {
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
}


def test_equal_document_strings_are_parsed_once_and_shared():
    other_order = {"Statement": [dict(reversed(TRUST["Statement"][0].items()))]}
    as_text = json.dumps(TRUST)
    roles = [_role("a", TRUST), _role("b", copy.deepcopy(TRUST)), _role("c", other_order), _role("d", as_text)]
    roles += [_role("e", as_text)]
    [account] = gaad.accounts_from_pages([("$", {"RoleDetailList": roles})])
    a, b, c, d, e = (role.trust_policy for role in account.roles)
    assert d is e  # the same JSON string, decoded and parsed once
    assert a == b == c == d and a.text == b.text != c.text  # key order shows in the text


def test_a_shared_document_still_fails_at_its_own_path():
    bad = {"Statement": [{"Effect": "Maybe", "Action": "*"}]}
    pages = [("$", {"RoleDetailList": [_role("a", TRUST), _role("b", bad), _role("c", copy.deepcopy(bad))]})]
    with pytest.raises(IamvizError) as caught:
        gaad.accounts_from_pages(pages)
    assert caught.value.path == "$.RoleDetailList[1].AssumeRolePolicyDocument.Statement[0].Effect"


def test_a_string_that_reads_like_a_cached_object_is_still_json_checked():
    pages = [("$", {"RoleDetailList": [_role("a", TRUST), _role("b", repr(TRUST))]})]
    with pytest.raises(IamvizError) as caught:
        gaad.accounts_from_pages(pages)
    assert caught.value.path == "$.RoleDetailList[1].AssumeRolePolicyDocument"


def test_loading_leaves_the_collector_as_it_found_it(tmp_path):
    import gc

    from iamviz.loading import load_file

    path = tmp_path / "gaad.json"
    path.write_text(json.dumps({"RoleDetailList": [_role("a", TRUST)]}), encoding="utf-8")
    was_enabled = gc.isenabled()
    try:
        gc.enable()
        before = gc.get_freeze_count()
        assert load_file(path).accounts[0].roles[0].name == "a"
        assert gc.isenabled() and gc.get_freeze_count() == before  # promoted to the oldest generation, not frozen
        gc.disable()
        load_file(path)
        assert not gc.isenabled()
        gc.enable()
        gc.freeze()  # someone else's frozen objects stay frozen
        try:
            frozen = gc.get_freeze_count()
            load_file(path)
            assert gc.get_freeze_count() == frozen
        finally:
            gc.unfreeze()
        with pytest.raises(IamvizError):
            load_file(tmp_path / "missing.json")
        assert gc.isenabled()
    finally:
        (gc.enable if was_enabled else gc.disable)()


def test_fast_constructor_of_a_class_whose_layout_it_cannot_swap():
    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class Base:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class Derived(Base):
        b: int = 2

    made = policy.fast_constructor(Derived)(1, 3)
    assert made == Derived(a=1, b=3) and type(made) is Derived
    assert "twin" not in policy.fast_constructor(Derived).__globals__
    assert "twin" in policy.fast_constructor(Base).__globals__ and policy.fast_constructor(Base)(5) == Base(a=5)
    with pytest.raises(TypeError):
        policy.fast_constructor(Derived)(1)
