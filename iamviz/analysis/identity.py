"""Caller-side identity policies: what a user's or role's own policies say about an action on a resource.

The policies that apply to a principal are its inline policies, the *default version* of each managed policy
attached to it ("The policy's default version is the operative version", IAM UG
``access_policies_managed-versioning.html``), and, for a user, the inline and managed policies of every group it
belongs to. A permissions boundary caps them: the effective permissions are the intersection of the identity
policies and the boundary ([EVAL], IAM UG ``access_policies_boundaries.html``). An explicit deny anywhere wins.

Matching follows the policy grammar: ``Action``/``NotAction`` are case-insensitive wildcards
(``sts:assume*`` covers ``sts:AssumeRole``); ``Resource``/``NotResource`` are ARN wildcards matched component by
component, never across ``:``; ``${aws:username}``-style policy variables are filled from the request context. A
condition iamviz cannot judge makes the statement UNKNOWN, and UNKNOWN never allows.

Managed policies that a principal names but the snapshot does not hold are reported, never guessed: a missing
policy turns an implicit deny into UNKNOWN (it might have allowed), and an allow that rests on the absence of a
Deny in such a policy carries that assumption.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from iamviz.analysis.conditions import RequestContext, Verdict, evaluate_conditions
from iamviz.model.account import Account, Role, User
from iamviz.model.arn import Arn
from iamviz.model.policy import Effect, PolicyDocument, Statement, looks_like_unique_id
from iamviz.model.wildcard import wildcard_match


class IdentityOutcome(StrEnum):
    """What a principal's own policies say about one action on one resource."""

    ALLOW = "allow"
    EXPLICIT_DENY = "explicit-deny"
    IMPLICIT_DENY = "implicit-deny"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementRef:
    """A pointer to one statement of one policy, for reasons and highlighting.

    ``policy`` names the policy in plain words (``trust policy of role Deploy``, ``inline policy 'ci' of user
    alice``); ``index`` is the statement's 0-based position, ``sid`` its Sid.
    """

    policy: str
    index: int
    sid: str | None = None
    effect: str = "Allow"

    @property
    def label(self) -> str:
        """``Sid 'X'`` or ``statement #N`` (1-based)."""
        return f"Sid {self.sid!r}" if self.sid else f"statement #{self.index + 1}"

    def __str__(self) -> str:
        return f"{self.policy}, {self.label}"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {"policy": self.policy, "index": self.index, "sid": self.sid, "effect": self.effect}

    @classmethod
    def of(cls, policy: str, statement: Statement) -> StatementRef:
        """The reference to ``statement`` of the policy named ``policy``."""
        return cls(policy=policy, index=statement.index, sid=statement.sid, effect=str(statement.effect))


@dataclass(frozen=True, slots=True, kw_only=True)
class AttachedPolicy:
    """One policy that applies to a principal; ``source`` says where it comes from, in plain words."""

    source: str
    document: PolicyDocument


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentityResult:
    """The verdict of a principal's identity policies and permissions boundary on one action and resource.

    ``outcome`` combines both; ``policy_outcome`` and ``boundary_outcome`` (``None`` without a boundary) are the
    parts. ``deny_unknown`` is set when a Deny statement might apply but its condition could not be judged.
    ``statements`` are the statements that decided (matching denies, else matching allows).
    """

    outcome: IdentityOutcome
    statements: tuple[StatementRef, ...] = ()
    reasons: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    policy_outcome: IdentityOutcome = IdentityOutcome.IMPLICIT_DENY
    boundary_outcome: IdentityOutcome | None = None
    deny_unknown: bool = False

    @property
    def allowed(self) -> bool:
        return self.outcome is IdentityOutcome.ALLOW

    @property
    def explicitly_denied(self) -> bool:
        return self.outcome is IdentityOutcome.EXPLICIT_DENY

    @property
    def has_boundary(self) -> bool:
        return self.boundary_outcome is not None


# --- finding the principal and its policies -------------------------------------------------------------------


