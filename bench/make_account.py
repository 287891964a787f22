"""Write a synthetic AWS account in the exact shape of ``aws iam get-account-authorization-details``.

The account is built for benchmarks: its size is chosen on the command line, and its trusts are mixed the way
real accounts mix them (about a third service principals, then same-account users and roles with role chains
several hops deep, account roots with and without MFA, external accounts with and without ExternalId, SAML,
OIDC for GitHub Actions and EKS service accounts, and a few ``"*"``). Users and groups carry identity policies
that grant ``sts:AssumeRole`` (some by wildcard); a few principals are administrators; some roles were used
recently (``RoleLastUsed``). The same seed always gives the same bytes.

Usage::

    python bench/make_account.py --roles 1000 --seed 1 -o /tmp/acct-1000.json
    python bench/make_account.py --roles 20000 --users 2000 --groups 60 -o /tmp/acct-20000.json

``--bundle`` writes an iamviz snapshot bundle instead (the GAAD inside, plus the SAML and OIDC providers the
trusts name, which GAAD itself does not list).
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_ACCOUNT = "123456789012"  # moto's default account, so the same account can seed a moto server
VERSION = "2012-10-17"
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
READONLY_ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"
POWERUSER_ARN = "arn:aws:iam::aws:policy/PowerUserAccess"
LAMBDA_BASIC_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
SSM_CORE_ARN = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"

# Service principals with the share of service roles they get in a typical account.
SERVICES: tuple[tuple[str, int], ...] = (
    ("lambda.amazonaws.com", 30),
    ("ec2.amazonaws.com", 14),
    ("ecs-tasks.amazonaws.com", 12),
    ("glue.amazonaws.com", 5),
    ("states.amazonaws.com", 5),
    ("codebuild.amazonaws.com", 5),
    ("events.amazonaws.com", 4),
    ("cloudformation.amazonaws.com", 4),
    ("sagemaker.amazonaws.com", 3),
    ("firehose.amazonaws.com", 3),
    ("apigateway.amazonaws.com", 3),
    ("codepipeline.amazonaws.com", 3),
    ("datasync.amazonaws.com", 2),
    ("scheduler.amazonaws.com", 2),
    ("backup.amazonaws.com", 2),
    ("s3.amazonaws.com", 2),
    ("edgelambda.amazonaws.com", 1),
)
# Services whose resources a role trust can pin with aws:SourceArn (service -> ARN pattern).
SOURCE_ARN_PATTERNS = {
    "lambda.amazonaws.com": "arn:aws:lambda:us-east-1:{acct}:function:{name}",
    "events.amazonaws.com": "arn:aws:events:us-east-1:{acct}:rule/{name}",
    "states.amazonaws.com": "arn:aws:states:us-east-1:{acct}:stateMachine:{name}",
    "codebuild.amazonaws.com": "arn:aws:codebuild:us-east-1:{acct}:project/{name}",
    "glue.amazonaws.com": "arn:aws:glue:us-east-1:{acct}:job/{name}",
    "firehose.amazonaws.com": "arn:aws:firehose:us-east-1:{acct}:deliverystream/{name}",
    "scheduler.amazonaws.com": "arn:aws:scheduler:us-east-1:{acct}:schedule-group/{name}",
    "ecs-tasks.amazonaws.com": "arn:aws:ecs:us-east-1:{acct}:*",
    "s3.amazonaws.com": "arn:aws:s3:::{name}",
}
# Role trust kinds and their weights (percent of roles), per mix: see Mix.
WORST_TRUST_KINDS: tuple[tuple[str, float], ...] = (
    ("service", 35.0),
    ("same_user", 8.0),
    ("chain", 14.0),
    ("root_self", 9.0),
    ("external", 12.0),
    ("saml", 10.0),
    ("oidc_github", 5.0),
    ("oidc_eks", 5.0),
    ("multi", 1.5),
    ("deleted", 0.4),
    ("anyone", 0.1),
)
REALISTIC_TRUST_KINDS: tuple[tuple[str, float], ...] = (
    ("service", 38.0),
    ("same_user", 9.0),
    ("chain", 15.0),
    ("root_self", 2.0),  # 1-3 % of roles trust their own account in large accounts
    ("external", 12.0),
    ("saml", 13.0),
    ("oidc_github", 5.0),
    ("oidc_eks", 5.0),
    ("multi", 0.5),
    ("deleted", 0.4),
    ("anyone", 0.1),
)
TRUST_KINDS = REALISTIC_TRUST_KINDS


@dataclass(frozen=True, slots=True, kw_only=True)
class Mix:
    """How an account's trusts and privileges are mixed.

    Attributes:
        name: ``realistic`` or ``worst``.
        trust_kinds: (kind, percent of roles) pairs.
        users_per_role: default users as a share of the role count.
        admin_shares: per trust kind, the share of its roles given AdministratorAccess directly.
        poweruser_shares: per trust kind, the share given PowerUserAccess (which also allows sts:AssumeRole on *).
        default_privileged: both shares for a kind missing from the tables above.
        privileged_users: realistic mix only: the share of users put into one privileged group (administrators,
            assume-any-role, power users); ``None`` keeps the worst mix's random group policies and membership.
    """

    name: str
    trust_kinds: tuple[tuple[str, float], ...]
    users_per_role: float
    admin_shares: dict[str, float]
    poweruser_shares: dict[str, float]
    default_privileged: tuple[float, float]
    privileged_users: float | None


MIXES: dict[str, Mix] = {
    # A typical large account: ~2 % of roles trust the account root, ~1.5 % privileged roles, users at 7 % of
    # the role count with ~15 % of them privileged (admins, or sts:AssumeRole on "*").
    "realistic": Mix(
        name="realistic",
        trust_kinds=REALISTIC_TRUST_KINDS,
        users_per_role=0.07,
        admin_shares={"saml": 0.03, "root_self": 0.05, "chain": 0.015, "oidc_github": 0.02, "external": 0.004},
        poweruser_shares={"saml": 0.015, "root_self": 0.025, "chain": 0.0075, "oidc_github": 0.01, "external": 0.002},
        default_privileged=(0.004, 0.002),
        privileged_users=0.13,
    ),
    # The first generator's mix, kept for the worst case: 9 % of roles trust the account root, PowerUserAccess
    # as often as AdministratorAccess (~5.5 % privileged roles), a seventh of the groups hand out
    # sts:AssumeRole on "*" and another seventh PowerUserAccess (~35 % of users may assume any role).
    "worst": Mix(
        name="worst",
        trust_kinds=WORST_TRUST_KINDS,
        users_per_role=0.1,
        admin_shares={"saml": 0.08, "root_self": 0.06, "chain": 0.05, "oidc_github": 0.08, "external": 0.01},
        poweruser_shares={"saml": 0.08, "root_self": 0.06, "chain": 0.05, "oidc_github": 0.08, "external": 0.01},
        default_privileged=(0.01, 0.01),
        privileged_users=None,
    ),
}
DEFAULT_MIX = "realistic"
WORDS = (
    "orders", "billing", "payments", "search", "catalog", "inventory", "shipping", "reports", "audit", "metrics",
    "ingest", "etl", "backup", "deploy", "build", "frontend", "api", "auth", "users", "notify", "mail", "images",
    "video", "ml", "analytics", "ledger", "fraud", "risk", "support", "crm", "hr", "finance", "legal", "docs",
    "cache", "queue", "stream", "archive", "export", "import", "sync", "monitor", "alerts", "logs", "vpc", "dns",
)  # fmt: skip
TEAMS = ("platform", "data", "web", "mobile", "security", "sre", "ml", "finance", "growth", "core")
ENVS = ("dev", "test", "staging", "prod")
EXTERNAL_VENDORS = ("datadog", "snyk", "wiz", "lacework", "newrelic", "sumologic", "splunk", "orca", "vanta", "okta")
SERVICE_ACTIONS = (
    "s3:GetObject", "s3:PutObject", "s3:ListBucket", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query",
    "sqs:SendMessage", "sqs:ReceiveMessage", "sns:Publish", "kms:Decrypt", "kms:GenerateDataKey",
    "logs:CreateLogStream", "logs:PutLogEvents", "secretsmanager:GetSecretValue", "ssm:GetParameter",
    "ec2:DescribeInstances", "cloudwatch:PutMetricData", "lambda:InvokeFunction", "states:StartExecution",
    "glue:StartJobRun", "ecr:GetAuthorizationToken", "ecr:BatchGetImage", "xray:PutTraceSegments",
)  # fmt: skip
SAML_AUD = "https://signin.aws.amazon.com/saml"
GITHUB_HOST = "token.actions.githubusercontent.com"
MAX_CHAIN_DEPTH = 5


@dataclass(slots=True)
class _State:
    """What the generator has built so far."""

    rng: random.Random
    account: str
    mix: Mix = MIXES[DEFAULT_MIX]
    roles: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)
    # Roles people reach (by user, SAML, account root or a chain), with their chain depth: chain sources.
    human_roles: list[tuple[int, int]] = field(default_factory=list)
    external_accounts: list[str] = field(default_factory=list)
    saml_providers: list[str] = field(default_factory=list)
    oidc_providers: list[tuple[str, str]] = field(default_factory=list)  # (arn, url)
    used_ids: set[str] = field(default_factory=set)
    counter: int = 0


def _unique_id(state: _State, prefix: str) -> str:
    alphabet = string.ascii_uppercase + "234567"
    while True:
        value = prefix + "".join(state.rng.choices(alphabet, k=17))
        if value not in state.used_ids:
            state.used_ids.add(value)
            return value


def _date(rng: random.Random, start_year: int = 2018, end_year: int = 2025) -> str:
    year = rng.randint(start_year, end_year)
    return (
        f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}+00:00"
    )


def _weighted(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    names = [name for name, _ in table]
    weights = [weight for _, weight in table]
    return rng.choices(names, weights=weights, k=1)[0]


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": list(statements)}


def _service_permissions(rng: random.Random, acct: str, name: str) -> dict[str, Any]:
    """An inline permission policy of a workload role: a few services on its own resources."""
    statements = []
    for index in range(rng.randint(1, 3)):
        actions = sorted(rng.sample(SERVICE_ACTIONS, rng.randint(1, 5)))
        service = actions[0].split(":", 1)[0]
        if service in ("s3",):
            resource: str | list[str] = [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"]
        elif service in ("logs", "ec2", "cloudwatch", "xray", "ecr"):
            resource = "*"
        else:
            resource = f"arn:aws:{service}:us-east-1:{acct}:*{name}*"
        statements.append({"Sid": f"S{index}", "Effect": "Allow", "Action": actions, "Resource": resource})
    return _doc(*statements)


def _role(state: _State, name: str, trust: dict[str, Any], *, path: str = "/") -> dict[str, Any]:
    rng = state.rng
    role_id = _unique_id(state, "AROA")
    arn = f"arn:aws:iam::{state.account}:role{path}{name}"
    role: dict[str, Any] = {
        "Path": path,
        "RoleName": name,
        "RoleId": role_id,
        "Arn": arn,
        "CreateDate": _date(rng),
        "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": [],
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
        "Tags": [],
        "RoleLastUsed": {},
    }
    if rng.random() < 0.6:
        role["RoleLastUsed"] = {
            "LastUsedDate": _date(rng, 2024, 2025),
            "Region": rng.choice(("us-east-1", "eu-west-1")),
        }
    if rng.random() < 0.5:
        role["Tags"] = [
            {"Key": "team", "Value": rng.choice(TEAMS)},
            {"Key": "env", "Value": rng.choice(ENVS)},
        ]
    if rng.random() < 0.05:
        role["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": f"arn:aws:iam::{state.account}:policy/boundary-developer",
        }
    return role


# --- trusts, one builder per kind ----------------------------------------------------------------------------


def _pick_service(rng: random.Random) -> str:
    return rng.choices([s for s, _ in SERVICES], weights=[w for _, w in SERVICES], k=1)[0]


def _trust_service(state: _State, name: str, service: str) -> dict[str, Any]:
    rng = state.rng
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    pattern = SOURCE_ARN_PATTERNS.get(service)
    roll = rng.random()
    if pattern and roll < 0.35:
        statement["Condition"] = {
            "ArnLike": {"aws:SourceArn": pattern.format(acct=state.account, name=name)},
            "StringEquals": {"aws:SourceAccount": state.account},
        }
    elif roll < 0.45:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": state.account}}
    if service == "lambda.amazonaws.com" and rng.random() < 0.1:
        statement["Principal"] = {"Service": ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]}
    return _doc(statement)


def _mfa_condition(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.7:
        return {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    return {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}, "Bool": {"aws:MultiFactorAuthPresent": "true"}}


def _trust_same_user(state: _State, name: str) -> tuple[dict[str, Any], int]:
    rng = state.rng
    user_index = rng.randrange(len(state.users))
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": state.users[user_index]["Arn"]},
        "Action": "sts:AssumeRole",
    }
    if rng.random() < 0.4:
        statement["Condition"] = _mfa_condition(rng)
    return _doc(statement), user_index


def _trust_root_self(state: _State, name: str) -> dict[str, Any]:
    rng = state.rng
    principal = state.account if rng.random() < 0.2 else f"arn:aws:iam::{state.account}:root"
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if rng.random() < 0.5:
        statement["Condition"] = _mfa_condition(rng)
    return _doc(statement)


def _trust_external(state: _State, name: str) -> dict[str, Any]:
    rng = state.rng
    ext = rng.choice(state.external_accounts)
    roll = rng.random()
    if roll < 0.5:
        principal = f"arn:aws:iam::{ext}:root"
    elif roll < 0.85:
        principal = f"arn:aws:iam::{ext}:role/{rng.choice(EXTERNAL_VENDORS)}-integration"
    else:
        principal = ext
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
    if rng.random() < 0.55:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": f"{rng.getrandbits(64):016x}"}}
    elif rng.random() < 0.2:
        statement["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    return _doc(statement)


def _trust_saml(state: _State, name: str) -> dict[str, Any]:
    rng = state.rng
    provider = rng.choice(state.saml_providers)
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithSAML",
    }
    if rng.random() < 0.9:
        statement["Condition"] = {"StringEquals": {"SAML:aud": SAML_AUD}}
    if rng.random() < 0.5:
        statement["Action"] = ["sts:AssumeRoleWithSAML", "sts:TagSession"]
    return _doc(statement)


def _trust_oidc_github(state: _State, name: str) -> dict[str, Any]:
    rng = state.rng
    arn = next(a for a, url in state.oidc_providers if url.endswith(GITHUB_HOST))
    org = rng.choice(("acme", "acme-labs"))
    repo = f"{org}/{rng.choice(WORDS)}-{rng.choice(('service', 'infra', 'app', 'lib'))}"
    roll = rng.random()
    condition: dict[str, Any] = {"StringEquals": {f"{GITHUB_HOST}:aud": "sts.amazonaws.com"}}
    if roll < 0.5:
        condition["StringEquals"][f"{GITHUB_HOST}:sub"] = f"repo:{repo}:ref:refs/heads/main"
    elif roll < 0.75:
        condition["StringLike"] = {f"{GITHUB_HOST}:sub": f"repo:{repo}:*"}
    elif roll < 0.85:
        condition["StringLike"] = {f"{GITHUB_HOST}:sub": f"repo:{org}/*"}
    elif roll < 0.95:
        condition["StringEquals"][f"{GITHUB_HOST}:sub"] = f"repo:{repo}:environment:{rng.choice(ENVS)}"
    # else: audience only, no subject: any repository on GitHub may assume the role
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition,
    }
    return _doc(statement)


def _trust_oidc_eks(state: _State, name: str) -> dict[str, Any]:
    rng = state.rng
    eks = [(a, url) for a, url in state.oidc_providers if "oidc.eks." in url]
    arn, url = rng.choice(eks)
    host = url.removeprefix("https://")
    namespace = rng.choice(("default", "kube-system", "payments", "data", "monitoring", "ingress"))
    condition: dict[str, Any] = {"StringEquals": {f"{host}:sub": f"system:serviceaccount:{namespace}:{name}"}}
    if rng.random() < 0.7:
        condition["StringEquals"][f"{host}:aud"] = "sts.amazonaws.com"
    if rng.random() < 0.1:
        condition = {"StringLike": {f"{host}:sub": f"system:serviceaccount:{namespace}:*"}}
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition,
    }
    return _doc(statement)


def _trust_anyone(state: _State, name: str) -> dict[str, Any]:
    rng = state.rng
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    roll = rng.random()
    if roll < 0.4:
        statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    elif roll < 0.6:
        statement["Principal"] = "*"
    return _doc(statement)


def _trust_deleted(state: _State, name: str) -> dict[str, Any]:
    ghost = _unique_id(state, state.rng.choice(("AROA", "AIDA")))
    return _doc({"Effect": "Allow", "Principal": {"AWS": ghost}, "Action": "sts:AssumeRole"})


_TRUST_BUILDERS = {
    "root_self": _trust_root_self,
    "external": _trust_external,
    "saml": _trust_saml,
    "oidc_github": _trust_oidc_github,
    "oidc_eks": _trust_oidc_eks,
    "anyone": _trust_anyone,
    "deleted": _trust_deleted,
}


def _grant_assume(principal: dict[str, Any], resource: str | list[str], policy_name: str) -> None:
    """Add an inline policy granting sts:AssumeRole on ``resource`` to a user, group or role."""
    key = (
        "UserPolicyList"
        if "UserName" in principal
        else "GroupPolicyList"
        if "GroupName" in principal
        else "RolePolicyList"
    )
    principal[key].append(
        {
            "PolicyName": policy_name,
            "PolicyDocument": _doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource}),
        }
    )


# --- the account -----------------------------------------------------------------------------------------------


def _managed_policy(state: _State, name: str, document: dict[str, Any], *, aws: bool = False, path: str = "/"):
    rng = state.rng
    arn = f"arn:aws:iam::aws:policy{path}{name}" if aws else f"arn:aws:iam::{state.account}:policy{path}{name}"
    date = _date(rng)
    policy = {
        "PolicyName": name,
        "PolicyId": _unique_id(state, "ANPA"),
        "Arn": arn,
        "Path": path,
        "DefaultVersionId": "v1",
        "AttachmentCount": 0,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": date,
        "UpdateDate": date,
        "PolicyVersionList": [{"Document": document, "VersionId": "v1", "IsDefaultVersion": True, "CreateDate": date}],
    }
    if not aws and rng.random() < 0.3:
        # An older, non-default version that grants more: only the default one is in force.
        policy["DefaultVersionId"] = "v2"
        old = {"Document": _doc({"Effect": "Allow", "Action": "*", "Resource": "*"}), "VersionId": "v1"}
        policy["PolicyVersionList"] = [
            {"Document": document, "VersionId": "v2", "IsDefaultVersion": True, "CreateDate": date},
            {**old, "IsDefaultVersion": False, "CreateDate": date},
        ]
    state.policies.append(policy)
    return policy


def _attach(principal: dict[str, Any], policy: dict[str, Any]) -> None:
    principal["AttachedManagedPolicies"].append({"PolicyName": policy["PolicyName"], "PolicyArn": policy["Arn"]})
    policy["AttachmentCount"] += 1


def generate(
    *,
    roles: int,
    users: int | None = None,
    groups: int | None = None,
    seed: int = 0,
    account: str = DEFAULT_ACCOUNT,
    mix: str = DEFAULT_MIX,
) -> dict[str, Any]:
    """Build one synthetic account as a ``get-account-authorization-details`` document.

    Args:
        roles: how many roles.
        users: how many users (default: 7 % of the roles in the realistic mix, 10 % in the worst; at least 5).
        groups: how many groups (default: one per 100 roles, at least 3).
        seed: the random seed; the same arguments always give the same document.
        account: the 12-digit account ID.
        mix: a key of :data:`MIXES`: ``realistic`` (default) or ``worst``.

    Returns:
        ``{"UserDetailList": [...], "GroupDetailList": [...], "RoleDetailList": [...], "Policies": [...]}``
        plus, under the key ``"_providers"``, the SAML and OIDC providers the trusts name (GAAD does not list
        them; :func:`write` drops the key from a plain GAAD file).
    """
    if roles < 0:
        raise ValueError("roles must be >= 0")
    if mix not in MIXES:
        raise ValueError(f"mix must be one of {', '.join(MIXES)}")
    chosen = MIXES[mix]
    users = max(5, round(roles * chosen.users_per_role)) if users is None else users
    groups = max(3, roles // 100) if groups is None else groups
    rng = random.Random(seed)
    state = _State(rng=rng, account=account, mix=chosen)
    acct = account

    state.external_accounts = [f"{rng.randrange(10**11, 10**12):012d}" for _ in range(max(3, roles // 200))]
    state.saml_providers = [f"arn:aws:iam::{acct}:saml-provider/{n}" for n in ("Okta", "AzureAD", "AWSSSO")]
    eks = [
        f"https://oidc.eks.{region}.amazonaws.com/id/{rng.getrandbits(128):032X}"
        for region in ("us-east-1", "eu-west-1", "us-west-2")
    ]
    for url in [f"https://{GITHUB_HOST}", *eks]:
        state.oidc_providers.append((f"arn:aws:iam::{acct}:oidc-provider/{url.removeprefix('https://')}", url))

    # AWS-managed policies that are attached (GAAD lists them with their default version).
    admin = _managed_policy(
        state, "AdministratorAccess", _doc({"Effect": "Allow", "Action": "*", "Resource": "*"}), aws=True
    )
    readonly = _managed_policy(
        state,
        "ReadOnlyAccess",
        _doc({"Effect": "Allow", "Action": ["*:Describe*", "*:Get*", "*:List*", "s3:GetObject"], "Resource": "*"}),
        aws=True,
    )
    poweruser = _managed_policy(
        state,
        "PowerUserAccess",
        _doc(
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:ListRoles"], "Resource": "*"},
        ),
        aws=True,
    )
    lambda_basic = _managed_policy(
        state,
        "AWSLambdaBasicExecutionRole",
        _doc({"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
              "Resource": "*"}),
        aws=True,
        path="/service-role/",
    )  # fmt: skip
    ssm_core = _managed_policy(
        state,
        "AmazonSSMManagedInstanceCore",
        _doc({"Effect": "Allow", "Action": ["ssm:UpdateInstanceInformation", "ssmmessages:*", "ec2messages:*"],
              "Resource": "*"}),
        aws=True,
    )  # fmt: skip
    _managed_policy(
        state,
        "boundary-developer",
        _doc(
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"},
            {"Effect": "Deny", "Action": ["iam:CreateUser", "iam:CreateAccessKey"], "Resource": "*"},
        ),
    )
    customer = []
    for index in range(max(3, roles // 25)):
        name = f"{rng.choice(TEAMS)}-{rng.choice(WORDS)}-access-{index:04d}"
        customer.append(_managed_policy(state, name, _service_permissions(rng, acct, name)))
    # A couple of customer policies that hand out sts:AssumeRole on every role: the wildcard that makes chains.
    assume_any = _managed_policy(
        state, "assume-any-role", _doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    )
    assume_team = _managed_policy(
        state,
        "assume-team-roles",
        _doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{acct}:role/team-*"}),
    )

    # Groups and users first: roles trust them.
    for index in range(groups):
        name = f"{TEAMS[index % len(TEAMS)]}-{rng.choice(('engineers', 'operators', 'readers', 'oncall'))}-{index:03d}"
        group = {
            "Path": "/",
            "GroupName": name,
            "GroupId": _unique_id(state, "AGPA"),
            "Arn": f"arn:aws:iam::{acct}:group/{name}",
            "CreateDate": _date(rng),
            "GroupPolicyList": [],
            "AttachedManagedPolicies": [],
        }
        if index == 0:
            group["GroupName"] = "admins"
            group["Arn"] = f"arn:aws:iam::{acct}:group/admins"
            _attach(group, admin)
        elif index == 1:
            _attach(group, assume_team)
            _attach(group, readonly)
        elif chosen.privileged_users is None:  # worst: a seventh assume any role, a seventh of the rest power users
            if index % 7 == 2:
                _attach(group, assume_any)
            else:
                _attach(group, rng.choice((readonly, poweruser, *customer[:5])))
        elif index == 2:
            _attach(group, assume_any)
        elif index == 3:
            _attach(group, poweruser)
        else:
            _attach(group, rng.choice((readonly, *customer[:5])))
        state.groups.append(group)
    # Realistic mix: the groups that may assume any role (administrators, assume-any-role, power users).
    privileged_groups = state.groups[: min(len(state.groups), 4)]
    privileged_groups = [g for i, g in enumerate(privileged_groups) if i != 1]
    ordinary_groups = [g for g in state.groups if g not in privileged_groups]
    for index in range(users):
        name = f"{rng.choice(('alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan'))}.{index:05d}"
        if rng.random() < 0.1:
            name = f"svc-{rng.choice(WORDS)}-{index:05d}"
        user: dict[str, Any] = {
            "Path": "/",
            "UserName": name,
            "UserId": _unique_id(state, "AIDA"),
            "Arn": f"arn:aws:iam::{acct}:user/{name}",
            "CreateDate": _date(rng),
            "UserPolicyList": [],
            "GroupList": [],
            "AttachedManagedPolicies": [],
            "Tags": [],
        }
        if chosen.privileged_users is None:
            if state.groups:
                for group in rng.sample(state.groups, min(len(state.groups), rng.choice((0, 1, 1, 1, 2, 2, 3)))):
                    user["GroupList"].append(group["GroupName"])
        else:
            if privileged_groups and rng.random() < chosen.privileged_users:
                user["GroupList"].append(rng.choice(privileged_groups)["GroupName"])
            for group in rng.sample(ordinary_groups, min(len(ordinary_groups), rng.choice((0, 1, 1, 1, 2, 2)))):
                user["GroupList"].append(group["GroupName"])
        if rng.random() < 0.02:
            _attach(user, admin)
        if rng.random() < 0.05:
            user["PermissionsBoundary"] = {
                "PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": f"arn:aws:iam::{acct}:policy/boundary-developer",
            }
        state.users.append(user)
    if not state.users:
        raise ValueError("at least one user is needed (roles trust users)")

    # A few kinds always present in an account of 100 roles or more, so findings have something to find.
    forced = ["anyone", "deleted", "chain", "oidc_github", "saml", "external", "same_user"] if roles >= 100 else []
    for index in range(roles):
        kind = forced.pop() if forced and index % 13 == 12 else _weighted(rng, chosen.trust_kinds)
        if kind == "chain" and not state.human_roles:
            kind = "root_self"
        if kind == "multi":
            kind = "multi" if len(state.roles) > 2 else "same_user"
        _add_role(state, index, kind, admin=admin, poweruser=poweruser, lambda_basic=lambda_basic,
                  ssm_core=ssm_core, customer=customer)  # fmt: skip

    return {
        "UserDetailList": state.users,
        "GroupDetailList": state.groups,
        "RoleDetailList": state.roles,
        "Policies": state.policies,
        "_providers": {
            "saml": list(state.saml_providers),
            "oidc": [{"arn": arn, "url": url} for arn, url in state.oidc_providers],
        },
    }


def _add_role(state: _State, index: int, kind: str, **policies: Any) -> None:
    rng = state.rng
    acct = state.account
    word = rng.choice(WORDS)
    path = "/"
    depth = 0
    user_index = None
    if kind == "service":
        service = _pick_service(rng)
        name = f"{service.split('.', 1)[0]}-{word}-{rng.choice(ENVS)}-{index:05d}"
        if rng.random() < 0.1:
            path = "/service-role/"
        trust = _trust_service(state, name, service)
    elif kind == "chain":
        # Trust an earlier role people reach; chains grow up to MAX_CHAIN_DEPTH hops.
        for _ in range(4):
            source_index, source_depth = rng.choice(state.human_roles)
            if source_depth < MAX_CHAIN_DEPTH:
                break
        source = state.roles[source_index]
        depth = source_depth + 1
        name = f"team-{rng.choice(TEAMS)}-{word}-hop{depth}-{index:05d}"
        statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": source["Arn"]}, "Action": "sts:AssumeRole"}
        if rng.random() < 0.15:
            statement["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": rng.choice(TEAMS)}}
        trust = _doc(statement)
        arn = f"arn:aws:iam::{acct}:role/{name}"
        roll = rng.random()
        if roll < 0.75:
            _grant_assume(source, arn, f"assume-{name}")
        elif roll < 0.9:
            _grant_assume(source, f"arn:aws:iam::{acct}:role/team-{name.split('-')[1]}-*", f"assume-team-{index:05d}")
        # else: the trust allows it, but the source role's own policy does not say so
    elif kind == "same_user":
        name = f"{rng.choice(TEAMS)}-{word}-operator-{index:05d}"
        trust, user_index = _trust_same_user(state, name)
    elif kind == "multi":
        # One statement, several principals: a user, an earlier role and a service.
        other = rng.choice(state.roles)
        user = rng.choice(state.users)
        name = f"shared-{word}-{index:05d}"
        trust = _doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": [user["Arn"], other["Arn"]], "Service": "lambda.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
            },
            {
                "Sid": "DenyOutsideHours",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        )
    else:
        prefix = {
            "root_self": "ops",
            "external": "vendor",
            "saml": "sso",
            "oidc_github": "gha",
            "oidc_eks": "eks",
            "anyone": "public",
            "deleted": "legacy",
        }[kind]
        if kind == "saml":
            name = f"{prefix}-{rng.choice(('Admin', 'ReadOnly', 'Developer', 'Billing', 'Support'))}-{word}-{index:05d}"
        else:
            name = f"{prefix}-{word}-{index:05d}"
        trust = _TRUST_BUILDERS[kind](state, name)

    role = _role(state, name, trust, path=path)
    state.roles.append(role)
    position = len(state.roles) - 1

    # Who can reach it through a chain: roles people assume.
    if kind in ("same_user", "saml", "root_self") or (kind == "chain" and depth < MAX_CHAIN_DEPTH):
        state.human_roles.append((position, depth))

    # The caller side: users trusted by name mostly have a policy that lets them ask.
    if kind == "same_user" and user_index is not None and rng.random() < 0.85:
        user = state.users[user_index]
        if rng.random() < 0.8:
            _grant_assume(user, role["Arn"], f"assume-{name}")
        else:
            _grant_assume(user, [role["Arn"], f"arn:aws:iam::{acct}:role/{name.split('-')[0]}-*"], f"assume-{index}")
    if kind == "root_self" and state.groups and rng.random() < 0.7:
        _grant_assume(rng.choice(state.groups), role["Arn"], f"assume-{name}")

    # Permissions: workloads get their own inline policy and maybe a customer managed one; a few are admins.
    if kind in ("service", "oidc_eks", "oidc_github", "multi") or rng.random() < 0.5:
        role["RolePolicyList"].append(
            {"PolicyName": f"{name}-policy", "PolicyDocument": _service_permissions(rng, acct, name)}
        )
    customer = policies["customer"]
    if customer and rng.random() < 0.4:
        _attach(role, rng.choice(customer))
    if kind == "service" and name.startswith("lambda") and rng.random() < 0.7:
        _attach(role, policies["lambda_basic"])
    if kind == "service" and name.startswith("ec2"):
        _attach(role, policies["ssm_core"])
        profile_name = name
        role["InstanceProfileList"].append(
            {
                "Path": "/",
                "InstanceProfileName": profile_name,
                "InstanceProfileId": _unique_id(state, "AIPA"),
                "Arn": f"arn:aws:iam::{acct}:instance-profile/{profile_name}",
                "CreateDate": role["CreateDate"],
                "Roles": [
                    {
                        key: role[key]
                        for key in ("Path", "RoleName", "RoleId", "Arn", "CreateDate", "AssumeRolePolicyDocument")
                    }
                ],
            }
        )
    mix = state.mix
    admin_share = mix.admin_shares.get(kind, mix.default_privileged[0])
    poweruser_share = mix.poweruser_shares.get(kind, mix.default_privileged[1])
    roll = rng.random()
    if roll < admin_share:
        _attach(role, policies["admin"])
    elif roll < admin_share + poweruser_share:
        _attach(role, policies["poweruser"])


def write(document: dict[str, Any], path: str | Path, *, indent: int | None = 4, bundle: bool = False) -> int:
    """Write ``document`` (from :func:`generate`) as a GAAD file, or as an iamviz bundle; return the bytes written."""
    gaad = {key: value for key, value in document.items() if not key.startswith("_")}
    if bundle:
        providers = document.get("_providers", {"saml": [], "oidc": []})
        account_id = gaad["RoleDetailList"][0]["Arn"].split(":")[4] if gaad["RoleDetailList"] else DEFAULT_ACCOUNT
        data: dict[str, Any] = {
            "format": "iamviz-snapshot",
            "version": 1,
            "generator": "bench/make_account.py",
            "created_at": "2025-01-01T00:00:00Z",
            "title": f"Synthetic account, {len(gaad['RoleDetailList'])} roles",
            "accounts": [
                {
                    "account_id": account_id,
                    "alias": "synthetic",
                    "captured_at": "2025-01-01T00:00:00Z",
                    "source": "file:make_account",
                    "authorization_details": gaad,
                    "saml_providers": [{"arn": arn} for arn in providers["saml"]],
                    "oidc_providers": [
                        {"arn": p["arn"], "url": p["url"], "client_ids": ["sts.amazonaws.com"], "thumbprints": []}
                        for p in providers["oidc"]
                    ],
                    "organization": None,
                    "gaps": [],
                }
            ],
        }
    else:
        data = gaad
    # json.dumps (C encoder when indent is None) then one write; indented output goes through the Python encoder.
    text = json.dumps(data, indent=indent)
    Path(path).write_text(text + "\n", encoding="utf-8")
    return len(text) + 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--roles", type=int, default=1000, help="number of roles (default 1000)")
    parser.add_argument(
        "--users", type=int, default=None, help="number of users (default 7 %% of roles; worst mix 10 %%; at least 5)"
    )
    parser.add_argument(
        "--mix",
        choices=sorted(MIXES),
        default=DEFAULT_MIX,
        help="realistic (default: ~2 %% of roles trust the account, ~1.5 %% privileged roles, ~15 %% privileged "
        "users) or worst (the heavy first mix: 9 %%, ~5.5 %%, ~35 %%)",
    )
    parser.add_argument("--groups", type=int, default=None, help="number of groups (default roles/100, at least 3)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--account", default=DEFAULT_ACCOUNT, help=f"account ID (default {DEFAULT_ACCOUNT})")
    parser.add_argument("--indent", type=int, default=4, help="JSON indent (AWS CLI uses 4; 0 or less: compact)")
    parser.add_argument("--bundle", action="store_true", help="write an iamviz snapshot bundle with the providers")
    parser.add_argument("-o", "--output", required=True, help="file to write")
    args = parser.parse_args(argv)
    if not (len(args.account) == 12 and args.account.isdigit()):
        parser.error("--account must be 12 digits")
    started = time.perf_counter()
    document = generate(
        roles=args.roles, users=args.users, groups=args.groups, seed=args.seed, account=args.account, mix=args.mix
    )
    size = write(document, args.output, indent=args.indent if args.indent > 0 else None, bundle=args.bundle)
    print(
        f"{args.output}: {len(document['RoleDetailList'])} roles, {len(document['UserDetailList'])} users, "
        f"{len(document['GroupDetailList'])} groups, {len(document['Policies'])} policies, "
        f"{size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
