"""Findings: risky role trusts, each a plain check function registered in :data:`CHECKS`.

Each check reads the roles' parsed trust statements (and, for chains, the trust graph) and yields
:class:`Finding` values that name the role, the statement (index and Sid) and the principal. What a code means,
how bad it is and how to fix it lives in the data catalogue :mod:`iamviz.analysis.catalogue`.

Conditions are read for what they *guarantee*: a condition narrows who can assume a role only when it requires the
key to be present with a specific value. Negated operators (``StringNotEquals``), ``...IfExists`` forms,
``ForAllValues:`` (true when the key is absent) and values that are only wildcards narrow nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from iamviz.analysis.catalogue import CATALOGUE, CatalogueEntry, Severity
from iamviz.analysis.chains import DEFAULT_MAX_HOPS, Chain, chain_searcher, short_name
from iamviz.analysis.identity import action_matches
from iamviz.analysis.permissions import PermissionSummary, may_be_admin, summarize_permissions
from iamviz.model import Account, Condition, OidcProvider, PrincipalKind, Role, Snapshot, Statement
from iamviz.model.graph import NodeKind, TrustGraph
from iamviz.model.policy import Effect, Principal
from iamviz.model.wildcard import wildcard_match

ASSUME_ROLE = "sts:AssumeRole"
ASSUME_ROLE_WITH_SAML = "sts:AssumeRoleWithSAML"
ASSUME_ROLE_WITH_WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
ASSUME_ACTIONS = (ASSUME_ROLE, ASSUME_ROLE_WITH_SAML, ASSUME_ROLE_WITH_WEB_IDENTITY)

COGNITO = "cognito-identity.amazonaws.com"
_CHAIN_SCAN_LIMIT = 500  # chains examined per administrator role (shortest first)

# Service principals that pass aws:SourceArn / aws:SourceAccount when they assume a role, so a trust can require
# them (each service's "Cross-service confused deputy prevention" page). Services left out (EC2, Glue, Backup,
# API Gateway, ...) do not populate them for role assumption, and requiring them would break the role.
SOURCE_CONDITION_SERVICES: dict[str, str] = {
    "appsync.amazonaws.com": "https://docs.aws.amazon.com/appsync/latest/devguide/cross-service-confused-deputy-prevention.html",
    "bedrock.amazonaws.com": "https://docs.aws.amazon.com/bedrock/latest/userguide/cross-service-confused-deputy-prevention.html",
    "cloudtrail.amazonaws.com": "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cross-service-confused-deputy-prevention.html",
    "config.amazonaws.com": "https://docs.aws.amazon.com/config/latest/developerguide/cross-service-confused-deputy-prevention.html",
    "datasync.amazonaws.com": "https://docs.aws.amazon.com/datasync/latest/userguide/cross-service-confused-deputy-prevention.html",
    "ecs-tasks.amazonaws.com": "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html",
    "iot.amazonaws.com": "https://docs.aws.amazon.com/iot/latest/developerguide/cross-service-confused-deputy-prevention.html",
    # Lambda: AWS's own execution-role examples require aws:SourceAccount / aws:SourceArn (the function).
    "lambda.amazonaws.com": "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
    "logs.amazonaws.com": "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions-confused-deputy.html",
    "personalize.amazonaws.com": "https://docs.aws.amazon.com/personalize/latest/dg/cross-service-confused-deputy-prevention.html",
    "pipes.amazonaws.com": "https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html",
    "sagemaker.amazonaws.com": "https://docs.aws.amazon.com/sagemaker/latest/dg/security-confused-deputy-prevention.html",
    "scheduler.amazonaws.com": "https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html",
    "ssm.amazonaws.com": "https://docs.aws.amazon.com/systems-manager/latest/userguide/cross-service-confused-deputy-prevention.html",
    "ssm-incidents.amazonaws.com": "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
    "states.amazonaws.com": "https://docs.aws.amazon.com/step-functions/latest/dg/cross-service-confused-deputy-prevention.html",
    "transfer.amazonaws.com": "https://docs.aws.amazon.com/transfer/latest/userguide/confused-deputy.html",
    "vpc-flow-logs.amazonaws.com": "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html",
}
SOURCE_KEYS = ("aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths")

# Keys whose positive conditions pin *who* the caller is (used to grade trusts to "*").
WHO_KEYS = (
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:userid",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
)
# Keys that pin the caller within a trusted account (so an account trust no longer delegates to every identity).
PRINCIPAL_PIN_KEYS = ("aws:principalarn", "aws:userid", "aws:username")
PRINCIPAL_PIN_PREFIXES = ("aws:principaltag/",)

_POSITIVE_BASES = frozenset(
    {
        "stringequals",
        "stringequalsignorecase",
        "stringlike",
        "arnequals",
        "arnlike",
        "bool",
        "ipaddress",
        "numericequals",
        "numericlessthan",
        "numericlessthanequals",
        "numericgreaterthan",
        "numericgreaterthanequals",
        "dateequals",
        "datelessthan",
        "datelessthanequals",
        "dategreaterthan",
        "dategreaterthanequals",
        "binaryequals",
    }
)
_NEGATED_STRING_BASES = frozenset({"stringnotequals", "stringnotlike", "stringnotequalsignorecase"})
_MFA_AGE_BOUNDS = frozenset({"numericlessthan", "numericlessthanequals", "numericequals"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One finding: a catalogue ``code`` raised on a role, a trust statement and a principal.

    ``statement_index`` is 0-based (``None`` when the finding is about the role as a whole); ``principal`` is the
    principal as the trust names it (or the graph node id of a chain's start). ``chain`` holds the node ids of a
    CHAIN_TO_ADMIN path.
    """

    code: str
    severity: Severity
    title: str
    role_arn: str | None
    statement_index: int | None
    principal: str | None
    detail: str
    statement_sid: str | None = None
    account_id: str | None = None
    chain: tuple[str, ...] = ()

    @property
    def entry(self) -> CatalogueEntry:
        """The catalogue entry of this finding's code."""
        return CATALOGUE[self.code]

    @property
    def statement_label(self) -> str | None:
        """``Sid 'X'``, ``statement #N`` (1-based), or ``None``."""
        if self.statement_sid:
            return f"Sid {self.statement_sid!r}"
        return None if self.statement_index is None else f"statement #{self.statement_index + 1}"


