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
policies allow ``sts:AssumeRole`` on the role, kept as one :class:`~iamviz.model.graph.AccountGrant` per trust
(members alike share their edge's values; roles alike share the members), not as an edge each: at 20,000 roles that
is 206,000 of the graph's 228,000 edges, which cost more to store than to judge. Cost: each trust statement is
visited once per principal it names; for root expansion, each account's candidates (principals with an Allow
statement that covers ``sts:AssumeRole``) are found once, and each candidate keeps its few relevant statements, so a
role costs a handful of comparisons per candidate instead of a full policy evaluation per user and role.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import networkx as nx

from iamviz.analysis.conditions import (
    PRINCIPAL_DERIVED_KEYS,
    SERVICE_SUPPLIED_KEYS,
    ConditionResult,
    RequestContext,
    Verdict,
    evaluate_condition,
    requirement_label,
)
from iamviz.analysis.identity import (
    action_matches,
    action_pattern_matches,
    arn_matcher,
    resource_matches,
    uses_variables,
)
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
from iamviz.model.fast import fast_constructor
from iamviz.model.graph import (
    ANYONE_ID,
    AccountGrant,
    DecisionKind,
    EdgeKind,
    Node,
    NodeKind,
    TrustEdge,
    TrustGraph,
)
from iamviz.model.policy import (
    Condition,
    Effect,
    PolicyDocument,
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
    denies: bool = False  # whether an identity statement is a Deny

    static: tuple[bool | None, ...] | None = None  # the signature when no statement depends on the role
    key: tuple = ()  # the statements' Resource elements: principals with the same ones share signatures

    def signature(self, role_arn: str) -> tuple[bool | None, ...]:
        """Which statements cover ``role_arn``: the judgement depends on the role only through this."""
        if self.static is not None:
            return self.static
        return tuple([match(role_arn) for match in self.matchers])


class _ShareClass:
    """A share class: principals judged alike (see :class:`_AccountIndex`), and which statements cover a role.

    ``key`` is ``None`` for a principal that is a class of its own (judged as itself every time). Otherwise most
    statements cover every role or none (``"*"``, or no Resource) or name exact role ARNs; only the rest need a
    matcher per role. :meth:`covering` gives the class key cut down to the statements that cover the role.
    """

    __slots__ = ("base", "base_id", "entries", "exact", "key", "tested", "tests")

    def __init__(self, key: tuple | None, profile: _Profile) -> None:
        self.key = key
        self.exact: set[str] = set()  # ARNs some Resource names without wildcards
        # Per statement: whether it covers every role (a bool), the ARNs it covers (a frozenset) or its matcher.
        self.tests: list[bool | frozenset[str] | Callable[[str], bool | None]] = []
        self.tested: dict[int, Callable[[str], bool | None]] = {}  # statements with a matcher, by id
        everything = (*profile.statements, *(profile.boundary or ()))
        # The statements behind the key's entries (source, statement id, variables).
        self.entries = {(src, id(statement), v): (src, statement, v) for src, statement, v in everything}
        for (_, statement, _), matcher in zip(everything, profile.matchers, strict=True):
            constant = _constant_cover(statement)
            if constant is not None:
                self.tests.append(constant)
            elif statement.resources is not None and not any("*" in p or "?" in p for p in statement.resources):
                self.exact.update(statement.resources)
                self.tests.append(frozenset(statement.resources))
            else:
                self.tests.append(matcher)
                self.tested[id(statement)] = matcher
        # The key for a role that none of the exact ARNs name (every role, when no statement needs a matcher).
        self.base = None if key is None or self.tested else self.cut("")
        self.base_id: int | None = None  # the builder's id of ``base``

    def covering(self, role_arn: str) -> tuple | None:
        """The key cut down to the statements that cover ``role_arn`` (``None`` for a class of one)."""
        if self.key is None:
            return None
        if self.base is not None and role_arn not in self.exact:
            return self.base
        return self.cut(role_arn)

    def cut(self, role_arn: str) -> tuple:
        """The key with only the statements that cover ``role_arn``: the rest play no part in its judgement.

        Judging a caller's policies for one role skips every statement whose Resource/NotResource does not cover
        the role (its reasons and requirements come from the covering ones, in order), so principals whose
        covering statements are the same are judged alike for this role even when their other grants differ.
        """
        assert self.key is not None
        covers = [
            test if test.__class__ is bool else role_arn in test if test.__class__ is frozenset else test(role_arn)
            for test in self.tests
        ]
        kind, identity, boundary, boundary_missing = self.key
        count = len(identity)
        kept = tuple(entry for entry, cover in zip(identity, covers[:count], strict=True) if cover is not False)
        if boundary is not None:
            boundary = tuple(entry for entry, cover in zip(boundary, covers[count:], strict=True) if cover is not False)
        return (kind, kept, boundary, boundary_missing)


@dataclass(slots=True)
class _Row:
    """The edges of an account-root trust statement shape to the ``always`` principals, for roles alike.

    Roles alike: the same wildcard statements match them. ``values`` holds, per candidate position, its edge's
    values (or ``None``: no edge); the classes in ``pending`` (classes of one, and those that name by ARN the
    role the row was made for) are left out and judged per role. ``edges`` is the (source, values) list of a
    role that none of ``pending`` concerns.
    """

    values: list[tuple | None]
    edges: tuple[tuple[str, tuple], ...]  # shared by the grants of the roles alike: never changed
    pending: frozenset[_ShareClass]


@dataclass(slots=True)
class _AccountIndex:
    """Principals of one account that could be allowed sts:AssumeRole by their own policies.

    ``shares`` holds, per candidate, its *share class*: candidates with the same class key get the same
    judgement (decision, requirements, reasons) for every role and trust statement, so the graph judges one of
    them and copies the edge to the others. A candidate whose judgement may depend on who it is (a condition or a
    policy variable in a relevant statement, a managed policy missing from the snapshot) is a class of its own.
    """

    candidates: list[User | Role] = field(default_factory=list)
    always: set[int] = field(default_factory=set)  # positions to judge against every role
    by_pattern: dict[str, set[int]] = field(default_factory=dict)  # Resource pattern -> positions
    shares: list[_ShareClass] = field(default_factory=list)  # per position: its share class
    sources: list[str] = field(default_factory=list)  # per position: its ARN (its node id)
    exact: dict[str, set[int]] = field(default_factory=dict)  # patterns without wildcards, by the ARN they name
    wild: list[tuple[Callable[[str], bool], set[int]]] = field(default_factory=list)
    always_sorted: list[int] = field(default_factory=list)
    naming: dict[str, list[_ShareClass]] = field(default_factory=dict)  # ARN -> classes of ``always`` naming it
    tested: list[Callable[[str], bool | None]] = field(default_factory=list)  # the other statements of ``always``


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
    conditions: tuple[Condition, ...],
    context: RequestContext,
    fixed: Callable[[str], bool],
    variables: bool,
    memo: dict[tuple[Condition, int, bool], ConditionResult] | None = None,
) -> _Judgement:
    """Judge an Allow's conditions for a caller; ``memo`` keeps results per (condition, context id, variables)."""
    judgement = _Judgement()
    for condition in conditions:
        if memo is None:
            result = evaluate_condition(condition, context, policy_variables=variables)
        else:
            remembered = (condition, id(context), variables)
            result = memo.get(remembered)
            if result is None:
                result = memo[remembered] = evaluate_condition(condition, context, policy_variables=variables)
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
    def __init__(self, snapshot: Snapshot, *, share: bool = True) -> None:
        self.snapshot = snapshot
        self.share = share  # False: judge every principal of an account-root trust on its own (the reference)
        self.graph = TrustGraph(snapshot=snapshot)
        self.callers: dict[str, Caller] = {}
        self.contexts: dict[tuple, tuple[RequestContext, Callable[[str], bool]]] = {}
        self.caller_contexts: dict[int, tuple[Caller, tuple[RequestContext, Callable[[str], bool]]]] = {}
        self.key_looks: dict[str, bool] = {}  # per condition key: whether it looks at the caller
        self.independent: dict[int, bool] = {}  # per trust statement's conditions (their id, see conditions_id)
        # Conditions ids: per distinct conditions tuple, and per tuple object (by id, the tuple kept with its number).
        self.condition_sets: dict[tuple[Condition, ...], int] = {}
        self.conditions_ids: dict[int, tuple[tuple[Condition, ...], int]] = {}
        self.profiles: dict[str, _Profile] = {}
        # Per policy document (by id, the document kept alive): its statements that cover sts:AssumeRole.
        self.relevant: dict[int, tuple[PolicyDocument, tuple[Statement, ...], bool]] = {}
        self.action_cover: dict[str, bool] = {}  # per Action pattern: whether it covers sts:AssumeRole
        self.trust_actions: dict[tuple, bool] = {}  # per trust (Action, NotAction, STS action): whether it covers it
        self.no_profile = _Profile([], None, False, [], static=())  # of every principal without such statements
        # Per (statement id, variables): the statement, its Resource matcher, its key part, its constant cover.
        self.statement_facts: dict[tuple[int, bool], tuple] = {}
        # Per (account, group name): the group's (source, statement, variables) covering sts:AssumeRole, missing ARNs.
        self.group_statements: dict[tuple[str, str], tuple[list, list[str]]] = {}
        self.indexes: dict[str, _AccountIndex] = {}
        self.memo_role: str | None = None
        # add_can_assume: edge values per (statement shape, caller context...), and edge keys per (action, index).
        self.plain: dict[tuple, tuple | None] = {}
        self.edge_keys: dict[tuple[str, int], str] = {}
        # Principals as trust policies name them: service and federated nodes and callers, per value.
        self.services: dict[str, tuple[str, Caller]] = {}
        self.federated: dict[str, tuple[str, Caller] | None] = {}
        self.aws_routes: dict[str, tuple[object, object]] = {}  # see :meth:`aws_route`
        self.account_callers: dict[str, tuple[str, Caller]] = {}  # account id -> its root ARN and pseudo-caller
        self.signatures: dict[tuple, tuple[bool | None, ...]] = {}
        self.side_cache: dict[tuple[str, bool, bool, tuple], _Judgement] = {}
        self.grant_cache: dict[tuple, _Judgement] = {}
        # Condition results per (condition, context id, variables): contexts live in ``contexts`` (or are module
        # constants) for the whole build, so their ids stay theirs.
        self.verdicts: dict[tuple[Condition, int, bool], ConditionResult] = {}
        self.store = _EdgeStore(self.graph.nx)
        self.reduced_ids: dict[tuple, int] = {}
        # Account-root expansion: per (trust statement, action, ...) and share id, the edge's values or no edge.
        self.templates: dict[tuple[int, int], tuple | None] = {}
        self.shapes: dict[tuple, int] = {}
        # Per statement shape and wildcard matches: the row of ``always`` principals (see :class:`_Row`).
        self.rows: dict[tuple[int, tuple], _Row] = {}

    # --- nodes -----------------------------------------------------------------------------------------------

    def add_account_nodes(self, account: Account) -> None:
        store = self.store
        node = _node_from
        acct = account.account_id
        store.add_node(node(account_root(acct), NodeKind.ACCOUNT, account.label, acct, None))
        for kind, named in (
            (NodeKind.GROUP, ((group.arn, group.name) for group in account.groups)),
            (NodeKind.USER, ((user.arn, user.name) for user in account.users)),
            (NodeKind.ROLE, ((role.arn, role.name) for role in account.roles)),
            (NodeKind.SAML_PROVIDER, ((saml.arn, saml.name) for saml in account.saml_providers)),
            (NodeKind.OIDC_PROVIDER, ((oidc.arn, oidc.host) for oidc in account.oidc_providers)),
        ):
            store.add_nodes(node(arn, kind, label, acct, arn) for arn, label in named)
        member_key = f"{EdgeKind.MEMBER_OF}||"
        member = _MEMBER_VALUES
        for user in account.users:
            for group_name in user.group_names:
                group = account.groups_by_name.get(group_name)
                if group is not None:
                    self.store.put(user.arn, group.arn, member_key, _edge_from(member, user.arn, group.arn))

    def ensure_node(self, node: Node) -> str:
        if not self.graph.has_node(node.id):
            self.store.add_node(node)
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
            return _EMPTY_CONTEXT, _NOTHING_FIXED
        seen = self.caller_contexts.get(id(caller))  # most callers are made once per build and asked again
        if seen is not None:
            return seen[1]
        key = (caller.kind, caller.arn or caller.name, caller.account_id)
        found = self.contexts.get(key)
        if found is None:
            found = (RequestContext.of(principal_context(caller)), _authority(caller))
            self.contexts[key] = found
        self.caller_contexts[id(caller)] = (caller, found)  # the caller kept: its id stays its own
        return found

    def profile_of(self, account: Account, entity: User | Role) -> _Profile:
        profile = self.profiles.get(entity.arn)
        if profile is not None:
            return profile
        statements, missing = self.assume_statements(account, entity)
        boundary: list[tuple[str, Statement, bool]] | None = None
        boundary_missing = False
        if entity.permissions_boundary_arn:
            managed = account.policies_by_arn.get(entity.permissions_boundary_arn)
            if managed is None:
                boundary, boundary_missing = [], True
            else:
                source = f"permissions boundary {managed.name}"
                relevant, variables = self.relevant_statements(managed.document)
                boundary = [(source, s, variables) for s in relevant]
        if not statements and boundary is None and not missing:
            profile = self.profiles[entity.arn] = self.no_profile
            return profile
        everything = [*statements, *(boundary or [])]
        facts = self.statement_facts
        matchers = []
        key = []
        constants = []
        for _, s, v in everything:
            fact = facts.get((id(s), v))
            if fact is None:
                fact = facts[(id(s), v)] = (
                    s,
                    _resource_matcher(s, v),
                    (s.resources, s.not_resources, v),
                    _constant_cover(s),
                )
            matchers.append(fact[1])
            key.append(fact[2])
            constants.append(fact[3])
        profile = _Profile(
            statements,
            boundary,
            boundary_missing,
            missing,
            matchers=tuple(matchers),
            allows=tuple(s.effect is Effect.ALLOW for _, s, _ in statements),
        )
        profile.denies = any(s.effect is not Effect.ALLOW for _, s, _ in statements)
        profile.key = tuple(key)
        if None not in constants:
            profile.static = tuple(constants)
        self.profiles[entity.arn] = profile
        return profile

    def may_hold_assume(self, account: Account, entity: User | Role) -> bool:
        """``False`` when the entity's profile is surely empty: no statement of its own policies covers
        sts:AssumeRole, none is missing, and it has no boundary and no group (the quick test :meth:`index_of` makes
        on every principal before building a profile).
        """
        if entity.permissions_boundary_arn or (isinstance(entity, User) and entity.group_names):
            return True
        relevant = self.relevant
        for item in entity.inline_policies:
            if (relevant.get(id(item.document)) or self._relevant(item.document))[1]:
                return True
        by_arn = account.policies_by_arn
        for policy_arn in entity.managed_policy_arns:
            managed = by_arn.get(policy_arn)
            if managed is None or (relevant.get(id(managed.document)) or self._relevant(managed.document))[1]:
                return True
        return False

    def relevant_statements(self, document: PolicyDocument) -> tuple[tuple[Statement, ...], bool]:
        """The document's statements whose Action/NotAction covers sts:AssumeRole, and whether it has variables."""
        found = self.relevant.get(id(document))
        if found is None:
            found = self._relevant(document)
        return found[1], found[2]

    def _relevant(self, document: PolicyDocument) -> tuple[PolicyDocument, tuple[Statement, ...], bool]:
        covers = self.action_cover
        kept: list[Statement] = []
        for statement in document.statements:
            # action_matches(statement, ASSUME_ROLE), one dictionary look-up per pattern (accounts reuse a few).
            patterns = statement.actions
            if patterns is None:
                patterns = statement.not_actions
                if patterns is None:
                    continue
                negated = True
            else:
                negated = False
            try:
                cover = any(map(covers.__getitem__, patterns))
            except KeyError:
                for pattern in patterns:
                    if pattern not in covers:
                        covers[pattern] = action_pattern_matches(pattern, ASSUME_ROLE)
                cover = any(map(covers.__getitem__, patterns))
            if cover is not negated:
                kept.append(statement)
        # The document is kept with its statements: its id stays its own for the whole build.
        found = (document, tuple(kept), uses_variables(document)) if kept else (document, (), False)
        self.relevant[id(document)] = found
        return found

    def assume_statements(
        self, account: Account, entity: User | Role
    ) -> tuple[list[tuple[str, Statement, bool]], list[str]]:
        """``(source, statement, variables)`` of the entity's identity policies (and its groups') that cover
        sts:AssumeRole, in :func:`~iamviz.analysis.identity._collect`'s order and wording, and the managed policy
        ARNs the snapshot lacks.
        """
        statements: list[tuple[str, Statement, bool]] = []
        missing: list[str] = []
        relevant = self.relevant
        by_arn = account.policies_by_arn
        owner = None
        for item in entity.inline_policies:
            found = relevant.get(id(item.document)) or self._relevant(item.document)
            if found[1]:
                if owner is None:
                    owner = f"user {entity.name}" if isinstance(entity, User) else f"role {entity.name}"
                source = f"inline policy {item.name!r} of {owner}"
                statements.extend([(source, s, found[2]) for s in found[1]])
        for policy_arn in entity.managed_policy_arns:
            managed = by_arn.get(policy_arn)
            if managed is None:
                missing.append(policy_arn)
                continue
            found = relevant.get(id(managed.document)) or self._relevant(managed.document)
            if found[1]:
                source = f"managed policy {managed.name}"
                statements.extend([(source, s, found[2]) for s in found[1]])
        if isinstance(entity, User):
            for group_name in entity.group_names:
                held = self.group_statements.get((account.account_id, group_name))
                if held is None:
                    held = ([], [])
                    group = account.groups_by_name.get(group_name)
                    if group is not None:
                        holder = f"group {group.name}"
                        self._add_held(account, group.inline_policies, group.managed_policy_arns, holder, *held)
                    self.group_statements[(account.account_id, group_name)] = held
                statements.extend(held[0])
                missing.extend(held[1])
        return statements, missing

    def _add_held(
        self,
        account: Account,
        inline: Iterable,
        managed: Iterable[str],
        holder: str,
        statements: list[tuple[str, Statement, bool]],
        missing: list[str],
    ) -> None:
        """A group's statements covering sts:AssumeRole (see :meth:`assume_statements`), worded as held via it."""
        for item in inline:
            relevant, variables = self.relevant_statements(item.document)
            if relevant:
                source = f"inline policy {item.name!r} of {holder}"
                statements.extend((source, s, variables) for s in relevant)
        for policy_arn in managed:
            managed_policy = account.policies_by_arn.get(policy_arn)
            if managed_policy is None:
                missing.append(policy_arn)
                continue
            relevant, variables = self.relevant_statements(managed_policy.document)
            if relevant:
                source = f"managed policy {managed_policy.name} (via {holder})"
                statements.extend((source, s, variables) for s in relevant)

    def index_of(self, account: Account) -> _AccountIndex:
        """The account's principals whose own policies could allow sts:AssumeRole, indexed by Resource pattern."""
        index = self.indexes.get(account.account_id)
        if index is not None:
            return index
        index = _AccountIndex()
        classes: dict[tuple, _ShareClass] = {}
        profiles = self.profiles
        nothing = self.no_profile
        for entity in (*account.users, *account.roles):
            profile = profiles.get(entity.arn)
            if profile is None:
                if not self.may_hold_assume(account, entity):
                    profiles[entity.arn] = nothing
                    continue
                profile = self.profile_of(account, entity)
            if profile is nothing:
                continue
            allows = [(s, v) for _, s, v in profile.statements if s.effect is Effect.ALLOW]
            if not allows and not profile.missing:
                continue
            position = len(index.candidates)
            index.candidates.append(entity)
            index.sources.append(entity.arn)
            key = _share_key(profile)
            if key is None:
                index.shares.append(_ShareClass(None, profile))
            else:
                key = ("user" if isinstance(entity, User) else "role", *key)
                share = classes.get(key)
                if share is None:
                    share = classes[key] = _ShareClass(key, profile)
                index.shares.append(share)
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
        for pattern, members in index.by_pattern.items():
            if "*" in pattern or "?" in pattern:
                index.wild.append((arn_matcher(pattern), members))
            else:
                index.exact[pattern] = members  # ArnLike without wildcards: the very ARN
        index.always_sorted = sorted(index.always)
        tested: dict[int, Callable[[str], bool | None]] = {}
        for share in {id(index.shares[p]): index.shares[p] for p in index.always_sorted}.values():
            for arn in share.exact:
                index.naming.setdefault(arn, []).append(share)
            tested.update(share.tested)
        index.tested = list(tested.values())
        self.indexes[account.account_id] = index
        return index

    def candidate_positions(self, index: _AccountIndex, role: Role) -> list[int]:
        """The positions of the principals whose Allow statements may cover ``role``, in account order."""
        extra: set[int] = set()
        found = index.exact.get(role.arn)
        if found:
            extra |= found
        for matches, members in index.wild:
            if matches(role.arn):
                extra |= members
        if not extra:
            return index.always_sorted
        return sorted(index.always | extra)

    def candidates_for(self, account: Account, role: Role) -> list[User | Role]:
        """The principals of ``account`` whose Allow statements may cover ``role``, in account order."""
        index = self.index_of(account)
        return [index.candidates[i] for i in self.candidate_positions(index, role)]

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
            allow = _judge_allow(statement.conditions, context, fixed, variables, self.verdicts)
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

    def caller_side(
        self,
        caller: Caller,
        form: MatchForm,
        role: Role,
        role_account: str,
        share: tuple[int, _ShareClass, tuple] | None = None,
    ) -> tuple[_Judgement, bool]:
        """Judge the caller's own side; the flag says its policies are not in the snapshot.

        ``share`` is ``(id, class, key)``: the caller's share class cut down to its statements that cover the role
        (see :meth:`expand_account`). The judgement is a function of the key alone, so it is made once for every
        role, from those statements only (the others would be skipped as not covering the role).
        """
        if caller.kind not in (CallerKind.USER, CallerKind.ROLE, CallerKind.ROLE_SESSION):
            return _NOTHING_NEEDED, False
        same_account = caller.account_id == role_account
        need_allow = not same_account or form is MatchForm.ACCOUNT
        if caller.account is None or not isinstance(caller.entity, (User, Role)):
            if need_allow:
                return _Judgement(reasons=[f"the caller's account {caller.account_id} is not loaded"]), True
            return _NOTHING_NEEDED, False
        profile = self.profile_of(caller.account, caller.entity)
        if not need_allow and profile.boundary is None and not profile.denies:
            return _NOTHING_NEEDED, False  # only a Deny or the boundary could stop it, and there are none
        boundary_counts = need_allow or form in (MatchForm.DIRECT_USER, MatchForm.ROLE_ARN, MatchForm.ANYONE)
        if share is not None:
            rid, klass, cut = share
            key = ("share", rid, need_allow, boundary_counts)
            cached = self.side_cache.get(key)
            if cached is None:
                _, identity, boundary, boundary_missing = cut
                covering = _Profile(
                    [klass.entries[entry] for entry in identity],
                    None if boundary is None else [klass.entries[entry] for entry in boundary],
                    boundary_missing,
                    [],
                )
                cached = self.side_cache[key] = self._judge_side(covering, caller, role, need_allow, boundary_counts)
            return cached, False
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
        if not self.is_independent(statement):
            return _judge_allow(statement.conditions, context, fixed, variables, self.verdicts)
        # Conditions that look at nothing of the caller's judge alike for every statement that holds them.
        key = (self.conditions_id(statement), variables, None if caller is None else caller.kind)
        cached = self.grant_cache.get(key)
        if cached is None:
            cached = _judge_allow(statement.conditions, context, fixed, variables, self.verdicts)
            self.grant_cache[key] = cached
        return cached

    def add_can_assume(
        self,
        source: str,
        caller: Caller | None,
        form: MatchForm,
        common: dict,
        via_account_root: bool = False,
        extra_reasons: tuple[str, ...] = (),
        force: DecisionKind | None = None,
    ) -> bool:
        """Add the edge from ``source`` to the role if the statement grants it to ``caller``; say whether.

        ``common`` holds the role, its account, the trust statement, the action, the trust's Deny statements, and
        what :meth:`add_principal_edges` derives from them (the policy version, the edge key, the statement shape).

        For a caller that is not an IAM user or role (service, federated, account, anyone) and a trust without a
        Deny, the edge depends on the statement only through its index, Sid, conditions and action, on the role only
        through its policy version, and on the caller only through its context (its own side is empty): its values
        are worked out once per such combination and copied.
        """
        values = self.can_assume_values(caller, form, common, via_account_root, extra_reasons, force)
        if values is None:
            return False
        target = common["role"].arn
        self.store.put(source, target, common["key"], _new_edge(source, target, *values))
        return True

    def can_assume_values(
        self,
        caller: Caller | None,
        form: MatchForm,
        common: dict,
        via_account_root: bool = False,
        extra_reasons: tuple[str, ...] = (),
        force: DecisionKind | None = None,
    ) -> tuple | None:
        """The values of the edge :meth:`add_can_assume` adds (see :func:`_edge_values`), or ``None``: no edge."""
        if common["denies"] or (caller is not None and caller.kind in _IAM_CALLERS):
            return self.edge_values(caller, form, common, via_account_root, extra_reasons, force)
        context = self.context_and_authority(caller)[0]
        memo = (common["shape"], id(context), force, via_account_root)
        values = self.plain.get(memo, _MISSING)
        if values is _MISSING:
            values = self.plain[memo] = self.edge_values(caller, form, common, via_account_root, (), force)
        if values is not None and extra_reasons:  # they follow the trust's own reasons (no caller side here)
            values = (*values[:_REASONS], (*values[_REASONS], *extra_reasons), *values[_REASONS + 1 :])
        return values

    def edge_values(
        self,
        caller: Caller | None,
        form: MatchForm,
        common: dict,
        via_account_root: bool = False,
        extra_reasons: tuple[str, ...] = (),
        force: DecisionKind | None = None,
        share: tuple[int, _ShareClass, tuple] | None = None,
    ) -> tuple | None:
        """The values (see :func:`_edge_values`) of the edge to the role if the statement grants it to ``caller``,
        else ``None``.
        """
        statement: Statement = common["statement"]
        denies: list[Statement] = common["denies"]
        action: str = common["action"]
        variables: bool = common["variables"]
        if statement.conditions or denies:
            context, fixed = self.context_and_authority(caller)
            grant = self.judge_grant(statement, caller, context, fixed, variables)
        else:
            grant = _NO_CONDITIONS
        if not grant.applies:
            return None
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
                return None  # an explicit Deny that always applies
            else:
                requirements.extend(r for r in judged.requirements if r not in requirements)
                reasons.append(
                    f"trust policy {deny.label} denies unless the caller brings {', '.join(judged.requirements)}"
                )
        needs_policy = False
        if caller is not None:
            side, needs_policy = self.caller_side(
                caller, form, common["role"], common["role_account"].account_id, share
            )
            if not side.applies:
                return None
            unknown = unknown or side.unknown
            if side.requirements:
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
        values = (
            EdgeKind.CAN_ASSUME,
            action,
            kind,
            tuple(requirements),
            statement.index,
            statement.sid,
            tuple(reasons),
            via_account_root,
        )
        return values if _IN_FIELD_ORDER else _in_field_order(values)

    def add_role_edges(self, account: Account, role: Role) -> None:
        statements = role.trust_policy.statements
        # A policy of one statement has no Deny besides it (and an Allow is not one).
        denies = [s for s in statements if s.effect is Effect.DENY] if len(statements) > 1 else _NO_DENIES
        for statement in statements:
            if statement.effect is not Effect.ALLOW or not statement.principals:
                continue
            for principal in statement.principals:
                action = _fitting_action(principal)
                if action is None:
                    continue
                shape = (statement.actions, statement.not_actions, action)
                fits = self.trust_actions.get(shape)
                if fits is None:
                    fits = self.trust_actions[shape] = action_matches(statement, action)
                if not fits:
                    continue
                self.add_principal_edges(account, role, statement, principal, action, denies)

    def add_principal_edges(
        self, account: Account, role: Role, statement: Statement, principal: Principal, action: str, denies
    ) -> None:
        variables = uses_variables(role.trust_policy)
        key = self.edge_keys.get((action, statement.index))
        if key is None:
            key = self.edge_keys[(action, statement.index)] = f"{EdgeKind.CAN_ASSUME}|{action}|{statement.index}"
        common = {
            "role": role,
            "role_account": account,
            "statement": statement,
            "action": action,
            "denies": denies,
            "variables": variables,
            "key": key,
            # What an edge from a caller without a caller side depends on, besides the caller's context.
            "shape": (statement.index, statement.sid, self.conditions_id(statement), action, variables),
        }
        kind = principal.kind
        value = principal.value
        if kind is PrincipalKind.ANYONE:
            self.ensure_node(Node(id=ANYONE_ID, kind=NodeKind.ANYONE, label="anyone"))
            self.add_can_assume(ANYONE_ID, None, MatchForm.ANYONE, common)
        elif kind is PrincipalKind.SERVICE:
            found = self.services.get(value)
            if found is None:
                node_id = self.ensure_node(Node(id=f"service:{value}", kind=NodeKind.SERVICE, label=value))
                found = self.services[value] = (node_id, Caller(kind=CallerKind.SERVICE, text=value, name=value))
            node_id, caller = found
            self.add_can_assume(node_id, caller, MatchForm.NON_IAM, common)
        elif kind is PrincipalKind.FEDERATED:
            self.add_federated(value, common)
        elif kind is PrincipalKind.AWS:
            self.add_aws(value, account, common)

    def add_federated(self, value: str, common: dict) -> None:
        found = self.federated.get(value, _MISSING)
        if found is _MISSING:
            found = self.federated[value] = self.federated_caller(value)
        if found is not None:
            self.add_can_assume(found[0], found[1], MatchForm.NON_IAM, common)

    def federated_caller(self, value: str) -> tuple[str, Caller] | None:
        """The node (added) and caller of a federated principal, or ``None`` when it names none."""
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
            return None
        self.ensure_node(node)
        return node.id, caller

    def add_aws(self, value: str, account: Account, common: dict) -> None:
        route = self.aws_routes.get(value)
        if route is None:
            route = self.aws_routes[value] = self.aws_route(value)
        kind, target = route
        if kind is _PRINCIPAL:
            self.add_can_assume(target[0], target[1], target[2], common)
        elif kind is _ACCOUNT:
            self.add_account_root(target, common)
        elif kind is _DELETED:
            node_id = self.ensure_node(Node(id=f"deleted:{value}", kind=NodeKind.DELETED, label=value))
            reason = (
                f"{value} is the unique ID of a deleted user or role: it matches nobody until the trust policy "
                "is edited ([PRIN])"
            )
            self.add_can_assume(
                node_id,
                None,
                MatchForm.DIRECT_USER,
                _no_denies(common),
                extra_reasons=(reason,),
                force=DecisionKind.UNKNOWN,
            )

    def owner_of_unique_id(self, unique_id: str) -> tuple[Account, User | Role] | None:
        """The first loaded account (in snapshot order) with a user or role of this unique ID, and that principal."""
        for account in self.snapshot.accounts:
            entity = account.principals_by_unique_id.get(unique_id)
            if entity is not None:
                return account, entity
        return None

    def aws_route(self, value: str) -> tuple[object, object]:
        """What an ``AWS`` principal value names, worked out once per value: ``(_PRINCIPAL, (source, caller,
        form))``, ``(_ACCOUNT, account_id)``, ``(_DELETED, None)`` or ``(None, None)`` (nothing a trust can name).
        """
        if looks_like_unique_id(value):
            found = self.owner_of_unique_id(value)
            if found is None:
                return _DELETED, None
            owner, entity = found
            form = MatchForm.DIRECT_USER if isinstance(entity, User) else MatchForm.ROLE_ARN
            return _PRINCIPAL, (entity.arn, self.caller_of(owner, entity), form)
        account_id = value if is_account_id(value) else None
        arn = Arn.try_parse(value)
        if account_id is None and arn is not None and arn.is_account_root:
            account_id = arn.account
        if account_id is not None:
            return _ACCOUNT, account_id
        if arn is None or "*" in value or "?" in value:
            return None, None  # not a principal: wildcards cannot match part of a principal ARN ([PRIN])
        named = self.named_principal(arn, value)
        return (None, None) if named is None else (_PRINCIPAL, named)

    def add_account_root(self, account_id: str, common: dict) -> None:
        found = self.account_callers.get(account_id)
        if found is None:
            root = account_root(account_id)
            pseudo = Caller(kind=CallerKind.ROOT, text=root, name="root", arn=root, account_id=account_id)
            found = self.account_callers[account_id] = (root, pseudo)
        root, pseudo = found
        loaded = self.snapshot.account(account_id)
        if loaded is None:
            self.ensure_node(Node(id=root, kind=NodeKind.EXTERNAL_ACCOUNT, label=account_id, account_id=account_id))
            reason = f"account {account_id} is not loaded: its principals also need their own policies to allow it"
            values = self.can_assume_values(pseudo, MatchForm.ACCOUNT, common, True, (reason,))
            if values is not None:
                if values[_DECISION] is not DecisionKind.UNKNOWN:  # its principals' own policies are not known
                    values = (*values[:_DECISION], DecisionKind.NEEDS_CALLER_POLICY, *values[_DECISION + 1 :])
                target = common["role"].arn
                self.store.put(root, target, common["key"], _edge_from(values, root, target))
            return
        role: Role = common["role"]
        expanded = self.expand_account(loaded, common)
        reason = (
            f"the trust names account {account_id}: its users and roles may assume {role.name} when their own "
            f"policies allow it ({expanded} drawn)"
        )
        self.add_can_assume(root, pseudo, MatchForm.ACCOUNT, common, via_account_root=True, extra_reasons=(reason,))

    def expand_account(self, account: Account, common: dict) -> int:
        """Add the :class:`AccountGrant` of an account-root trust to the principals of ``account``; return how many
        principals it holds.

        Principals whose statements that cover the role are the same (same share class, see
        :class:`_AccountIndex`, cut down by :meth:`_ShareClass.covering`) get the same judgement: the first is
        judged, the others share its values with their own source. Members come in account order: the same
        edges, in the same order, as judging every principal; roles alike share one members tuple (a :class:`_Row`).
        A trust statement whose judgement depends on who the caller is (a condition on a principal key, a Deny in
        the trust) judges every principal.
        """
        index = self.index_of(account)
        role: Role = common["role"]
        role_account_id = common["role_account"].account_id
        positions = self.candidate_positions(index, role)
        candidates = index.candidates
        role_arn = role.arn
        key = common["key"]
        root = account_root(account.account_id)
        if not self.share or common["denies"] or not self.is_independent(common["statement"]):
            members = []
            for position in positions:
                entity = candidates[position]
                caller = self.caller_of(account, entity)
                values = self.can_assume_values(caller, MatchForm.ACCOUNT, common, via_account_root=True)
                if values is not None:
                    members.append((entity.arn, values))
            self.graph.add_grant(AccountGrant(root=root, target=role_arn, key=key, members=tuple(members)))
            return len(members)
        statement: Statement = common["statement"]
        # What the judgement depends on besides the principal's share: trust statements of other roles with the
        # same conditions, index and Sid judge alike (its principals and actions took part in choosing it, not in
        # judging it), so their edges differ only in source and target.
        shape = (
            statement.index,
            statement.sid,
            self.conditions_id(statement),
            common["action"],
            uses_variables(role.trust_policy),
            account.account_id,
            role_account_id,
        )
        shape_id = self.shapes.get(shape)
        if shape_id is None:
            shape_id = self.shapes[shape] = len(self.shapes)
        # Which statements cover a role depends on the statements with wildcards (or NotResource) that match it
        # and on those naming it by ARN: roles alike in the first share one row of (source, values) per
        # statement shape, made once; only the classes that name this role (or are classes of one) differ.
        matched = tuple([match(role_arn) for match in index.tested])
        row = self.rows.get((shape_id, matched))
        if row is None:
            row = self.rows[(shape_id, matched)] = self.make_row(index, account, shape_id, common)
        naming = index.naming.get(role_arn)
        if positions is index.always_sorted and not naming and not row.pending:
            rows: tuple[tuple[str, tuple], ...] = row.edges
        else:
            affected = row.pending.union(naming or ())
            base = row.values
            always = index.always
            shares = index.shares
            sources = index.sources
            by_share: dict[_ShareClass, tuple | None] = {}  # the edge's values for each share class, or no edge
            found = []
            for position in positions:
                share = shares[position]
                if share in affected or position not in always:
                    values = by_share.get(share, _MISSING)
                    if values is _MISSING:
                        values = by_share[share] = self.share_values(share, position, account, shape_id, common)
                else:
                    values = base[position]
                if values is not None:
                    found.append((sources[position], values))
            rows = tuple(found)
        self.graph.add_grant(AccountGrant(root=root, target=role_arn, key=key, members=rows))
        return len(rows)

    def make_row(self, index: _AccountIndex, account: Account, shape_id: int, common: dict) -> _Row:
        """The row of ``always`` for the current role's statement shape and wildcard matches (see :class:`_Row`)."""
        role_arn = common["role"].arn
        pending = {share for position in index.always_sorted if (share := index.shares[position]).key is None}
        pending.update(index.naming.get(role_arn, ()))
        values: list[tuple | None] = [None] * len(index.candidates)
        edges: list[tuple[str, tuple]] = []
        by_share: dict[_ShareClass, tuple | None] = {}
        for position in index.always_sorted:
            share = index.shares[position]
            if share in pending:
                continue
            found = by_share.get(share, _MISSING)
            if found is _MISSING:
                found = by_share[share] = self.share_values(share, position, account, shape_id, common)
            values[position] = found
            if found is not None:
                edges.append((index.sources[position], found))
        return _Row(values=values, edges=tuple(edges), pending=frozenset(pending))

    def share_values(self, share: _ShareClass, position: int, account: Account, shape_id: int, common: dict):
        """The values of the edge (see :func:`_edge_values`) that members of ``share`` get, or ``None``: no edge."""
        role_arn = common["role"].arn
        rid = self.reduced_id(share, role_arn)
        values = self.templates.get((shape_id, rid), _MISSING)
        if values is not _MISSING:
            return values
        entity = self.indexes[account.account_id].candidates[position]
        values = self.edge_values(
            self.caller_of(account, entity),
            MatchForm.ACCOUNT,
            common,
            via_account_root=True,
            share=None if share.key is None else (rid, share, share.covering(role_arn)),
        )
        if share.key is not None:  # a class of one is judged as itself, for this role only
            self.templates[(shape_id, rid)] = values
        return values

    def reduced_id(self, share: _ShareClass, role_arn: str) -> int:
        """A small id for ``share`` cut down to ``role_arn`` (a class of one gets its own id)."""
        if share.base is not None and role_arn not in share.exact:
            if share.base_id is None:
                share.base_id = self.intern(share.base)
            return share.base_id
        key = share.covering(role_arn)
        return self.intern(("class of one", id(share)) if key is None else key)

    def intern(self, key: tuple) -> int:
        found = self.reduced_ids.get(key)
        if found is None:
            found = self.reduced_ids[key] = len(self.reduced_ids)
        return found

    def is_independent(self, statement: Statement) -> bool:
        """Whether the trust statement's judgement depends on the caller only through its kind (user or role)."""
        if not statement.conditions:
            return True
        conditions = self.conditions_id(statement)
        independent = self.independent.get(conditions)
        if independent is None:
            independent = self.independent[conditions] = self.caller_independent(statement)
        return independent

    def caller_independent(self, statement: Statement) -> bool:
        """Whether no condition of the statement looks at the caller's identity (keys or policy variables).

        Whether a key is one the caller's identity or the calling service supplies is looked up once per key.
        """
        looks = self.key_looks
        for condition in statement.conditions:
            at_caller = looks.get(condition.key)
            if at_caller is None:
                at_caller = looks[condition.key] = (
                    condition.key in PRINCIPAL_DERIVED_KEYS or condition.key in SERVICE_SUPPLIED_KEYS
                )
            if at_caller or any("${" in v for v in condition.values):
                return False
        return True

    def conditions_id(self, statement: Statement) -> int:
        """A small id for the statement's conditions, the same for equal conditions (hashed once per statement)."""
        conditions = statement.conditions
        found = self.conditions_ids.get(id(conditions))
        if found is None:
            number = self.condition_sets.setdefault(conditions, len(self.condition_sets))
            found = self.conditions_ids[id(conditions)] = (conditions, number)  # the tuple kept: its id stays its
        return found[1]

    def named_principal(self, arn: Arn, value: str) -> tuple[str, Caller, MatchForm] | None:
        """The source node (added when not loaded), caller and form of a principal named by ARN, or ``None``."""
        kind_key = (arn.service, arn.resource_type)
        if kind_key not in (("iam", "user"), ("iam", "role"), ("sts", "assumed-role")):
            return None  # federated-user sessions cannot call AssumeRole; other ARNs are not trust principals
        loaded = self.snapshot.account(arn.account)
        if loaded is not None and kind_key != ("sts", "assumed-role"):
            entity = loaded.users_by_arn.get(value) if kind_key[1] == "user" else loaded.roles_by_arn.get(value)
            if entity is not None:
                form = MatchForm.DIRECT_USER if isinstance(entity, User) else MatchForm.ROLE_ARN
                return entity.arn, self.caller_of(loaded, entity), form
        try:
            caller = _caller_from_arn(self.snapshot, value)
        except ValueError:
            return None
        label = f"{arn.resource_name}/{arn.session_name}" if arn.session_name else arn.resource_name
        node_id = self.ensure_node(
            Node(id=value, kind=NodeKind.EXTERNAL_PRINCIPAL, label=label, account_id=arn.account, arn=value)
        )
        form = {"user": MatchForm.DIRECT_USER, "role": MatchForm.ROLE_ARN}.get(arn.resource_type, MatchForm.SESSION_ARN)
        return node_id, caller, form

    def build(self) -> TrustGraph:
        for account in self.snapshot.accounts:
            self.add_account_nodes(account)
        for account in self.snapshot.accounts:
            for role in account.roles:
                self.add_role_edges(account, role)
        self.store.finish()
        return self.graph


