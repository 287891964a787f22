"""GAAD exports into the model: every document form, pages, missing lists, default versions, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from iamviz.errors import InputError, PolicyError
from iamviz.loading import load_file, load_paths, load_sources
from iamviz.model import PrincipalKind

ACCOUNT = "111122223333"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}


def role(name: str = "app", *, trust: object = None, account: str = ACCOUNT, **extra: object) -> dict:
    entry = {
        "Path": "/",
        "RoleName": name,
        "RoleId": f"AROA{name.upper():0<17}"[:21],
        "Arn": f"arn:aws:iam::{account}:role/{name}",
        "CreateDate": "2024-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": TRUST if trust is None else trust,
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
    }
    entry.update(extra)
    return entry


def user(name: str = "alice", *, account: str = ACCOUNT, **extra: object) -> dict:
    entry = {"Path": "/", "UserName": name, "UserId": "AIDAEXAMPLEEXAMPLE01"}
    entry["Arn"] = f"arn:aws:iam::{account}:user/{name}"
    entry.update(extra)
    return entry


def write(tmp_path: Path, data: object, name: str = "gaad.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


# --- document forms -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "form",
    [
        pytest.param(lambda d: d, id="object"),
        pytest.param(json.dumps, id="json-string"),
        pytest.param(lambda d: quote(json.dumps(d), safe=""), id="url-encoded"),
        pytest.param(lambda d: quote(json.dumps(d)), id="url-encoded-keeping-slashes"),
    ],
)
def test_every_document_form_gives_the_same_trust_policy(tmp_path, form):
    data = {
        "RoleDetailList": [role(trust=form(TRUST), RolePolicyList=[{"PolicyName": "p", "PolicyDocument": form(ADMIN)}])]
    }
    account = load_file(write(tmp_path, data)).accounts[0]
    loaded = account.roles[0]
    assert loaded.trust_policy.statements[0].principals[0].kind is PrincipalKind.SERVICE
    assert loaded.trust_policy.statements[0].principals[0].value == "lambda.amazonaws.com"
    assert loaded.inline_policies[0].document.statements[0].actions == ("*",)


def test_account_id_comes_from_the_arns_not_from_aws_managed_policies(tmp_path):
    data = {
        "Policies": [
            {
                "PolicyName": "ReadOnlyAccess",
                "Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "DefaultVersionId": "v1",
                "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True, "Document": READ}],
            }
        ],
        "UserDetailList": [user()],
    }
    snapshot = load_file(write(tmp_path, data))
    assert [a.account_id for a in snapshot.accounts] == [ACCOUNT]
    assert snapshot.accounts[0].managed_policies[0].is_aws_managed
    assert snapshot.accounts[0].source == "file:gaad.json"


def test_customer_policy_alone_gives_the_account(tmp_path):
    data = {
        "Policies": [
            {
                "PolicyName": "Mine",
                "Arn": f"arn:aws:iam::{ACCOUNT}:policy/Mine",
                "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": True, "Document": READ}],
            }
        ]
    }
    assert load_file(write(tmp_path, data)).accounts[0].account_id == ACCOUNT


def test_missing_lists_are_empty(tmp_path):
    account = load_file(write(tmp_path, {"RoleDetailList": [role()]})).accounts[0]
    assert (len(account.users), len(account.groups), len(account.roles), len(account.managed_policies)) == (0, 0, 1, 0)
    account = load_file(write(tmp_path, {"UserDetailList": [user()], "RoleDetailList": None})).accounts[0]
    assert len(account.users) == 1 and account.roles == ()


def test_only_the_default_version_is_in_force(tmp_path):
    versions = [
        {"VersionId": "v1", "IsDefaultVersion": False, "Document": ADMIN},
        {"VersionId": "v2", "IsDefaultVersion": True, "Document": READ},
        {"VersionId": "v3", "IsDefaultVersion": False, "Document": ADMIN},
    ]
    policy = {
        "PolicyName": "P",
        "Arn": f"arn:aws:iam::{ACCOUNT}:policy/P",
        "DefaultVersionId": "v2",
        "PolicyVersionList": versions,
    }
    loaded = load_file(write(tmp_path, {"Policies": [policy]})).accounts[0].managed_policies[0]
    assert loaded.default_version_id == "v2"
    assert loaded.document.statements[0].actions == ("s3:Get*",)


def test_default_version_id_used_when_no_version_is_flagged(tmp_path):
    versions = [{"VersionId": "v1", "Document": ADMIN}, {"VersionId": "v4", "Document": READ}]
    policy = {"PolicyName": "P", "Arn": f"arn:aws:iam::{ACCOUNT}:policy/P", "DefaultVersionId": "v4"}
    policy["PolicyVersionList"] = versions
    loaded = load_file(write(tmp_path, {"Policies": [policy]})).accounts[0].managed_policies[0]
    assert loaded.document.statements[0].actions == ("s3:Get*",)


def test_policy_without_any_default_version_grants_nothing_and_warns(tmp_path):
    policy = {"PolicyName": "P", "Arn": f"arn:aws:iam::{ACCOUNT}:policy/P", "DefaultVersionId": "v9"}
    policy["PolicyVersionList"] = [{"VersionId": "v1", "Document": ADMIN}]
    snapshot = load_file(write(tmp_path, {"Policies": [policy]}))
    assert snapshot.accounts[0].managed_policies[0].document.statements == ()
    assert any("no default version" in w for w in snapshot.warnings)


def test_role_fields_from_instance_profiles_and_last_used(tmp_path):
    profiles = [
        {
            "Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/app",
            "Roles": [
                {"Arn": f"arn:aws:iam::{ACCOUNT}:role/other", "MaxSessionDuration": 7200},
                {"Arn": f"arn:aws:iam::{ACCOUNT}:role/app", "MaxSessionDuration": 43200, "Description": "the app"},
            ],
        }
    ]
    data = {
        "RoleDetailList": [
            role("app", InstanceProfileList=profiles, RoleLastUsed={}),
            role("used", RoleLastUsed={"LastUsedDate": "2024-05-01T10:00:00Z", "Region": "eu-west-1"}),
            role("unknown"),
        ]
    }
    roles = {r.name: r for r in load_file(write(tmp_path, data)).accounts[0].roles}
    assert roles["app"].max_session_duration == 43200
    assert roles["app"].description == "the app"
    assert roles["app"].instance_profile_arns == (f"arn:aws:iam::{ACCOUNT}:instance-profile/app",)
    assert roles["app"].last_used == ""
    assert (roles["used"].last_used, roles["used"].last_used_region) == ("2024-05-01T10:00:00Z", "eu-west-1")
    assert roles["unknown"].last_used is None and roles["unknown"].max_session_duration is None


BOUNDARY = "arn:aws:iam::aws:policy/B"


def test_user_fields(tmp_path):
    entry = user(
        GroupList=["ops"],
        UserPolicyList=[{"PolicyName": "inline", "PolicyDocument": json.dumps(READ)}],
        AttachedManagedPolicies=[{"PolicyName": "A", "PolicyArn": "arn:aws:iam::aws:policy/A"}],
        PermissionsBoundary={"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": BOUNDARY},
        Tags=[{"Key": "team", "Value": "ops"}],
    )
    loaded = load_file(write(tmp_path, {"UserDetailList": [entry]})).accounts[0].users[0]
    assert loaded.group_names == ("ops",)
    assert loaded.inline_policies[0].name == "inline"
    assert loaded.managed_policy_arns == ("arn:aws:iam::aws:policy/A",)
    assert loaded.permissions_boundary_arn == "arn:aws:iam::aws:policy/B"
    assert loaded.tags[0].key == "team"


# --- pages ----------------------------------------------------------------------------------------------------------


def test_pages_written_one_after_another(tmp_path):
    page1 = {"UserDetailList": [user("a")], "RoleDetailList": [role("r1")], "IsTruncated": True, "Marker": "m"}
    page2 = {"UserDetailList": [user("b")], "RoleDetailList": [role("r2")], "IsTruncated": False}
    text = json.dumps(page1, indent=2) + "\n" + json.dumps(page2)
    account = load_file(write(tmp_path, text)).accounts[0]
    assert [u.name for u in account.users] == ["a", "b"]
    assert [r.name for r in account.roles] == ["r1", "r2"]
    assert "IsTruncated" not in account.authorization_details


def test_pages_as_a_json_list(tmp_path):
    pages = [{"RoleDetailList": [role("r1")], "IsTruncated": True}, {"RoleDetailList": [role("r2")]}]
    account = load_file(write(tmp_path, pages)).accounts[0]
    assert [r.name for r in account.roles] == ["r1", "r2"]


def test_overlapping_pages_keep_one_copy_and_warn(tmp_path):
    text = json.dumps({"RoleDetailList": [role("r1")]}) + json.dumps({"RoleDetailList": [role("r1"), role("r2")]})
    snapshot = load_file(write(tmp_path, text))
    assert [r.name for r in snapshot.accounts[0].roles] == ["r1", "r2"]
    assert any("more than once" in w for w in snapshot.warnings)


def test_errors_in_later_pages_name_the_page(tmp_path):
    bad = role("r2", trust={"Statement": [{"Effect": "Allow", "Principal": 7, "Action": "sts:AssumeRole"}]})
    text = json.dumps({"RoleDetailList": [role("r1")]}) + json.dumps({"RoleDetailList": [role("r0"), bad]})
    with pytest.raises(PolicyError) as info:
        load_file(write(tmp_path, text))
    assert info.value.path == "$[1].RoleDetailList[1].AssumeRolePolicyDocument.Statement[0].Principal"


def test_utf16_with_bom_is_read(tmp_path):
    path = tmp_path / "ps.json"
    path.write_bytes(json.dumps({"RoleDetailList": [role()]}).encode("utf-16"))
    assert load_file(path).accounts[0].roles[0].name == "app"


# --- several accounts -----------------------------------------------------------------------------------------------


def test_arns_of_two_accounts_give_two_accounts(tmp_path):
    data = {"RoleDetailList": [role("a"), role("b"), role("c", account="444455556666")]}
    snapshot = load_file(write(tmp_path, data))
    assert [(a.account_id, len(a.roles)) for a in snapshot.accounts] == [(ACCOUNT, 2), ("444455556666", 1)]
    assert any("2 accounts" in w for w in snapshot.warnings)


def test_arns_without_account_join_the_file_account_with_rewritten_arns(tmp_path):
    data = {"UserDetailList": [user("u", account="aws")], "RoleDetailList": [role()]}
    snapshot = load_file(write(tmp_path, data))
    assert snapshot.accounts[0].users[0].arn == f"arn:aws:iam::{ACCOUNT}:user/u"
    assert any("no account ID" in w for w in snapshot.warnings)


def test_several_files_are_several_accounts(tmp_path):
    a = write(tmp_path, {"RoleDetailList": [role()]}, "a.json")
    b = write(tmp_path, {"RoleDetailList": [role(account="444455556666")]}, "b.json")
    snapshot = load_sources([str(a), b])
    assert [x.account_id for x in snapshot.accounts] == [ACCOUNT, "444455556666"]


def test_load_paths_keeps_good_files_and_collects_bad_ones(tmp_path):
    good = write(tmp_path, {"RoleDetailList": [role()]}, "good.json")
    bad = write(tmp_path, "{", "bad.json")
    result = load_paths([bad, good, tmp_path / "missing.json"])
    assert [a.account_id for a in result.snapshot.accounts] == [ACCOUNT]
    assert [e.file for e in result.errors] == [str(bad), str(tmp_path / "missing.json")]


def test_the_same_account_twice_is_refused_naming_both_files(tmp_path):
    a = write(tmp_path, {"RoleDetailList": [role("x")]}, "a.json")
    b = write(tmp_path, {"RoleDetailList": [role("y")]}, "b.json")
    with pytest.raises(InputError, match=r"already loaded from .*a\.json") as info:
        load_sources([a, b])
    assert info.value.file == str(b)
    result = load_paths([a, b])
    assert len(result.snapshot.accounts) == 1 and len(result.errors) == 1


# --- real-world exports ---------------------------------------------------------------------------------------------

REAL_WORLD_COUNTS = {
    # file: {account: (users, groups, roles, managed policies incl. AWS-managed)}
    "cloudmapper-demo-gaad.json": {"123456789012": (2, 1, 4, 2)},
    "cloudsplaining-example-gaad.json": {"200611803367": (41, 3, 75, 82), "012345678901": (3, 2, 3, 40)},
    "cloudsplaining-test-authz-details.json": {"012345678901": (3, 2, 3, 32)},
}


def test_every_real_world_export_loads_with_the_right_counts(real_world_dir):
    files = sorted(real_world_dir.glob("*.json"))
    assert {f.name for f in files} == set(REAL_WORLD_COUNTS)
    for path in files:
        snapshot = load_file(path)
        counts = {
            a.account_id: (len(a.users), len(a.groups), len(a.roles), len(a.managed_policies))
            for a in snapshot.accounts
        }
        assert counts == REAL_WORLD_COUNTS[path.name], path.name


def test_real_world_trust_of_anyone_is_read(real_world_dir):
    account = load_file(real_world_dir / "cloudmapper-demo-gaad.json").accounts[0]
    kinds = {p.kind for r in account.roles for s in r.trust_policy.statements for p in s.principals or ()}
    assert PrincipalKind.ANYONE in kinds


def test_real_world_only_default_versions(real_world_dir):
    raw = json.loads((real_world_dir / "cloudsplaining-example-gaad.json").read_text(encoding="utf-8"))
    multi = next(p for p in raw["Policies"] if len(p["PolicyVersionList"]) > 1)
    default = next(v for v in multi["PolicyVersionList"] if v["IsDefaultVersion"])
    snapshot = load_file(real_world_dir / "cloudsplaining-example-gaad.json")
    loaded = next(p for a in snapshot.accounts for p in a.managed_policies if p.arn == multi["Arn"])
    assert json.loads(loaded.document.text) == default["Document"]


# --- bad input ------------------------------------------------------------------------------------------------------

BAD_FILES = [
    # (id, content, expected JSON path or None, message fragment)
    ("invalid-json", '{"RoleDetailList": [', None, "invalid JSON at line 1 column"),
    ("truncated", '{"RoleDetailList": [{"Arn": "arn:aws:iam::111122223333:role/x"', None, "invalid JSON"),
    ("empty", "", None, "empty"),
    ("whitespace-only", "  \n ", None, "empty"),
    ("top-level-string", '"hello"', "$", "not a string"),
    ("top-level-number", "42", "$", "not a number"),
    ("top-level-null", "null", "$", "not null"),
    ("empty-list", "[]", "$", "empty list"),
    ("foreign-object", '{"Reservations": []}', "$", "top-level keys: Reservations"),
    ("list-of-foreign", '[{"x": 1}]', "$[0]", "not a get-account-authorization-details page"),
    ("concatenated-foreign", '{"RoleDetailList": []} {"x": 1}', "$[1]", "JSON value 2 of 2"),
    ("list-as-object", '{"RoleDetailList": {"a": 1}}', "$.RoleDetailList", "must be a list, not an object"),
    ("list-as-string", '{"UserDetailList": "x"}', "$.UserDetailList", "must be a list, not a string"),
    ("entry-not-object", '{"RoleDetailList": [3]}', "$.RoleDetailList[0]", "expected an object, not a number"),
    ("arn-missing", '{"RoleDetailList": [{"RoleName": "x"}]}', "$.RoleDetailList[0].Arn", "Arn is missing"),
    ("arn-number", '{"UserDetailList": [{"Arn": 5}]}', "$.UserDetailList[0].Arn", "must be a string"),
    ("arn-garbage", '{"UserDetailList": [{"Arn": "nope"}]}', "$.UserDetailList[0].Arn", "not an ARN"),
    (
        "arn-wrong-kind",
        '{"UserDetailList": [{"Arn": "arn:aws:iam::111122223333:role/x"}]}',
        "$.UserDetailList[0].Arn",
        "not the ARN of an IAM user",
    ),
    (
        "grouplist-number",
        '{"UserDetailList": [{"Arn": "arn:aws:iam::111122223333:user/u", "GroupList": [1]}]}',
        "$.UserDetailList[0].GroupList[0]",
        "expected a string",
    ),
    (
        "trust-missing",
        '{"RoleDetailList": [{"Arn": "arn:aws:iam::111122223333:role/r"}]}',
        "$.RoleDetailList[0].AssumeRolePolicyDocument",
        "missing",
    ),
    (
        "trust-not-json",
        '{"RoleDetailList": [{"Arn": "arn:aws:iam::111122223333:role/r", "AssumeRolePolicyDocument": "{nope"}]}',
        "$.RoleDetailList[0].AssumeRolePolicyDocument",
        "not valid JSON",
    ),
    (
        "empty-statement",
        '{"RoleDetailList": [{"Arn": "arn:aws:iam::111122223333:role/r",'
        ' "AssumeRolePolicyDocument": {"Statement": []}}]}',
        "$.RoleDetailList[0].AssumeRolePolicyDocument.Statement",
        "empty",
    ),
    (
        "max-session-string",
        '{"RoleDetailList": [{"Arn": "arn:aws:iam::111122223333:role/r", "MaxSessionDuration": "1h",'
        ' "AssumeRolePolicyDocument": {"Statement": {"Effect": "Allow"}}}]}',
        "$.RoleDetailList[0].MaxSessionDuration",
        "whole number",
    ),
    (
        "last-used-list",
        '{"RoleDetailList": [{"Arn": "arn:aws:iam::111122223333:role/r", "RoleLastUsed": [],'
        ' "AssumeRolePolicyDocument": {"Statement": {"Effect": "Allow"}}}]}',
        "$.RoleDetailList[0].RoleLastUsed",
        "must be an object",
    ),
    (
        "version-list-object",
        '{"Policies": [{"Arn": "arn:aws:iam::111122223333:policy/p", "PolicyVersionList": {}}]}',
        "$.Policies[0].PolicyVersionList",
        "must be a list",
    ),
    (
        "default-flag-string",
        '{"Policies": [{"Arn": "arn:aws:iam::111122223333:policy/p",'
        ' "PolicyVersionList": [{"IsDefaultVersion": "yes"}]}]}',
        "$.Policies[0].PolicyVersionList[0].IsDefaultVersion",
        "true or false",
    ),
    ("only-aws-policies", '{"Policies": [], "UserDetailList": []}', "$", "account ID is unknown"),
    (
        "only-accountless-arns",
        '{"UserDetailList": [{"Arn": "arn:aws:iam::aws:user/u"}]}',
        "$.UserDetailList[0].Arn",
        "'aws' is not an account",
    ),
    ("foreign-format", '{"format": "terraform-state", "version": 4}', "$.format", "not an iamviz snapshot bundle"),
]


@pytest.mark.parametrize(
    ("content", "json_path", "fragment"), [b[1:] for b in BAD_FILES], ids=[b[0] for b in BAD_FILES]
)
def test_bad_files_give_one_line_naming_file_and_path(tmp_path, content, json_path, fragment):
    path = write(tmp_path, content)
    with pytest.raises(InputError) as info:
        load_file(path)
    error = info.value
    assert error.file == str(path)
    assert error.path == json_path
    assert fragment in str(error)
    assert "\n" not in str(error)
    assert str(error).startswith(str(path))


def test_the_trust_principal_error_names_the_exact_path(tmp_path):
    trust = {"Statement": [{"Effect": "Allow", "Principal": 12, "Action": "sts:AssumeRole"}]}
    data = {"RoleDetailList": [role("a"), role("b"), role("c"), role("d", trust=trust)]}
    path = write(tmp_path, data)
    with pytest.raises(PolicyError) as info:
        load_file(path)
    assert info.value.path == "$.RoleDetailList[3].AssumeRolePolicyDocument.Statement[0].Principal"
    assert str(info.value).startswith(f"{path}: at $.RoleDetailList[3]")


def test_non_utf8_bytes(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"RoleDetailList": [{"RoleName": "caf\xe9"}]}')
    with pytest.raises(InputError, match=r"not UTF-8 text \(byte 0xe9 at offset 37, line 1"):
        load_file(path)


def test_folder_missing_and_unreadable_files(tmp_path):
    with pytest.raises(InputError, match="is a folder"):
        load_file(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        load_file(tmp_path / "nothing.json")
    locked = write(tmp_path, {"RoleDetailList": [role()]}, "locked.json")
    locked.chmod(0)
    try:
        if locked.stat().st_mode & 0o777 == 0 and not _can_read(locked):
            with pytest.raises(InputError, match="permission denied"):
                load_file(locked)
    finally:
        locked.chmod(0o600)


def _can_read(path: Path) -> bool:
    try:
        path.read_bytes()
    except PermissionError:
        return False
    return True


def test_deep_nesting_is_an_input_error(tmp_path):
    path = write(tmp_path, "[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError):
        load_file(path)
