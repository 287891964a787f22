"""Generate iamviz's built-in sample accounts: the five use cases of the IAM roles lesson, right and wrong.

Run ``.venv/bin/python samples/_generate.py`` to rewrite the JSON files next to this script, or add ``--check`` to
only compare them with what this script would write (exit code 1 when they differ). Plain Python, stdlib only, and
deterministic: unique IDs, instance IDs, the ExternalId, the identity pool ID and the Google client ID all derive
from :data:`SEED`, and every date is a literal.

Each file is an iamviz snapshot bundle, format version 1. ``authorization_details`` has exactly the shape of
``aws iam get-account-authorization-details`` as the AWS CLI prints it (policy documents as JSON objects).
``teaching.intended_findings`` lists the risks a bundle plants (none in the "done right" bundles) and
``teaching.facts`` what the scenario player needs, one entry per use case.

The stories:

* ``lambda``: the function ``nightly-instance-starter`` and its execution role, trusted by Lambda only on behalf of
  this account (aws:SourceAccount); it may start two EC2 instances and write its logs.
* ``break_glass``: the service desk (wayne, priya) reads everything; in an emergency they may assume a role that can
  operate EC2, only with MFA used in the last hour.
* ``saml``: corporate staff sign in through AD FS into ``ADFS-Staff`` (read only) or ``ADFS-Admins``.
* ``web_identity``: riders of a ride-sharing app reach DynamoDB through a Cognito identity pool (or Google directly),
  and GitHub Actions deploys the app's backend through an IAM OIDC provider.
* ``cross_account``: dana, a data engineer, assumes the partner's upload role with an ExternalId and drops files
  into the partner's S3 bucket.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

SEED = "iamviz-samples-v1"
HERE = Path(__file__).resolve().parent

WORKLOAD = "111122223333"
WORKLOAD_ALIAS = "classroom-workload"
PARTNER = "444455556666"
PARTNER_ALIAS = "partner-analytics"
REGION = "us-east-1"

BUNDLE_CREATED = "2026-11-28T12:05:00Z"
CAPTURED = {WORKLOAD: "2026-11-28T12:00:00Z", PARTNER: "2026-11-28T12:03:41Z"}
ALIASES = {WORKLOAD: WORKLOAD_ALIAS, PARTNER: PARTNER_ALIAS}
ORGANIZATIONS: dict[str, dict[str, Any]] = {
    WORKLOAD: {
        "id": "o-a1b2c3d4e5",
        "management_account_id": "999988887777",
        "account_ids": [WORKLOAD, "999988887777"],
    },
    # The partner's account is a member of another organization; a member account may not list the others.
    PARTNER: {"id": "o-7kq2m9xw4c", "management_account_id": "777766665555", "account_ids": []},
}
GAPS = {WORKLOAD: [], PARTNER: ["organizations:ListAccounts (AccessDenied)"]}

VERSION = "2012-10-17"
SAML_AUD = "https://signin.aws.amazon.com/saml"
GITHUB_HOST = "token.actions.githubusercontent.com"
COGNITO = "cognito-identity.amazonaws.com"
GOOGLE = "accounts.google.com"


# --------------------------------------------------------------------------------------------------------------
# Deterministic identifiers
# --------------------------------------------------------------------------------------------------------------


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("|".join((SEED, *parts)).encode()).digest()


def unique_id(prefix: str, *parts: str) -> str:
    """An IAM unique ID: ``prefix`` (AIDA, AGPA, AROA, ANPA) and 17 characters of IAM's base32 alphabet."""
    return prefix + base64.b32encode(_digest(prefix, *parts)).decode()[:17]


def hex_id(length: int, *parts: str) -> str:
    return _digest(*parts).hex()[:length]


def uuid_like(*parts: str) -> str:
    h = hex_id(32, *parts)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def instance_id(name: str) -> str:
    return "i-0" + hex_id(16, "instance", name)


def random_token(length: int, *parts: str) -> str:
    """Letters and digits that look random (an ExternalId, a client secret-like suffix)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    data = _digest("token", *parts)
    return "".join(alphabet[b % len(alphabet)] for b in data[:length])


def digits(length: int, *parts: str) -> str:
    return "".join(str(b % 10) for b in _digest("digits", *parts)[:length])


# --------------------------------------------------------------------------------------------------------------
# Facts every story shares
# --------------------------------------------------------------------------------------------------------------


def iam_arn(account: str, kind: str, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account}:{kind}{path}{name}"


def root_arn(account: str) -> str:
    return f"arn:aws:iam::{account}:root"


LAMBDA_FUNCTION = "nightly-instance-starter"
LAMBDA_FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{WORKLOAD}:function:{LAMBDA_FUNCTION}"
LAMBDA_ROLE = "InstanceStarterLambdaRole"
LAMBDA_ROLE_PATH = "/service-role/"
LAMBDA_ROLE_ARN = iam_arn(WORKLOAD, "role", LAMBDA_ROLE, LAMBDA_ROLE_PATH)
NIGHTLY_INSTANCES = {"build-runner-1": instance_id("build-runner-1"), "build-runner-2": instance_id("build-runner-2")}
INCIDENT_INSTANCE = instance_id("payments-api-3")

SERVICEDESK_PATH = "/servicedesk/"
BREAK_GLASS_ROLE = "BreakGlassEmergencyRole"
MFA_SERIAL_WAYNE = f"arn:aws:iam::{WORKLOAD}:mfa/wayne"

SAML_PROVIDER_ARN = f"arn:aws:iam::{WORKLOAD}:saml-provider/CorpADFS"
ADFS_ISSUER = "http://adfs.corp.example.com/adfs/services/trust"

IDENTITY_POOL_ID = f"{REGION}:{uuid_like('identity-pool', 'RideShareRiders')}"
RIDER_IDENTITY_ID = f"{REGION}:{uuid_like('identity', 'rider-ana')}"
GOOGLE_CLIENT_ID = (
    f"{digits(12, 'google-project')}-{random_token(32, 'google-client').lower()}.apps.googleusercontent.com"
)
GOOGLE_SUB = "1" + digits(20, "google-sub", "rider-ana")
TRIPS_TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{WORKLOAD}:table/RideShareTrips"
PINPOINT_APP_ID = hex_id(32, "pinpoint", "rideshare")
GITHUB_PROVIDER_ARN = f"arn:aws:iam::{WORKLOAD}:oidc-provider/{GITHUB_HOST}"
GITHUB_REPO = "rideshare-co/mobile-backend"
GITHUB_SUB = f"repo:{GITHUB_REPO}:ref:refs/heads/main"
# GitHub's published intermediate-certificate thumbprints for token.actions.githubusercontent.com.
GITHUB_THUMBPRINTS = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]

DANA_PATH = "/dataeng/"
PARTNER_ROLE = "PartnerDataUploadRole"
PARTNER_ROLE_ARN = f"arn:aws:iam::{PARTNER}:role/{PARTNER_ROLE}"
PARTNER_BUCKET = f"partner-analytics-dropbox-{PARTNER}"
PARTNER_KMS_KEY = f"arn:aws:kms:{REGION}:{PARTNER}:key/{uuid_like('kms', 'dropbox')}"
EXTERNAL_ID = "pa-" + random_token(20, "external-id", WORKLOAD, PARTNER)
DATALAKE_BUCKET = f"classroom-datalake-{WORKLOAD}"

# The unique ID a cross-account trust fell back to when the vendor deleted its auditor role.
DELETED_VENDOR_ROLE_ID = unique_id("AROA", "deleted", "210987654321", "VendorAuditor")


# --------------------------------------------------------------------------------------------------------------
# Policy documents
# --------------------------------------------------------------------------------------------------------------


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": list(statements)}


def allow(action: str | list[str], resource: str | list[str], *, sid: str | None = None, **extra: Any) -> dict:
    statement: dict[str, Any] = {}
    if sid:
        statement["Sid"] = sid
    statement.update({"Effect": "Allow", "Action": action, "Resource": resource})
    statement.update(extra)
    return statement


def deny(action: str | list[str], resource: str | list[str], *, sid: str | None = None, **extra: Any) -> dict:
    statement = allow(action, resource, sid=sid, **extra)
    statement["Effect"] = "Deny"
    return statement


def trust(principal: dict[str, Any] | str, action: str | list[str], condition: dict | None = None, *, sid=None):
    statement: dict[str, Any] = {}
    if sid:
        statement["Sid"] = sid
    statement.update({"Effect": "Allow", "Principal": principal, "Action": action})
    if condition:
        statement["Condition"] = condition
    return statement


def self_manage_mfa(account: str, path: str) -> dict[str, Any]:
    """Every human user's inline policy: manage their own virtual MFA device."""
    return doc(
        allow(
            [
                "iam:CreateVirtualMFADevice",
                "iam:EnableMFADevice",
                "iam:ResyncMFADevice",
                "iam:ListMFADevices",
            ],
            [f"arn:aws:iam::{account}:mfa/${{aws:username}}", f"arn:aws:iam::{account}:user{path}${{aws:username}}"],
            sid="ManageOwnVirtualMfa",
        ),
        allow("iam:ListVirtualMFADevices", "*", sid="ListMfaDevices"),
    )


