"""Accounts and what they hold, as frozen values: the in-memory form of every snapshot, whatever its source.

Loaders (``iamviz.loading``) build these; nothing downstream sees raw JSON, except
:attr:`Account.authorization_details`, which is kept only so a snapshot can be written back unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from iamviz.model.policy import PolicyDocument


@dataclass(frozen=True, slots=True, kw_only=True)
class Tag:
    """A key/value tag."""

    key: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InlinePolicy:
    """A policy embedded in a user, group or role."""

    name: str
    document: PolicyDocument


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedPolicy:
    """A managed policy; ``document`` is its default version, the only one in force."""

    arn: str
    name: str
    policy_id: str | None = None
    path: str = "/"
    default_version_id: str | None = None
    document: PolicyDocument
    attachment_count: int | None = None
    description: str | None = None

    @property
    def is_aws_managed(self) -> bool:
        """Whether AWS maintains this policy (``arn:aws:iam::aws:policy/...``)."""
        return ":iam::aws:policy/" in self.arn


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """An IAM user."""

    arn: str
    name: str
    user_id: str | None = None
    path: str = "/"
    create_date: str | None = None
    group_names: tuple[str, ...] = ()
    inline_policies: tuple[InlinePolicy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    permissions_boundary_arn: str | None = None
    tags: tuple[Tag, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    """An IAM group."""

    arn: str
    name: str
    group_id: str | None = None
    path: str = "/"
    create_date: str | None = None
    inline_policies: tuple[InlinePolicy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Role:
    """An IAM role with its trust policy.

    ``max_session_duration`` and ``description`` are known only when the source gave them (GAAD lists them only
    under instance profiles). ``last_used`` is ``None`` when unknown and ``""`` when the role was never used
    (GAAD's ``RoleLastUsed: {}``).
    """

    arn: str
    name: str
    role_id: str | None = None
    path: str = "/"
    create_date: str | None = None
    trust_policy: PolicyDocument
    inline_policies: tuple[InlinePolicy, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()
    permissions_boundary_arn: str | None = None
    tags: tuple[Tag, ...] = ()
    last_used: str | None = None
    last_used_region: str | None = None
    max_session_duration: int | None = None
    description: str | None = None
    instance_profile_arns: tuple[str, ...] = ()

    @property
    def is_service_linked(self) -> bool:
        """Whether this is a service-linked role (path ``/aws-service-role/``)."""
        return self.path.startswith("/aws-service-role/")


@dataclass(frozen=True, slots=True, kw_only=True)
class SamlProvider:
    """An IAM SAML identity provider."""

    arn: str
    valid_until: str | None = None
    create_date: str | None = None

    @property
    def name(self) -> str:
        """The provider's name (the last part of its ARN)."""
        return self.arn.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True, kw_only=True)
class OidcProvider:
    """An IAM OpenID Connect identity provider."""

    arn: str
    url: str
    client_ids: tuple[str, ...] = ()
    thumbprints: tuple[str, ...] = ()
    create_date: str | None = None

    @property
    def host(self) -> str:
        """The issuer without scheme: ``token.actions.githubusercontent.com``."""
        return self.url.removeprefix("https://").removeprefix("http://")


@dataclass(frozen=True, slots=True, kw_only=True)
class Organization:
    """What is known of the AWS Organization an account belongs to."""

    id: str
    management_account_id: str | None = None
    account_ids: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Account:
    """One AWS account as captured: identities, policies, providers, and what could not be read (``gaps``)."""

    account_id: str
    alias: str | None = None
    captured_at: str | None = None
    source: str = ""
    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    roles: tuple[Role, ...] = ()
    managed_policies: tuple[ManagedPolicy, ...] = ()
    saml_providers: tuple[SamlProvider, ...] = ()
    oidc_providers: tuple[OidcProvider, ...] = ()
    organization: Organization | None = None
    gaps: tuple[str, ...] = ()
    authorization_details: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def label(self) -> str:
        """``111111111111 (workload)`` or the bare ID."""
        return f"{self.account_id} ({self.alias})" if self.alias else self.account_id

    @cached_property
    def users_by_arn(self) -> dict[str, User]:
        return {u.arn: u for u in self.users}

    @cached_property
    def users_by_name(self) -> dict[str, User]:
        return {u.name: u for u in self.users}

    @cached_property
    def groups_by_name(self) -> dict[str, Group]:
        return {g.name: g for g in self.groups}

    @cached_property
    def roles_by_arn(self) -> dict[str, Role]:
        return {r.arn: r for r in self.roles}

    @cached_property
    def roles_by_name(self) -> dict[str, Role]:
        return {r.name: r for r in self.roles}

    @cached_property
    def policies_by_arn(self) -> dict[str, ManagedPolicy]:
        return {p.arn: p for p in self.managed_policies}

    @cached_property
    def principals_by_unique_id(self) -> dict[str, User | Role]:
        """Users and roles by their unique ID (``AIDA...``/``AROA...``)."""
        index: dict[str, User | Role] = {}
        for user in self.users:
            if user.user_id:
                index[user.user_id] = user
        for role in self.roles:
            if role.role_id:
                index[role.role_id] = role
        return index


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """One or more accounts loaded together, with the warnings their loading raised."""

    accounts: tuple[Account, ...] = ()
    warnings: tuple[str, ...] = ()
    title: str | None = None
    description: str | None = None
    teaching: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """A sample bundle's ``teaching`` block (intended findings, facts for the scenario player); empty otherwise."""

    @cached_property
    def accounts_by_id(self) -> dict[str, Account]:
        return {a.account_id: a for a in self.accounts}

    def account(self, account_id: str) -> Account | None:
        """The loaded account with this ID, or ``None``."""
        return self.accounts_by_id.get(account_id)
