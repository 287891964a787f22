"""Build the trust graph of a snapshot: who can assume which role, under which conditions.

Nodes (ids as in :mod:`iamviz.model.graph`): loaded accounts, users, groups, roles, SAML and OIDC providers;
and, as trust policies name them, service principals, web identity providers, external accounts and principals,
deleted principals and "anyone". Edges: ``MEMBER_OF`` user -> group, and ``CAN_ASSUME`` principal -> role, one per
(caller, role, trust statement), carrying the STS action, the statement, a :class:`DecisionKind` and the
requirements the caller must bring.

How an edge's kind is found, per caller:

* conditions on keys the caller's identity fixes (``aws:PrincipalArn``, ``aws:PrincipalAccount``,
  ``aws:PrincipalOrgID`` when known, a user's ``aws:PrincipalTag/*``...) are evaluated concretely; a false one
  means no edge;
* conditions on keys the caller brings (MFA, ExternalId, token claims, ``aws:SourceArn``...) become
  requirements, labelled by :func:`~iamviz.analysis.conditions.requirement_label`; one already satisfied when the
  key is absent (``BoolIfExists``...) needs nothing; a Deny the caller could avoid adds its keys too;
* a condition iamviz cannot judge makes the edge UNKNOWN (never counted as allowed);
* the caller side follows the rulebook (§1 step 4): the same account named directly needs no identity policy
  (explicit denies and, for users and roles, the permissions boundary still count); an account-root trust or another
  account needs the caller's own policies to allow ``sts:AssumeRole`` on the role; a caller account that is not
  loaded gives NEEDS_CALLER_POLICY.

Account-root trusts are drawn from the account node and expanded to the users and roles of that account whose own
policies allow ``sts:AssumeRole`` on the role. Cost: each trust statement is visited once per principal it names;
for root expansion, each account's candidates (principals with an Allow statement that covers ``sts:AssumeRole``)
are found once, and each candidate keeps its few relevant statements, so a role costs a handful of comparisons per
candidate instead of a full policy evaluation per user and role.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from iamviz.analysis.conditions import (
    PRINCIPAL_DERIVED_KEYS,
    SERVICE_SUPPLIED_KEYS,
    RequestContext,
    Verdict,
    evaluate_condition,
    requirement_label,
)
from iamviz.analysis.identity import _collect, action_matches, arn_pattern, resource_matches, uses_variables
from iamviz.analysis.trust import (
    ASSUME_ROLE,
    ASSUME_ROLE_WITH_SAML,
    ASSUME_ROLE_WITH_WEB_IDENTITY,
    Caller,
    CallerKind,
    MatchForm,
    _caller_from_arn,
    caller_for_entity,
    principal_context,
    statement_principal_match,
)
from iamviz.model.account import Account, Role, Snapshot, User
from iamviz.model.arn import Arn, account_root
from iamviz.model.graph import ANYONE_ID, DecisionKind, EdgeKind, Node, NodeKind, TrustEdge, TrustGraph
from iamviz.model.policy import (
    Condition,
    Effect,
    Principal,
    PrincipalKind,
    Statement,
    is_account_id,
    looks_like_unique_id,
)

_AUTHORITATIVE_USER = frozenset(
    k.lower()
    for k in (
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:PrincipalType",
        "aws:PrincipalIsAWSService",
        "aws:username",
        "aws:userid",
    )
)
_AUTHORITATIVE_ROLE = frozenset(
    k.lower() for k in ("aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType", "aws:PrincipalIsAWSService")
)


@dataclass(slots=True)
class _Judgement:
    """The result of judging one statement (or a policy) for one caller in graph mode."""

    applies: bool = True  # False: a fixed condition is false (Allow: no grant; Deny: does not apply)
    unknown: bool = False
    requirements: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Profile:
    """A principal's statements that cover sts:AssumeRole, from its identity policies and its boundary."""

    statements: list[tuple[str, Statement, bool]]  # (source, statement, policy variables on)
    boundary: list[tuple[str, Statement, bool]] | None  # None: no boundary
    boundary_missing: bool
    missing: list[str]
    matchers: tuple[Callable[[str], bool | None], ...] = ()  # per statement (identity, then boundary)
    allows: tuple[bool, ...] = ()  # which identity statements are Allow statements

    static: tuple[bool | None, ...] | None = None  # the signature when no statement depends on the role
    key: tuple = ()  # the statements' Resource elements: principals with the same ones share signatures

    def signature(self, role_arn: str) -> tuple[bool | None, ...]:
        """Which statements cover ``role_arn``: the judgement depends on the role only through this."""
        if self.static is not None:
            return self.static
        return tuple([match(role_arn) for match in self.matchers])