# --------------------------------------------------------------------------------------------------------------
# Managed policies: AWS managed ones (a short but credible document) and customer managed ones, by ARN
# --------------------------------------------------------------------------------------------------------------


def _aws_managed(
    name: str,
    *,
    path: str = "/",
    version: str,
    created: str,
    updated: str,
    description: str,
    document: dict,
) -> dict[str, Any]:
    return {
        "PolicyName": name,
        "PolicyId": unique_id("ANPA", "aws", name),
        "Arn": f"arn:aws:iam::aws:policy{path}{name}",
        "Path": path,
        "DefaultVersionId": version,
        "AttachmentCount": 0,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "Description": description,
        "CreateDate": created,
        "UpdateDate": updated,
        "PolicyVersionList": [
            {"Document": document, "VersionId": version, "IsDefaultVersion": True, "CreateDate": updated}
        ],
    }


def _customer_managed(
    account: str,
    name: str,
    *,
    description: str,
    versions: list[tuple[str, dict]],
    default: str,
    path: str = "/",
) -> dict[str, Any]:
    """A customer managed policy; ``versions`` are (CreateDate, document) oldest first, named v1, v2, ..."""
    version_list = [
        {"Document": document, "VersionId": f"v{i}", "IsDefaultVersion": f"v{i}" == default, "CreateDate": created}
        for i, (created, document) in reversed(list(enumerate(versions, start=1)))
    ]
    return {
        "PolicyName": name,
        "PolicyId": unique_id("ANPA", account, name),
        "Arn": f"arn:aws:iam::{account}:policy{path}{name}",
        "Path": path,
        "DefaultVersionId": default,
        "AttachmentCount": 0,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "Description": description,
        "CreateDate": versions[0][0],
        "UpdateDate": versions[-1][0],
        "PolicyVersionList": version_list,
    }


