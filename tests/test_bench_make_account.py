"""The benchmark's account generator: deterministic, the sizes asked for, and GAAD that iamviz loads."""

from __future__ import annotations

import json
from collections import Counter

import pytest


def _trust_statements(document):
    for role in document["RoleDetailList"]:
        yield from role["AssumeRolePolicyDocument"]["Statement"]


def test_same_seed_same_bytes_other_seed_other_account(make_account, tmp_path):
    paths = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        path = tmp_path / f"{name}.json"
        make_account.write(make_account.generate(roles=150, seed=seed), path)
        paths.append(path.read_bytes())
    assert paths[0] == paths[1]
    assert paths[0] != paths[2]


def test_counts_are_the_ones_requested(make_account):
    document = make_account.generate(roles=250, users=40, groups=6, seed=1)
    assert len(document["RoleDetailList"]) == 250
    assert len(document["UserDetailList"]) == 40
    assert len(document["GroupDetailList"]) == 6
    names = [r["RoleName"] for r in document["RoleDetailList"]]
    assert len(set(names)) == len(names)
    ids = [r["RoleId"] for r in document["RoleDetailList"]] + [u["UserId"] for u in document["UserDetailList"]]
    assert len(set(ids)) == len(ids)


def test_gaad_shape_and_trust_mix(make_account, tmp_path):
    document = make_account.generate(roles=1000, seed=3)
    path = tmp_path / "gaad.json"
    make_account.write(document, path)
    data = json.loads(path.read_text())
    assert sorted(data) == ["GroupDetailList", "Policies", "RoleDetailList", "UserDetailList"]
    role = data["RoleDetailList"][0]
    for key in ("Path", "RoleName", "RoleId", "Arn", "CreateDate", "AssumeRolePolicyDocument", "RolePolicyList",
                "AttachedManagedPolicies", "InstanceProfileList", "RoleLastUsed"):  # fmt: skip
        assert key in role, key
    user_groups = {g for u in data["UserDetailList"] for g in u["GroupList"]}
    assert user_groups <= {g["GroupName"] for g in data["GroupDetailList"]}
    policy_arns = {p["Arn"] for p in data["Policies"]}
    attached = {a["PolicyArn"] for kind in ("RoleDetailList", "UserDetailList", "GroupDetailList")
                for e in data[kind] for a in e["AttachedManagedPolicies"]}  # fmt: skip
    assert attached <= policy_arns
    for policy in data["Policies"]:
        assert sum(v["IsDefaultVersion"] for v in policy["PolicyVersionList"]) == 1

    kinds = Counter()
    for statement in _trust_statements(data):
        principal = statement["Principal"]
        if principal == "*" or principal.get("AWS") == "*":
            kinds["anyone"] += 1
        for key in ("Service", "Federated"):
            if key in principal:
                kinds[key] += 1
        federated = principal.get("Federated", "")
        kinds["saml"] += "saml-provider/" in federated
        kinds["github"] += "token.actions.githubusercontent.com" in federated
        kinds["eks"] += "oidc.eks." in federated
        aws = principal.get("AWS") if isinstance(principal, dict) else None
        if isinstance(aws, str):
            kinds["root"] += aws.endswith(":root") or aws.isdigit()
            kinds["role"] += ":role/" in aws
            kinds["user"] += ":user/" in aws
        conditions = json.dumps(statement.get("Condition", {}))
        kinds["mfa"] += "MultiFactorAuth" in conditions
        kinds["external_id"] += "sts:ExternalId" in conditions
    assert 0.28 <= kinds["Service"] / 1000 <= 0.42
    for kind in ("anyone", "saml", "github", "eks", "root", "role", "user", "mfa", "external_id"):
        assert kinds[kind] > 0, kind
    # Chains several hops deep: a role trusted by a role trusted by a role...
    assert any("-hop3-" in r["RoleName"] for r in data["RoleDetailList"])
    assert any(r["RoleLastUsed"] for r in data["RoleDetailList"])
    assert any(not r["RoleLastUsed"] for r in data["RoleDetailList"])


def test_iamviz_loads_the_generated_account(make_account, tmp_path):
    loading = pytest.importorskip("iamviz.loading")
    if not hasattr(loading, "load_paths"):
        pytest.skip("iamviz.loading.load_paths has not landed yet")
    document = make_account.generate(roles=300, users=30, groups=4, seed=5)
    path = tmp_path / "gaad.json"
    make_account.write(document, path)
    result = loading.load_paths([str(path)])
    assert result.errors == ()
    (account,) = result.snapshot.accounts
    assert account.account_id == make_account.DEFAULT_ACCOUNT
    assert len(account.roles) == 300
    assert len(account.users) == 30
    assert len(account.groups) == 4
    assert {r.arn for r in account.roles} == {r["Arn"] for r in document["RoleDetailList"]}


def _privilege_counts(make_account, document):
    """(users who may assume any role, roles with Administrator or PowerUser access, roles trusting the account)."""
    any_role = {
        make_account.ADMIN_ARN,
        make_account.POWERUSER_ARN,
        f"arn:aws:iam::{make_account.DEFAULT_ACCOUNT}:policy/assume-any-role",
    }
    groups = {g["GroupName"]: g for g in document["GroupDetailList"]}

    def holds(entity):
        return any(a["PolicyArn"] in any_role for a in entity["AttachedManagedPolicies"])

    users = sum(holds(u) or any(holds(groups[g]) for g in u["GroupList"]) for u in document["UserDetailList"])
    roles = sum(holds(r) for r in document["RoleDetailList"])
    root = f"arn:aws:iam::{make_account.DEFAULT_ACCOUNT}:root"
    own = sum(
        any(
            isinstance(s["Principal"], dict) and s["Principal"].get("AWS") in (root, make_account.DEFAULT_ACCOUNT)
            for s in r["AssumeRolePolicyDocument"]["Statement"]
        )
        for r in document["RoleDetailList"]
    )
    return users, roles, own


def test_realistic_mix_is_the_default_and_matches_a_typical_large_account(make_account):
    document = make_account.generate(roles=3000, seed=4)
    assert json.dumps(document) == json.dumps(make_account.generate(roles=3000, seed=4, mix="realistic"))
    users, roles, own = _privilege_counts(make_account, document)
    assert len(document["UserDetailList"]) == 210  # 7 % of the roles
    assert 0.10 <= users / 210 <= 0.20
    assert 0.01 <= roles / 3000 <= 0.02
    assert 0.01 <= own / 3000 <= 0.03
    admin = sum(make_account.ADMIN_ARN in {a["PolicyArn"] for a in r["AttachedManagedPolicies"]}
                for r in document["RoleDetailList"])  # fmt: skip
    assert admin > roles - admin  # PowerUserAccess no longer as often as AdministratorAccess


def test_worst_mix_keeps_the_heavy_account(make_account):
    document = make_account.generate(roles=3000, seed=4, mix="worst")
    users, roles, own = _privilege_counts(make_account, document)
    assert len(document["UserDetailList"]) == 300
    assert users / 300 > 0.25
    assert roles / 3000 > 0.04
    assert own / 3000 > 0.07
    assert json.dumps(document) == json.dumps(make_account.generate(roles=3000, seed=4, mix="worst"))
    with pytest.raises(ValueError, match="mix"):
        make_account.generate(roles=10, mix="typical")