def find_principal(account: Account, principal_arn: str) -> User | Role | None:
    """The user or role of ``account`` that ``principal_arn`` names.

    Accepts a user ARN, a role ARN, an assumed-role session ARN (its role, found by name because session ARNs
    carry no path) or a unique ID (``AIDA...``/``AROA...``).
    """
    if looks_like_unique_id(principal_arn):
        return account.principals_by_unique_id.get(principal_arn)
    found: User | Role | None = account.users_by_arn.get(principal_arn) or account.roles_by_arn.get(principal_arn)
    if found is not None:
        return found
    arn = Arn.try_parse(principal_arn)
    if arn is None or arn.account != account.account_id:
        return None
    if arn.service == "sts" and arn.resource_type == "assumed-role":
        return account.roles_by_name.get(arn.resource_name)
    if arn.service == "iam" and arn.resource_type == "role":
        role = account.roles_by_name.get(arn.resource_name)
        return role if role is not None and role.arn == principal_arn else None
    return None


def _entity_word(entity: User | Role) -> str:
    return f"user {entity.name}" if isinstance(entity, User) else f"role {entity.name}"


def _collect(account: Account, entity: User | Role) -> tuple[list[AttachedPolicy], list[str]]:
    """The policies that apply to ``entity`` and the managed policy ARNs the snapshot lacks."""
    policies: list[AttachedPolicy] = []
    missing: list[str] = []
    owner = _entity_word(entity)

    def add(inline: Iterable, managed: Iterable[str], holder: str) -> None:
        for item in inline:
            policies.append(AttachedPolicy(source=f"inline policy {item.name!r} of {holder}", document=item.document))
        for policy_arn in managed:
            managed_policy = account.policies_by_arn.get(policy_arn)
            if managed_policy is None:
                missing.append(policy_arn)
                continue
            where = "" if holder == owner else f" (via {holder})"
            policies.append(
                AttachedPolicy(source=f"managed policy {managed_policy.name}{where}", document=managed_policy.document)
            )

    add(entity.inline_policies, entity.managed_policy_arns, owner)
    if isinstance(entity, User):
        for group_name in entity.group_names:
            group = account.groups_by_name.get(group_name)
            if group is not None:
                add(group.inline_policies, group.managed_policy_arns, f"group {group.name}")
    return policies, missing


def policies_for(account: Account, principal_arn: str) -> tuple[AttachedPolicy, ...]:
    """The identity policies of a principal: inline, managed (default version) and, for users, its groups'.

    The permissions boundary is not among them (see :func:`boundary_for`). Managed policies the snapshot does
    not hold are left out; :func:`evaluate_identity` reports them.
    """
    entity = find_principal(account, principal_arn)
    if entity is None:
        return ()
    return tuple(_collect(account, entity)[0])


def documents_for(account: Account, principal_arn: str) -> tuple[PolicyDocument, ...]:
    """The documents of :func:`policies_for`, in its order, without wording where each comes from."""
    entity = find_principal(account, principal_arn)
    if entity is None:
        return ()
    by_arn = account.policies_by_arn
    holders = [entity]
    if isinstance(entity, User):
        holders.extend(group for name in entity.group_names if (group := account.groups_by_name.get(name)) is not None)
    documents: list[PolicyDocument] = []
    for holder in holders:
        documents.extend(item.document for item in holder.inline_policies)
        documents.extend(managed.document for arn in holder.managed_policy_arns if (managed := by_arn.get(arn)))
    return tuple(documents)


def boundary_for(account: Account, principal_arn: str) -> tuple[str | None, AttachedPolicy | None]:
    """The permissions boundary's ARN and policy (``None`` when absent from the snapshot) of a principal."""
    entity = find_principal(account, principal_arn)
    if entity is None or not entity.permissions_boundary_arn:
        return None, None
    managed = account.policies_by_arn.get(entity.permissions_boundary_arn)
    if managed is None:
        return entity.permissions_boundary_arn, None
    source = f"permissions boundary {managed.name} of {_entity_word(entity)}"
    return entity.permissions_boundary_arn, AttachedPolicy(source=source, document=managed.document)


# --- matching ---------------------------------------------------------------------------------------------------