def _managed_policies() -> dict[str, dict[str, Any]]:
    policies = [
        _aws_managed(
            "ReadOnlyAccess",
            version="v119",
            created="2015-02-06T18:39:48+00:00",
            updated="2026-10-30T18:12:07+00:00",
            description="Provides read-only access to AWS services and resources.",
            document=doc(
                allow(
                    [
                        "cloudwatch:Describe*",
                        "cloudwatch:Get*",
                        "cloudwatch:List*",
                        "dynamodb:Describe*",
                        "dynamodb:List*",
                        "ec2:Describe*",
                        "ec2:Get*",
                        "iam:Get*",
                        "iam:List*",
                        "lambda:Get*",
                        "lambda:List*",
                        "logs:Describe*",
                        "logs:Get*",
                        "logs:FilterLogEvents",
                        "s3:Get*",
                        "s3:List*",
                        "sts:GetCallerIdentity",
                    ],
                    "*",
                    sid="ReadOnlyActions",
                )
            ),
        ),
        _aws_managed(
            "AdministratorAccess",
            version="v1",
            created="2015-02-06T18:39:46+00:00",
            updated="2015-02-06T18:39:46+00:00",
            description="Provides full access to AWS services and resources.",
            document=doc(allow("*", "*")),
        ),
        _aws_managed(
            "AWSLambdaBasicExecutionRole",
            path="/service-role/",
            version="v1",
            created="2015-04-09T15:03:43+00:00",
            updated="2015-04-09T15:03:43+00:00",
            description="Provides write permissions to CloudWatch Logs.",
            document=doc(allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "*")),
        ),
        _aws_managed(
            "IAMUserChangePassword",
            version="v2",
            created="2016-11-15T00:25:16+00:00",
            updated="2016-11-15T23:18:55+00:00",
            description="Provides the ability for an IAM user to change their own password.",
            document=doc(
                allow("iam:ChangePassword", "arn:aws:iam::*:user/${aws:username}"),
                allow("iam:GetAccountPasswordPolicy", "*"),
            ),
        ),
        _aws_managed(
            "AmazonS3ReadOnlyAccess",
            version="v3",
            created="2015-02-06T18:40:59+00:00",
            updated="2023-08-10T21:31:39+00:00",
            description="Provides read only access to all buckets via the AWS Management Console.",
            document=doc(
                allow(["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"], "*")
            ),
        ),
        _aws_managed(
            "SecurityAudit",
            path="/",
            version="v52",
            created="2015-02-06T18:41:01+00:00",
            updated="2026-09-18T20:44:12+00:00",
            description="The security audit template grants access to read security configuration metadata.",
            document=doc(
                allow(
                    [
                        "cloudtrail:DescribeTrails",
                        "cloudtrail:GetTrailStatus",
                        "config:Describe*",
                        "ec2:DescribeSecurityGroups",
                        "iam:GenerateCredentialReport",
                        "iam:GetAccountAuthorizationDetails",
                        "iam:GetCredentialReport",
                        "iam:List*",
                        "s3:GetBucketPolicy",
                        "s3:ListAllMyBuckets",
                    ],
                    "*",
                )
            ),
        ),
        _customer_managed(
            WORKLOAD,
            "NightlyInstanceStart",
            description="Start the build runners every night",
            versions=[
                # v1 was too broad (any instance, and stopping too); it stays in the list but is not in force.
                (
                    "2025-03-02T10:14:51+00:00",
                    doc(allow(["ec2:StartInstances", "ec2:StopInstances"], "*", sid="StartAnyInstance")),
                ),
                (
                    "2025-03-09T08:41:27+00:00",
                    doc(
                        allow(
                            "ec2:StartInstances",
                            [f"arn:aws:ec2:{REGION}:{WORKLOAD}:instance/{i}" for i in NIGHTLY_INSTANCES.values()],
                            sid="StartBuildRunners",
                        )
                    ),
                ),
            ],
            default="v2",
        ),
        _customer_managed(
            WORKLOAD,
            "DataEngineersS3Access",
            description="Read and write the data lake",
            versions=[
                ("2024-05-13T13:02:40+00:00", doc(allow("s3:*", "*", sid="EverythingS3"))),
                (
                    "2024-06-20T09:55:18+00:00",
                    doc(
                        allow("s3:ListBucket", f"arn:aws:s3:::{DATALAKE_BUCKET}", sid="ListDataLake"),
                        allow(
                            ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                            f"arn:aws:s3:::{DATALAKE_BUCKET}/*",
                            sid="ReadWriteDataLake",
                        ),
                    ),
                ),
                (
                    "2025-01-08T16:20:03+00:00",
                    doc(
                        allow("s3:ListBucket", f"arn:aws:s3:::{DATALAKE_BUCKET}", sid="ListDataLake"),
                        allow(["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::{DATALAKE_BUCKET}/*", sid="ReadWrite"),
                    ),
                ),
            ],
            default="v3",
        ),
        _customer_managed(
            WORKLOAD,
            "RideShareAppClient",
            description="What every RideShare app session may do",
            versions=[
                (
                    "2025-08-04T12:31:09+00:00",
                    doc(
                        allow(
                            ["mobiletargeting:PutEvents", "mobiletargeting:UpdateEndpoint"],
                            f"arn:aws:mobiletargeting:{REGION}:{WORKLOAD}:apps/{PINPOINT_APP_ID}/*",
                            sid="AppAnalytics",
                        )
                    ),
                )
            ],
            default="v1",
        ),
        _customer_managed(
            WORKLOAD,
            "RideShareDeployArtifacts",
            description="Upload and read the backend's build artifacts",
            versions=[
                (
                    "2025-09-15T07:48:22+00:00",
                    doc(
                        allow(
                            ["s3:PutObject", "s3:GetObject"],
                            f"arn:aws:s3:::rideshare-deploy-artifacts-{WORKLOAD}/mobile-backend/*",
                            sid="Artifacts",
                        )
                    ),
                )
            ],
            default="v1",
        ),
        _customer_managed(
            WORKLOAD,
            "WebsiteDeploy",
            description="Publish the marketing website",
            versions=[
                (
                    "2024-02-27T15:10:44+00:00",
                    doc(
                        allow(["s3:PutObject", "s3:DeleteObject"], "arn:aws:s3:::www.rideshare.example/*", sid="Sync"),
                        allow("s3:ListBucket", "arn:aws:s3:::www.rideshare.example", sid="List"),
                    ),
                )
            ],
            default="v1",
        ),
        _customer_managed(
            PARTNER,
            "DropboxKmsEncrypt",
            description="Encrypt uploads with the dropbox key",
            versions=[
                (
                    "2025-10-01T09:12:30+00:00",
                    doc(allow(["kms:GenerateDataKey", "kms:Encrypt"], PARTNER_KMS_KEY, sid="EncryptUploads")),
                )
            ],
            default="v1",
        ),
    ]
    return {p["Arn"]: p for p in policies}


MANAGED = _managed_policies()


def attached(*arns: str) -> list[dict[str, str]]:
    for arn in arns:
        if arn not in MANAGED:
            raise KeyError(f"no managed policy {arn}")
    return [{"PolicyName": MANAGED[arn]["PolicyName"], "PolicyArn": arn} for arn in arns]


def aws_policy(name: str, path: str = "/") -> str:
    return f"arn:aws:iam::aws:policy{path}{name}"