@dataclass(kw_only=True)
class FindingContext:
    """What every check receives: the snapshot, its trust graph, the clock and the tunables.

    ``now`` is the moment usage is measured against; ``None`` takes each account's ``captured_at`` (so a snapshot
    judges the same way whenever it is opened), else the current time.
    """

    snapshot: Snapshot
    graph: TrustGraph | None = None
    now: datetime | None = None
    unused_days: int = 90
    large_account_threshold: int = 50
    max_hops: int = DEFAULT_MAX_HOPS
    _summaries: dict[tuple[str, str], PermissionSummary] = field(default_factory=dict, repr=False)
    _trust_allows: list[tuple[Account, Role, Statement]] | None = field(default=None, repr=False)
    _by_policies: dict[tuple, tuple] = field(default_factory=dict, repr=False)  # summaries per set of policies
    _admin_documents: dict[int, tuple] = field(default_factory=dict, repr=False)  # may_be_admin per document
    _clocks: dict[str, datetime] = field(default_factory=dict, repr=False)

    def permissions(self, account: Account, principal_arn: str) -> PermissionSummary:
        """The (cached) permission summary of a principal of ``account``."""
        key = (account.account_id, principal_arn)
        summary = self._summaries.get(key)
        if summary is None:
            summary = summarize_permissions(account, principal_arn, memo=self._by_policies)
            self._summaries[key] = summary
        return summary

    def is_admin(self, account: Account, principal_arn: str) -> bool:
        """Whether the principal is an administrator (summarised only when it could be one)."""
        return (
            may_be_admin(account, principal_arn, memo=self._admin_documents)
            and self.permissions(account, principal_arn).is_admin
        )

    def roles(self) -> Iterator[tuple[Account, Role]]:
        """Every role of every loaded account, in snapshot order."""
        for account in self.snapshot.accounts:
            for role in account.roles:
                yield account, role

    def trust_allows(self) -> Iterator[tuple[Account, Role, Statement]]:
        """Every Allow statement of every trust policy that covers an assume-role action (found once per run)."""
        if self._trust_allows is None:
            self._trust_allows = [
                (account, role, statement)
                for account, role in self.roles()
                for statement in role.trust_policy.statements
                if statement.effect is Effect.ALLOW and covers_any(statement, ASSUME_ACTIONS)
            ]
        yield from self._trust_allows

    def clock(self, account: Account) -> datetime:
        """The "now" usage is measured against for ``account`` (the current time is read once per run)."""
        if self.now is not None:
            return _aware(self.now)
        moment = self._clocks.get(account.account_id)
        if moment is None:
            captured = parse_time(account.captured_at)
            moment = self._clocks[account.account_id] = captured if captured is not None else datetime.now(UTC)
        return moment


Check = Callable[[FindingContext], Iterable[Finding]]


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckSpec:
    """One registered check: its name, the codes it may raise, and the function."""

    name: str
    codes: tuple[str, ...]
    run: Check


# --- condition reading -----------------------------------------------------------------------------------------


covers = action_matches  # whether the statement's Action/NotAction covers an action (case-insensitive, wildcards)


def covers_any(statement: Statement, actions: Iterable[str]) -> bool:
    return any(covers(statement, a) for a in actions)


def is_positive(condition: Condition) -> bool:
    """Whether the condition holds only when its key is present with a listed value (so it guarantees something)."""
    return _positive_operator(condition.operator)


@lru_cache(maxsize=1024)
def _positive_operator(operator: str) -> bool:
    """:func:`is_positive` for a condition operator (remembered: policies repeat a handful)."""
    condition = Condition(operator=operator, key="", values=())
    if condition.if_exists or condition.set_operator == "ForAllValues":
        return False
    return condition.base_operator.lower() in _POSITIVE_BASES


def narrows(condition: Condition) -> bool:
    """A positive condition whose values are not all bare wildcards."""
    return _positive_operator(condition.operator) and any(v.strip("*?") for v in condition.values)


def conditions_on(statement: Statement, *keys: str) -> list[Condition]:
    """The statement's conditions on any of ``keys`` (lower case)."""
    return [c for c in statement.conditions if c.key_lower in keys]


def narrowing_on(statement: Statement, *keys: str, prefixes: tuple[str, ...] = ()) -> list[Condition]:
    """The statement's narrowing conditions on any of ``keys`` or on keys starting with ``prefixes``."""
    return [c for c in statement.conditions if narrows(c) and (c.key_lower in keys or c.key_lower.startswith(prefixes))]