def action_matches(statement: Statement, action: str) -> bool:
    """Whether the statement's Action/NotAction covers ``action`` (case-insensitive, with wildcards)."""
    if statement.actions is not None:
        return patterns_cover(statement.actions, action)
    if statement.not_actions is not None:
        return not patterns_cover(statement.not_actions, action)
    return False


@lru_cache(maxsize=65536)
def patterns_cover(patterns: tuple[str, ...], action: str) -> bool:
    """Whether any of the Action patterns covers ``action``, remembered per pattern list: the statements of an
    account repeat a few lists (a managed policy's, a generator's), and findings ask each about several actions.
    """
    return any(action_pattern_matches(p, action) for p in patterns)


@lru_cache(maxsize=16384)
def action_pattern_matches(pattern: str, action: str) -> bool:
    """Whether the Action pattern covers ``action`` (case-insensitive ``wildcard_match``), remembered: accounts
    repeat the same few patterns.
    """
    return wildcard_match(pattern, action, case_sensitive=False)


def may_cover_action(statement: Statement, action: str) -> bool:
    """Whether an Allow statement could grant ``action``: its Action/NotAction covers it."""
    return statement.effect is Effect.ALLOW and action_matches(statement, action)


_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def expand_variables(pattern: str, context: RequestContext) -> str | None:
    """Fill ``${key}`` policy variables from ``context``; ``None`` when one cannot be resolved.

    ``${key, 'default'}`` uses the default when the key is absent; ``${$}`` is a literal ``$``. ``${*}`` and
    ``${?}`` (literal wildcard characters) cannot be expressed in a wildcard pattern and count as unresolved.
    """
    if "${" not in pattern:
        return pattern
    failed = False

    def replace(match: re.Match[str]) -> str:
        nonlocal failed
        body = match.group(1).strip()
        if body == "$":
            return "$"
        key, _, default = body.partition(",")
        key = key.strip()
        values = context.get(key) if key not in ("*", "?") else None
        if values and len(values) == 1:
            return values[0]
        default = default.strip()
        if default.startswith("'") and default.endswith("'") and len(default) >= 2 and not values:
            return default[1:-1]
        failed = True
        return ""

    expanded = _VARIABLE.sub(replace, pattern)
    return None if failed else expanded


def uses_variables(document: PolicyDocument) -> bool:
    """Whether ``${...}`` in the document are policy variables: only in ``Version`` 2012-10-17 documents."""
    return document.version == "2012-10-17"


def _resource_pattern_matches(pattern: str, resource: str, context: RequestContext, variables: bool) -> bool | None:
    expanded = expand_variables(pattern, context) if variables else pattern
    if expanded is None:
        return None
    if expanded == "*":
        return True
    return arn_matcher(expanded)(resource)


_NEVER = re.compile(r"(?!)")


@lru_cache(maxsize=8192)
def arn_pattern(pattern: str) -> re.Pattern[str]:
    """``ArnLike`` as one compiled regex: wildcards stay inside their colon-separated component.

    Same semantics as :func:`iamviz.model.arn.arn_like` (the resource, the sixth component, may itself hold ``:``),
    compiled once per pattern because the graph matches the same few patterns against thousands of roles.
    """
    parts = pattern.split(":", 5)
    if len(parts) != 6:
        return _NEVER
    pieces = []
    for position, part in enumerate(parts):
        star, one = (".*", ".") if position == 5 else ("[^:]*", "[^:]")
        pieces.append("".join(star if c == "*" else one if c == "?" else re.escape(c) for c in part))
    return re.compile(":".join(pieces), re.DOTALL)


