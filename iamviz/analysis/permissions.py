"""What a principal's identity policies let it do, summarised: which services, administrator or not, privileged or not.

*Privileged* means any of:

* ``"*"`` actions (an administrator when on ``Resource: "*"``);
* ``iam:*``, or an IAM write action that allows privilege escalation (``iam:PutRolePolicy``,
  ``iam:CreatePolicyVersion``, ``iam:UpdateAssumeRolePolicy``, ...; ``iam:PassRole`` on every role);
* any ``service:*`` on ``Resource: "*"``;
* the AWS managed policies AdministratorAccess, PowerUserAccess or IAMFullAccess.

An unconditional ``Deny`` on ``Resource: "*"`` removes what it matches. A permissions boundary that is loaded caps
the result: a principal is privileged (administrator) only when its policies *and* its boundary are. This is a
summary for findings and the inspector, not an evaluator: use ``iamviz.analysis.identity.evaluate_identity`` to
decide one request.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from iamviz.analysis.identity import action_matches, documents_for
from iamviz.model import Account, PolicyDocument, Statement
from iamviz.model.policy import Effect
from iamviz.model.wildcard import wildcard_match

ADMIN_POLICY_NAMES = {
    "arn:aws:iam::aws:policy/AdministratorAccess": "AdministratorAccess",
}
PRIVILEGED_POLICY_NAMES = {
    "arn:aws:iam::aws:policy/AdministratorAccess": "AdministratorAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess": "PowerUserAccess",
    "arn:aws:iam::aws:policy/IAMFullAccess": "IAMFullAccess",
}

# IAM write actions that let the holder raise its own (or another principal's) permissions. After Rhino Security
# Labs' list of AWS privilege-escalation methods and pathfinding.cloud.
ESCALATION_ACTIONS = (
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreatePolicyVersion",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
    "iam:PutGroupPolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:PutUserPermissionsBoundary",
    "iam:PutUserPolicy",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateLoginProfile",
)
PASS_ROLE = "iam:PassRole"


@dataclass(frozen=True, slots=True, kw_only=True)
class PermissionSummary:
    """The summary of one principal's identity permissions.

    ``services`` are the service prefixes some Allow statement names (``"*"`` for every service);
    ``full_services`` those granted as ``service:*`` on every resource; ``escalation_actions`` the IAM
    privilege-escalation actions allowed; ``managed_policies`` the notable AWS managed policies attached;
    ``reasons`` say in words why the principal is an administrator or privileged.
    """

    principal_arn: str | None = None
    services: tuple[str, ...] = ()
    is_admin: bool = False
    is_privileged: bool = False
    full_services: tuple[str, ...] = ()
    escalation_actions: tuple[str, ...] = ()
    managed_policies: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    bounded: bool = False


def summarize_permissions(
    account: Account, principal_arn: str, *, memo: dict[tuple, tuple] | None = None
) -> PermissionSummary:
    """Summarise the identity permissions of a user or role of ``account`` (inline, managed, groups').

    Args:
        account: the account that holds the principal.
        principal_arn: the user's or role's ARN.
        memo: a dictionary kept by the caller across calls on one snapshot: principals with the same policy
            documents, managed policy ARNs and boundary share one summary (with their own ``principal_arn``).

    Returns:
        The summary; an unknown principal gets an empty, unprivileged one.
    """
    documents = documents_for(account, principal_arn)
    managed = _managed_policy_arns(account, principal_arn)
    boundary_arn = _boundary_arn(account, principal_arn)
    key = None
    if memo is not None:
        key = (tuple(map(id, documents)), managed, boundary_arn)
        found = memo.get(key)
        if found is not None:
            return dataclasses.replace(found[1], principal_arn=principal_arn)
    summary = _summarize(account, documents, managed, boundary_arn, principal_arn)
    if key is not None:
        memo[key] = (documents, summary)  # the documents kept: their ids stay theirs while the memo lives
    return summary


def _summarize(
    account: Account,
    documents: tuple[PolicyDocument, ...],
    managed: tuple[str, ...],
    boundary_arn: str | None,
    principal_arn: str,
) -> PermissionSummary:
    summary = summarize_documents(documents, managed_policy_arns=managed, principal_arn=principal_arn)
    boundary = account.policies_by_arn.get(boundary_arn) if boundary_arn else None
    if boundary is None:
        return summary
    capped = summarize_documents([boundary.document], managed_policy_arns=(boundary.arn,))
    return PermissionSummary(
        principal_arn=principal_arn,
        services=summary.services,
        is_admin=summary.is_admin and capped.is_admin,
        is_privileged=summary.is_privileged and capped.is_privileged,
        full_services=summary.full_services,
        escalation_actions=tuple(a for a in summary.escalation_actions if a in capped.escalation_actions),
        managed_policies=summary.managed_policies,
        reasons=(*summary.reasons, f"capped by permissions boundary {boundary.name}"),
        bounded=True,
    )


def may_be_admin(account: Account, principal_arn: str, *, memo: dict[int, tuple] | None = None) -> bool:
    """A cheap test that ``summarize_permissions(account, principal_arn).is_admin`` could be true.

    An administrator needs an Allow of ``"*"`` on every resource or the AWS managed policy AdministratorAccess;
    without either, no summary is needed to know it is not one. Findings use it to skip summarising the
    thousands of workload roles of a large account. ``memo`` (kept by the caller for one snapshot) remembers the
    answer per policy document.
    """
    if any(arn in ADMIN_POLICY_NAMES for arn in _managed_policy_arns(account, principal_arn)):
        return True
    for document in documents_for(account, principal_arn):
        found = None if memo is None else memo.get(id(document))
        if found is None:
            found = (document, any(s.effect is Effect.ALLOW and _grants_everything(s) for s in document.statements))
            if memo is not None:
                memo[id(document)] = found  # the document kept: its id stays its own
        if found[1]:
            return True
    return False


def summarize_documents(
    documents: Iterable[PolicyDocument],
    *,
    managed_policy_arns: Iterable[str] = (),
    principal_arn: str | None = None,
) -> PermissionSummary:
    """Summarise a set of identity policy documents (the pure core of :func:`summarize_permissions`).

    Args:
        documents: the policies in force (inline and the default versions of managed ones).
        managed_policy_arns: ARNs of the attached managed policies, to recognise AdministratorAccess and friends.
        principal_arn: carried into the summary.
    """
    statements = [s for doc in documents for s in doc.statements]
    allows = [s for s in statements if s.effect is Effect.ALLOW]
    denies = [s for s in statements if s.effect is Effect.DENY and not s.conditions and _on_every_resource(s)]
    arns = tuple(managed_policy_arns)
    reasons: list[str] = []

    services = sorted({svc for s in allows for svc in _services_of(s)})
    admin_statements = [s for s in allows if _grants_everything(s)]
    denied_everything = any(_action_matches(s, "*") for s in denies)
    is_admin = bool(admin_statements) and not denied_everything
    if is_admin:
        reasons.append('allows every action ("*") on every resource')
    notable = tuple(PRIVILEGED_POLICY_NAMES[a] for a in arns if a in PRIVILEGED_POLICY_NAMES)
    if any(a in ADMIN_POLICY_NAMES for a in arns) and not denied_everything:
        is_admin = True
    for name in notable:
        reasons.append(f"has the AWS managed policy {name}")

    escalation = tuple(
        action
        for action in ESCALATION_ACTIONS
        if _allowed_on_iam(allows, action) and not any(_action_matches(d, action) for d in denies)
    )
    if escalation:
        reasons.append("may escalate privileges with " + ", ".join(escalation))
    pass_any_role = any(_action_matches(s, PASS_ROLE) and _on_every_resource(s) for s in allows) and not any(
        _action_matches(d, PASS_ROLE) for d in denies
    )
    if pass_any_role:
        reasons.append("may pass any role to a service (iam:PassRole on *)")
    full_services = sorted({svc for s in allows if _on_every_resource(s) for svc in _full_services(s)})
    full_services = [svc for svc in full_services if not any(_action_matches(d, f"{svc}:*") for d in denies)]
    if full_services:
        reasons.append("has every action of " + ", ".join(f"{svc}:*" for svc in full_services) + " on *")
    is_privileged = is_admin or bool(notable) or bool(escalation) or pass_any_role or bool(full_services)
    return PermissionSummary(
        principal_arn=principal_arn,
        services=tuple(services),
        is_admin=is_admin,
        is_privileged=is_privileged,
        full_services=tuple(full_services),
        escalation_actions=escalation,
        managed_policies=notable,
        reasons=tuple(reasons),
    )


def _managed_policy_arns(account: Account, principal_arn: str) -> tuple[str, ...]:
    role = account.roles_by_arn.get(principal_arn)
    if role is not None:
        return role.managed_policy_arns
    user = account.users_by_arn.get(principal_arn)
    if user is None:
        return ()
    arns = list(user.managed_policy_arns)
    for group_name in user.group_names:
        group = account.groups_by_name.get(group_name)
        if group is not None:
            arns.extend(group.managed_policy_arns)
    return tuple(arns)


def _boundary_arn(account: Account, principal_arn: str) -> str | None:
    principal = account.roles_by_arn.get(principal_arn) or account.users_by_arn.get(principal_arn)
    return principal.permissions_boundary_arn if principal is not None else None


_action_matches = action_matches  # whether ``statement`` (Action or NotAction) covers ``action`` (remembered)


def _on_every_resource(statement: Statement) -> bool:
    if statement.resources is not None:
        return "*" in statement.resources
    # NotResource: every resource but the excluded ones; "every" unless it excludes everything.
    return statement.not_resources is not None and "*" not in statement.not_resources


def _applies_to_iam(statement: Statement) -> bool:
    if statement.resources is None:
        return statement.not_resources is not None and "*" not in statement.not_resources
    for resource in statement.resources:
        if resource == "*":
            return True
        parts = resource.split(":", 5)
        if len(parts) == 6 and wildcard_match(parts[2], "iam"):
            return True
    return False


def _allowed_on_iam(allows: list[Statement], action: str) -> bool:
    return any(_action_matches(s, action) and _applies_to_iam(s) for s in allows)


def _grants_everything(statement: Statement) -> bool:
    if not _on_every_resource(statement):
        return False
    if statement.actions is not None:
        return "*" in statement.actions
    return False


def _services_of(statement: Statement) -> set[str]:
    if statement.not_actions is not None:
        return {"*"}
    out: set[str] = set()
    for pattern in statement.actions or ():
        if pattern == "*":
            out.add("*")
        else:
            service, sep, _ = pattern.partition(":")
            if sep:
                out.add(service.lower())
    return out


def _full_services(statement: Statement) -> set[str]:
    out: set[str] = set()
    for pattern in statement.actions or ():
        service, sep, rest = pattern.partition(":")
        if sep and rest == "*" and service and "*" not in service and "?" not in service:
            out.add(service.lower())
    return out