def requires_mfa(statement: Statement) -> bool:
    """Whether the statement admits only callers that used MFA (``Bool aws:MultiFactorAuthPresent true``,
    ``aws:MultiFactorAuthAge`` bounded, or ``Null aws:MultiFactorAuthAge false``); BoolIfExists does not."""
    for c in statement.conditions:
        base = c.base_operator.lower()
        values = {v.lower() for v in c.values}
        if c.key_lower == "aws:multifactorauthpresent" and base == "bool" and not c.if_exists and values == {"true"}:
            return True
        if c.key_lower == "aws:multifactorauthage" and not c.if_exists and base in _MFA_AGE_BOUNDS:
            return True
        mfa_keys = ("aws:multifactorauthage", "aws:multifactorauthpresent")
        if c.key_lower in mfa_keys and base == "null" and values == {"false"}:
            return True
    return False


def _denies_without_mfa(role: Role) -> bool:
    """Whether a Deny statement of the trust refuses every caller without MFA (``BoolIfExists ... false``)."""
    for statement in role.trust_policy.statements:
        if statement.effect is not Effect.DENY or not covers(statement, ASSUME_ROLE) or len(statement.conditions) != 1:
            continue
        if statement.principals is None or not any(p.kind is PrincipalKind.ANYONE for p in statement.principals):
            continue
        c = statement.conditions[0]
        mfa_key = c.key_lower == "aws:multifactorauthpresent" and c.base_operator.lower() == "bool"
        if mfa_key and c.if_exists and {v.lower() for v in c.values} == {"false"}:
            return True
    return False


def _where(role: Role, statement: Statement) -> str:
    return f"{statement.label} of the trust policy of role {role.name}"


def _finding(
    code: str,
    *,
    account: Account,
    role: Role,
    statement: Statement | None,
    principal: str | None,
    detail: str,
    severity: Severity | None = None,
    chain: tuple[str, ...] = (),
) -> Finding:
    entry = CATALOGUE[code]
    return Finding(
        code=code,
        severity=severity or entry.severity,
        title=entry.title,
        role_arn=role.arn,
        statement_index=statement.index if statement is not None else None,
        statement_sid=statement.sid if statement is not None else None,
        principal=principal,
        detail=detail,
        account_id=account.account_id,
        chain=chain,
    )


def _principals(statement: Statement, kind: PrincipalKind) -> list[Principal]:
    return [p for p in statement.principals or () if p.kind is kind]


# --- the checks ------------------------------------------------------------------------------------------------


def check_trust_anyone(ctx: FindingContext) -> Iterator[Finding]:
    """TRUST_ANYONE / TRUST_ANYONE_CONDITIONED: ``"*"`` principals, graded by conditions that pin who."""
    for account, role, statement in ctx.trust_allows():
        if not _principals(statement, PrincipalKind.ANYONE):
            continue
        pins = narrowing_on(statement, *WHO_KEYS)
        if pins:
            keys = ", ".join(dict.fromkeys(c.key for c in pins))
            detail = f'{_where(role, statement)} lets any principal ("*") assume it, narrowed only by {keys}.'
            yield _finding(
                "TRUST_ANYONE_CONDITIONED",
                account=account,
                role=role,
                statement=statement,
                principal="*",
                detail=detail,
            )
        else:
            other = ", ".join(dict.fromkeys(c.key for c in statement.conditions))
            extra = f" Its conditions ({other}) do not limit who the caller is." if other else ""
            detail = f'{_where(role, statement)} lets any principal in any account ("*") assume it.{extra}'
            yield _finding(
                "TRUST_ANYONE", account=account, role=role, statement=statement, principal="*", detail=detail
            )


def check_cross_account(ctx: FindingContext) -> Iterator[Finding]:
    """CROSS_ACCOUNT_NO_EXTERNAL_ID: another account, outside the organization, trusted without sts:ExternalId."""
    for account, role, statement in ctx.trust_allows():
        if not covers(statement, ASSUME_ROLE) or narrowing_on(statement, "sts:externalid"):
            continue
        for principal in _principals(statement, PrincipalKind.AWS):
            other = principal.account_id
            if other is None or other == account.account_id or principal.is_unique_id:
                continue
            if _same_organization(ctx.snapshot, account, other, statement):
                continue
            detail = (
                f"{_where(role, statement)} trusts {principal.value} in account {other}, which is not known to be in "
                f"this account's organization, with no sts:ExternalId condition."
            )
            yield _finding(
                "CROSS_ACCOUNT_NO_EXTERNAL_ID",
                account=account,
                role=role,
                statement=statement,
                principal=principal.value,
                detail=detail,
            )


def _same_organization(snapshot: Snapshot, account: Account, other_id: str, statement: Statement) -> bool:
    org = account.organization
    if org is not None and other_id in org.account_ids:
        return True
    other = snapshot.account(other_id)
    if org is not None and other is not None and other.organization is not None and other.organization.id == org.id:
        return True
    pins = narrowing_on(statement, "aws:principalorgid")
    return any(org is None or org.id in condition.values for condition in pins)


