"""Whether a caller may assume a role, and why: the decision procedure of ``iam-trust-semantics.md`` §1.

All of these must hold for ``sts:AssumeRole*`` on role R by caller P:

1. the request is well formed (DurationSeconds, RoleSessionName, ExternalId, SourceIdentity, tags; the root user
   cannot call AssumeRole; a federated-user session cannot either; the action fits the caller's kind);
2. no applicable Deny matches (trust policy, P's identity policies and boundary);
3. an Allow statement of R's trust policy matches P's principal, the action and its conditions, and every extra
   permission-only action the request needs (``sts:TagSession`` with tags, ``sts:SetSourceIdentity`` with a
   source identity) is matched too;
4. the caller side allows: nothing for services and federated callers; for the same account, only when the trust
   names the account (identity policies and boundary must allow) or a role ARN / user ARN (the boundary must
   allow, see §11 of the rulebook); for another account, always.

What the snapshot cannot show (SCPs, RCPs, session policies, a caller account that is not loaded) is listed in
:attr:`Decision.assumptions`. A condition that cannot be judged (UNKNOWN) never allows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from iamviz.analysis.conditions import ConditionResult, RequestContext, Verdict, evaluate_conditions
from iamviz.analysis.identity import (
    IdentityOutcome,
    IdentityResult,
    StatementRef,
    action_matches,
    evaluate_identity,
    uses_variables,
)
from iamviz.errors import InputError
from iamviz.model.account import Account, Role, Snapshot, User
from iamviz.model.arn import Arn
from iamviz.model.fast import fast_constructor
from iamviz.model.policy import Effect, Principal, PrincipalKind, Statement, is_account_id, looks_like_unique_id

ASSUME_ROLE = "sts:AssumeRole"
ASSUME_ROLE_WITH_SAML = "sts:AssumeRoleWithSAML"
ASSUME_ROLE_WITH_WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
TAG_SESSION = "sts:TagSession"
SET_SOURCE_IDENTITY = "sts:SetSourceIdentity"
ASSUME_ACTIONS = (ASSUME_ROLE, ASSUME_ROLE_WITH_SAML, ASSUME_ROLE_WITH_WEB_IDENTITY)

#: Web identity providers named by host in ``Federated`` ([PRIN] "Web identity session principals").
WELL_KNOWN_WEB_IDENTITY = (
    "cognito-identity.amazonaws.com",
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
)
_SERVICE_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".c2s.ic.gov", ".sc2s.sgov.gov")

MIN_DURATION = 900
MAX_DURATION = 43200
DEFAULT_DURATION = 3600
CHAINED_MAX_DURATION = 3600

# botocore STS model patterns (ASCII \w, as in Java regular expressions).
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)
_SOURCE_IDENTITY = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
_TAG_KEY = re.compile(r"[\w\s.:/=+\-@]{1,128}")
_TAG_VALUE = re.compile(r"[\w\s.:/=+\-@]{0,256}")
MAX_SESSION_TAGS = 50


class CallerKind(StrEnum):
    """What kind of caller a request comes from."""

    USER = "user"
    ROLE_SESSION = "role-session"
    ROLE = "role"  # a role ARN given as the caller: some session of that role
    ROOT = "root"
    FEDERATED_USER = "federated-user"
    SERVICE = "service"
    SAML = "saml"
    OIDC = "oidc"
    WEB_IDENTITY = "web-identity"


_IAM_KINDS = frozenset({CallerKind.USER, CallerKind.ROLE_SESSION, CallerKind.ROLE})
_SESSION_KINDS = frozenset({CallerKind.ROLE_SESSION, CallerKind.ROLE})
_FEDERATED_KINDS = frozenset({CallerKind.SAML, CallerKind.OIDC, CallerKind.WEB_IDENTITY})

#: The STS action that fits each caller kind ([ARAPI], rulebook §4).
DEFAULT_ACTION = {
    CallerKind.USER: ASSUME_ROLE,
    CallerKind.ROLE_SESSION: ASSUME_ROLE,
    CallerKind.ROLE: ASSUME_ROLE,
    CallerKind.ROOT: ASSUME_ROLE,
    CallerKind.FEDERATED_USER: ASSUME_ROLE,
    CallerKind.SERVICE: ASSUME_ROLE,
    CallerKind.SAML: ASSUME_ROLE_WITH_SAML,
    CallerKind.OIDC: ASSUME_ROLE_WITH_WEB_IDENTITY,
    CallerKind.WEB_IDENTITY: ASSUME_ROLE_WITH_WEB_IDENTITY,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Caller:
    """A resolved caller.

    ``arn`` is the principal's ARN (user, session, role, root, provider) or ``None`` for services and web identity
    hosts; ``name`` the user, role, service or host name; ``role_arn`` the role of a session (with its path when the
    role is loaded); ``entity`` the loaded user or role, when there is one.
    """

    kind: CallerKind
    text: str
    name: str
    arn: str | None = None
    account_id: str | None = None
    role_arn: str | None = None
    session_name: str | None = None
    entity: User | Role | None = field(default=None, compare=False)
    account: Account | None = field(default=None, compare=False)
    organization_id: str | None = None

    @property
    def word(self) -> str:
        """How a person names this caller."""
        return self.arn or self.name

    @property
    def principal_arn(self) -> str | None:
        """The value of ``aws:PrincipalArn``: the role ARN for sessions, the user ARN for users ([GKEYS])."""
        if self.kind in _SESSION_KINDS:
            return self.role_arn
        if self.kind in (CallerKind.USER, CallerKind.ROOT, CallerKind.FEDERATED_USER):
            return self.arn
        return None


class Outcome(StrEnum):
    """The answer."""

    ALLOW = "allow"
    DENY = "deny"


@dataclass(frozen=True, slots=True, kw_only=True)
class AssumeRoleRequest:
    """One ``sts:AssumeRole*`` request, with the parameters ``aws sts assume-role`` takes.

    ``tags`` are ``(key, value)`` pairs; ``context`` holds any further condition keys (MFA, SAML/OIDC claims,
    ``aws:SourceArn``...). Principal keys (``aws:PrincipalArn``...) are derived from the caller.
    """

    caller: str
    role_arn: str
    action: str | None = None
    context: RequestContext = field(default_factory=lambda: RequestContext.of({}))
    duration_seconds: int | None = None
    role_session_name: str | None = None
    external_id: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()
    source_identity: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """The answer with its reasons.

    ``matched_statements`` are the statements that decided (the Allow statements that granted, or the Deny
    statements that refused, of the trust policy and the caller's policies). ``condition_results`` are the
    verdicts of the conditions of the trust statements that named the caller. ``caller_side`` says what the
    caller's own policies contributed. ``assumptions`` name what the snapshot cannot show.
    """

    outcome: Outcome
    reasons: tuple[str, ...]
    matched_statements: tuple[StatementRef, ...] = ()
    condition_results: tuple[ConditionResult, ...] = ()
    assumptions: tuple[str, ...] = ()
    caller_side: str | None = None
    action: str = ASSUME_ROLE

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOW

    def to_dict(self) -> dict[str, object]:
        """The JSON form the CLI prints."""
        return {
            "decision": str(self.outcome),
            "action": self.action,
            "reasons": list(self.reasons),
            "matched_statements": [ref.to_dict() for ref in self.matched_statements],
            "conditions": [
                {
                    "operator": r.condition.operator,
                    "key": r.condition.key,
                    "values": list(r.condition.values),
                    "verdict": str(r.verdict),
                    "reason": r.reason,
                }
                for r in self.condition_results
            ],
            "caller_side": self.caller_side,
            "assumptions": list(self.assumptions),
        }


# --- callers ----------------------------------------------------------------------------------------------------


def _organization_of(snapshot: Snapshot, account_id: str | None) -> str | None:
    if account_id is None:
        return None
    account = snapshot.account(account_id)
    if account is not None and account.organization is not None:
        return account.organization.id
    for other in snapshot.accounts:
        if other.organization is not None and account_id in other.organization.account_ids:
            return other.organization.id
    return None


def _find_role_by_name(account: Account | None, name: str) -> Role | None:
    return account.roles_by_name.get(name) if account is not None else None


def caller_for_entity(snapshot: Snapshot, account: Account, entity: User | Role) -> Caller:
    """The caller that stands for a loaded user, or for a session of a loaded role."""
    org = _organization_of(snapshot, account.account_id)
    arn = entity.arn
    if isinstance(entity, User):
        return _new_caller(CallerKind.USER, arn, entity.name, arn, account.account_id, None, None, entity, account, org)
    return _new_caller(CallerKind.ROLE, arn, entity.name, arn, account.account_id, arn, None, entity, account, org)


#: ``Caller(...)`` in field order, without the keyword ``__init__`` (the trust graph makes one caller per principal).
_new_caller = fast_constructor(Caller)


def resolve_caller(snapshot: Snapshot, caller: str, *, role_account: Account | None = None) -> Caller:
    """Turn the ``--caller`` text into a :class:`Caller`; raise :class:`InputError` when it names nothing.

    Accepted: a user, role, assumed-role session, federated-user or account-root ARN; a 12-digit account ID; a
    unique ID of a loaded user or role; a SAML or OIDC provider ARN; a service principal
    (``lambda.amazonaws.com``, optionally ``service:``-prefixed); a web identity host (``accounts.google.com``,
    optionally ``federated:``-prefixed), or the host of an IAM OIDC provider of the role's account.
    """
    text = caller.strip() if isinstance(caller, str) else ""
    if not text:
        raise InputError("the caller is empty")
    if text.startswith("service:"):
        name = text.removeprefix("service:")
        return Caller(kind=CallerKind.SERVICE, text=text, name=name)
    if text.startswith("federated:"):
        text = text.removeprefix("federated:")
    if is_account_id(text):
        return _root_caller(snapshot, text, f"arn:aws:iam::{text}:root", caller)
    if looks_like_unique_id(text):
        for account in snapshot.accounts:
            entity = account.principals_by_unique_id.get(text)
            if entity is not None:
                return caller_for_entity(snapshot, account, entity)
        raise InputError(f"caller {text!r} is a unique ID that no loaded user or role has")
    if text.startswith("arn:"):
        return _caller_from_arn(snapshot, text)
    host = text.removeprefix("https://").rstrip("/")
    if host in WELL_KNOWN_WEB_IDENTITY:
        return Caller(kind=CallerKind.WEB_IDENTITY, text=caller, name=host)
    accounts = ([role_account] if role_account is not None else []) + list(snapshot.accounts)
    for account in accounts:
        for provider in account.oidc_providers:
            if provider.host == host:
                return Caller(
                    kind=CallerKind.OIDC, text=caller, name=host, arn=provider.arn, account_id=account.account_id
                )
    if host.endswith(_SERVICE_SUFFIXES):
        return Caller(kind=CallerKind.SERVICE, text=caller, name=host)
    raise InputError(
        f"caller {caller!r} is not an ARN, account ID, unique ID, service principal or web identity provider"
    )


def _root_caller(snapshot: Snapshot, account_id: str, arn: str, text: str) -> Caller:
    return Caller(
        kind=CallerKind.ROOT,
        text=text,
        name="root",
        arn=arn,
        account_id=account_id,
        account=snapshot.account(account_id),
        organization_id=_organization_of(snapshot, account_id),
    )


def _caller_from_arn(snapshot: Snapshot, text: str) -> Caller:
    try:
        arn = Arn.parse(text)
    except ValueError as exc:
        raise InputError(f"caller: {exc}") from None
    account = snapshot.account(arn.account) if arn.account else None
    org = _organization_of(snapshot, arn.account or None)
    common = {"text": text, "account_id": arn.account or None, "account": account, "organization_id": org}
    kind_key = (arn.service, arn.resource_type)
    if kind_key == ("iam", "root"):
        return _root_caller(snapshot, arn.account, text, text)
    if kind_key == ("iam", "user"):
        user = account.users_by_arn.get(text) if account else None
        return Caller(kind=CallerKind.USER, name=arn.resource_name, arn=text, entity=user, **common)
    if kind_key == ("iam", "role"):
        role = account.roles_by_arn.get(text) if account else None
        return Caller(kind=CallerKind.ROLE, name=arn.resource_name, arn=text, role_arn=text, entity=role, **common)
    if kind_key == ("sts", "assumed-role"):
        if arn.session_name is None:
            raise InputError(f"caller {text!r}: an assumed-role ARN needs a session name (assumed-role/ROLE/SESSION)")
        role = _find_role_by_name(account, arn.resource_name)
        role_arn = role.arn if role is not None else str(arn.role_arn_of_session())
        return Caller(
            kind=CallerKind.ROLE_SESSION,
            name=arn.resource_name,
            arn=text,
            role_arn=role_arn,
            session_name=arn.session_name,
            entity=role,
            **common,
        )
    if kind_key == ("sts", "federated-user"):
        return Caller(kind=CallerKind.FEDERATED_USER, name=arn.resource_name, arn=text, **common)
    if kind_key == ("iam", "saml-provider"):
        return Caller(kind=CallerKind.SAML, name=arn.resource_name, arn=text, **common)
    if kind_key == ("iam", "oidc-provider"):
        return Caller(kind=CallerKind.OIDC, name=arn.resource_name, arn=text, **common)
    raise InputError(f"caller {text!r} is not a user, role, session, account or identity-provider ARN")


# --- principal matching -----------------------------------------------------------------------------------------


class MatchForm(IntEnum):
    """How a trust statement's Principal covers the caller; lower values need less from the caller's side."""

    NON_IAM = 0  # a service or federated principal: no identity policy takes part
    SESSION_ARN = 1  # the assumed-role session itself
    DIRECT_USER = 2  # the user ARN (or its unique ID)
    ROLE_ARN = 3  # the role of the caller's session (or its unique ID)
    ANYONE = 4  # "*" / {"AWS": "*"}
    ACCOUNT = 5  # the caller's account (":root" or the 12-digit shorthand)


_FORM_WORDS = {
    MatchForm.NON_IAM: "names the caller",
    MatchForm.SESSION_ARN: "names this role session directly",
    MatchForm.DIRECT_USER: "names the user directly",
    MatchForm.ROLE_ARN: "names the caller's role",
    MatchForm.ANYONE: 'names every principal ("*")',
    MatchForm.ACCOUNT: "names the caller's whole account",
}


def _same_partition(value: str, caller: Caller) -> bool:
    caller_arn = caller.arn or caller.role_arn or ""
    part = caller_arn.split(":", 2)[1] if caller_arn.startswith("arn:") else "aws"
    value_part = value.split(":", 2)[1] if value.startswith("arn:") else part
    return part == value_part


def _match_aws(value: str, caller: Caller) -> MatchForm | None:
    if caller.kind not in _IAM_KINDS and caller.kind is not CallerKind.ROOT:
        return None
    if is_account_id(value):
        return MatchForm.ACCOUNT if value == caller.account_id else None
    if looks_like_unique_id(value):
        entity = caller.entity
        if isinstance(entity, User) and entity.user_id == value and caller.kind is CallerKind.USER:
            return MatchForm.DIRECT_USER
        if isinstance(entity, Role) and entity.role_id == value and caller.kind in _SESSION_KINDS:
            return MatchForm.ROLE_ARN
        return None
    arn = Arn.try_parse(value)
    if arn is None:
        return None
    if arn.is_account_root:
        return MatchForm.ACCOUNT if arn.account == caller.account_id and _same_partition(value, caller) else None
    if arn.account != caller.account_id:
        return None
    if arn.service == "iam" and arn.resource_type == "user":
        return MatchForm.DIRECT_USER if caller.kind is CallerKind.USER and value == caller.arn else None
    if arn.service == "iam" and arn.resource_type == "role":
        if caller.kind not in _SESSION_KINDS or not _same_partition(value, caller):
            return None
        if caller.entity is not None:
            return MatchForm.ROLE_ARN if value == caller.entity.arn else None
        return MatchForm.ROLE_ARN if arn.resource_name == caller.name else None
    if arn.service == "sts" and arn.resource_type == "assumed-role":
        return MatchForm.SESSION_ARN if caller.kind is CallerKind.ROLE_SESSION and value == caller.arn else None
    return None


def _match_service(value: str, caller: Caller) -> MatchForm | None:
    return MatchForm.NON_IAM if caller.kind is CallerKind.SERVICE and value.lower() == caller.name.lower() else None


def _match_federated(value: str, caller: Caller) -> MatchForm | None:
    if caller.kind in (CallerKind.SAML, CallerKind.OIDC):
        return MatchForm.NON_IAM if value == caller.arn else None
    if caller.kind is CallerKind.WEB_IDENTITY:
        return MatchForm.NON_IAM if value == caller.name else None
    return None


def _match_anyone(value: str, caller: Caller) -> MatchForm | None:
    return MatchForm.ANYONE


def _match_nothing(value: str, caller: Caller) -> MatchForm | None:
    return None  # CanonicalUser is an S3 feature, not a role-trust principal ([PRIN])


_PRINCIPAL_MATCHERS = {
    PrincipalKind.AWS: _match_aws,
    PrincipalKind.SERVICE: _match_service,
    PrincipalKind.FEDERATED: _match_federated,
    PrincipalKind.ANYONE: _match_anyone,
    PrincipalKind.CANONICAL_USER: _match_nothing,
}


def match_principal(principal: Principal, caller: Caller) -> MatchForm | None:
    """How ``principal`` (one value of a Principal element) covers ``caller``, or ``None``.

    Exact, case-sensitive comparison: "You cannot use a wildcard to match part of a principal name or ARN"
    ([PRIN]); a bare unique ID matches only the entity that has exactly that ID ([PRIN], [IDS]).
    """
    return _PRINCIPAL_MATCHERS[principal.kind](principal.value, caller)


def statement_principal_match(statement: Statement, caller: Caller) -> MatchForm | None:
    """The best :class:`MatchForm` by which the statement's ``Principal`` covers the caller (``None``: none).

    ``NotPrincipal`` is not allowed in a role trust policy ([NOTP]): it never grants. In a Deny statement it is
    applied as written (it denies everyone it does not list), the cautious reading.
    """
    if statement.principals is not None:
        forms = [f for p in statement.principals if (f := match_principal(p, caller)) is not None]
        return min(forms) if forms else None
    if statement.not_principals is not None and statement.effect is Effect.DENY:
        listed = any(match_principal(p, caller) is not None for p in statement.not_principals)
        return None if listed else MatchForm.ANYONE
    return None


# --- request context --------------------------------------------------------------------------------------------

#: Condition keys the caller's identity determines (and that a request cannot set).
PRINCIPAL_KEYS = (
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalType",
    "aws:PrincipalOrgID",
    "aws:userid",
    "aws:username",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalServiceName",
)
_PRINCIPAL_TYPE = {
    CallerKind.USER: "User",
    CallerKind.ROLE_SESSION: "AssumedRole",
    CallerKind.ROLE: "AssumedRole",
    CallerKind.ROOT: "Account",
    CallerKind.FEDERATED_USER: "FederatedUser",
}


def principal_context(caller: Caller) -> dict[str, str | list[str]]:
    """The condition keys derived from the caller ([GKEYS]): what AWS puts in the request context for it.

    ``aws:PrincipalArn`` is the role ARN for a role session; ``aws:PrincipalOrgID`` only when the caller's
    organization is known; ``aws:PrincipalTag/K`` from the loaded user's or role's tags. Service principals
    get ``aws:PrincipalServiceName`` and ``aws:PrincipalIsAWSService``; unsigned federated calls get nothing.
    """
    values: dict[str, str | list[str]] = {}
    if caller.kind is CallerKind.SERVICE:
        values["aws:PrincipalServiceName"] = caller.name
        values["aws:PrincipalIsAWSService"] = "true"
        return values
    if caller.kind in _FEDERATED_KINDS:
        return values
    if caller.principal_arn:
        values["aws:PrincipalArn"] = caller.principal_arn
    if caller.account_id:
        values["aws:PrincipalAccount"] = caller.account_id
    values["aws:PrincipalType"] = _PRINCIPAL_TYPE[caller.kind]
    values["aws:PrincipalIsAWSService"] = "false"
    if caller.organization_id:
        values["aws:PrincipalOrgID"] = caller.organization_id
    entity = caller.entity
    if caller.kind is CallerKind.USER:
        values["aws:username"] = caller.name
        if isinstance(entity, User) and entity.user_id:
            values["aws:userid"] = entity.user_id
    if caller.kind is CallerKind.ROLE_SESSION and isinstance(entity, Role) and entity.role_id:
        values["aws:userid"] = f"{entity.role_id}:{caller.session_name}"
    if entity is not None:
        for tag in entity.tags:
            values[f"aws:PrincipalTag/{tag.key}"] = tag.value
    return values


def request_context(request: AssumeRoleRequest, caller: Caller) -> tuple[RequestContext, list[str]]:
    """The full request context: the caller's ``--context``, the request parameters, the principal keys.

    Principal keys the caller cannot set win over ``--context`` (returned notes say which were replaced);
    ``aws:PrincipalTag/*`` given with ``--context`` for a role session wins over the role's tags, because
    session tags do.
    """
    notes: list[str] = []
    derived = principal_context(caller)
    given = request.context
    given_keys = {k.lower(): k for k in given}
    merged: dict[str, str | list[str]] = {}
    for key, value in derived.items():
        lower = key.lower()
        if lower in given_keys:
            supplied = given.get(given_keys[lower])
            if lower.startswith("aws:principaltag/") and caller.kind in _SESSION_KINDS:
                continue  # a session tag overrides the role's tag
            if supplied is not None and tuple(supplied) != ((value,) if isinstance(value, str) else tuple(value)):
                notes.append(f"--context {given_keys[lower]} was replaced by the value derived from the caller")
        merged[key] = value
    params: dict[str, str | list[str]] = {}
    if request.external_id is not None:
        params["sts:ExternalId"] = request.external_id
    if request.role_session_name is not None:
        params["sts:RoleSessionName"] = request.role_session_name
    if request.source_identity is not None:
        params["sts:SourceIdentity"] = request.source_identity
    if request.tags:
        for key, value in request.tags:
            params[f"aws:RequestTag/{key}"] = value
        params["aws:TagKeys"] = [key for key, _ in request.tags]
    if request.transitive_tag_keys:
        params["sts:TransitiveTagKeys"] = list(request.transitive_tag_keys)
    context = given.with_values(params).with_values(merged)
    return context, notes


# --- well-formedness --------------------------------------------------------------------------------------------


def _canonical_action(action: str | None, caller: Caller) -> str:
    if action is None:
        return DEFAULT_ACTION[caller.kind]
    for known in ASSUME_ACTIONS:
        if known.lower() == action.strip().lower():
            return known
    raise InputError(f"action {action!r} is not one of {', '.join(ASSUME_ACTIONS)}")


def _request_problems(request: AssumeRoleRequest, caller: Caller, role: Role, action: str) -> tuple[list, list]:
    """Reasons the request itself is refused, and assumptions made about it."""
    problems: list[str] = []
    assumptions: list[str] = []
    if caller.kind is CallerKind.ROOT:
        problems.append(
            "the account root user cannot call AssumeRole: it must be made with the credentials of an IAM user "
            "or a role session (IAM UG id_credentials_temp_request.html)"
        )
    if caller.kind is CallerKind.FEDERATED_USER:
        problems.append("a federated-user session (GetFederationToken) cannot call AssumeRole")
    fitting = DEFAULT_ACTION[caller.kind]
    if action != fitting:
        problems.append(f"{action} does not fit a {caller.kind} caller, which uses {fitting}")
    chained = caller.kind in _SESSION_KINDS
    duration = request.duration_seconds
    if duration is not None:
        if not MIN_DURATION <= duration <= MAX_DURATION:
            problems.append(f"DurationSeconds {duration} is outside {MIN_DURATION} to {MAX_DURATION}")
        elif chained and duration > CHAINED_MAX_DURATION:
            problems.append(
                f"DurationSeconds {duration} is more than one hour: role chaining limits the session to "
                f"{CHAINED_MAX_DURATION} seconds, whatever the role's maximum ([TERMS], [ARAPI])"
            )
        elif caller.kind is not CallerKind.SERVICE and duration > DEFAULT_DURATION:
            if role.max_session_duration is None:
                assumptions.append(
                    f"the maximum session duration of {role.name} is not in the snapshot: assumed it allows "
                    f"{duration} seconds (the default maximum is {DEFAULT_DURATION})"
                )
            elif duration > role.max_session_duration:
                problems.append(
                    f"DurationSeconds {duration} exceeds the maximum session duration of {role.name} "
                    f"({role.max_session_duration} seconds)"
                )
    name = request.role_session_name
    if name is not None and not _SESSION_NAME.fullmatch(name):
        problems.append(f"RoleSessionName {name!r} must be 2 to 64 characters of letters, digits and +=,.@_-")
    external_id = request.external_id
    if external_id is not None:
        if action != ASSUME_ROLE:
            problems.append(f"ExternalId is a parameter of AssumeRole only, not of {action}")
        elif not _EXTERNAL_ID.fullmatch(external_id):
            problems.append(f"ExternalId {external_id!r} must be 2 to 1224 characters of letters, digits and +=,.@:/_-")
    source_identity = request.source_identity
    if source_identity is not None:
        if not _SOURCE_IDENTITY.fullmatch(source_identity):
            problems.append(
                f"SourceIdentity {source_identity!r} must be 2 to 64 characters of letters, digits and +=,.@_-"
            )
        elif source_identity.lower().startswith("aws:"):
            problems.append("SourceIdentity cannot begin with 'aws:' (reserved by AWS)")
    problems.extend(_tag_problems(request))
    return problems, assumptions


def _tag_problems(request: AssumeRoleRequest) -> list[str]:
    problems: list[str] = []
    if len(request.tags) > MAX_SESSION_TAGS:
        problems.append(f"{len(request.tags)} session tags: at most {MAX_SESSION_TAGS} may be passed")
    seen: set[str] = set()
    for key, value in request.tags:
        if not _TAG_KEY.fullmatch(key):
            problems.append(f"session tag key {key!r} must be 1 to 128 letters, digits, spaces or _.:/=+-@")
        if not _TAG_VALUE.fullmatch(value):
            problems.append(f"session tag value {value!r} must be at most 256 letters, digits, spaces or _.:/=+-@")
        if key.lower() in seen:
            problems.append(f"session tag key {key!r} is passed twice (tag keys are case-insensitive)")
        seen.add(key.lower())
    return problems


# --- the trust policy -------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _StatementCheck:
    statement: Statement
    ref: StatementRef
    form: MatchForm
    verdict: Verdict
    results: tuple[ConditionResult, ...]


def _check_statement(
    statement: Statement, ref: StatementRef, form: MatchForm, context: RequestContext, variables: bool
) -> _StatementCheck:
    if not statement.conditions:
        return _StatementCheck(statement, ref, form, Verdict.TRUE, ())
    verdict, results = evaluate_conditions(statement.conditions, context, policy_variables=variables)
    return _StatementCheck(statement, ref, form, verdict, tuple(results))


def _failed_conditions(check: _StatementCheck, wanted: Verdict) -> str:
    parts = [r.reason for r in check.results if r.verdict is wanted]
    return "; ".join(parts) if parts else "its condition does not hold"


@dataclass(slots=True)
class _TrustVerdict:
    denied: list[_StatementCheck]
    deny_unknown: list[_StatementCheck]
    granted: dict[str, list[_StatementCheck]]
    unknown: dict[str, list[_StatementCheck]]
    reasons: list[str]
    results: list[ConditionResult]


def _evaluate_trust(role: Role, caller: Caller, actions: Sequence[str], context: RequestContext) -> _TrustVerdict:
    policy = f"trust policy of role {role.name}"
    verdict = _TrustVerdict([], [], {a: [] for a in actions}, {a: [] for a in actions}, [], [])
    named_any = False
    variables = uses_variables(role.trust_policy)
    for statement in role.trust_policy.statements:
        ref = StatementRef.of(policy, statement)
        where = f"Trust policy {statement.label}"
        if statement.effect is Effect.ALLOW and statement.not_principals is not None:
            covered = any(match_principal(p, caller) is not None for p in statement.not_principals)
            if not covered:
                verdict.reasons.append(
                    f"{where} uses NotPrincipal, which a role trust policy cannot use ([NOTP]): it grants nothing"
                )
            continue
        form = statement_principal_match(statement, caller)
        if form is None:
            continue
        named_any = True
        covered_actions = [a for a in actions if action_matches(statement, a)]
        if not covered_actions:
            if statement.effect is Effect.ALLOW:
                verdict.reasons.append(f"{where} names the caller but not the action {actions[0]}")
            continue
        check = _check_statement(statement, ref, form, context, variables)
        verdict.results.extend(check.results)
        if statement.effect is Effect.DENY:
            if check.verdict is Verdict.TRUE:
                verdict.denied.append(check)
                verdict.reasons.append(f"{where} explicitly denies {', '.join(covered_actions)} to the caller")
            elif check.verdict is Verdict.UNKNOWN:
                verdict.deny_unknown.append(check)
                unknown = _failed_conditions(check, Verdict.UNKNOWN)
                verdict.reasons.append(
                    f"{where} is a Deny whose condition could not be judged ({unknown}), so the decision could not be "
                    "judged"
                )
            continue
        for action in covered_actions:
            if check.verdict is Verdict.TRUE:
                verdict.granted[action].append(check)
            elif check.verdict is Verdict.UNKNOWN:
                verdict.unknown[action].append(check)
        if check.verdict is Verdict.TRUE:
            conditioned = " and its conditions hold" if statement.conditions else ""
            verdict.reasons.append(f"{where} {_FORM_WORDS[form]} and allows {', '.join(covered_actions)}{conditioned}")
        elif check.verdict is Verdict.FALSE:
            verdict.reasons.append(
                f"{where} names the caller but its condition is not met: {_failed_conditions(check, Verdict.FALSE)}"
            )
        else:
            verdict.reasons.append(
                f"{where} names the caller but its condition could not be judged "
                f"({_failed_conditions(check, Verdict.UNKNOWN)}); it does not allow"
            )
    if not named_any:
        verdict.reasons.append(f"no statement in the trust policy of role {role.name} names {caller.word}")
    return verdict


# --- the caller side --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _CallerSide:
    blocked: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    statements: list[StatementRef] = field(default_factory=list)
    summary: str | None = None


def _identity_for(caller: Caller, actions: Iterable[str], role: Role, context: RequestContext):
    """The identity results of the loaded caller for each action, or ``None`` when its policies are unknown."""
    if caller.account is None or caller.entity is None:
        return None
    principal = caller.entity.arn
    return {a: evaluate_identity(caller.account, principal, a, role.arn, context) for a in actions}


def _caller_side(
    caller: Caller, form: MatchForm, role: Role, actions: Sequence[str], context: RequestContext, request
) -> _CallerSide:
    side = _CallerSide()
    if caller.kind in (CallerKind.SERVICE, *_FEDERATED_KINDS):
        side.summary = "not needed: service and federated principals have no identity policies in the account"
        return side
    role_account = Arn.parse(role.arn).account
    same_account = caller.account_id == role_account
    needs_full = not same_account or form is MatchForm.ACCOUNT
    extra_full: list[str] = []
    if request.source_identity is not None and caller.kind in _SESSION_KINDS and not needs_full:
        extra_full.append(SET_SOURCE_IDENTITY)  # [SRCID]: role chaining needs it in the caller's policy too
    results = _identity_for(caller, list(dict.fromkeys([*actions, *extra_full])), role, context)
    if results is None:
        where = "not loaded" if caller.account is None else "loaded, but the caller is not in it"
        if needs_full or extra_full:
            wanted = ", ".join(dict.fromkeys([*actions, *extra_full]) if needs_full else extra_full)
            if caller.account is None:
                side.assumptions.append(
                    f"the caller's account {caller.account_id} is not loaded: assumed its identity policies "
                    f"allow {wanted} on {role.arn}"
                )
                side.summary = "assumed: the caller's account is not loaded"
            else:
                side.blocked.append(
                    f"the caller's own policies must allow {wanted} on {role.arn}, but {caller.word} is not in "
                    f"the loaded account {caller.account.label}, so this could not be judged"
                )
                side.summary = "unknown: the caller is not in its loaded account"
        else:
            side.assumptions.append(
                f"the caller's account {caller.account_id} is {where}: assumed no explicit Deny in its policies"
            )
            side.summary = "not needed: the trust names the caller directly"
        return side
    for result in results.values():
        side.assumptions.extend(result.assumptions)
    if needs_full:
        _require_full(side, results, actions, same_account)
    else:
        _require_no_deny(side, results, form, actions)
        for action in extra_full:
            _require_allow(side, results[action], action, "role chaining with a source identity ([SRCID])")
    return side


def _require_full(side: _CallerSide, results: Mapping[str, IdentityResult], actions, same_account: bool) -> None:
    why = "the trust names the caller's account, not the caller" if same_account else "the caller is in another account"
    for action in actions:
        _require_allow(side, results[action], action, why)
    side.summary = f"required ({why}): " + (
        "allowed by the caller's own policies" if not side.blocked else "not allowed by the caller's own policies"
    )


def _require_allow(side: _CallerSide, result: IdentityResult, action: str, why: str) -> None:
    side.statements.extend(result.statements)
    if result.outcome is IdentityOutcome.ALLOW:
        side.reasons.append(f"the caller's own policies allow {action} ({why}): " + "; ".join(result.reasons))
    elif result.outcome is IdentityOutcome.EXPLICIT_DENY:
        side.blocked.append(f"the caller's own policies explicitly deny {action}: " + "; ".join(result.reasons))
    elif result.outcome is IdentityOutcome.UNKNOWN:
        side.blocked.append(
            f"whether the caller's own policies allow {action} could not be judged ({why}): "
            + "; ".join(result.reasons)
        )
    else:
        side.blocked.append(
            f"the caller's own policies must allow {action} ({why}), and they do not: " + "; ".join(result.reasons)
        )


def _require_no_deny(side: _CallerSide, results: Mapping[str, IdentityResult], form: MatchForm, actions) -> None:
    boundary_matters = form in (MatchForm.DIRECT_USER, MatchForm.ROLE_ARN, MatchForm.ANYONE)
    for action in actions:
        result = results[action]
        if (
            result.policy_outcome is IdentityOutcome.EXPLICIT_DENY
            or result.boundary_outcome is IdentityOutcome.EXPLICIT_DENY
        ):
            side.statements.extend(result.statements)
            side.blocked.append(f"the caller's own policies explicitly deny {action}: " + "; ".join(result.reasons))
            continue
        if result.deny_unknown:
            side.blocked.append(
                f"a Deny in the caller's own policies might apply to {action} and could not be judged: "
                + "; ".join(result.reasons)
            )
            continue
        if (
            boundary_matters
            and result.boundary_outcome is not None
            and result.boundary_outcome is not IdentityOutcome.ALLOW
        ):
            rule = (
                "a permissions boundary limits a grant to the caller's role ([EVAL])"
                if form is MatchForm.ROLE_ARN
                else "IAM UG 'Update a role trust policy': if a permissions boundary is set for the user, it must "
                "allow sts:AssumeRole (older [EVAL] text said otherwise; see rulebook §11)"
            )
            state = "could not be judged" if result.boundary_outcome is IdentityOutcome.UNKNOWN else "does not allow it"
            side.blocked.append(f"the caller's permissions boundary {state} for {action}: {rule}")
    if form is MatchForm.SESSION_ARN:
        side.summary = "not needed: the trust names this session directly (only an explicit deny could block it)"
    elif form is MatchForm.ROLE_ARN:
        side.summary = "not needed: the trust names the caller's role; its permissions boundary must allow"
    else:
        side.summary = "not needed: same account and the trust names the caller directly"
    if not side.blocked:
        side.reasons.append(f"same account and the trust {_FORM_WORDS[form]}: no identity policy is needed ([ARAPI])")


# --- the decision -----------------------------------------------------------------------------------------------


def _role_and_account(snapshot: Snapshot, role_arn: str) -> tuple[Role, Account]:
    arn = Arn.try_parse(role_arn)
    if arn is None or arn.service != "iam" or arn.resource_type != "role":
        raise InputError(f"role {role_arn!r} is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
    account = snapshot.account(arn.account)
    if account is None:
        raise InputError(f"role {role_arn}: account {arn.account} is not loaded")
    role = account.roles_by_arn.get(role_arn) or account.roles_by_name.get(arn.resource_name)
    if role is None:
        raise InputError(f"role {role_arn} is not in the loaded account {account.label}")
    return role, account


def _required_actions(request: AssumeRoleRequest, action: str) -> list[str]:
    actions = [action]
    if request.tags:
        actions.append(TAG_SESSION)  # [TAGS]: "you must have the following permissions-only action"
    if request.source_identity is not None:
        actions.append(SET_SOURCE_IDENTITY)  # [SRCID]
    return actions


def _guardrail_assumptions(caller: Caller, role: Role, form: MatchForm | None) -> list[str]:
    notes: list[str] = []
    if caller.kind in _IAM_KINDS:
        notes.append(
            "service control policies (SCPs) of the caller's organization are not in the snapshot: assumed they "
            "allow this request"
        )
    if caller.kind is not CallerKind.SERVICE:
        notes.append(
            f"resource control policies (RCPs) on the account of {role.name} are not in the snapshot: assumed they "
            "do not deny it"
        )
    if caller.kind in _SESSION_KINDS and form is not MatchForm.SESSION_ARN:
        notes.append(
            "the caller's session policy, if its session was created with one, is not known: assumed it allows"
        )
    return notes


def evaluate_assume_role(snapshot: Snapshot, request: AssumeRoleRequest) -> Decision:
    """Decide whether ``request.caller`` may assume ``request.role_arn``, with reasons.

    Args:
        snapshot: The loaded accounts; the role's account must be among them.
        request: The caller, role, action and session parameters.

    Returns:
        A :class:`Decision`. Allow only when every step of the decision procedure holds.

    Raises:
        InputError: the role is not in the snapshot, or the caller or action cannot be understood.
    """
    role, role_account = _role_and_account(snapshot, request.role_arn)
    caller = resolve_caller(snapshot, request.caller, role_account=role_account)
    action = _canonical_action(request.action, caller)
    problems, assumptions = _request_problems(request, caller, role, action)
    context, notes = request_context(request, caller)
    assumptions.extend(notes)
    actions = _required_actions(request, action)
    trust = _evaluate_trust(role, caller, actions, context)

    blocking: list[str] = [f"the request is not valid: {p}" for p in problems]
    matched: list[StatementRef] = []
    reasons: list[str] = []
    if trust.denied:
        matched.extend(c.ref for c in trust.denied)
        blocking.append("an explicit Deny in the trust policy wins over every Allow ([EVAL])")
    elif trust.deny_unknown:
        blocking.append("a Deny statement of the trust policy could not be judged, so the decision could not be judged")
    best_form: MatchForm | None = None
    for needed in actions:
        granted = trust.granted[needed]
        if granted:
            best = min(granted, key=lambda c: c.form)
            if needed == action:
                best_form = best.form
            if not trust.denied:
                matched.extend(c.ref for c in granted if c.form == best.form and c.ref not in matched)
            continue
        if trust.unknown[needed]:
            labels = ", ".join(c.statement.label for c in trust.unknown[needed])
            blocking.append(
                f"no trust statement allows {needed} for sure: the condition of {labels} could not be judged, so "
                "the decision could not be judged (UNKNOWN never allows)"
            )
        elif needed == action:
            blocking.append(f"no Allow statement of the trust policy of {role.name} grants {needed} to {caller.word}")
        else:
            purpose = "session tags are passed" if needed == TAG_SESSION else "a source identity is set"
            blocking.append(
                f"{needed} is needed because {purpose}, and no Allow statement of the trust policy grants it to "
                f"{caller.word}"
            )
    caller_side_summary: str | None = None
    if best_form is not None and not problems and not trust.denied:
        side = _caller_side(caller, best_form, role, actions, context, request)
        caller_side_summary = side.summary
        reasons.extend(side.reasons)
        blocking.extend(side.blocked)
        assumptions.extend(side.assumptions)
        for ref in side.statements:
            if ref not in matched:
                matched.append(ref)

    outcome = Outcome.DENY if blocking else Outcome.ALLOW
    all_reasons = [*trust.reasons, *reasons, *blocking]
    if outcome is Outcome.ALLOW:
        assumptions.extend(_guardrail_assumptions(caller, role, best_form))
        all_reasons.insert(0, f"{caller.word} may call {action} on {role.arn}")
    else:
        all_reasons.insert(0, f"{caller.word} may not call {action} on {role.arn}")
    return Decision(
        outcome=outcome,
        reasons=tuple(all_reasons),
        matched_statements=tuple(matched),
        condition_results=tuple(trust.results),
        assumptions=tuple(dict.fromkeys(assumptions)),
        caller_side=caller_side_summary,
        action=action,
    )