def customer_policy(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:policy/{name}"


READ_ONLY = aws_policy("ReadOnlyAccess")
ADMIN = aws_policy("AdministratorAccess")
LAMBDA_BASIC = aws_policy("AWSLambdaBasicExecutionRole", "/service-role/")
CHANGE_PASSWORD = aws_policy("IAMUserChangePassword")
S3_READ_ONLY = aws_policy("AmazonS3ReadOnlyAccess")
SECURITY_AUDIT = aws_policy("SecurityAudit")


# --------------------------------------------------------------------------------------------------------------
# Entities in GAAD shape
# --------------------------------------------------------------------------------------------------------------


def user(
    account: str,
    name: str,
    *,
    path: str = "/",
    created: str,
    groups: list[str],
    inline: dict[str, dict],
    managed: list[str],
    tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "Path": path,
        "UserName": name,
        "UserId": unique_id("AIDA", account, name),
        "Arn": f"arn:aws:iam::{account}:user{path}{name}",
        "CreateDate": created,
        "UserPolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in inline.items()],
        "GroupList": groups,
        "AttachedManagedPolicies": attached(*managed),
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    }


def group(
    account: str, name: str, *, path: str = "/", created: str, inline: dict[str, dict], managed: list[str]
) -> dict[str, Any]:
    return {
        "Path": path,
        "GroupName": name,
        "GroupId": unique_id("AGPA", account, name),
        "Arn": f"arn:aws:iam::{account}:group{path}{name}",
        "CreateDate": created,
        "GroupPolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in inline.items()],
        "AttachedManagedPolicies": attached(*managed),
    }


def role(
    account: str,
    name: str,
    *,
    path: str = "/",
    created: str,
    trust_statements: list[dict],
    inline: dict[str, dict],
    managed: list[str],
    tags: dict[str, str] | None = None,
    last_used: str | None,
) -> dict[str, Any]:
    """A RoleDetail; ``last_used`` is an ISO date, or ``None`` for a role never used (``RoleLastUsed: {}``)."""
    return {
        "Path": path,
        "RoleName": name,
        "RoleId": unique_id("AROA", account, name),
        "Arn": f"arn:aws:iam::{account}:role{path}{name}",
        "CreateDate": created,
        "AssumeRolePolicyDocument": doc(*trust_statements),
        "InstanceProfileList": [],
        "RolePolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in inline.items()],
        "AttachedManagedPolicies": attached(*managed),
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        "RoleLastUsed": {"LastUsedDate": last_used, "Region": REGION} if last_used else {},
    }


class Piece:
    """What one story contributes: entities per account, providers, facts and the findings it plants."""

    def __init__(self) -> None:
        self.users: dict[str, list[dict]] = {}
        self.groups: dict[str, list[dict]] = {}
        self.roles: dict[str, list[dict]] = {}
        self.saml: dict[str, list[dict]] = {}
        self.oidc: dict[str, list[dict]] = {}
        self.facts: dict[str, Any] = {}
        self.findings: list[dict[str, str]] = []

    def add(self, kind: str, account: str, *items: dict) -> None:
        getattr(self, kind).setdefault(account, []).extend(items)

    def plant(self, code: str, role_arn: str) -> None:
        self.findings.append({"code": code, "role": role_arn})

    @property
    def accounts(self) -> set[str]:
        return {a for kind in (self.users, self.groups, self.roles, self.saml, self.oidc) for a in kind}


# --------------------------------------------------------------------------------------------------------------
# The five stories, each right (wrong=False) or with its risks planted (wrong=True)
# --------------------------------------------------------------------------------------------------------------


def lambda_story(*, wrong: bool) -> Piece:
    piece = Piece()
    # Only aws:SourceAccount: AWS's own published Lambda trust policies use it, while whether Lambda sends
    # aws:SourceArn when it assumes an execution role is disputed (an ArnLike on a missing key would lock Lambda out).
    condition = {"StringEquals": {"aws:SourceAccount": WORKLOAD}}
    lambda_role = role(
        WORKLOAD,
        LAMBDA_ROLE,
        path=LAMBDA_ROLE_PATH,
        created="2025-03-02T10:14:49+00:00",
        trust_statements=[
            trust(
                {"Service": "lambda.amazonaws.com"},
                "sts:AssumeRole",
                None if wrong else condition,
                sid="LambdaService" if wrong else "LambdaForThisAccountOnly",
            )
        ],
        inline={
            "DescribeInstances": doc(
                allow(["ec2:DescribeInstances", "ec2:DescribeInstanceStatus"], "*", sid="DescribeIsNotScopable")
            )
        },
        managed=[LAMBDA_BASIC, customer_policy(WORKLOAD, "NightlyInstanceStart")],
        tags={"app": LAMBDA_FUNCTION, "owner": "platform-team"},
        last_used="2026-11-28T06:00:14+00:00",
    )
    piece.add("roles", WORKLOAD, lambda_role)
    if wrong:
        piece.plant("SERVICE_NO_SOURCE_CONDITION", lambda_role["Arn"])
    piece.facts["lambda"] = {
        "actor": "lambda.amazonaws.com",
        "actor_name": "AWS Lambda",
        "function_name": LAMBDA_FUNCTION,
        "function_arn": LAMBDA_FUNCTION_ARN,
        "role_arn": lambda_role["Arn"],
        "region": REGION,
        "schedule_arn": f"arn:aws:scheduler:{REGION}:{WORKLOAD}:schedule/default/nightly-build-runners",
        "schedule": "cron(0 6 * * ? *)",
        "log_group_arn": f"arn:aws:logs:{REGION}:{WORKLOAD}:log-group:/aws/lambda/{LAMBDA_FUNCTION}",
        "role_session_name": LAMBDA_FUNCTION,
        "context": {"aws:SourceAccount": WORKLOAD, "aws:SourceArn": LAMBDA_FUNCTION_ARN},
        "instance_ids": list(NIGHTLY_INSTANCES.values()),
        "instance_arns": [f"arn:aws:ec2:{REGION}:{WORKLOAD}:instance/{i}" for i in NIGHTLY_INSTANCES.values()],
        "instance_names": dict(zip(NIGHTLY_INSTANCES.values(), NIGHTLY_INSTANCES.keys(), strict=True)),
        "action": "ec2:StartInstances",
        "denied_action": "ec2:StopInstances",
        "ignored_policy_version": {
            "policy_arn": customer_policy(WORKLOAD, "NightlyInstanceStart"),
            "version_id": "v1",
            "note": "v1 allowed ec2:StopInstances on every instance; only the default v2 is in force",
        },
        "what_if": {
            "foreign_source_account": "210987654321",
            "foreign_source_arn": f"arn:aws:lambda:{REGION}:210987654321:function:{LAMBDA_FUNCTION}",
        },
    }
    return piece


def break_glass_story(*, wrong: bool) -> Piece:
    piece = Piece()
    trust_condition: dict[str, Any] = {
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
        "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
        "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{WORKLOAD}:user{SERVICEDESK_PATH}*"},
    }
    if wrong:
        del trust_condition["Bool"], trust_condition["NumericLessThan"]
    break_glass = role(
        WORKLOAD,
        BREAK_GLASS_ROLE,
        created="2024-09-17T14:22:05+00:00",
        trust_statements=[
            trust(
                {"AWS": root_arn(WORKLOAD)},
                "sts:AssumeRole",
                trust_condition,
                sid="ServiceDeskEmergency" if wrong else "ServiceDeskWithFreshMfa",
            )
        ],
        inline={"EmergencyOperations": doc(allow("ec2:*", "*", sid="OperateEc2InAnEmergency"))},
        managed=[READ_ONLY],
        tags={"purpose": "break-glass", "alarm": "page-security-on-assume"},
        last_used="2026-11-21T03:12:44+00:00",
    )
    desk = group(
        WORKLOAD,
        "ServiceDesk",
        created="2024-09-17T14:10:33+00:00",
        inline={
            "AssumeBreakGlass": doc(allow("sts:AssumeRole", break_glass["Arn"], sid="AssumeBreakGlassRole")),
        },
        managed=[READ_ONLY],
    )
    users = [
        user(
            WORKLOAD,
            name,
            path=SERVICEDESK_PATH,
            created=created,
            groups=["ServiceDesk"],
            inline={"ManageOwnMfa": self_manage_mfa(WORKLOAD, SERVICEDESK_PATH)},
            managed=[CHANGE_PASSWORD],
            tags={"team": "service-desk"},
        )
        for name, created in (("wayne", "2024-09-18T08:03:12+00:00"), ("priya", "2025-02-03T09:30:57+00:00"))
    ]
    piece.add("roles", WORKLOAD, break_glass)
    piece.add("groups", WORKLOAD, desk)
    piece.add("users", WORKLOAD, *users)
    if wrong:
        piece.plant("PRIVILEGED_NO_MFA", break_glass["Arn"])
    piece.facts["break_glass"] = {
        "actor": users[0]["Arn"],
        "actor_name": "wayne",
        "colleague": users[1]["Arn"],
        "group_arn": desk["Arn"],
        "role_arn": break_glass["Arn"],
        "mfa_serial": MFA_SERIAL_WAYNE,
        "token_code": "492817",
        "mfa_age_seconds": 95,
        "role_session_name": "wayne-INC0042117",
        "duration_seconds": 3600,
        "time": "2026-11-21T03:12:44Z",
        "incident": "INC0042117: payments-api-3 is flooding the database; stop it",
        "instance_id": INCIDENT_INSTANCE,
        "instance_arn": f"arn:aws:ec2:{REGION}:{WORKLOAD}:instance/{INCIDENT_INSTANCE}",
        "action": "ec2:StopInstances",
        "context": {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "95"},
        "what_if": {
            "without_mfa": "no SerialNumber/TokenCode: aws:MultiFactorAuthPresent absent",
            "stale_mfa_age_seconds": 7200,
        },
    }
    return piece


