"""Permission summaries: services, administrator, privileged (one policy shape per test)."""

from __future__ import annotations

from typing import Any

from iamviz.analysis.permissions import summarize_documents, summarize_permissions
from iamviz.model import Account, Group, InlinePolicy, ManagedPolicy, Role, User
from iamviz.model.policy import parse_policy_document

ACCT = "111122223333"
TRUST = parse_policy_document({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}})


def doc(*statements: dict[str, Any]):
    return parse_policy_document({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def summary(*statements: dict[str, Any], managed: tuple[str, ...] = ()):
    return summarize_documents([doc(*statements)] if statements else [], managed_policy_arns=managed)


def test_star_on_star_is_admin():
    s = summary(allow("*"))
    assert s.is_admin and s.is_privileged and s.services == ("*",)


def test_star_on_one_bucket_is_neither_admin_nor_privileged():
    s = summary(allow("*", "arn:aws:s3:::logs/*"))
    assert not s.is_admin and not s.is_privileged


def test_star_on_iam_resources_is_privileged_not_admin():
    s = summary(allow("*", f"arn:aws:iam::{ACCT}:role/*"))
    assert not s.is_admin and s.is_privileged and "iam:PutRolePolicy" in s.escalation_actions


def test_read_only_is_not_privileged():
    s = summary(allow(["s3:GetObject", "ec2:Describe*"]))
    assert s.services == ("ec2", "s3") and not s.is_privileged and s.reasons == ()


def test_iam_star_and_escalation_wildcards_are_privileged():
    assert summary(allow("iam:*")).is_privileged
    s = summary(allow("iam:Put*Policy", f"arn:aws:iam::{ACCT}:role/app-*"))
    assert s.is_privileged and set(s.escalation_actions) >= {"iam:PutRolePolicy", "iam:PutUserPolicy"}
    assert not summary(allow(["iam:Get*", "iam:List*"])).is_privileged


def test_service_star_on_every_resource_is_privileged_but_not_on_one_resource():
    assert summary(allow("s3:*")).full_services == ("s3",)
    assert summary(allow("s3:*")).is_privileged
    assert not summary(allow("s3:*", "arn:aws:s3:::one-bucket/*")).is_privileged


def test_pass_role_on_every_role_is_privileged():
    assert summary(allow("iam:PassRole")).is_privileged
    assert not summary(allow("iam:PassRole", f"arn:aws:iam::{ACCT}:role/lambda-exec")).is_privileged


def test_unconditional_deny_removes_what_it_matches():
    s = summary(allow("*"), {"Effect": "Deny", "Action": "*", "Resource": "*"})
    assert not s.is_admin
    s = summary(allow("iam:*"), {"Effect": "Deny", "Action": "iam:*", "Resource": "*"})
    assert not s.is_privileged


def test_not_action_power_user_shape_is_privileged_not_admin():
    s = summary({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"})
    assert not s.is_admin
    assert s.services == ("*",)
    # PowerUserAccess's NotAction shape allows no IAM escalation; its privilege comes from the managed-policy name.
    assert summary(managed=("arn:aws:iam::aws:policy/PowerUserAccess",)).is_privileged


def test_aws_managed_administrator_access_by_arn():
    s = summary(managed=("arn:aws:iam::aws:policy/AdministratorAccess",))
    assert s.is_admin and s.managed_policies == ("AdministratorAccess",)
    assert summary(managed=("arn:aws:iam::aws:policy/IAMFullAccess",)).is_privileged
    assert not summary(managed=("arn:aws:iam::aws:policy/ReadOnlyAccess",)).is_privileged


def test_summarize_permissions_reads_groups_managed_policies_and_boundary():
    admin_doc = doc(allow("*"))
    boundary = ManagedPolicy(
        arn=f"arn:aws:iam::{ACCT}:policy/ReadOnlyBoundary", name="ReadOnlyBoundary", document=doc(allow(["s3:Get*"]))
    )
    admins = ManagedPolicy(arn=f"arn:aws:iam::{ACCT}:policy/Admins", name="Admins", document=admin_doc)
    account = Account(
        account_id=ACCT,
        users=(
            User(arn=f"arn:aws:iam::{ACCT}:user/ann", name="ann", group_names=("ops",)),
            User(
                arn=f"arn:aws:iam::{ACCT}:user/bob",
                name="bob",
                group_names=("ops",),
                permissions_boundary_arn=boundary.arn,
            ),
        ),
        groups=(Group(arn=f"arn:aws:iam::{ACCT}:group/ops", name="ops", managed_policy_arns=(admins.arn,)),),
        roles=(
            Role(
                arn=f"arn:aws:iam::{ACCT}:role/r",
                name="r",
                trust_policy=TRUST,
                inline_policies=(InlinePolicy(name="p", document=doc(allow("s3:*"))),),
            ),
        ),
        managed_policies=(boundary, admins),
    )
    ann = summarize_permissions(account, f"arn:aws:iam::{ACCT}:user/ann")
    assert ann.is_admin and ann.is_privileged
    bob = summarize_permissions(account, f"arn:aws:iam::{ACCT}:user/bob")
    assert not bob.is_admin and not bob.is_privileged and bob.bounded
    role = summarize_permissions(account, f"arn:aws:iam::{ACCT}:role/r")
    assert role.is_privileged and not role.is_admin and role.full_services == ("s3",)
    nobody = summarize_permissions(account, f"arn:aws:iam::{ACCT}:user/nobody")
    assert not nobody.is_privileged and nobody.services == ()