def check_service_source(ctx: FindingContext) -> Iterator[Finding]:
    """SERVICE_NO_SOURCE_CONDITION: a service that passes aws:SourceArn/SourceAccount, trusted without them."""
    for account, role, statement in ctx.trust_allows():
        if role.is_service_linked or narrowing_on(statement, *SOURCE_KEYS):
            continue
        for principal in _principals(statement, PrincipalKind.SERVICE):
            reference = SOURCE_CONDITION_SERVICES.get(principal.value.lower())
            if reference is None:
                continue
            detail = (
                f"{_where(role, statement)} lets {principal.value} assume it on behalf of any resource, in any "
                f"account: there is no aws:SourceArn or aws:SourceAccount condition (documented for this service: "
                f"{reference})."
            )
            yield _finding(
                "SERVICE_NO_SOURCE_CONDITION",
                account=account,
                role=role,
                statement=statement,
                principal=principal.value,
                detail=detail,
            )


# Well-known web identity providers named by host, and the claim that carries the audience / app ID.
_WELL_KNOWN_AUDIENCE = {
    "accounts.google.com": ("accounts.google.com:aud", "accounts.google.com:oaud"),
    "graph.facebook.com": ("graph.facebook.com:app_id",),
    "www.amazon.com": ("www.amazon.com:app_id",),
}


def provider_host(principal: Principal) -> str | None:
    """For a Federated web-identity principal, the issuer as condition keys name it (``host[/path]``)."""
    if principal.kind is not PrincipalKind.FEDERATED:
        return None
    value = principal.value
    if ":oidc-provider/" in value:
        return value.split(":oidc-provider/", 1)[1]
    if value.startswith("arn:"):
        return None  # a SAML provider
    return value


def check_oidc_audience(ctx: FindingContext) -> Iterator[Finding]:
    """OIDC_NO_AUDIENCE: a web identity trust (not Cognito) with no audience condition."""
    for account, role, statement in ctx.trust_allows():
        if not covers(statement, ASSUME_ROLE_WITH_WEB_IDENTITY):
            continue
        for principal in _principals(statement, PrincipalKind.FEDERATED):
            host = provider_host(principal)
            if host is None or host.lower() == COGNITO:
                continue
            lowered = host.lower()
            keys = _WELL_KNOWN_AUDIENCE.get(lowered, (f"{lowered}:aud",))
            if narrowing_on(statement, *keys):
                continue
            well_known = lowered in _WELL_KNOWN_AUDIENCE
            provider = _oidc_provider(account, principal.value)
            if well_known:
                why = "this provider issues tokens to every application that uses it"
            elif provider is not None and provider.client_ids:
                why = f"STS still checks the provider's client IDs ({', '.join(provider.client_ids)})"
            else:
                why = "only the provider's client ID list, if any, limits which tokens are accepted"
            detail = (
                f"{_where(role, statement)} accepts web identity tokens from {host} with no {keys[0]} condition; {why}."
            )
            yield _finding(
                "OIDC_NO_AUDIENCE",
                account=account,
                role=role,
                statement=statement,
                principal=principal.value,
                detail=detail,
                severity=Severity.HIGH if well_known else None,
            )