def saml_story(*, wrong: bool) -> Piece:
    piece = Piece()
    aud = {"SAML:aud": SAML_AUD}
    staff_condition = None if wrong else {"StringEquals": dict(aud)}
    # AD FS issues the PrincipalTag:MFA="true" claim only when the sign-in used multi-factor authentication
    # (the authnmethodsreferences claim holds .../multipleauthn); the admins' trust requires that session tag.
    admin_equals = {"aws:RequestTag/MFA": "true"} if wrong else {**aud, "aws:RequestTag/MFA": "true"}
    actions = ["sts:AssumeRoleWithSAML", "sts:TagSession"]
    federated = {"Federated": SAML_PROVIDER_ARN}
    staff = role(
        WORKLOAD,
        "ADFS-Staff",
        created="2024-04-08T11:45:19+00:00",
        trust_statements=[trust(federated, actions, staff_condition, sid="CorpStaffViaAdfs")],
        inline={
            "DenySecretReads": doc(
                deny(
                    ["secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters", "kms:Decrypt"],
                    "*",
                    sid="NoSecretsForStaff",
                )
            )
        },
        managed=[READ_ONLY],
        tags={"federation": "adfs", "access": "read-only"},
        last_used="2026-11-28T08:47:03+00:00",
    )
    admins = role(
        WORKLOAD,
        "ADFS-Admins",
        created="2024-04-08T11:47:52+00:00",
        trust_statements=[trust(federated, actions, {"StringEquals": admin_equals}, sid="CorpAdminsViaAdfsWithMfa")],
        inline={
            "ProtectGuardrails": doc(
                deny(
                    ["iam:UpdateAssumeRolePolicy", "iam:DeleteRole", "iam:PutRolePolicy"],
                    f"arn:aws:iam::{WORKLOAD}:role/{BREAK_GLASS_ROLE}",
                    sid="HandsOffBreakGlass",
                ),
                deny(["organizations:LeaveOrganization", "account:CloseAccount"], "*", sid="StayInTheOrg"),
            )
        },
        managed=[ADMIN],
        tags={"federation": "adfs", "access": "admin"},
        last_used="2026-11-26T16:20:51+00:00",
    )
    piece.add("roles", WORKLOAD, staff, admins)
    piece.add(
        "saml",
        WORKLOAD,
        {"arn": SAML_PROVIDER_ARN, "valid_until": "2036-04-08T11:40:02Z", "create_date": "2024-04-08T11:40:02Z"},
    )
    if wrong:
        piece.plant("SAML_NO_AUDIENCE", staff["Arn"])
        piece.plant("SAML_NO_AUDIENCE", admins["Arn"])

    def assertion(person: str, role_arn: str, tags: dict[str, str]) -> dict[str, Any]:
        attributes = {
            "https://aws.amazon.com/SAML/Attributes/Role": f"{role_arn},{SAML_PROVIDER_ARN}",
            "https://aws.amazon.com/SAML/Attributes/RoleSessionName": person,
            "https://aws.amazon.com/SAML/Attributes/SessionDuration": "3600",
        }
        attributes.update({f"https://aws.amazon.com/SAML/Attributes/PrincipalTag:{k}": v for k, v in tags.items()})
        context = {
            "SAML:aud": SAML_AUD,
            "SAML:iss": ADFS_ISSUER,
            "SAML:sub": f"CORP\\{person.split('@')[0]}",
            "SAML:sub_type": "persistent",
        }
        context.update({f"aws:RequestTag/{k}": v for k, v in tags.items()})
        return {
            "user": person,
            "role_arn": role_arn,
            "recipient": SAML_AUD,
            "issuer": ADFS_ISSUER,
            "attributes": attributes,
            "session_tags": tags,
            "context": context,
        }

    piece.facts["saml"] = {
        "actor": SAML_PROVIDER_ARN,
        "actor_name": "maria.garcia@corp.example.com",
        "provider_arn": SAML_PROVIDER_ARN,
        "idp": "AD FS (adfs.corp.example.com)",
        "idp_sign_in_url": "https://adfs.corp.example.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices",
        "console_url": "https://signin.aws.amazon.com/saml",
        "staff_role_arn": staff["Arn"],
        "admin_role_arn": admins["Arn"],
        "assertions": [
            assertion("maria.garcia@corp.example.com", staff["Arn"], {"Department": "Finance"}),
            assertion("sam.okafor@corp.example.com", admins["Arn"], {"Department": "Platform", "MFA": "true"}),
        ],
        "mfa_via_session_tag": "aws:RequestTag/MFA",
        "action": "ec2:DescribeInstances",
        "what_if": {
            "other_recipient": "https://sso.partner.example/saml/acs",
            "admin_without_mfa_tag": "AD FS sign-in with password only: no PrincipalTag:MFA",
        },
    }
    return piece