_MISSING = object()
_NO_DENIES: list[Statement] = []  # shared: never changed
_PRINCIPAL, _ACCOUNT, _DELETED = object(), object(), object()  # what an AWS principal value names
_IAM_CALLERS = frozenset({CallerKind.USER, CallerKind.ROLE, CallerKind.ROLE_SESSION})  # those with a caller side
_NO_CONDITIONS = _Judgement()
_NOTHING_NEEDED = _Judgement()  # a caller side that adds nothing (shared: never changed)
_EMPTY_CONTEXT = RequestContext.of({})
_NOTHING_FIXED = _authority(None)
_NO_ALLOW = _Judgement(applies=False, reasons=["no policy of the caller allows sts:AssumeRole on the role"])


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
    matchers = [arn_matcher(p) for p in patterns if p != "*"]
    everything = "*" in patterns
    if statement.resources is not None:
        return lambda arn: any(match(arn) for match in matchers)
    return lambda arn: not everything and not any(match(arn) for match in matchers)


def _names_anyone(statement: Statement) -> bool:
    return bool(statement.principals) and any(p.kind is PrincipalKind.ANYONE for p in statement.principals)


def _no_denies(common: dict) -> dict:
    return {**common, "denies": []}


def _share_key(profile: _Profile) -> tuple | None:
    """What a principal's judgement depends on (with its kind, its share class key; see :class:`_AccountIndex`).

    With no condition and no policy variable in its relevant statements, a principal's judgement depends only on
    those statements (by identity), their sources as worded in reasons, and its boundary's. Otherwise, or when a
    managed policy is missing (the reason names the principal), ``None``: it is a class of its own.
    """
    everything = [*profile.statements, *(profile.boundary or ())]
    if profile.missing or any(s.conditions or (v and _has_variable(s)) for _, s, v in everything):
        return None
    boundary = None if profile.boundary is None else tuple((src, id(s), v) for src, s, v in profile.boundary)
    return (tuple((src, id(s), v) for src, s, v in profile.statements), boundary, profile.boundary_missing)