@lru_cache(maxsize=8192)
def arn_matcher(pattern: str) -> Callable[[str], bool]:
    """``ArnLike`` with ``pattern`` as a fast test: plain equality or a prefix test where that is the same thing.

    Exactly :func:`arn_pattern`'s semantics: a pattern without wildcards names one ARN; one whose only wildcard is a
    ``*`` ending its resource (``arn:aws:iam::111111111111:role/team-*``) is a prefix, since ``*`` in the resource
    may cover anything; any other pattern goes through the compiled regex.
    """
    if pattern.count(":") < 5:
        return _never
    wildcards = pattern.count("*") + pattern.count("?")
    if not wildcards:
        return pattern.__eq__
    if wildcards == 1 and pattern.endswith("*"):
        prefix = pattern[:-1]
        if prefix.count(":") >= 5:  # the "*" is inside the resource, after the fifth colon
            return lambda value: value.startswith(prefix)
    compiled = arn_pattern(pattern)
    return lambda value: compiled.fullmatch(value) is not None


def _never(value: str) -> bool:
    return False


def resource_matches(
    statement: Statement, resource: str, context: RequestContext, *, variables: bool = True
) -> bool | None:
    """Whether Resource/NotResource covers ``resource``; ``None`` when a policy variable cannot be resolved."""
    if statement.resources is not None:
        results = [_resource_pattern_matches(p, resource, context, variables) for p in statement.resources]
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    if statement.not_resources is not None:
        results = [_resource_pattern_matches(p, resource, context, variables) for p in statement.not_resources]
        if any(r is True for r in results):
            return False
        return None if any(r is None for r in results) else True
    return False


# --- evaluation -------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tally:
    deny_true: list[StatementRef]
    deny_unknown: list[StatementRef]
    allow_true: list[StatementRef]
    allow_unknown: list[StatementRef]
    reasons: list[str]

    @property
    def outcome(self) -> IdentityOutcome:
        if self.deny_true:
            return IdentityOutcome.EXPLICIT_DENY
        if self.deny_unknown:
            return IdentityOutcome.UNKNOWN
        if self.allow_true:
            return IdentityOutcome.ALLOW
        if self.allow_unknown:
            return IdentityOutcome.UNKNOWN
        return IdentityOutcome.IMPLICIT_DENY


def _tally(policies: Iterable[AttachedPolicy], action: str, resource: str, context: RequestContext) -> _Tally:
    tally = _Tally([], [], [], [], [])
    for policy in policies:
        for statement in policy.document.statements:
            if not action_matches(statement, action):
                continue
            ref = StatementRef.of(policy.source, statement)
            where = f"{policy.source}, {statement.label}"
            covers = resource_matches(statement, resource, context, variables=uses_variables(policy.document))
            if covers is False:
                continue
            is_deny = statement.effect is Effect.DENY
            if covers is None:
                tally.reasons.append(f"{where}: a policy variable in its Resource cannot be resolved from the request")
                if is_deny:
                    tally.deny_unknown.append(ref)
                continue
            verdict, results = Verdict.TRUE, ()
            if statement.conditions:
                verdict, results = evaluate_conditions(
                    statement.conditions, context, policy_variables=uses_variables(policy.document)
                )
            if verdict is Verdict.FALSE:
                failed = [r.reason for r in results if r.verdict is not Verdict.TRUE]
                tally.reasons.append(f"{where} does not apply: {'; '.join(failed) or 'its condition is false'}")
                continue
            if verdict is Verdict.UNKNOWN:
                unknown = [r.reason for r in results if r.verdict is Verdict.UNKNOWN]
                tally.reasons.append(f"{where} could not be judged: {'; '.join(unknown)}")
                (tally.deny_unknown if is_deny else tally.allow_unknown).append(ref)
                continue
            verb = "denies" if is_deny else "allows"
            tally.reasons.append(f"{where} {verb} {action} on {resource}")
            (tally.deny_true if is_deny else tally.allow_true).append(ref)
    return tally


def _missing_note(missing: list[str]) -> str:
    return ", ".join(missing)