def web_identity_story(*, wrong: bool) -> Piece:
    piece = Piece()
    web = "sts:AssumeRoleWithWebIdentity"
    cognito_condition: dict[str, Any] = {
        "StringEquals": {f"{COGNITO}:aud": IDENTITY_POOL_ID},
        "ForAnyValue:StringLike": {f"{COGNITO}:amr": "authenticated"},
    }
    if wrong:
        cognito_condition = {"ForAnyValue:StringLike": {f"{COGNITO}:amr": ["authenticated", "unauthenticated"]}}
    trip_actions = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"]

    def own_trips(sub_variable: str) -> dict:
        return doc(
            allow(
                trip_actions,
                TRIPS_TABLE_ARN,
                sid="OwnTripsOnly",
                Condition={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [sub_variable]}},
            )
        )

    cognito_role = role(
        WORKLOAD,
        "RideShareAppUserRole",
        created="2025-08-04T12:33:40+00:00",
        trust_statements=[
            trust(
                {"Federated": COGNITO},
                web,
                cognito_condition,
                sid="RideShareRiders" if wrong else "RidersSignedInThroughOurPool",
            ),
        ],
        inline={
            "RideShareTrips": doc(allow("dynamodb:*", "*", sid="WhateverTheAppNeeds"))
            if wrong
            else own_trips(f"${{{COGNITO}:sub}}")
        },
        managed=[customer_policy(WORKLOAD, "RideShareAppClient")],
        tags={"app": "rideshare", "identity-pool": "RideShareRiders"},
        last_used="2026-11-28T11:58:37+00:00",
    )
    google_role = role(
        WORKLOAD,
        "RideShareGoogleUserRole",
        created="2025-08-04T12:35:02+00:00",
        trust_statements=[
            trust(
                {"Federated": GOOGLE},
                web,
                None if wrong else {"StringEquals": {f"{GOOGLE}:aud": GOOGLE_CLIENT_ID}},
                sid="GoogleRiders" if wrong else "RidersSignedInWithGoogle",
            )
        ],
        inline={"RideShareTrips": own_trips(f"${{{GOOGLE}:sub}}")},
        managed=[customer_policy(WORKLOAD, "RideShareAppClient")],
        tags={"app": "rideshare"},
        last_used="2026-11-27T22:14:09+00:00",
    )
    github_condition: dict[str, Any] = {
        "StringEquals": {f"{GITHUB_HOST}:aud": "sts.amazonaws.com", f"{GITHUB_HOST}:sub": GITHUB_SUB},
    }
    if wrong:
        github_condition = {
            "StringEquals": {f"{GITHUB_HOST}:aud": "sts.amazonaws.com"},
            "StringLike": {f"{GITHUB_HOST}:sub": "repo:*"},
        }
    deploy_role = role(
        WORKLOAD,
        "MobileBackendDeployRole",
        path="/ci/",
        created="2025-09-15T07:50:11+00:00",
        trust_statements=[
            trust(
                {"Federated": GITHUB_PROVIDER_ARN},
                web,
                github_condition,
                sid="GitHubDeploy" if wrong else "MainBranchOfBackend",
            )
        ],
        inline={
            "DeployBackendFunctions": doc(
                allow(
                    ["lambda:UpdateFunctionCode", "lambda:GetFunction", "lambda:PublishVersion"],
                    f"arn:aws:lambda:{REGION}:{WORKLOAD}:function:rideshare-api-*",
                    sid="UpdateApiFunctions",
                )
            )
        },
        managed=[customer_policy(WORKLOAD, "RideShareDeployArtifacts")],
        tags={"repo": GITHUB_REPO},
        last_used="2026-11-25T14:31:30+00:00",
    )
    piece.add("roles", WORKLOAD, cognito_role, google_role, deploy_role)
    piece.add(
        "oidc",
        WORKLOAD,
        {
            "arn": GITHUB_PROVIDER_ARN,
            "url": f"https://{GITHUB_HOST}",
            "client_ids": ["sts.amazonaws.com"],
            "thumbprints": list(GITHUB_THUMBPRINTS),
            "create_date": "2025-09-15T07:45:58Z",
        },
    )
    if wrong:
        piece.plant("COGNITO_NO_AUDIENCE", cognito_role["Arn"])
        piece.plant("COGNITO_UNAUTHENTICATED_PRIVILEGED", cognito_role["Arn"])
        piece.plant("OIDC_NO_AUDIENCE", google_role["Arn"])
        piece.plant("OIDC_CI_WILDCARD_SUBJECT", deploy_role["Arn"])
    piece.facts["web_identity"] = {
        "actor": COGNITO,
        "actor_name": "ana, a rider signed in with Google",
        "app": "RideShare",
        "identity_pool_id": IDENTITY_POOL_ID,
        "identity_pool_name": "RideShareRiders",
        "identity_id": RIDER_IDENTITY_ID,
        "role_arn": cognito_role["Arn"],
        "role_session_name": "CognitoIdentityCredentials",
        "token_claims": {
            "iss": f"https://{COGNITO}",
            "aud": IDENTITY_POOL_ID,
            "sub": RIDER_IDENTITY_ID,
            "amr": ["authenticated", GOOGLE, f"{GOOGLE}:{GOOGLE_SUB}"],
        },
        "context": {
            f"{COGNITO}:aud": IDENTITY_POOL_ID,
            f"{COGNITO}:sub": RIDER_IDENTITY_ID,
            f"{COGNITO}:amr": ["authenticated", GOOGLE, f"{GOOGLE}:{GOOGLE_SUB}"],
        },
        "table_arn": TRIPS_TABLE_ARN,
        "action": "dynamodb:PutItem",
        "item_partition_key": RIDER_IDENTITY_ID,
        "google": {
            "role_arn": google_role["Arn"],
            "client_id": GOOGLE_CLIENT_ID,
            "sub": GOOGLE_SUB,
            "token_claims": {"iss": f"https://{GOOGLE}", "aud": GOOGLE_CLIENT_ID, "sub": GOOGLE_SUB},
            "context": {f"{GOOGLE}:aud": GOOGLE_CLIENT_ID, f"{GOOGLE}:sub": GOOGLE_SUB},
            "note": "direct Google federation still works; AWS recommends Cognito in front of social sign-in",
        },
        "github": {
            "provider_arn": GITHUB_PROVIDER_ARN,
            "role_arn": deploy_role["Arn"],
            "repository": GITHUB_REPO,
            "workflow": ".github/workflows/deploy.yml",
            "role_session_name": "GitHubActions",
            "token_claims": {
                "iss": f"https://{GITHUB_HOST}",
                "aud": "sts.amazonaws.com",
                "sub": GITHUB_SUB,
                "repository": GITHUB_REPO,
                "ref": "refs/heads/main",
            },
            "context": {f"{GITHUB_HOST}:aud": "sts.amazonaws.com", f"{GITHUB_HOST}:sub": GITHUB_SUB},
            "action": "lambda:UpdateFunctionCode",
            "resource": f"arn:aws:lambda:{REGION}:{WORKLOAD}:function:rideshare-api-trips",
        },
        "what_if": {
            "unauthenticated_amr": ["unauthenticated"],
            "other_identity_pool_id": f"{REGION}:{uuid_like('identity-pool', 'someone-else')}",
            "other_google_client_id": f"{digits(12, 'other-project')}-"
            f"{random_token(32, 'other-client').lower()}.apps.googleusercontent.com",
            "other_repo_sub": "repo:someone-else/mobile-backend-fork:ref:refs/heads/main",
            "other_audience": "https://github.com/someone-else",
        },
    }
    return piece


