"""Scenario builders for the trust-engine tests: small snapshots from keyword arguments, no files.

snap = snapshot(account(users=[user("alice")], roles=[role("Deploy", trust=trust(allow(aws=ACCT)))]))
decision = decide(snap, user_arn("alice"), role_arn("Deploy"))
"""

from __future__ import annotations

from typing import Any

from iamviz.analysis.conditions import RequestContext
from iamviz.analysis.trust import AssumeRoleRequest, Decision, evaluate_assume_role
from iamviz.model import (
    Account,
    Group,
    InlinePolicy,
    ManagedPolicy,
    OidcProvider,
    Organization,
    Role,
    SamlProvider,
    Snapshot,
    Tag,
    User,
    parse_policy_document,
)
from iamviz.model.policy import PolicyDocument

ACCT = "111111111111"
OTHER = "222222222222"
UNLOADED = "999999999999"


def user_arn(name: str, account: str = ACCT) -> str:
    return f"arn:aws:iam::{account}:user/{name}"


def role_arn(name: str, account: str = ACCT, path: str = "/") -> str:
    return f"arn:aws:iam::{account}:role{path}{name}"


def session_arn(role: str, session: str, account: str = ACCT) -> str:
    return f"arn:aws:sts::{account}:assumed-role/{role}/{session}"


def root(account: str = ACCT) -> str:
    return f"arn:aws:iam::{account}:root"


def stmt(
    effect: str = "Allow",
    *,
    principal: Any = None,
    aws: Any = None,
    service: Any = None,
    federated: Any = None,
    not_principal: Any = None,
    action: Any = "sts:AssumeRole",
    not_action: Any = None,
    resource: Any = None,
    not_resource: Any = None,
    condition: dict | None = None,
    sid: str | None = None,
) -> dict:
    """One statement as JSON. ``aws``/``service``/``federated`` build the Principal block."""
    out: dict[str, Any] = {"Effect": effect}
    if sid:
        out["Sid"] = sid
    block: dict[str, Any] = {}
    if aws is not None:
        block["AWS"] = aws
    if service is not None:
        block["Service"] = service
    if federated is not None:
        block["Federated"] = federated
    if principal is not None:
        out["Principal"] = principal
    elif block:
        out["Principal"] = block
    if not_principal is not None:
        out["NotPrincipal"] = not_principal
    if not_action is not None:
        out["NotAction"] = not_action
    elif action is not None:
        out["Action"] = action
    if resource is not None:
        out["Resource"] = resource
    if not_resource is not None:
        out["NotResource"] = not_resource
    if condition:
        out["Condition"] = condition
    return out


def allow(**kwargs: Any) -> dict:
    return stmt("Allow", **kwargs)


def deny(**kwargs: Any) -> dict:
    return stmt("Deny", **kwargs)


def doc(*statements: dict, version: str = "2012-10-17") -> PolicyDocument:
    return parse_policy_document({"Version": version, "Statement": list(statements)})


trust = doc


def inline(*statements: dict, name: str = "inline") -> InlinePolicy:
    return InlinePolicy(name=name, document=doc(*statements))


def managed(name: str, *statements: dict, account: str = ACCT) -> ManagedPolicy:
    return ManagedPolicy(arn=f"arn:aws:iam::{account}:policy/{name}", name=name, document=doc(*statements))


def tags(**pairs: str) -> tuple[Tag, ...]:
    return tuple(Tag(key=k, value=v) for k, v in pairs.items())


def user(
    name: str,
    account: str = ACCT,
    *,
    policies: tuple | list = (),
    managed_arns: tuple | list = (),
    groups: tuple | list = (),
    boundary: str | None = None,
    user_tags: tuple[Tag, ...] = (),
    user_id: str | None = None,
) -> User:
    return User(
        arn=user_arn(name, account),
        name=name,
        user_id=user_id or f"AIDA{name.upper():0<16}"[:21],
        group_names=tuple(groups),
        inline_policies=tuple(policies),
        managed_policy_arns=tuple(managed_arns),
        permissions_boundary_arn=boundary,
        tags=user_tags,
    )


def group(name: str, account: str = ACCT, *, policies: tuple | list = (), managed_arns: tuple | list = ()) -> Group:
    return Group(
        arn=f"arn:aws:iam::{account}:group/{name}",
        name=name,
        inline_policies=tuple(policies),
        managed_policy_arns=tuple(managed_arns),
    )


def role(
    name: str,
    account: str = ACCT,
    *,
    trust_policy: PolicyDocument,
    policies: tuple | list = (),
    managed_arns: tuple | list = (),
    boundary: str | None = None,
    max_session: int | None = None,
    role_id: str | None = None,
    role_tags: tuple[Tag, ...] = (),
    path: str = "/",
) -> Role:
    return Role(
        arn=role_arn(name, account, path),
        name=name,
        path=path,
        role_id=role_id or f"AROA{name.upper():0<16}"[:21],
        trust_policy=trust_policy,
        inline_policies=tuple(policies),
        managed_policy_arns=tuple(managed_arns),
        permissions_boundary_arn=boundary,
        max_session_duration=max_session,
        tags=role_tags,
    )


def account(
    account_id: str = ACCT,
    *,
    users: tuple | list = (),
    roles: tuple | list = (),
    groups: tuple | list = (),
    policies: tuple | list = (),
    org: str | None = None,
    org_accounts: tuple = (),
    saml: tuple | list = (),
    oidc: tuple | list = (),
    alias: str | None = None,
) -> Account:
    organization = Organization(id=org, account_ids=tuple(org_accounts) or (account_id,)) if org else None
    return Account(
        account_id=account_id,
        alias=alias,
        users=tuple(users),
        roles=tuple(roles),
        groups=tuple(groups),
        managed_policies=tuple(policies),
        organization=organization,
        saml_providers=tuple(SamlProvider(arn=a) for a in saml),
        oidc_providers=tuple(oidc),
    )


def oidc_provider(host: str, account: str = ACCT, client_ids: tuple[str, ...] = ("sts.amazonaws.com",)) -> OidcProvider:
    return OidcProvider(
        arn=f"arn:aws:iam::{account}:oidc-provider/{host}", url=f"https://{host}", client_ids=client_ids
    )


def saml_arn(name: str, account: str = ACCT) -> str:
    return f"arn:aws:iam::{account}:saml-provider/{name}"


def oidc_arn(host: str, account: str = ACCT) -> str:
    return f"arn:aws:iam::{account}:oidc-provider/{host}"


def snapshot(*accounts: Account) -> Snapshot:
    return Snapshot(accounts=tuple(accounts))


def decide(snap: Snapshot, caller: str, role: str, *, context: dict | None = None, **kwargs: Any) -> Decision:
    """Evaluate one request; ``context`` is a plain dict of condition keys."""
    request = AssumeRoleRequest(caller=caller, role_arn=role, context=RequestContext.of(context or {}), **kwargs)
    return evaluate_assume_role(snap, request)


def one_role(trust_policy: PolicyDocument, *, users: tuple | list = (), **role_kwargs: Any) -> Snapshot:
    """A snapshot of one account with role ``Target`` (trust as given) and the given users."""
    return snapshot(account(users=users, roles=[role("Target", trust_policy=trust_policy, **role_kwargs)]))


TARGET = role_arn("Target")