@dataclass(slots=True)
class _AccountIndex:
    """Principals of one account that could be allowed sts:AssumeRole by their own policies."""

    candidates: list[User | Role] = field(default_factory=list)
    always: set[int] = field(default_factory=set)  # positions to judge against every role
    by_pattern: dict[str, set[int]] = field(default_factory=dict)  # Resource pattern -> positions
    compiled: list[tuple[re.Pattern[str], set[int]]] = field(default_factory=list)


def _authority(caller: Caller | None) -> Callable[[str], bool]:
    """Which condition keys are fixed by this caller's identity (so a false condition on them means no edge)."""
    if caller is None:
        return lambda key: False
    if caller.kind is CallerKind.ROOT:  # the account pseudo-caller
        return lambda key: key.lower() == "aws:principalaccount"
    if caller.kind is CallerKind.USER:
        keys = _AUTHORITATIVE_USER
        tags_known = caller.entity is not None
    elif caller.kind in (CallerKind.ROLE, CallerKind.ROLE_SESSION):
        keys = _AUTHORITATIVE_ROLE
        tags_known = False  # session tags may add or override principal tags
    else:
        return lambda key: False
    org_known = caller.organization_id is not None

    def fixed(key: str) -> bool:
        lower = key.lower()
        if lower in keys:
            return True
        if lower == "aws:principalorgid":
            return org_known
        return tags_known and lower.startswith("aws:principaltag/")

    return fixed


def _judge_allow(
    conditions: tuple[Condition, ...], context: RequestContext, fixed: Callable[[str], bool], variables: bool
) -> _Judgement:
    judgement = _Judgement()
    for condition in conditions:
        result = evaluate_condition(condition, context, policy_variables=variables)
        if result.verdict is Verdict.TRUE:
            continue
        if result.verdict is Verdict.UNKNOWN:
            judgement.unknown = True
            judgement.reasons.append(result.reason)
        elif fixed(condition.key):
            judgement.applies = False
            judgement.reasons.append(result.reason)
            return judgement
        else:
            label = requirement_label(condition.key)
            if label not in judgement.requirements:
                judgement.requirements.append(label)
            judgement.reasons.append(result.reason)
    return judgement


def _judge_deny(
    conditions: tuple[Condition, ...], context: RequestContext, fixed: Callable[[str], bool], variables: bool
) -> _Judgement:
    """A Deny applies when its fixed conditions hold; conditions the caller controls become what it must avoid."""
    judgement = _Judgement()
    avoidable: list[str] = []
    for condition in conditions:
        if fixed(condition.key):
            result = evaluate_condition(condition, context, policy_variables=variables)
            if result.verdict is Verdict.FALSE:
                judgement.applies = False
                return judgement
            if result.verdict is Verdict.UNKNOWN:
                judgement.unknown = True
                judgement.reasons.append(result.reason)
        else:
            result = evaluate_condition(condition, context, policy_variables=variables)
            if result.verdict is Verdict.UNKNOWN:
                judgement.unknown = True
                judgement.reasons.append(result.reason)
            label = requirement_label(condition.key)
            if label not in avoidable:
                avoidable.append(label)
    judgement.requirements = avoidable
    return judgement


def _federated_action(value: str) -> str:
    if ":saml-provider/" in value:
        return ASSUME_ROLE_WITH_SAML
    return ASSUME_ROLE_WITH_WEB_IDENTITY


def _fitting_action(principal: Principal) -> str | None:
    if principal.kind in (PrincipalKind.AWS, PrincipalKind.ANYONE, PrincipalKind.SERVICE):
        return ASSUME_ROLE
    if principal.kind is PrincipalKind.FEDERATED:
        return _federated_action(principal.value)
    return None