def cross_account_story(*, wrong: bool) -> Piece:
    piece = Piece()
    dana_arn = f"arn:aws:iam::{WORKLOAD}:user{DANA_PATH}dana"
    upload = role(
        PARTNER,
        PARTNER_ROLE,
        created="2025-10-01T09:15:44+00:00",
        trust_statements=[
            trust(
                {"AWS": dana_arn},
                "sts:AssumeRole",
                None if wrong else {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}},
                sid="ClassroomWorkloadDana" if wrong else "DanaWithExternalId",
            )
        ],
        inline={
            "DropboxUpload": doc(
                allow("s3:PutObject", f"arn:aws:s3:::{PARTNER_BUCKET}/incoming/*", sid="UploadIntoIncoming"),
                allow(
                    "s3:ListBucket",
                    f"arn:aws:s3:::{PARTNER_BUCKET}",
                    sid="ListIncoming",
                    Condition={"StringLike": {"s3:prefix": "incoming/*"}},
                ),
            )
        },
        managed=[customer_policy(PARTNER, "DropboxKmsEncrypt")],
        tags={"partner": WORKLOAD_ALIAS, "data-class": "confidential"},
        last_used="2026-11-27T02:15:40+00:00",
    )
    engineers = group(
        WORKLOAD,
        "DataEngineers",
        created="2024-05-13T13:01:02+00:00",
        inline={"AssumePartnerUpload": doc(allow("sts:AssumeRole", PARTNER_ROLE_ARN, sid="PartnerDropbox"))},
        managed=[customer_policy(WORKLOAD, "DataEngineersS3Access")],
    )
    dana = user(
        WORKLOAD,
        "dana",
        path=DANA_PATH,
        created="2024-05-13T13:04:26+00:00",
        groups=["DataEngineers"],
        inline={"ManageOwnMfa": self_manage_mfa(WORKLOAD, DANA_PATH)},
        managed=[CHANGE_PASSWORD],
        tags={"team": "data-engineering"},
    )
    analysts = group(
        PARTNER,
        "PartnerAnalysts",
        created="2025-09-29T15:40:12+00:00",
        inline={
            "ReadDropbox": doc(
                allow(
                    ["s3:GetObject", "s3:ListBucket"],
                    [f"arn:aws:s3:::{PARTNER_BUCKET}", f"arn:aws:s3:::{PARTNER_BUCKET}/*"],
                )
            )
        },
        managed=[S3_READ_ONLY],
    )
    lars = user(
        PARTNER,
        "lars",
        created="2025-09-29T15:42:31+00:00",
        groups=["PartnerAnalysts"],
        inline={"ManageOwnMfa": self_manage_mfa(PARTNER, "/")},
        managed=[CHANGE_PASSWORD],
    )
    piece.add("roles", PARTNER, upload)
    piece.add("groups", WORKLOAD, engineers)
    piece.add("users", WORKLOAD, dana)
    piece.add("groups", PARTNER, analysts)
    piece.add("users", PARTNER, lars)
    if wrong:
        piece.plant("CROSS_ACCOUNT_NO_EXTERNAL_ID", upload["Arn"])
    piece.facts["cross_account"] = {
        "actor": dana_arn,
        "actor_name": "dana",
        "group_arn": engineers["Arn"],
        "role_arn": upload["Arn"],
        "external_id": EXTERNAL_ID,
        "role_session_name": "dana-trip-export",
        "duration_seconds": 3600,
        "bucket": PARTNER_BUCKET,
        "bucket_arn": f"arn:aws:s3:::{PARTNER_BUCKET}",
        "object_key": "incoming/2026-11-27/trips.csv.gz",
        "object_arn": f"arn:aws:s3:::{PARTNER_BUCKET}/incoming/2026-11-27/trips.csv.gz",
        "kms_key_arn": PARTNER_KMS_KEY,
        "action": "s3:PutObject",
        "denied_object_arn": f"arn:aws:s3:::{PARTNER_BUCKET}/reports/summary.csv",
        "context": {"sts:ExternalId": EXTERNAL_ID},
        "what_if": {
            "wrong_external_id": "pa-" + random_token(20, "someone-elses-id"),
            "without_external_id": "AssumeRole with no ExternalId parameter",
        },
    }
    return piece


def classroom_extras(*, wrong: bool) -> Piece:
    """Risks only the classroom's "done wrong" bundle plants (nothing when ``wrong`` is false)."""
    piece = Piece()
    if not wrong:
        return piece
    anyone = role(
        WORKLOAD,
        "SharedReportsReaderRole",
        created="2023-11-02T17:05:38+00:00",
        trust_statements=[trust({"AWS": "*"}, "sts:AssumeRole", sid="SoEveryTeamCanReadReports")],
        inline={
            "ReportsKmsDecrypt": doc(
                allow(
                    "kms:Decrypt", f"arn:aws:kms:{REGION}:{WORKLOAD}:key/{uuid_like('kms', 'reports')}", sid="Decrypt"
                )
            )
        },
        managed=[S3_READ_ONLY],
        tags={"owner": "finance-reporting"},
        last_used="2026-11-24T19:41:07+00:00",
    )
    vendor = role(
        WORKLOAD,
        "VendorAuditRole",
        created="2023-06-12T10:20:31+00:00",
        # The trust named arn:aws:iam::210987654321:role/VendorAuditor; the vendor deleted that role, and IAM now
        # shows the unique ID it had.
        trust_statements=[
            trust(
                {"AWS": DELETED_VENDOR_ROLE_ID},
                "sts:AssumeRole",
                {"StringEquals": {"sts:ExternalId": "vendor-" + random_token(16, "vendor")}},
                sid="VendorAuditor",
            )
        ],
        inline={"ReadCloudTrail": doc(allow(["s3:GetObject", "s3:ListBucket"], "arn:aws:s3:::classroom-trail-*"))},
        managed=[SECURITY_AUDIT],
        tags={"vendor": "audit-co"},
        last_used="2025-06-30T10:02:11+00:00",
    )
    not_principal = role(
        WORKLOAD,
        "LegacyDataExportRole",
        created="2023-03-21T08:11:54+00:00",
        trust_statements=[
            {
                "Sid": "EveryoneButInterns",
                "Effect": "Allow",
                "NotPrincipal": {"AWS": f"arn:aws:iam::{WORKLOAD}:user/intern"},
                "Action": "sts:AssumeRole",
            }
        ],
        inline={
            "ExportToDataLake": doc(allow("s3:PutObject", f"arn:aws:s3:::{DATALAKE_BUCKET}/exports/*", sid="Export"))
        },
        managed=[S3_READ_ONLY],
        last_used=None,
    )
    website = role(
        WORKLOAD,
        "WebsiteDeployRole",
        path="/ci/",
        created="2024-02-27T15:12:09+00:00",
        trust_statements=[
            trust(
                {"Federated": GITHUB_PROVIDER_ARN},
                "sts:AssumeRoleWithWebIdentity",
                {"StringEquals": {f"{GITHUB_HOST}:aud": "sts.amazonaws.com"}},
                sid="GitHubActions",
            )
        ],
        inline={
            "InvalidateCdn": doc(
                allow("cloudfront:CreateInvalidation", f"arn:aws:cloudfront::{WORKLOAD}:distribution/E2QWRUHAPOMQZL")
            )
        },
        managed=[customer_policy(WORKLOAD, "WebsiteDeploy")],
        tags={"repo": "rideshare-co/website"},
        last_used="2026-11-20T10:07:45+00:00",
    )
    piece.add("roles", WORKLOAD, anyone, vendor, not_principal, website)
    piece.plant("TRUST_ANYONE", anyone["Arn"])
    piece.plant("DELETED_PRINCIPAL", vendor["Arn"])
    piece.plant("ROLE_UNUSED", vendor["Arn"])
    piece.plant("NOT_PRINCIPAL_IN_TRUST", not_principal["Arn"])
    piece.plant("ROLE_UNUSED", not_principal["Arn"])
    piece.plant("OIDC_CI_NO_SUBJECT", website["Arn"])
    piece.facts["classroom_wrong"] = {
        "anyone_role_arn": anyone["Arn"],
        "deleted_principal_id": DELETED_VENDOR_ROLE_ID,
        "deleted_principal_was": "arn:aws:iam::210987654321:role/VendorAuditor",
        "not_principal_role_arn": not_principal["Arn"],
        "never_used_role_arn": not_principal["Arn"],
        "no_subject_role_arn": website["Arn"],
        "stranger": "arn:aws:iam::210987654321:user/mallory",
    }
    return piece


