"""The findings catalogue, kept as data: what each finding code means, how bad it is, and how to fix it.

Checks (``iamviz.analysis.findings``) decide *where* a finding applies; this module says *what* it is. Severities
go ``critical > high > medium > low > info``; a check may raise a finding above or below its catalogue severity
when the case is clearly worse or milder (a wildcard GitHub subject that admits any organisation is as bad as no
subject at all), and then says why in the finding's detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a finding is. Compare with :attr:`rank` (higher is worse)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """4 for critical down to 0 for info."""
        return _RANKS[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Read a severity name, case-insensitively; ``ValueError`` names the accepted ones."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of {names})") from None


_RANKS = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1, Severity.INFO: 0}


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogueEntry:
    """One finding code: its default severity, a title, why it matters, how to fix it, and an AWS reference."""

    code: str
    severity: Severity
    title: str
    why: str
    fix: str
    reference: str


_PRINCIPAL_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
_CONFUSED_DEPUTY_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"
_OIDC_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html"
_GITHUB_DOC = (
    "https://docs.github.com/en/actions/deployment/security-hardening-your-deployments/"
    "configuring-openid-connect-in-amazon-web-services"
)

_ENTRIES = (
    CatalogueEntry(
        code="TRUST_ANYONE",
        severity=Severity.CRITICAL,
        title="Role trusts anyone",
        why='The trust policy names every principal ("*" or {"AWS": "*"}) with no condition that limits who: '
        "any AWS identity in any account can assume the role and act with its permissions.",
        fix='Name the accounts or roles that need the role in Principal; if "*" is needed, add a condition on '
        "aws:PrincipalOrgID, aws:PrincipalAccount or aws:PrincipalArn.",
        reference=_PRINCIPAL_DOC,
    ),
    CatalogueEntry(
        code="TRUST_ANYONE_CONDITIONED",
        severity=Severity.MEDIUM,
        title="Role trusts anyone, narrowed only by conditions",
        why="The trust names every principal and relies on conditions to narrow it. One mistaken condition "
        "(a wildcard, a negated operator, an ...IfExists) opens the role to the world.",
        fix="Prefer naming the trusted accounts or roles in Principal; keep the conditions as a second line.",
        reference=_PRINCIPAL_DOC,
    ),
    CatalogueEntry(
        code="CROSS_ACCOUNT_NO_EXTERNAL_ID",
        severity=Severity.HIGH,
        title="Third-party account trusted without an external ID",
        why="Another account, not in this organization, may assume the role with no sts:ExternalId condition. If "
        "that account is a vendor acting for many customers, another customer can trick it into using this role "
        "(the confused deputy).",
        fix="Ask the third party for the external ID they generated for you and require it with "
        "StringEquals sts:ExternalId; for accounts of your own organization, require aws:PrincipalOrgID instead.",
        reference=_CONFUSED_DEPUTY_DOC,
    ),
    CatalogueEntry(
        code="SERVICE_NO_SOURCE_CONDITION",
        severity=Severity.MEDIUM,
        title="Service trust without aws:SourceArn or aws:SourceAccount",
        why="An AWS service may assume the role on behalf of any resource, including resources in other accounts, "
        "because the trust does not say whose resources it serves (the cross-service confused deputy).",
        fix="Add aws:SourceArn (the resource that uses the role, wildcards allowed) and/or aws:SourceAccount (your "
        "account) conditions; this service passes them when it assumes roles.",
        reference=_CONFUSED_DEPUTY_DOC,
    ),
    CatalogueEntry(
        code="OIDC_NO_AUDIENCE",
        severity=Severity.MEDIUM,
        title="Web identity trust without an audience condition",
        why="Without a condition on the provider's aud claim, tokens issued by this identity provider to other "
        "applications can be exchanged for this role.",
        fix="Add StringEquals on PROVIDER:aud with your application's client ID (sts.amazonaws.com for GitHub "
        "Actions and EKS service accounts).",
        reference=_OIDC_DOC,
    ),
    CatalogueEntry(
        code="OIDC_CI_NO_SUBJECT",
        severity=Severity.CRITICAL,
        title="CI/CD OIDC trust without a subject condition",
        why="The CI provider issues tokens to every repository and pipeline it hosts. With no sub condition, a "
        "workflow in anybody's repository can assume this role.",
        fix="Add StringEquals (or StringLike with a narrow pattern) on PROVIDER:sub naming your repository and "
        "branch or environment, e.g. repo:ORG/REPO:ref:refs/heads/main.",
        reference=_GITHUB_DOC,
    ),
    CatalogueEntry(
        code="OIDC_CI_WILDCARD_SUBJECT",
        severity=Severity.HIGH,
        title="CI/CD OIDC subject with a wildcard",
        why="The sub condition uses a wildcard that admits any repository or any branch, so pipelines you did not "
        "mean to trust (forks, feature branches, other repositories) can assume the role.",
        fix="Pin the repository and the branch or environment in the sub condition; use StringEquals where you can.",
        reference=_GITHUB_DOC,
    ),
    CatalogueEntry(
        code="SAML_NO_AUDIENCE",
        severity=Severity.MEDIUM,
        title="SAML trust without SAML:aud",
        why="Without SAML:aud the role accepts SAML assertions addressed to any recipient, not only the AWS sign-in "
        "endpoint, which widens what a stolen or replayed assertion can do.",
        fix="Add StringEquals SAML:aud https://signin.aws.amazon.com/saml (the value the console adds).",
        reference="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_saml.html",
    ),
    CatalogueEntry(
        code="COGNITO_NO_AUDIENCE",
        severity=Severity.HIGH,
        title="Cognito trust without an identity pool (aud) condition",
        why="Without cognito-identity.amazonaws.com:aud, identities from any Cognito identity pool, in any account, "
        "can assume the role.",
        fix="Add StringEquals cognito-identity.amazonaws.com:aud with your identity pool ID.",
        reference=_OIDC_DOC,
    ),
    CatalogueEntry(
        code="COGNITO_UNAUTHENTICATED_PRIVILEGED",
        severity=Severity.CRITICAL,
        title="Unauthenticated Cognito identities reach a privileged role",
        why="The trust admits unauthenticated (guest) identities, which anyone on the internet can obtain, into a "
        "role with administrator or privilege-escalating permissions.",
        fix='Require ForAnyValue:StringLike cognito-identity.amazonaws.com:amr "authenticated", and give the '
        "guest role only what anonymous visitors may do.",
        reference="https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html",
    ),
    CatalogueEntry(
        code="PRIVILEGED_NO_MFA",
        severity=Severity.HIGH,
        title="Privileged role humans can assume without MFA",
        why="People (IAM users, or the identities of a whole account) can assume a role with administrator or "
        "privilege-escalating permissions without multi-factor authentication: one leaked password or access key "
        "is enough.",
        fix='Add Bool aws:MultiFactorAuthPresent "true" (not BoolIfExists, which long-term access keys pass) or '
        "NumericLessThan aws:MultiFactorAuthAge to the statement.",
        reference="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html",
    ),
    CatalogueEntry(
        code="DELETED_PRINCIPAL",
        severity=Severity.LOW,
        title="Trust names a deleted principal",
        why="IAM shows a bare unique ID (AIDA..., AROA...) when the user or role a trust named was deleted. The "
        "grant is dead, and recreating a principal of the same name will not revive it, which confuses reviews.",
        fix="Remove the unique ID from Principal, or name the principal that should be trusted now.",
        reference="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
        "#principal-roles",
    ),
    CatalogueEntry(
        code="NOT_PRINCIPAL_IN_TRUST",
        severity=Severity.HIGH,
        title="NotPrincipal in a trust policy",
        why='NotPrincipal is not supported in role trust policies; with Allow it would mean "everyone except", and '
        "its intent cannot be relied on. iamviz treats the statement as granting nothing.",
        fix="Rewrite the statement with Principal naming who may assume the role, and use conditions such as "
        "aws:PrincipalArn to exclude.",
        reference="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html",
    ),
    CatalogueEntry(
        code="ACCOUNT_ROOT_TRUST_BROAD",
        severity=Severity.LOW,
        title="Whole-account trust in a large account",
        why="Trusting an account (arn:aws:iam::ACCOUNT:root) hands the decision to every identity policy in that "
        'account: anyone there whose policies allow sts:AssumeRole on this role (or on "*") can assume it. In a '
        "large account that set is hard to review.",
        fix="Name the roles or users that need this role, or add an aws:PrincipalArn condition listing them.",
        reference="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html",
    ),
    CatalogueEntry(
        code="ROLE_UNUSED",
        severity=Severity.LOW,
        title="Role never used or unused for 90 days",
        why="A role nobody uses still grants its trust and permissions: unused access is attack surface with no "
        "benefit.",
        fix="Confirm with the owner, then delete the role or remove its trust; RoleLastUsed tracks the last 400 days.",
        reference="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage_delete.html",
    ),
    CatalogueEntry(
        code="CHAIN_TO_ADMIN",
        severity=Severity.HIGH,
        title="Administrator role reached through a chain of roles",
        why="A principal that cannot assume the administrator role directly reaches it by assuming other roles "
        "first (role chaining). Reviews of the admin role's trust alone miss this path.",
        fix="Break the chain: remove the intermediate role's trust in the caller, or the admin role's trust in "
        "the intermediate role, or require MFA or an ExternalId on one of the hops.",
        reference="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html",
    ),
)

CATALOGUE: dict[str, CatalogueEntry] = {entry.code: entry for entry in _ENTRIES}
"""Every finding code iamviz knows, by code."""


def entry(code: str) -> CatalogueEntry:
    """The catalogue entry for ``code`` (``KeyError`` for an unknown code)."""
    return CATALOGUE[code]