class _Builder:
    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.graph = TrustGraph(snapshot=snapshot)
        self.callers: dict[str, Caller] = {}
        self.contexts: dict[tuple, tuple[RequestContext, Callable[[str], bool]]] = {}
        self.independent: dict[int, bool] = {}
        self.profiles: dict[str, _Profile] = {}
        self.indexes: dict[str, _AccountIndex] = {}
        self.memo_role: str | None = None
        self.signatures: dict[tuple, tuple[bool | None, ...]] = {}
        self.side_cache: dict[tuple[str, bool, bool, tuple], _Judgement] = {}
        self.grant_cache: dict[tuple[int, str], _Judgement] = {}
        self.by_unique_id: dict[str, tuple[Account, User | Role]] = {}
        for account in snapshot.accounts:
            for unique_id, entity in account.principals_by_unique_id.items():
                self.by_unique_id.setdefault(unique_id, (account, entity))

    # --- nodes -----------------------------------------------------------------------------------------------

    def add_account_nodes(self, account: Account) -> None:
        graph = self.graph
        acct = account.account_id
        graph.add_node(Node(id=account_root(acct), kind=NodeKind.ACCOUNT, label=account.label, account_id=acct))
        for group in account.groups:
            graph.add_node(Node(id=group.arn, kind=NodeKind.GROUP, label=group.name, account_id=acct, arn=group.arn))
        for user in account.users:
            graph.add_node(Node(id=user.arn, kind=NodeKind.USER, label=user.name, account_id=acct, arn=user.arn))
        for role in account.roles:
            graph.add_node(Node(id=role.arn, kind=NodeKind.ROLE, label=role.name, account_id=acct, arn=role.arn))
        for saml in account.saml_providers:
            graph.add_node(
                Node(id=saml.arn, kind=NodeKind.SAML_PROVIDER, label=saml.name, account_id=acct, arn=saml.arn)
            )
        for oidc in account.oidc_providers:
            graph.add_node(
                Node(id=oidc.arn, kind=NodeKind.OIDC_PROVIDER, label=oidc.host, account_id=acct, arn=oidc.arn)
            )
        for user in account.users:
            for group_name in user.group_names:
                group = account.groups_by_name.get(group_name)
                if group is not None:
                    graph.add_edge(TrustEdge(source=user.arn, target=group.arn, kind=EdgeKind.MEMBER_OF))

    def ensure_node(self, node: Node) -> str:
        if not self.graph.has_node(node.id):
            self.graph.add_node(node)
        return node.id

    # --- callers and their policies --------------------------------------------------------------------------

    def caller_of(self, account: Account, entity: User | Role) -> Caller:
        caller = self.callers.get(entity.arn)
        if caller is None:
            caller = caller_for_entity(self.snapshot, account, entity)
            self.callers[entity.arn] = caller
        return caller

    def context_of(self, caller: Caller | None) -> RequestContext:
        return self.context_and_authority(caller)[0]

    def context_and_authority(self, caller: Caller | None) -> tuple[RequestContext, Callable[[str], bool]]:
        """The principal keys of the caller and which keys they fix, computed once per caller."""
        if caller is None:
            return _EMPTY_CONTEXT, _authority(None)
        key = (caller.kind, caller.arn or caller.name, caller.account_id)
        found = self.contexts.get(key)
        if found is None:
            found = (RequestContext.of(principal_context(caller)), _authority(caller))
            self.contexts[key] = found
        return found

    def profile_of(self, account: Account, entity: User | Role) -> _Profile:
        profile = self.profiles.get(entity.arn)
        if profile is not None:
            return profile
        policies, missing = _collect(account, entity)
        statements = [
            (p.source, s, uses_variables(p.document))
            for p in policies
            for s in p.document.statements
            if action_matches(s, ASSUME_ROLE)
        ]
        boundary: list[tuple[str, Statement, bool]] | None = None
        boundary_missing = False
        if entity.permissions_boundary_arn:
            managed = account.policies_by_arn.get(entity.permissions_boundary_arn)
            if managed is None:
                boundary, boundary_missing = [], True
            else:
                source = f"permissions boundary {managed.name}"
                variables = uses_variables(managed.document)
                boundary = [
                    (source, s, variables) for s in managed.document.statements if action_matches(s, ASSUME_ROLE)
                ]
        everything = [*statements, *(boundary or [])]
        profile = _Profile(
            statements,
            boundary,
            boundary_missing,
            missing,
            matchers=tuple(_resource_matcher(s, v) for _, s, v in everything),
            allows=tuple(s.effect is Effect.ALLOW for _, s, _ in statements),
        )
        profile.key = tuple((s.resources, s.not_resources, v) for _, s, v in everything)
        constants = [_constant_cover(s) for _, s, _ in everything]
        if all(c is not None for c in constants):
            profile.static = tuple(constants)
        elif _dominated(statements) and (boundary is None or (not boundary_missing and _dominated(boundary))):
            profile.static = ("every role",)  # an unconditional Allow on "*" and no Deny: the role cannot matter
        self.profiles[entity.arn] = profile
        return profile

    def index_of(self, account: Account) -> _AccountIndex:
        """The account's principals whose own policies could allow sts:AssumeRole, indexed by Resource pattern."""
        index = self.indexes.get(account.account_id)
        if index is not None:
            return index
        index = _AccountIndex()
        for entity in (*account.users, *account.roles):
            profile = self.profile_of(account, entity)
            allows = [(s, v) for _, s, v in profile.statements if s.effect is Effect.ALLOW]
            if not allows and not profile.missing:
                continue
            position = len(index.candidates)
            index.candidates.append(entity)
            if profile.missing:
                index.always.add(position)
                continue
            for statement, variables in allows:
                patterns = statement.resources
                if patterns is None or "*" in patterns or (variables and any("${" in p for p in patterns)):
                    index.always.add(position)  # NotResource, "*" or a policy variable: judge against every role
                    continue
                for pattern in patterns:
                    index.by_pattern.setdefault(pattern, set()).add(position)
        index.compiled = [(arn_pattern(p), members) for p, members in index.by_pattern.items()]
        self.indexes[account.account_id] = index
        return index

    def candidates_for(self, account: Account, role: Role) -> list[User | Role]:
        """The principals of ``account`` whose Allow statements may cover ``role``, in account order."""
        index = self.index_of(account)
        chosen = set(index.always)
        for compiled, members in index.compiled:
            if compiled.fullmatch(role.arn):
                chosen |= members
        return [index.candidates[i] for i in sorted(chosen)]

    def judge_policies(
        self, statements: list[tuple[str, Statement, bool]], role: Role, caller: Caller, *, need_allow: bool
    ) -> _Judgement:
        """Judge a principal's statements for sts:AssumeRole on ``role``: denies, then (if asked) an allow."""
        context, fixed = self.context_and_authority(caller)
        result = _Judgement()
        best_allow: _Judgement | None = None
        allow_unknown = False
        for source, statement, variables in statements:
            covers = resource_matches(statement, role.arn, context, variables=variables)
            if covers is False:
                continue
            where = f"{source}, {statement.label}"
            if statement.effect is Effect.DENY:
                if covers is None:
                    result.unknown = True
                    result.reasons.append(f"{where}: a Deny whose Resource variable cannot be resolved")
                    continue
                deny = _judge_deny(statement.conditions, context, fixed, variables)
                if not deny.applies:
                    continue
                if deny.unknown:
                    result.unknown = True
                    result.reasons.append(f"{where}: a Deny that could not be judged")
                elif not deny.requirements:
                    result.applies = False
                    result.reasons.append(f"{where} denies sts:AssumeRole on the role")
                    return result
                else:
                    result.requirements.extend(r for r in deny.requirements if r not in result.requirements)
                    result.reasons.append(f"{where} denies unless the caller brings {', '.join(deny.requirements)}")
                continue
            if not need_allow or covers is None:
                continue
            allow = _judge_allow(statement.conditions, context, fixed, variables)
            if not allow.applies:
                continue
            if allow.unknown:
                allow_unknown = True
                continue
            allow.reasons.insert(0, f"{where} allows sts:AssumeRole on the role")
            if best_allow is None or len(allow.requirements) < len(best_allow.requirements):
                best_allow = allow
        if need_allow:
            if best_allow is None:
                if allow_unknown:
                    result.unknown = True
                    result.reasons.append("an Allow statement of the caller's policies could not be judged")
                else:
                    result.applies = False
                    result.reasons.append(f"no policy of {caller.word} allows sts:AssumeRole on the role")
                return result
            result.requirements.extend(r for r in best_allow.requirements if r not in result.requirements)
            result.reasons.extend(best_allow.reasons)
        return result

    def caller_side(self, caller: Caller, form: MatchForm, role: Role, role_account: str) -> tuple[_Judgement, bool]:
        """Judge the caller's own side; the flag says its policies are not in the snapshot."""
        if caller.kind not in (CallerKind.USER, CallerKind.ROLE, CallerKind.ROLE_SESSION):
            return _Judgement(), False
        same_account = caller.account_id == role_account
        need_allow = not same_account or form is MatchForm.ACCOUNT
        if caller.account is None or not isinstance(caller.entity, (User, Role)):
            if need_allow:
                return _Judgement(reasons=[f"the caller's account {caller.account_id} is not loaded"]), True
            return _Judgement(), False
        profile = self.profile_of(caller.account, caller.entity)
        boundary_counts = need_allow or form in (MatchForm.DIRECT_USER, MatchForm.ROLE_ARN, MatchForm.ANYONE)
        signature = profile.static
        if signature is None:
            if self.memo_role != role.arn:
                self.memo_role, self.signatures = role.arn, {}
            signature = self.signatures.get(profile.key)
            if signature is None:
                signature = self.signatures[profile.key] = profile.signature(role.arn)
        if None in signature:  # a policy variable in a Resource: judge with the caller's context every time
            return self._judge_side(profile, caller, role, need_allow, boundary_counts), False
        comparable = need_allow and not profile.missing and len(signature) == len(profile.matchers)
        if comparable and not any(c and a for c, a in zip(signature, profile.allows, strict=False)):
            return _NO_ALLOW, False
        key = (caller.entity.arn, need_allow, boundary_counts, signature)
        cached = self.side_cache.get(key)
        if cached is None:
            cached = self._judge_side(profile, caller, role, need_allow, boundary_counts)
            self.side_cache[key] = cached
        return cached, False

    def _judge_side(
        self, profile: _Profile, caller: Caller, role: Role, need_allow: bool, boundary_counts: bool
    ) -> _Judgement:
        judgement = self.judge_policies(profile.statements, role, caller, need_allow=need_allow)
        if not judgement.applies:
            return judgement
        if need_allow and profile.missing and not judgement.unknown and not profile.statements:
            judgement.unknown = True
            judgement.reasons.append(f"policies attached to {caller.word} are not in the snapshot")
        if profile.boundary is not None and boundary_counts:
            if profile.boundary_missing:
                judgement.unknown = True
                judgement.reasons.append("the caller's permissions boundary is not in the snapshot")
            else:
                capped = self.judge_policies(profile.boundary, role, caller, need_allow=True)
                if not capped.applies:
                    return capped
                judgement.unknown = judgement.unknown or capped.unknown
                judgement.requirements.extend(r for r in capped.requirements if r not in judgement.requirements)
                judgement.reasons.extend(capped.reasons)
        elif profile.boundary is not None:
            denies = self.judge_policies(profile.boundary, role, caller, need_allow=False)
            if not denies.applies:
                return denies
        return judgement

    # --- edges -----------------------------------------------------------------------------------------------

    def judge_grant(
        self,
        statement: Statement,
        caller: Caller | None,
        context: RequestContext,
        fixed: Callable[[str], bool],
        variables: bool,
    ) -> _Judgement:
        """Judge a trust statement's conditions for a caller, once per statement when no caller key is involved."""
        if not statement.conditions:
            return _NO_CONDITIONS
        independent = self.independent.get(id(statement))
        if independent is None:
            independent = self.independent[id(statement)] = _caller_independent(statement)
        if not independent:
            return _judge_allow(statement.conditions, context, fixed, variables)
        key = (id(statement), "none" if caller is None else str(caller.kind))
        cached = self.grant_cache.get(key)
        if cached is None:
            cached = _judge_allow(statement.conditions, context, fixed, variables)
            self.grant_cache[key] = cached
        return cached

    def add_can_assume(
        self,
        *,
        source: str,
        caller: Caller | None,
        form: MatchForm,
        role: Role,
        role_account: Account,
        statement: Statement,
        action: str,
        denies: list[Statement],
        via_account_root: bool = False,
        extra_reasons: tuple[str, ...] = (),
        force: DecisionKind | None = None,
    ) -> bool:
        """Add the edge from ``source`` to the role if the statement grants it to ``caller``; say whether."""
        context, fixed = self.context_and_authority(caller)
        variables = uses_variables(role.trust_policy)
        grant = self.judge_grant(statement, caller, context, fixed, variables)
        if not grant.applies:
            return False
        unknown = grant.unknown
        requirements = list(grant.requirements)
        reasons = [f"trust policy {statement.label} allows {action}", *grant.reasons, *extra_reasons]
        probe = caller
        for deny in denies:
            if probe is not None and statement_principal_match(deny, probe) is None:
                continue
            if probe is None and not _names_anyone(deny):
                continue
            if not action_matches(deny, action):
                continue
            judged = _judge_deny(deny.conditions, context, fixed, variables)
            if not judged.applies:
                continue
            if judged.unknown:
                unknown = True
                reasons.append(f"trust policy {deny.label} is a Deny that could not be judged")
            elif not judged.requirements:
                return False  # an explicit Deny that always applies
            else:
                requirements.extend(r for r in judged.requirements if r not in requirements)
                reasons.append(
                    f"trust policy {deny.label} denies unless the caller brings {', '.join(judged.requirements)}"
                )
        needs_policy = False
        if caller is not None:
            side, needs_policy = self.caller_side(caller, form, role, role_account.account_id)
            if not side.applies:
                return False
            unknown = unknown or side.unknown
            requirements.extend(r for r in side.requirements if r not in requirements)
            reasons.extend(side.reasons)
        if force is not None:
            kind = force
        elif unknown:
            kind = DecisionKind.UNKNOWN
        elif needs_policy:
            kind = DecisionKind.NEEDS_CALLER_POLICY
        elif requirements:
            kind = DecisionKind.CONDITIONAL
        else:
            kind = DecisionKind.ALLOWED
        self.graph.add_edge(
            TrustEdge(
                source=source,
                target=role.arn,
                kind=EdgeKind.CAN_ASSUME,
                action=action,
                decision=kind,
                requirements=tuple(requirements),
                statement_index=statement.index,
                statement_sid=statement.sid,
                reasons=tuple(reasons),
                via_account_root=via_account_root,
            )
        )
        return True

    def add_role_edges(self, account: Account, role: Role) -> None:
        statements = role.trust_policy.statements
        denies = [s for s in statements if s.effect is Effect.DENY]
        for statement in statements:
            if statement.effect is not Effect.ALLOW or not statement.principals:
                continue
            for principal in statement.principals:
                action = _fitting_action(principal)
                if action is None or not action_matches(statement, action):
                    continue
                self.add_principal_edges(account, role, statement, principal, action, denies)

    def add_principal_edges(
        self, account: Account, role: Role, statement: Statement, principal: Principal, action: str, denies
    ) -> None:
        common = {"role": role, "role_account": account, "statement": statement, "action": action, "denies": denies}
        kind = principal.kind
        value = principal.value
        if kind is PrincipalKind.ANYONE:
            self.ensure_node(Node(id=ANYONE_ID, kind=NodeKind.ANYONE, label="anyone"))
            self.add_can_assume(source=ANYONE_ID, caller=None, form=MatchForm.ANYONE, **common)
        elif kind is PrincipalKind.SERVICE:
            node_id = self.ensure_node(Node(id=f"service:{value}", kind=NodeKind.SERVICE, label=value))
            caller = Caller(kind=CallerKind.SERVICE, text=value, name=value)
            self.add_can_assume(source=node_id, caller=caller, form=MatchForm.NON_IAM, **common)
        elif kind is PrincipalKind.FEDERATED:
            self.add_federated(value, common)
        elif kind is PrincipalKind.AWS:
            self.add_aws(value, account, common)

    def add_federated(self, value: str, common: dict) -> None:
        arn = Arn.try_parse(value)
        if arn is not None and arn.resource_type == "saml-provider":
            node = Node(
                id=value, kind=NodeKind.SAML_PROVIDER, label=arn.resource_name, account_id=arn.account, arn=value
            )
            caller = Caller(kind=CallerKind.SAML, text=value, name=arn.resource_name, arn=value, account_id=arn.account)
        elif arn is not None and arn.resource_type == "oidc-provider":
            node = Node(
                id=value, kind=NodeKind.OIDC_PROVIDER, label=arn.resource_name, account_id=arn.account, arn=value
            )
            caller = Caller(kind=CallerKind.OIDC, text=value, name=arn.resource_name, arn=value, account_id=arn.account)
        elif arn is None and value and "*" not in value:
            node = Node(id=f"federated:{value}", kind=NodeKind.OIDC_PROVIDER, label=value)
            caller = Caller(kind=CallerKind.WEB_IDENTITY, text=value, name=value)
        else:
            return
        self.ensure_node(node)
        self.add_can_assume(source=node.id, caller=caller, form=MatchForm.NON_IAM, **common)

    def add_aws(self, value: str, account: Account, common: dict) -> None:
        if looks_like_unique_id(value):
            found = self.by_unique_id.get(value)
            if found is None:
                node_id = self.ensure_node(Node(id=f"deleted:{value}", kind=NodeKind.DELETED, label=value))
                reason = (
                    f"{value} is the unique ID of a deleted user or role: it matches nobody until the trust policy "
                    "is edited ([PRIN])"
                )
                self.add_can_assume(
                    source=node_id,
                    caller=None,
                    form=MatchForm.DIRECT_USER,
                    extra_reasons=(reason,),
                    force=DecisionKind.UNKNOWN,
                    **_no_denies(common),
                )
                return
            owner, entity = found
            form = MatchForm.DIRECT_USER if isinstance(entity, User) else MatchForm.ROLE_ARN
            self.add_can_assume(source=entity.arn, caller=self.caller_of(owner, entity), form=form, **common)
            return
        account_id = value if is_account_id(value) else None
        arn = Arn.try_parse(value)
        if account_id is None and arn is not None and arn.is_account_root:
            account_id = arn.account
        if account_id is not None:
            self.add_account_root(account_id, common)
            return
        if arn is None or "*" in value or "?" in value:
            return  # not a principal: wildcards cannot match part of a principal ARN ([PRIN])
        self.add_named_arn(arn, value, common)

    def add_account_root(self, account_id: str, common: dict) -> None:
        root = account_root(account_id)
        loaded = self.snapshot.account(account_id)
        pseudo = Caller(kind=CallerKind.ROOT, text=root, name="root", arn=root, account_id=account_id)
        if loaded is None:
            self.ensure_node(Node(id=root, kind=NodeKind.EXTERNAL_ACCOUNT, label=account_id, account_id=account_id))
            reason = f"account {account_id} is not loaded: its principals also need their own policies to allow it"
            self.add_can_assume(
                source=root,
                caller=pseudo,
                form=MatchForm.ACCOUNT,
                via_account_root=True,
                extra_reasons=(reason,),
                **common,
            )
            self._force_needs_policy(root, common)
            return
        role: Role = common["role"]
        expanded = 0
        for entity in self.candidates_for(loaded, role):
            caller = self.caller_of(loaded, entity)
            expanded += self.add_can_assume(
                source=entity.arn, caller=caller, form=MatchForm.ACCOUNT, via_account_root=True, **common
            )
        reason = (
            f"the trust names account {account_id}: its users and roles may assume {role.name} when their own "
            f"policies allow it ({expanded} drawn)"
        )
        self.add_can_assume(
            source=root,
            caller=pseudo,
            form=MatchForm.ACCOUNT,
            via_account_root=True,
            extra_reasons=(reason,),
            **common,
        )

    def _force_needs_policy(self, source: str, common: dict) -> None:
        """Turn the edge just added from an unloaded principal into NEEDS_CALLER_POLICY unless it is UNKNOWN."""
        statement: Statement = common["statement"]
        key = f"{EdgeKind.CAN_ASSUME}|{common['action']}|{statement.index}"
        data = self.graph.nx.get_edge_data(source, common["role"].arn, key)
        if data is None:
            return
        edge: TrustEdge = data["edge"]
        if edge.decision is DecisionKind.UNKNOWN:
            return
        self.graph.add_edge(
            TrustEdge(
                source=edge.source,
                target=edge.target,
                kind=edge.kind,
                action=edge.action,
                decision=DecisionKind.NEEDS_CALLER_POLICY,
                requirements=edge.requirements,
                statement_index=edge.statement_index,
                statement_sid=edge.statement_sid,
                reasons=edge.reasons,
                via_account_root=edge.via_account_root,
            )
        )

    def add_named_arn(self, arn: Arn, value: str, common: dict) -> None:
        kind_key = (arn.service, arn.resource_type)
        if kind_key not in (("iam", "user"), ("iam", "role"), ("sts", "assumed-role")):
            return  # federated-user sessions cannot call AssumeRole; other ARNs are not trust principals
        loaded = self.snapshot.account(arn.account)
        if loaded is not None and kind_key != ("sts", "assumed-role"):
            entity = loaded.users_by_arn.get(value) if kind_key[1] == "user" else loaded.roles_by_arn.get(value)
            if entity is not None:
                form = MatchForm.DIRECT_USER if isinstance(entity, User) else MatchForm.ROLE_ARN
                self.add_can_assume(source=entity.arn, caller=self.caller_of(loaded, entity), form=form, **common)
                return
        try:
            caller = _caller_from_arn(self.snapshot, value)
        except ValueError:
            return
        label = f"{arn.resource_name}/{arn.session_name}" if arn.session_name else arn.resource_name
        node_id = self.ensure_node(
            Node(id=value, kind=NodeKind.EXTERNAL_PRINCIPAL, label=label, account_id=arn.account, arn=value)
        )
        form = {"user": MatchForm.DIRECT_USER, "role": MatchForm.ROLE_ARN}.get(arn.resource_type, MatchForm.SESSION_ARN)
        self.add_can_assume(source=node_id, caller=caller, form=form, **common)

    def build(self) -> TrustGraph:
        for account in self.snapshot.accounts:
            self.add_account_nodes(account)
        for account in self.snapshot.accounts:
            for role in account.roles:
                self.add_role_edges(account, role)
        return self.graph