STORIES: dict[str, Callable[..., Piece]] = {
    "lambda": lambda_story,
    "break_glass": break_glass_story,
    "saml": saml_story,
    "web_identity": web_identity_story,
    "cross_account": cross_account_story,
}


# --------------------------------------------------------------------------------------------------------------
# Bundles
# --------------------------------------------------------------------------------------------------------------


def _managed_in_use(entities: Iterable[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entity in entities:
        for attachment in entity["AttachedManagedPolicies"]:
            counts[attachment["PolicyArn"]] = counts.get(attachment["PolicyArn"], 0) + 1
    return counts


def _account(account: str, pieces: list[Piece]) -> dict[str, Any]:
    users = sorted((u for p in pieces for u in p.users.get(account, [])), key=lambda e: e["Arn"])
    groups = sorted((g for p in pieces for g in p.groups.get(account, [])), key=lambda e: e["Arn"])
    roles = sorted((r for p in pieces for r in p.roles.get(account, [])), key=lambda e: e["Arn"])
    for kind, items in (("user", users), ("group", groups), ("role", roles)):
        arns = [i["Arn"] for i in items]
        if len(arns) != len(set(arns)):
            raise ValueError(f"a {kind} is contributed twice in account {account}")
    counts = _managed_in_use([*users, *groups, *roles])
    policies = []
    for arn in sorted(counts):
        policy = copy.deepcopy(MANAGED[arn])
        policy["AttachmentCount"] = counts[arn]
        policies.append(policy)
    return {
        "account_id": account,
        "alias": ALIASES[account],
        "captured_at": CAPTURED[account],
        "source": "sample",
        "authorization_details": {
            "UserDetailList": copy.deepcopy(users),
            "GroupDetailList": copy.deepcopy(groups),
            "RoleDetailList": copy.deepcopy(roles),
            "Policies": policies,
        },
        "saml_providers": [s for p in pieces for s in p.saml.get(account, [])],
        "oidc_providers": [o for p in pieces for o in p.oidc.get(account, [])],
        "organization": copy.deepcopy(ORGANIZATIONS[account]),
        "gaps": list(GAPS[account]),
    }


def bundle(title: str, description: str, pieces: list[Piece]) -> dict[str, Any]:
    accounts = [a for a in (WORKLOAD, PARTNER) if any(a in p.accounts for p in pieces)]
    roles = {WORKLOAD: "workload", PARTNER: "partner"}
    facts: dict[str, Any] = {"accounts": {roles[a]: {"account_id": a, "alias": ALIASES[a]} for a in accounts}}
    for piece in pieces:
        facts.update(piece.facts)
    return {
        "format": "iamviz-snapshot",
        "version": 1,
        "generator": "iamviz 0.1.0 (samples/_generate.py)",
        "created_at": BUNDLE_CREATED,
        "title": title,
        "description": description,
        "teaching": {
            "intended_findings": [f for p in pieces for f in p.findings],
            "facts": facts,
        },
        "accounts": [_account(a, pieces) for a in accounts],
    }


# (file stem, story key or None for the classroom, title, description) for "done right"; "done wrong" follows.
_RIGHT = {
    "lambda": (
        "Lambda execution role",
        "The nightly-instance-starter function starts two build runners every night. Its execution role trusts "
        "the Lambda service only on behalf of this account (aws:SourceAccount).",
    ),
    "break-glass": (
        "Break-glass emergency role",
        "Wayne and Priya on the service desk can only read. In an emergency they may assume a role that operates "
        "EC2, but only with MFA used in the last hour, and every use is logged.",
    ),
    "saml-federation": (
        "Corporate AD via AD FS (SAML)",
        "Staff sign in with their Active Directory account through AD FS and get a role instead of an IAM user: "
        "read-only for everyone, administrator for admins who signed in with MFA.",
    ),
    "web-identity": (
        "Mobile app web identity",
        "Riders of the RideShare app sign in with Google through a Cognito identity pool and may write only their "
        "own trips in DynamoDB. GitHub Actions deploys the backend through OIDC, pinned to one repository and branch.",
    ),
    "cross-account": (
        "Partner account with ExternalId",
        "Dana in your account assumes a role in the partner's account, with the ExternalId the partner gave you, "
        "and uploads files into the partner's S3 bucket.",
    ),
    "classroom": (
        "Classroom: the five role use cases",
        "Your workload account and a partner's account with the five uses of IAM roles from the lesson: a Lambda "
        "execution role, break-glass access, AD FS federation, a mobile app's web identities and cross-account access.",
    ),
}
_WRONG = {
    "lambda": (
        "Lambda role done wrong",
        "The same execution role without aws:SourceAccount: Lambda would assume it on behalf of any "
        "account whose function names it, were a role ever passed across accounts (the confused deputy).",
    ),
    "break-glass": (
        "Break-glass done wrong",
        "The emergency role no longer asks for MFA: a service-desk password or access key alone unlocks every EC2 "
        "action.",
    ),
    "saml-federation": (
        "AD FS federation done wrong",
        "The AD FS roles accept any SAML assertion from the provider without checking SAML:aud, so assertions meant "
        "for another recipient work too.",
    ),
    "web-identity": (
        "Web identity done wrong",
        "The Cognito role checks no identity pool, admits guests and may do anything in DynamoDB; the Google role "
        "checks no client ID; the deploy role trusts every GitHub repository (sub repo:*).",
    ),
    "cross-account": (
        "Partner trust done wrong",
        "The partner's role trusts dana without an ExternalId, the classic opening for a confused deputy.",
    ),
    "classroom": (
        "Classroom done wrong",
        "Every use case with its mistake, plus a role anyone can assume, a trust in a deleted principal, a "
        "NotPrincipal trust, a never-used role and a CI role open to every GitHub repository.",
    ),
}
_FILES = {
    "lambda": ["lambda"],
    "break-glass": ["break_glass"],
    "saml-federation": ["saml"],
    "web-identity": ["web_identity"],
    "cross-account": ["cross_account"],
    "classroom": list(STORIES),
}


def build_bundles() -> dict[str, dict[str, Any]]:
    """Every sample, by file name (``lambda.json``, ``lambda-done-wrong.json``, ...)."""
    out: dict[str, dict[str, Any]] = {}
    for stem, stories in _FILES.items():
        for wrong, texts in ((False, _RIGHT), (True, _WRONG)):
            pieces = [STORIES[s](wrong=wrong) for s in stories]
            if stem == "classroom":
                pieces.append(classroom_extras(wrong=wrong))
            name = f"{stem}-done-wrong.json" if wrong else f"{stem}.json"
            out[name] = bundle(*texts[stem], pieces)
    return out


def render(data: dict[str, Any]) -> str:
    """The exact text a sample file holds."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare the files with the generator's output")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: next to this script)")
    args = parser.parse_args(argv)
    stale = []
    for name, data in build_bundles().items():
        path = args.out / name
        text = render(data)
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print("out of date: " + ", ".join(stale) + " (run samples/_generate.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