def _oidc_provider(account: Account, arn: str) -> OidcProvider | None:
    return next((p for p in account.oidc_providers if p.arn == arn), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class CiProvider:
    """A CI/CD (or other multi-tenant) OIDC issuer: how to recognise it and how bad a missing subject is."""

    name: str
    host_pattern: str  # a wildcard over the issuer host[/path], lower case
    shared: bool  # one issuer for every customer (github.com, gitlab.com): anyone can get a token
    repo_keys: tuple[str, ...] = ()  # claim keys (after "host:") that pin the repository like sub does
    owner_keys: tuple[str, ...] = ()  # claim keys that pin the organisation
    subject_shape: str = "generic"


CI_PROVIDERS: tuple[CiProvider, ...] = (
    CiProvider(
        name="GitHub Actions",
        host_pattern="token.actions.githubusercontent.com",
        shared=True,
        repo_keys=("repository", "repository_id", "job_workflow_ref"),
        owner_keys=("repository_owner", "repository_owner_id"),
        subject_shape="github",
    ),
    CiProvider(
        name="GitHub Actions (enterprise issuer)",
        host_pattern="token.actions.githubusercontent.com/*",
        shared=False,
        repo_keys=("repository", "repository_id", "job_workflow_ref"),
        owner_keys=("repository_owner", "repository_owner_id"),
        subject_shape="github",
    ),
    CiProvider(name="GitLab", host_pattern="gitlab.com", shared=True, subject_shape="gitlab"),
    CiProvider(name="GitLab (self-managed)", host_pattern="gitlab.*", shared=False, subject_shape="gitlab"),
    CiProvider(name="Terraform Cloud", host_pattern="app.terraform.io", shared=True, subject_shape="terraform"),
    CiProvider(name="Buildkite", host_pattern="agent.buildkite.com", shared=True),
    CiProvider(name="CircleCI", host_pattern="oidc.circleci.com/org/*", shared=False),
    CiProvider(name="Bitbucket Pipelines", host_pattern="api.bitbucket.org/2.0/workspaces/*", shared=False),
    CiProvider(name="Azure DevOps", host_pattern="vstoken.dev.azure.com/*", shared=False),
    CiProvider(name="EKS service accounts", host_pattern="oidc.eks.*.amazonaws.com/id/*", shared=False),
)


def ci_provider(host: str) -> CiProvider | None:
    """The CI provider whose issuer is ``host`` (``token.actions.githubusercontent.com``), if any."""
    lowered = host.lower()
    return next((p for p in CI_PROVIDERS if wildcard_match(p.host_pattern, lowered)), None)


class _Breadth:
    """How much a subject pattern admits, worst last."""

    NARROW = 0
    ANY_BRANCH = 1
    ANY_REPO = 2
    ANY_OWNER = 3


_BREADTH_WORDS = {
    _Breadth.ANY_BRANCH: "any branch, tag, environment or pull request of the repository",
    _Breadth.ANY_REPO: "any repository of the organisation",
    _Breadth.ANY_OWNER: "any repository of any organisation",
}
_BREADTH_SEVERITY = {
    _Breadth.ANY_BRANCH: Severity.MEDIUM,
    _Breadth.ANY_REPO: Severity.HIGH,
    _Breadth.ANY_OWNER: Severity.CRITICAL,
}


def _wild(text: str) -> bool:
    return "*" in text or "?" in text


def _component_wild(rest: str) -> bool:
    """Whether a wildcard in ``rest`` stands for a whole component (``*``, ``ref:*``, ``ref:refs/heads/*``)."""
    positions = [i for i, ch in enumerate(rest) if ch in "*?"]
    return bool(positions) and (positions[0] == 0 or rest[positions[0] - 1] in ":/")


def _subject_breadth_owner_repo(value: str) -> int:
    """Breadth of an OWNER/REPO subject: GitHub `repo:OWNER/REPO:...`, GitLab `project_path:GROUP/PROJECT:...`."""
    parts = value.split(":", 2)
    if len(parts) < 2 or _wild(parts[0]):
        return _Breadth.ANY_OWNER if _wild(value) else _Breadth.NARROW
    owner, _, repo = parts[1].partition("/")
    if _wild(owner) or (not repo and _wild(parts[1])):
        return _Breadth.ANY_OWNER
    if _wild(repo):
        return _Breadth.ANY_REPO
    rest = parts[2] if len(parts) > 2 else ""
    return _Breadth.ANY_BRANCH if _component_wild(rest) else _Breadth.NARROW


def _subject_breadth_terraform(value: str) -> int:
    # organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:PHASE
    parts = value.split(":")
    if len(parts) < 2 or _wild(parts[0]) or _wild(parts[1]):
        return _Breadth.ANY_OWNER if _wild(value) else _Breadth.NARROW
    if any(_wild(p) for p in parts[2:6]):
        return _Breadth.ANY_REPO
    return _Breadth.ANY_BRANCH if any(_wild(p) for p in parts[6:]) else _Breadth.NARROW


def _subject_breadth_generic(value: str) -> int:
    return _Breadth.ANY_OWNER if value[:1] in ("*", "?") else _Breadth.NARROW


_SUBJECT_SHAPES: dict[str, Callable[[str], int]] = {
    "github": _subject_breadth_owner_repo,
    "gitlab": _subject_breadth_owner_repo,
    "terraform": _subject_breadth_terraform,
    "generic": _subject_breadth_generic,
}


def check_oidc_subject(ctx: FindingContext) -> Iterator[Finding]:
    """OIDC_CI_NO_SUBJECT / OIDC_CI_WILDCARD_SUBJECT: CI issuers trusted for any repository or branch."""
    for account, role, statement in ctx.trust_allows():
        if not covers(statement, ASSUME_ROLE_WITH_WEB_IDENTITY):
            continue
        for principal in _principals(statement, PrincipalKind.FEDERATED):
            host = provider_host(principal)
            provider = ci_provider(host) if host else None
            if host is None or provider is None:
                continue
            yield from _subject_findings(account, role, statement, principal, host.lower(), provider)


def _subject_findings(
    account: Account, role: Role, statement: Statement, principal: Principal, host: str, provider: CiProvider
) -> Iterator[Finding]:
    sub_key = f"{host}:sub"
    subs = [c for c in conditions_on(statement, sub_key) if is_positive(c)]
    repo_pins = narrowing_on(statement, *(f"{host}:{k}" for k in provider.repo_keys))
    owner_pins = narrowing_on(statement, *(f"{host}:{k}" for k in provider.owner_keys))
    if not subs and not repo_pins:
        if owner_pins:
            breadth = _Breadth.ANY_REPO
            detail = (
                f"{_where(role, statement)} trusts {provider.name} tokens from {host} pinned to an organisation but "
                f"not to a repository: {_BREADTH_WORDS[breadth]} can assume the role."
            )
            yield _finding(
                "OIDC_CI_WILDCARD_SUBJECT",
                account=account,
                role=role,
                statement=statement,
                principal=principal.value,
                detail=detail,
                severity=_BREADTH_SEVERITY[breadth],
            )
            return
        who = "any repository or pipeline it serves" if provider.shared else "any pipeline of that tenant"
        detail = (
            f"{_where(role, statement)} trusts {provider.name} tokens from {host} with no {sub_key} condition: "
            f"{who} can assume the role."
        )
        yield _finding(
            "OIDC_CI_NO_SUBJECT",
            account=account,
            role=role,
            statement=statement,
            principal=principal.value,
            detail=detail,
            severity=None if provider.shared else Severity.HIGH,
        )
        return
    measure = _SUBJECT_SHAPES[provider.subject_shape]
    worst, worst_value = _Breadth.NARROW, ""
    for condition in subs:
        for value in condition.values:
            breadth = measure(value) if _wild(value) else _Breadth.NARROW
            if breadth > worst:
                worst, worst_value = breadth, value
    if repo_pins:
        worst = min(worst, _Breadth.ANY_BRANCH)
    elif owner_pins:
        worst = min(worst, _Breadth.ANY_REPO)
    if worst == _Breadth.NARROW:
        return
    detail = (
        f"{_where(role, statement)} trusts {provider.name} tokens whose {sub_key} matches {worst_value!r}, which "
        f"admits {_BREADTH_WORDS[worst]}."
    )
    yield _finding(
        "OIDC_CI_WILDCARD_SUBJECT",
        account=account,
        role=role,
        statement=statement,
        principal=principal.value,
        detail=detail,
        severity=_BREADTH_SEVERITY[worst],
    )


def check_saml_audience(ctx: FindingContext) -> Iterator[Finding]:
    """SAML_NO_AUDIENCE: a SAML provider trusted without a SAML:aud condition."""
    for account, role, statement in ctx.trust_allows():
        if not covers(statement, ASSUME_ROLE_WITH_SAML) or narrowing_on(statement, "saml:aud"):
            continue
        for principal in _principals(statement, PrincipalKind.FEDERATED):
            if ":saml-provider/" not in principal.value:
                continue
            detail = (
                f"{_where(role, statement)} accepts SAML assertions from {principal.value} without a SAML:aud "
                f"condition."
            )
            yield _finding(
                "SAML_NO_AUDIENCE",
                account=account,
                role=role,
                statement=statement,
                principal=principal.value,
                detail=detail,
            )


def admits_unauthenticated(statement: Statement) -> bool:
    """Whether a Cognito trust statement admits identities whose amr says ``unauthenticated``."""
    key = f"{COGNITO}:amr"
    for c in conditions_on(statement, key):
        base = c.base_operator.lower()
        exact_case = base != "stringequalsignorecase"
        matches = [v for v in c.values if wildcard_match(v, "unauthenticated", case_sensitive=exact_case)]
        if base in ("stringequals", "stringlike", "stringequalsignorecase") and not c.if_exists and not matches:
            return False
        if base in _NEGATED_STRING_BASES and matches and c.set_operator != "ForAnyValue":
            return False
    return True


def check_cognito(ctx: FindingContext) -> Iterator[Finding]:
    """COGNITO_NO_AUDIENCE / COGNITO_UNAUTHENTICATED_PRIVILEGED."""
    for account, role, statement in ctx.trust_allows():
        if not covers(statement, ASSUME_ROLE_WITH_WEB_IDENTITY):
            continue
        if not any(p.value.lower() == COGNITO for p in _principals(statement, PrincipalKind.FEDERATED)):
            continue
        if not narrowing_on(statement, f"{COGNITO}:aud"):
            detail = (
                f"{_where(role, statement)} trusts Cognito identity pools with no {COGNITO}:aud condition: identities "
                f"of any identity pool, in any account, can assume the role."
            )
            yield _finding(
                "COGNITO_NO_AUDIENCE", account=account, role=role, statement=statement, principal=COGNITO, detail=detail
            )
        if admits_unauthenticated(statement):
            summary = ctx.permissions(account, role.arn)
            if summary.is_privileged:
                detail = (
                    f"{_where(role, statement)} admits unauthenticated (guest) Cognito identities, and the role is "
                    f"privileged: {'; '.join(summary.reasons)}."
                )
                yield _finding(
                    "COGNITO_UNAUTHENTICATED_PRIVILEGED",
                    account=account,
                    role=role,
                    statement=statement,
                    principal=COGNITO,
                    detail=detail,
                )


def _human_facing(principal: Principal) -> str | None:
    """How a principal stands for people: ``"user"``, ``"account"``, or ``None`` for machines."""
    if principal.kind is not PrincipalKind.AWS or principal.is_unique_id:
        return None
    if principal.is_account:
        return "account"
    if ":user/" in principal.value:
        return "user"
    return None


def _pinned_to_roles(statement: Statement) -> bool:
    """Whether an aws:PrincipalArn condition admits only roles (``arn:aws:iam::ACCT:role/...``), never users."""
    for condition in narrowing_on(statement, "aws:principalarn"):
        resources = [value.split(":", 5)[5] if value.count(":") >= 5 else "" for value in condition.values]
        if all(resource.startswith("role/") for resource in resources):
            return True
    return False


def check_privileged_no_mfa(ctx: FindingContext) -> Iterator[Finding]:
    """PRIVILEGED_NO_MFA: users or whole accounts may assume a privileged role without MFA."""
    for account, role, statement in ctx.trust_allows():
        if not covers(statement, ASSUME_ROLE) or requires_mfa(statement):
            continue
        humans = [(p, how) for p in _principals(statement, PrincipalKind.AWS) if (how := _human_facing(p))]
        if _pinned_to_roles(statement):
            humans = [(p, how) for p, how in humans if how != "account"]
        if not humans or _denies_without_mfa(role):
            continue
        summary = ctx.permissions(account, role.arn)
        if not summary.is_privileged:
            continue
        weak = [c for c in conditions_on(statement, "aws:multifactorauthpresent") if c.if_exists]
        pins = narrowing_on(statement, *PRINCIPAL_PIN_KEYS, prefixes=PRINCIPAL_PIN_PREFIXES)
        hint = " (BoolIfExists lets long-term access keys through)" if weak else ""
        for principal, how in humans:
            who = f"user {principal.value}" if how == "user" else f"the identities of account {principal.account_id}"
            if how == "account" and pins:
                who += f" that match its {', '.join(dict.fromkeys(c.key for c in pins))} condition"
            detail = (
                f"{_where(role, statement)} lets {who} assume a privileged role ({'; '.join(summary.reasons)}) "
                f"without MFA{hint}."
            )
            yield _finding(
                "PRIVILEGED_NO_MFA",
                account=account,
                role=role,
                statement=statement,
                principal=principal.value,
                detail=detail,
            )


def check_deleted_principal(ctx: FindingContext) -> Iterator[Finding]:
    """DELETED_PRINCIPAL: bare unique IDs in a trust's Principal."""
    known = {uid for account in ctx.snapshot.accounts for uid in account.principals_by_unique_id}
    for account, role in ctx.roles():
        for statement in role.trust_policy.statements:
            for principal in statement.principals or ():
                if not principal.is_unique_id or principal.value in known:
                    continue
                detail = (
                    f"{_where(role, statement)} names {principal.value}, the unique ID IAM shows for a user or role "
                    f"that was deleted; the grant no longer works."
                )
                yield _finding(
                    "DELETED_PRINCIPAL",
                    account=account,
                    role=role,
                    statement=statement,
                    principal=principal.value,
                    detail=detail,
                )


def check_not_principal(ctx: FindingContext) -> Iterator[Finding]:
    """NOT_PRINCIPAL_IN_TRUST: any statement of a trust policy that uses NotPrincipal."""
    for account, role in ctx.roles():
        for statement in role.trust_policy.statements:
            if statement.not_principals is None:
                continue
            excluded = ", ".join(p.value for p in statement.not_principals)
            verb = "everyone except" if statement.effect is Effect.ALLOW else "a Deny on everyone except"
            detail = (
                f"{_where(role, statement)} uses NotPrincipal ({verb} {excluded}), which trust policies do not support."
            )
            yield _finding(
                "NOT_PRINCIPAL_IN_TRUST",
                account=account,
                role=role,
                statement=statement,
                principal=excluded,
                detail=detail,
            )


def check_account_root_broad(ctx: FindingContext) -> Iterator[Finding]:
    """ACCOUNT_ROOT_TRUST_BROAD: a whole large loaded account trusted with nothing pinning the caller."""
    for account, role, statement in ctx.trust_allows():
        if not covers(statement, ASSUME_ROLE):
            continue
        if narrowing_on(statement, *PRINCIPAL_PIN_KEYS, prefixes=PRINCIPAL_PIN_PREFIXES):
            continue
        for principal in _principals(statement, PrincipalKind.AWS):
            if not principal.is_account or principal.account_id is None:
                continue
            trusted = ctx.snapshot.account(principal.account_id)
            if trusted is None:
                continue
            size = len(trusted.users) + len(trusted.roles)
            if size < ctx.large_account_threshold:
                continue
            detail = (
                f"{_where(role, statement)} trusts the whole account {trusted.label}: any of its {size} users and "
                f"roles whose identity policies allow sts:AssumeRole on this role can assume it."
            )
            yield _finding(
                "ACCOUNT_ROOT_TRUST_BROAD",
                account=account,
                role=role,
                statement=statement,
                principal=principal.value,
                detail=detail,
            )


def check_role_unused(ctx: FindingContext) -> Iterator[Finding]:
    """ROLE_UNUSED: never used (and older than the window), or last used before the window; only when known."""
    for account, role in ctx.roles():
        if role.last_used is None or role.is_service_linked:
            continue
        now = ctx.clock(account)
        window = timedelta(days=ctx.unused_days)
        if role.last_used == "":
            created = parse_time(role.create_date)
            if created is not None and now - created < window:
                continue
            detail = f"Role {role.name} has never been used (IAM tracks the last 400 days)."
        else:
            last = parse_time(role.last_used)
            if last is None or now - last < window:
                continue
            days = (now - last).days
            detail = f"Role {role.name} was last used {days} days ago ({role.last_used})."
        yield _finding("ROLE_UNUSED", account=account, role=role, statement=None, principal=None, detail=detail)


def check_chain_to_admin(ctx: FindingContext) -> Iterator[Finding]:
    """CHAIN_TO_ADMIN: principals reach an administrator role only through other, non-admin roles.

    One finding per administrator role (the role at risk), naming the principal of the shortest such chain and
    counting the others; principals that can assume the role directly are left to the other checks.
    """
    graph = ctx.graph
    if graph is None:
        return
    admins: dict[str, tuple[Account, Role]] = {}
    for account, role in ctx.roles():
        if graph.has_node(role.arn) and ctx.is_admin(account, role.arn):
            admins[role.arn] = (account, role)
    search = chain_searcher(graph)
    for role_arn, (account, role) in admins.items():
        direct: set[str] = set()
        best: dict[str, Chain] = {}
        for chain in search(target=role_arn, max_hops=ctx.max_hops, limit=_CHAIN_SCAN_LIMIT).chains:
            if len(chain) == 1:
                direct.add(chain.source)
                continue
            if chain.source in direct or any(node in admins for node in chain.nodes[:-1]):
                continue
            origin = graph.node(chain.source) if graph.has_node(chain.source) else None
            if origin is None or origin.kind is NodeKind.ROLE:
                continue
            best.setdefault(chain.source, chain)
        if not best:
            continue
        anyone = [source for source in best if graph.node(source).kind is NodeKind.ANYONE]
        source = anyone[0] if anyone else min(best, key=lambda s: (len(best[s]), s))
        chain = best[source]
        path = " -> ".join(short_name(graph, n) for n in chain.nodes)
        needs = chain.requirements
        extra = f" The chain needs {', '.join(needs)}." if needs else " No hop needs extra context."
        others = sorted(short_name(graph, s) for s in best if s != source)
        if others:
            shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
            many = len(others) > 1
            extra += (
                f" {len(others)} other principal{'s' if many else ''} also reach{'' if many else 'es'} it ({shown})."
            )
        yield _finding(
            "CHAIN_TO_ADMIN",
            account=account,
            role=role,
            statement=_statement_at(role, chain.hops[-1].statement_index),
            principal=source,
            detail=f"{short_name(graph, source)} reaches administrator role {role.name} in {len(chain)} hops: "
            f"{path}.{extra}",
            severity=Severity.CRITICAL if anyone else None,
            chain=chain.nodes,
        )


def _statement_at(role: Role, index: int | None) -> Statement | None:
    if index is None:
        return None
    return next((s for s in role.trust_policy.statements if s.index == index), None)


CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec(name="trust-anyone", codes=("TRUST_ANYONE", "TRUST_ANYONE_CONDITIONED"), run=check_trust_anyone),
    CheckSpec(name="cross-account", codes=("CROSS_ACCOUNT_NO_EXTERNAL_ID",), run=check_cross_account),
    CheckSpec(name="service-source", codes=("SERVICE_NO_SOURCE_CONDITION",), run=check_service_source),
    CheckSpec(name="oidc-audience", codes=("OIDC_NO_AUDIENCE",), run=check_oidc_audience),
    CheckSpec(name="oidc-subject", codes=("OIDC_CI_NO_SUBJECT", "OIDC_CI_WILDCARD_SUBJECT"), run=check_oidc_subject),
    CheckSpec(name="saml-audience", codes=("SAML_NO_AUDIENCE",), run=check_saml_audience),
    CheckSpec(name="cognito", codes=("COGNITO_NO_AUDIENCE", "COGNITO_UNAUTHENTICATED_PRIVILEGED"), run=check_cognito),
    CheckSpec(name="privileged-no-mfa", codes=("PRIVILEGED_NO_MFA",), run=check_privileged_no_mfa),
    CheckSpec(name="deleted-principal", codes=("DELETED_PRINCIPAL",), run=check_deleted_principal),
    CheckSpec(name="not-principal", codes=("NOT_PRINCIPAL_IN_TRUST",), run=check_not_principal),
    CheckSpec(name="account-root-broad", codes=("ACCOUNT_ROOT_TRUST_BROAD",), run=check_account_root_broad),
    CheckSpec(name="role-unused", codes=("ROLE_UNUSED",), run=check_role_unused),
    CheckSpec(name="chain-to-admin", codes=("CHAIN_TO_ADMIN",), run=check_chain_to_admin),
)
"""Every check, in the order they run. Each code of the catalogue is raised by exactly one check."""