_NO_CONDITIONS = _Judgement()
_EMPTY_CONTEXT = RequestContext.of({})
_NO_ALLOW = _Judgement(applies=False, reasons=["no policy of the caller allows sts:AssumeRole on the role"])


def _dominated(statements: list[tuple[str, Statement, bool]]) -> bool:
    """Whether an unconditional Allow on every resource decides, with no Deny that could differ per role."""
    if any(s.effect is Effect.DENY for _, s, _ in statements):
        return False
    return any(
        s.resources is not None and "*" in s.resources and not s.conditions and s.effect is Effect.ALLOW
        for _, s, _ in statements
    )


def _constant_cover(statement: Statement) -> bool | None:
    """``True``/``False`` when the statement covers every role or none, whatever the role; else ``None``."""
    if statement.resources is not None:
        return True if "*" in statement.resources else None
    if statement.not_resources is not None:
        return False if "*" in statement.not_resources else None
    return False


def _resource_matcher(statement: Statement, variables: bool) -> Callable[[str], bool | None]:
    """A fast test of whether the statement's Resource/NotResource covers a role ARN (``None``: needs context)."""
    patterns = statement.resources if statement.resources is not None else statement.not_resources
    if patterns is None:
        return lambda arn: False
    if variables and any("${" in p for p in patterns):
        return lambda arn: None
    if statement.resources is not None and "*" in patterns:
        return lambda arn: True
    compiled = [arn_pattern(p) for p in patterns if p != "*"]
    everything = "*" in patterns
    if statement.resources is not None:
        return lambda arn: any(c.fullmatch(arn) for c in compiled)
    return lambda arn: not everything and not any(c.fullmatch(arn) for c in compiled)


def _caller_independent(statement: Statement) -> bool:
    """Whether no condition of the statement looks at the caller's identity (keys or policy variables)."""
    return not any(
        c.key in PRINCIPAL_DERIVED_KEYS or c.key in SERVICE_SUPPLIED_KEYS or any("${" in v for v in c.values)
        for c in statement.conditions
    )


def _names_anyone(statement: Statement) -> bool:
    return bool(statement.principals) and any(p.kind is PrincipalKind.ANYONE for p in statement.principals)


def _no_denies(common: dict) -> dict:
    return {**common, "denies": []}


def build_trust_graph(snapshot: Snapshot) -> TrustGraph:
    """The trust graph of ``snapshot`` (see the module docstring); ``graph.snapshot`` is ``snapshot``."""
    return _Builder(snapshot).build()