def _has_variable(statement: Statement) -> bool:
    patterns = statement.resources if statement.resources is not None else statement.not_resources
    return any("${" in p for p in patterns or ())


_EDGE_FIELDS = tuple(f.name for f in dataclasses.fields(TrustEdge))
_OTHER_FIELDS = tuple(name for name in _EDGE_FIELDS if name not in ("source", "target"))
_REASONS = _OTHER_FIELDS.index("reasons")
_DECISION = _OTHER_FIELDS.index("decision")
# The order in which :meth:`_Builder.edge_values` lists a CAN_ASSUME edge's values.
_VALUE_ORDER = (
    "kind",
    "action",
    "decision",
    "requirements",
    "statement_index",
    "statement_sid",
    "reasons",
    "via_account_root",
)
_IN_FIELD_ORDER = _OTHER_FIELDS == _VALUE_ORDER


def _in_field_order(values: tuple) -> tuple:
    """``values`` (in ``_VALUE_ORDER``) in TrustEdge's field order, other fields at their defaults."""
    given = dict(zip(_VALUE_ORDER, values, strict=True))
    defaults = {f.name: f.default for f in dataclasses.fields(TrustEdge)}
    return tuple(given[name] if name in given else defaults[name] for name in _OTHER_FIELDS)


def _edge_values(edge: TrustEdge) -> tuple:
    """The edge's field values but its source and target, in field order: what :func:`_edge_from` copies."""
    return tuple(getattr(edge, name) for name in _OTHER_FIELDS)