def run_findings(
    snapshot: Snapshot,
    graph: TrustGraph | None = None,
    *,
    now: datetime | None = None,
    unused_days: int = 90,
    large_account_threshold: int = 50,
    max_hops: int = DEFAULT_MAX_HOPS,
    codes: Iterable[str] | None = None,
) -> list[Finding]:
    """Run every check (or those raising ``codes``) and return the findings, most severe first.

    Args:
        snapshot: the accounts to check.
        graph: their trust graph; ``None`` builds it with ``iamviz.analysis.build_trust_graph``.
        now: the moment role usage is measured against (default: each account's ``captured_at``, else now).
        unused_days: a role unused for this many days is reported.
        large_account_threshold: an account with at least this many users and roles counts as large.
        max_hops: the longest chain CHAIN_TO_ADMIN follows.
        codes: only run checks that raise one of these codes.
    """
    if graph is None:
        from iamviz.analysis import build_trust_graph

        graph = build_trust_graph(snapshot)
    ctx = FindingContext(
        snapshot=snapshot,
        graph=graph,
        now=now,
        unused_days=unused_days,
        large_account_threshold=large_account_threshold,
        max_hops=max_hops,
    )
    wanted = set(codes) if codes is not None else None
    findings: list[Finding] = []
    with _collector_paused():
        for spec in CHECKS:
            if wanted is not None and not wanted.intersection(spec.codes):
                continue
            findings.extend(f for f in spec.run(ctx) if wanted is None or f.code in wanted)
        return sort_findings(findings)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the checks run, and restore it after.

    The checks allocate many short-lived objects; with a large graph in memory (millions of edges), each full
    collection those allocations trigger walks the whole heap, which made up most of the findings time of a
    20,000-role account. Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first; then by code, role, statement and principal, so output is stable."""
    return sorted(
        findings,
        key=lambda f: (
            -f.severity.rank,
            f.code,
            f.role_arn or "",
            f.statement_index if f.statement_index is not None else -1,
            f.principal or "",
        ),
    )


def at_least(findings: Iterable[Finding], severity: Severity) -> list[Finding]:
    """The findings of ``severity`` or worse."""
    return [f for f in findings if f.severity.rank >= severity.rank]


def findings_by_role(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Findings grouped by the role they are raised on (for badges on graph nodes)."""
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.role_arn:
            grouped.setdefault(finding.role_arn, []).append(finding)
    return grouped


def parse_time(text: str | None) -> datetime | None:
    """An ISO 8601 timestamp (``2026-11-28T12:00:00Z``) as an aware datetime, or ``None``."""
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return _aware(parsed)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