def evaluate_identity(
    account: Account,
    principal_arn: str,
    action: str,
    resource: str,
    context: RequestContext | None = None,
) -> IdentityResult:
    """What the principal's own policies and permissions boundary say about ``action`` on ``resource``.

    Args:
        account: The loaded account that holds the principal.
        principal_arn: A user ARN, role ARN, assumed-role session ARN or unique ID in ``account``.
        action: The action, such as ``sts:AssumeRole``.
        resource: The resource ARN, such as the role to assume.
        context: The request context (principal keys, MFA, tags...); empty when ``None``.

    Returns:
        An :class:`IdentityResult`. An explicit deny in any policy or the boundary wins; otherwise both the
        identity policies and the boundary (when set) must allow. UNKNOWN is never an allow.
    """
    context = context if context is not None else RequestContext.of({})
    entity = find_principal(account, principal_arn)
    if entity is None:
        return IdentityResult(
            outcome=IdentityOutcome.UNKNOWN,
            reasons=(f"{principal_arn} is not a user or role of the loaded account {account.label}",),
            policy_outcome=IdentityOutcome.UNKNOWN,
        )
    policies, missing = _collect(account, entity)
    tally = _tally(policies, action, resource, context)
    reasons = list(tally.reasons)
    assumptions: list[str] = []
    policy_outcome = tally.outcome
    owner = _entity_word(entity)
    if missing:
        if policy_outcome is IdentityOutcome.IMPLICIT_DENY:
            policy_outcome = IdentityOutcome.UNKNOWN
            reasons.append(
                f"managed policies attached to {owner} are not in the snapshot ({_missing_note(missing)}); "
                f"they might allow {action}"
            )
        elif policy_outcome is IdentityOutcome.ALLOW:
            assumptions.append(
                f"managed policies attached to {owner} are not in the snapshot ({_missing_note(missing)}): "
                f"assumed they hold no Deny for {action}"
            )
    if not policies and not missing:
        reasons.append(f"{owner} has no identity policies")
    elif policy_outcome is IdentityOutcome.IMPLICIT_DENY:
        reasons.append(f"no identity policy of {owner} allows {action} on {resource}")

    boundary_outcome: IdentityOutcome | None = None
    boundary_tally: _Tally | None = None
    boundary_arn, boundary = boundary_for(account, principal_arn)
    if boundary_arn is not None:
        if boundary is None:
            boundary_outcome = IdentityOutcome.UNKNOWN
            reasons.append(f"the permissions boundary {boundary_arn} of {owner} is not in the snapshot")
        else:
            boundary_tally = _tally((boundary,), action, resource, context)
            boundary_outcome = boundary_tally.outcome
            reasons.extend(boundary_tally.reasons)
            if boundary_outcome is IdentityOutcome.IMPLICIT_DENY:
                reasons.append(f"the permissions boundary of {owner} does not allow {action} on {resource}")

    outcome = _combine(policy_outcome, boundary_outcome)
    deciding = tally.deny_true + (boundary_tally.deny_true if boundary_tally else [])
    if not deciding:
        deciding = tally.allow_true + (boundary_tally.allow_true if boundary_tally else [])
    deny_unknown = bool(tally.deny_unknown or (boundary_tally and boundary_tally.deny_unknown))
    return IdentityResult(
        outcome=outcome,
        statements=tuple(deciding),
        reasons=tuple(reasons),
        assumptions=tuple(assumptions),
        policy_outcome=policy_outcome,
        boundary_outcome=boundary_outcome,
        deny_unknown=deny_unknown,
    )


def _combine(policy: IdentityOutcome, boundary: IdentityOutcome | None) -> IdentityOutcome:
    parts = (policy,) if boundary is None else (policy, boundary)
    for decisive in (IdentityOutcome.EXPLICIT_DENY, IdentityOutcome.IMPLICIT_DENY, IdentityOutcome.UNKNOWN):
        if decisive in parts:
            return decisive
    return IdentityOutcome.ALLOW


# --- indexes for the graph --------------------------------------------------------------------------------------


def mentions_action(account: Account, entity: User | Role, action: str) -> bool:
    """Whether any Allow statement of the entity's identity policies (or its groups') covers ``action``.

    Used to pick, once per account, the principals worth evaluating when a trust delegates to the whole account;
    a principal with no such statement can never be allowed by its own policies.
    """
    policies, missing = _collect(account, entity)
    if missing:
        return True
    return any(may_cover_action(s, action) for p in policies for s in p.document.statements)