#: ``TrustEdge(...)`` and ``Node(...)`` in field order, without the keyword ``__init__`` (hundreds of thousands of
#: edges at 20,000 roles); see :func:`iamviz.model.fast.fast_constructor`.
_new_edge = fast_constructor(TrustEdge)
_node_from = fast_constructor(Node)


def _edge_from(values: tuple, source: str, target: str) -> TrustEdge:
    """A TrustEdge from ``source`` to ``target`` with ``values`` (in the order :func:`_edge_values` gives)."""
    return _new_edge(source, target, *values)


# A MEMBER_OF edge's values: every field but its kind at its default.
_MEMBER_VALUES = _edge_values(TrustEdge(source="", target="", kind=EdgeKind.MEMBER_OF))


_DICT_FACTORIES = (
    "node_dict_factory",
    "node_attr_dict_factory",
    "adjlist_outer_dict_factory",
    "adjlist_inner_dict_factory",
    "edge_key_dict_factory",
    "edge_attr_dict_factory",
)


class _EdgeStore:
    """Adds edges to a ``MultiDiGraph`` exactly as ``add_edge(source, target, key=key, edge=edge)`` would.

    networkx's ``add_edge`` (and ``add_edges_from``, which calls it per edge) costs several microseconds an edge;
    a plain ``MultiDiGraph`` keeps its edges as ``succ[u][v][key] = data``, with ``pred[v][u]`` the same key dict,
    which is filled here directly: the same graph, in the same order. A graph of another class or with other
    storage factories goes through ``add_edge``.
    """

    __slots__ = ("graph", "nodes", "pred", "succ")

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        direct = type(graph) is nx.MultiDiGraph and all(getattr(graph, name, None) is dict for name in _DICT_FACTORIES)
        internals = [getattr(graph, name, None) for name in ("_succ", "_pred", "_node")]
        if not direct or any(not isinstance(part, dict) for part in internals):
            internals = [None, None, None]
        self.succ, self.pred, self.nodes = internals

    def put(self, source: str, target: str, key: str, edge: TrustEdge) -> None:
        succ = self.succ
        if succ is None:
            self.graph.add_edge(source, target, key=key, edge=edge)
            return
        out = succ.get(source)
        if out is None:
            self._add_node(source)
            out = succ[source]
        if target not in succ:
            self._add_node(target)
        keys = out.get(target)
        if keys is None:
            keys = out[target] = self.pred[target][source] = {}
        data = keys.get(key)
        if data is None:
            keys[key] = {"edge": edge}
        else:
            data["edge"] = edge

    def _add_node(self, node: str) -> None:
        self.succ[node] = {}
        self.pred[node] = {}
        self.nodes[node] = {}

    def add_nodes(self, nodes: Iterable[Node]) -> None:
        """:meth:`add_node` each of ``nodes``, in order."""
        if self.succ is None:
            for node in nodes:
                self.add_node(node)
            return
        succ, pred, known = self.succ, self.pred, self.nodes
        for node in nodes:
            node_id = node.id
            data = known.get(node_id)
            if data is None:
                succ[node_id] = {}
                pred[node_id] = {}
                known[node_id] = {"node": node}
            else:
                data["node"] = node

    def add_node(self, node: Node) -> None:
        """Add ``node`` as ``TrustGraph.add_node`` does (or replace the one with its id)."""
        if self.succ is None:
            self.graph.add_node(node.id, node=node)
            return
        data = self.nodes.get(node.id)
        if data is None:
            self.succ[node.id] = {}
            self.pred[node.id] = {}
            self.nodes[node.id] = {"node": node}
        else:
            data["node"] = node

    def finish(self) -> None:
        """Drop what networkx may have cached about the graph (as ``add_edge`` does after each edge)."""
        clear = getattr(nx, "_clear_cache", None)
        if clear is not None and self.succ is not None:
            clear(self.graph)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the graph is built, and restore it after.

    Building a large graph allocates hundreds of thousands of edges and dicts that all stay alive; each of them
    counts towards the collector's thresholds, whose full collections then walk the whole heap (the snapshot
    included) over and over: about 40 % of the build time of a 5,000-role account, for no garbage. Reference
    counting still frees everything as usual.

    When the build ends without an exception, what it left alive (the graph: its nodes, edges and networkx dicts)
    goes straight to the oldest generation, as the loader does with the snapshot
    (:func:`iamviz.loading._files.collector_paused`): the first allocation after the collector is back would
    otherwise walk every one of them in a young collection (about a tenth of a 5,000-role build), and a
    middle-generation collection would walk them again, only to find them alive. Full collections still walk them,
    so a cycle among them is still collected (``gc.freeze()`` then ``gc.unfreeze()``; skipped when something else
    has frozen objects, which the unfreeze would thaw).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if was_enabled and not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
    finally:
        if was_enabled:
            gc.enable()


def build_trust_graph(snapshot: Snapshot) -> TrustGraph:
    """The trust graph of ``snapshot`` (see the module docstring); ``graph.snapshot`` is ``snapshot``."""
    with _collector_paused():
        return _Builder(snapshot).build()
