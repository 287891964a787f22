"""Findings: for each check, one trust that must raise it and a close variant that must not.

Snapshots are built by hand with keyword arguments; the trust graph is empty except for the chain check, which
gets a hand-built graph, so every test here exercises one check's reading of trust statements.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from iamviz.analysis.catalogue import CATALOGUE, Severity
from iamviz.analysis.findings import CHECKS, Finding, at_least, findings_by_role, run_findings
from iamviz.model import Account, InlinePolicy, OidcProvider, Organization, Role, Snapshot, User
from iamviz.model.graph import DecisionKind, EdgeKind, Node, NodeKind, TrustEdge, TrustGraph
from iamviz.model.policy import parse_policy_document

ACCT = "111122223333"
LAMBDA = {"Service": "lambda.amazonaws.com"}
RELEASE = "repo:acme/app:ref:refs/heads/release-*"
OTHER = "444455556666"
NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
GITHUB = f"arn:aws:iam::{ACCT}:oidc-provider/token.actions.githubusercontent.com"
GITLAB = f"arn:aws:iam::{ACCT}:oidc-provider/gitlab.com"
SAML = f"arn:aws:iam::{ACCT}:saml-provider/Okta"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = {"Statement": {"Effect": "Allow", "Action": ["s3:GetObject", "ec2:Describe*"], "Resource": "*"}}


def arn(name: str) -> str:
    return f"arn:aws:iam::{ACCT}:role/{name}"


def trust(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(principal: Any, action: str | list[str] = "sts:AssumeRole", **condition: Any) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        st["Condition"] = condition
    return st


def role(
    name: str = "R",
    *,
    trust_policy: dict[str, Any],
    policy: dict[str, Any] | None = None,
    managed: tuple[str, ...] = (),
    **extra: Any,
) -> Role:
    inline = (InlinePolicy(name="p", document=parse_policy_document(policy)),) if policy else ()
    return Role(
        arn=arn(name),
        name=name,
        trust_policy=parse_policy_document(trust_policy),
        inline_policies=inline,
        managed_policy_arns=managed,
        **extra,
    )


def snapshot(*roles: Role, users: int = 0, **account: Any) -> Snapshot:
    people = tuple(User(arn=f"arn:aws:iam::{ACCT}:user/u{i}", name=f"u{i}") for i in range(users))
    return Snapshot(accounts=(Account(account_id=ACCT, roles=roles, users=people, **account),))


def codes(snap: Snapshot, graph: TrustGraph | None = None) -> list[str]:
    return [f.code for f in run_findings(snap, graph if graph is not None else TrustGraph(), now=NOW)]


def raised(code: str, snap: Snapshot, graph: TrustGraph | None = None) -> list[Finding]:
    return [f for f in run_findings(snap, graph if graph is not None else TrustGraph(), now=NOW) if f.code == code]


# --- one case per check: (code, raising trust, close variant that must not raise) -------------------------------

Case = tuple[str, Snapshot, Snapshot]

CASES: dict[str, Case] = {
    "anyone": (
        "TRUST_ANYONE",
        snapshot(role(trust_policy=trust(allow("*")))),
        snapshot(role(trust_policy=trust(allow({"AWS": f"arn:aws:iam::{ACCT}:root"})))),
    ),
    "anyone-aws-star-mfa-only": (
        "TRUST_ANYONE",
        snapshot(role(trust_policy=trust(allow({"AWS": "*"}, Bool={"aws:MultiFactorAuthPresent": "true"})))),
        snapshot(role(trust_policy=trust(allow({"AWS": "*"}, StringEquals={"aws:PrincipalOrgID": "o-abc"})))),
    ),
    "anyone-conditioned": (
        "TRUST_ANYONE_CONDITIONED",
        snapshot(role(trust_policy=trust(allow("*", StringEquals={"aws:PrincipalOrgID": "o-abc"})))),
        snapshot(role(trust_policy=trust(allow("*", StringNotEquals={"aws:PrincipalOrgID": "o-abc"})))),
    ),
    "cross-account": (
        "CROSS_ACCOUNT_NO_EXTERNAL_ID",
        snapshot(role(trust_policy=trust(allow({"AWS": f"arn:aws:iam::{OTHER}:root"})))),
        snapshot(
            role(
                trust_policy=trust(allow({"AWS": f"arn:aws:iam::{OTHER}:root"}, StringEquals={"sts:ExternalId": "x1"}))
            )
        ),
    ),
    "cross-account-same-org": (
        "CROSS_ACCOUNT_NO_EXTERNAL_ID",
        snapshot(
            role(trust_policy=trust(allow({"AWS": f"arn:aws:iam::{OTHER}:role/Deployer"}))),
            organization=Organization(id="o-abc", account_ids=(ACCT, "777777777777")),
        ),
        snapshot(
            role(trust_policy=trust(allow({"AWS": f"arn:aws:iam::{OTHER}:role/Deployer"}))),
            organization=Organization(id="o-abc", account_ids=(ACCT, OTHER)),
        ),
    ),
    "service": (
        "SERVICE_NO_SOURCE_CONDITION",
        snapshot(role(trust_policy=trust(allow({"Service": "states.amazonaws.com"})))),
        snapshot(
            role(
                trust_policy=trust(allow({"Service": "states.amazonaws.com"}, StringEquals={"aws:SourceAccount": ACCT}))
            )
        ),
    ),
    "service-unsupported": (
        "SERVICE_NO_SOURCE_CONDITION",
        snapshot(role(trust_policy=trust(allow({"Service": ["ec2.amazonaws.com", "scheduler.amazonaws.com"]})))),
        snapshot(role(trust_policy=trust(allow({"Service": "ec2.amazonaws.com"})))),
    ),
    "oidc-aud": (
        "OIDC_NO_AUDIENCE",
        snapshot(
            role(
                trust_policy=trust(
                    allow(
                        {"Federated": GITHUB},
                        "sts:AssumeRoleWithWebIdentity",
                        StringEquals={"token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"},
                    )
                )
            )
        ),
        snapshot(
            role(
                trust_policy=trust(
                    allow(
                        {"Federated": GITHUB},
                        "sts:AssumeRoleWithWebIdentity",
                        StringEquals={
                            "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main",
                            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                        },
                    )
                )
            )
        ),
    ),
    "ci-no-sub": (
        "OIDC_CI_NO_SUBJECT",
        snapshot(
            role(
                trust_policy=trust(
                    allow(
                        {"Federated": GITHUB},
                        "sts:AssumeRoleWithWebIdentity",
                        StringEquals={"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                    )
                )
            )
        ),
        snapshot(
            role(
                trust_policy=trust(
                    allow(
                        {"Federated": GITHUB},
                        "sts:AssumeRoleWithWebIdentity",
                        StringEquals={"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                        StringLike={"token.actions.githubusercontent.com:sub": "repo:acme/app:environment:prod"},
                    )
                )
            )
        ),
    ),
    "ci-negated-sub-is-no-sub": (
        "OIDC_CI_NO_SUBJECT",
        snapshot(
            role(
                trust_policy=trust(
                    allow(
                        {"Federated": GITLAB},
                        "sts:AssumeRoleWithWebIdentity",
                        StringEquals={"gitlab.com:aud": "https://gitlab.com"},
                        StringNotLike={"gitlab.com:sub": "project_path:evil/*"},
                    )
                )
            )
        ),
        snapshot(
            role(
                trust_policy=trust(
                    allow(
                        {"Federated": GITLAB},
                        "sts:AssumeRoleWithWebIdentity",
                        StringEquals={
                            "gitlab.com:aud": "https://gitlab.com",
                            "gitlab.com:sub": "project_path:acme/app:ref_type:branch:ref:main",
                        },
                    )
                )
            )
        ),
    ),
    "ci-wildcard-sub": (
        "OIDC_CI_WILDCARD_SUBJECT",
        snapshot(
            role(
                trust_policy=trust(
                    allow(
                        {"Federated": GITHUB},
                        "sts:AssumeRoleWithWebIdentity",
                        StringEquals={"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                        StringLike={"token.actions.githubusercontent.com:sub": "repo:acme/*"},
                    )
                )
            )
        ),
        snapshot(
            role(
                trust_policy=trust(
                    allow(
                        {"Federated": GITHUB},
                        "sts:AssumeRoleWithWebIdentity",
                        StringEquals={"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                        StringLike={
                            "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/release-*"
                        },
                    )
                )
            )
        ),
    ),
    "saml": (
        "SAML_NO_AUDIENCE",
        snapshot(role(trust_policy=trust(allow({"Federated": SAML}, "sts:AssumeRoleWithSAML")))),
        snapshot(
            role(
                trust_policy=trust(
                    allow(
                        {"Federated": SAML},
                        "sts:AssumeRoleWithSAML",
                        StringEquals={"SAML:aud": "https://signin.aws.amazon.com/saml"},
                    )
                )
            )
        ),
    ),
    "cognito-aud": (
        "COGNITO_NO_AUDIENCE",
        snapshot(
            role(
                trust_policy=trust(
                    allow(
                        {"Federated": "cognito-identity.amazonaws.com"},
                        "sts:AssumeRoleWithWebIdentity",
                        **{"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}},
                    )
                )
            )
        ),
        snapshot(
            role(
                trust_policy=trust(
                    allow(
                        {"Federated": "cognito-identity.amazonaws.com"},
                        "sts:AssumeRoleWithWebIdentity",
                        StringEquals={"cognito-identity.amazonaws.com:aud": "us-east-1:1111-2222"},
                        **{"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}},
                    )
                )
            )
        ),
    ),
    "cognito-unauth-privileged": (
        "COGNITO_UNAUTHENTICATED_PRIVILEGED",
        snapshot(
            role(
                trust_policy=trust(
                    allow(
                        {"Federated": "cognito-identity.amazonaws.com"},
                        "sts:AssumeRoleWithWebIdentity",
                        StringEquals={"cognito-identity.amazonaws.com:aud": "us-east-1:1111-2222"},
                        **{"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauthenticated"}},
                    )
                ),
                policy={"Statement": {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}},
            )
        ),
        snapshot(
            role(
                trust_policy=trust(
                    allow(
                        {"Federated": "cognito-identity.amazonaws.com"},
                        "sts:AssumeRoleWithWebIdentity",
                        StringEquals={"cognito-identity.amazonaws.com:aud": "us-east-1:1111-2222"},
                        **{"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "unauthenticated"}},
                    )
                ),
                policy=READ_ONLY,
            )
        ),
    ),
    "no-mfa": (
        "PRIVILEGED_NO_MFA",
        snapshot(
            role(
                "BreakGlass",
                trust_policy=trust(allow({"AWS": f"arn:aws:iam::{ACCT}:user/wayne"})),
                managed=(ADMIN,),
            )
        ),
        snapshot(
            role(
                "BreakGlass",
                trust_policy=trust(
                    allow({"AWS": f"arn:aws:iam::{ACCT}:user/wayne"}, Bool={"aws:MultiFactorAuthPresent": "true"})
                ),
                managed=(ADMIN,),
            )
        ),
    ),
    "no-mfa-bool-if-exists": (
        "PRIVILEGED_NO_MFA",
        snapshot(
            role(
                "BreakGlass",
                trust_policy=trust(
                    allow({"AWS": f"arn:aws:iam::{ACCT}:root"}, BoolIfExists={"aws:MultiFactorAuthPresent": "true"})
                ),
                managed=(ADMIN,),
            )
        ),
        snapshot(
            role(
                "BreakGlass",
                trust_policy=trust(allow({"AWS": f"arn:aws:iam::{ACCT}:root"})),
                policy=READ_ONLY,
            )
        ),
    ),
    "deleted": (
        "DELETED_PRINCIPAL",
        snapshot(role(trust_policy=trust(allow({"AWS": "AROAEXAMPLEDELETED01"})))),
        snapshot(role(trust_policy=trust(allow({"AWS": "AROAEXAMPLEDELETED01"})), role_id="AROAEXAMPLEDELETED01")),
    ),
    "not-principal": (
        "NOT_PRINCIPAL_IN_TRUST",
        snapshot(
            role(
                trust_policy=trust(
                    {
                        "Effect": "Allow",
                        "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCT}:user/x"},
                        "Action": "sts:AssumeRole",
                    }
                )
            )
        ),
        snapshot(role(trust_policy=trust(allow({"AWS": f"arn:aws:iam::{ACCT}:user/x"})))),
    ),
    "root-broad": (
        "ACCOUNT_ROOT_TRUST_BROAD",
        snapshot(role(trust_policy=trust(allow({"AWS": ACCT}))), users=60),
        snapshot(
            role(
                trust_policy=trust(
                    allow({"AWS": ACCT}, ArnLike={"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:role/ops-*"})
                )
            ),
            users=60,
        ),
    ),
    "root-small": (
        "ACCOUNT_ROOT_TRUST_BROAD",
        snapshot(role(trust_policy=trust(allow({"AWS": f"arn:aws:iam::{ACCT}:root"}))), users=60),
        snapshot(role(trust_policy=trust(allow({"AWS": f"arn:aws:iam::{ACCT}:root"}))), users=5),
    ),
    "unused": (
        "ROLE_UNUSED",
        snapshot(role(trust_policy=trust(allow(LAMBDA)), last_used="2026-06-01T00:00:00Z")),
        snapshot(role(trust_policy=trust(allow(LAMBDA)), last_used="2026-11-01T00:00:00Z")),
    ),
    "never-used": (
        "ROLE_UNUSED",
        snapshot(
            role(
                trust_policy=trust(allow(LAMBDA)),
                last_used="",
                create_date="2025-01-01T00:00:00Z",
            )
        ),
        snapshot(role(trust_policy=trust(allow(LAMBDA)), last_used=None)),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_raises_and_close_variant_does_not(name: str) -> None:
    code, bad, good = CASES[name]
    found = raised(code, bad)
    assert found, f"{name}: expected {code}, got {codes(bad)}"
    for finding in found:
        assert finding.role_arn is not None and finding.title == CATALOGUE[code].title
        if code != "ROLE_UNUSED":
            assert finding.statement_index == 0 and finding.principal
    assert code not in codes(good), f"{name}: variant raised {code}"


def test_every_catalogue_code_is_raised_by_exactly_one_check_and_has_text():
    owners = [code for spec in CHECKS for code in spec.codes]
    assert sorted(owners) == sorted(CATALOGUE) and len(owners) == len(set(owners))
    for entry in CATALOGUE.values():
        assert entry.title and entry.why and entry.fix and entry.reference.startswith("https://")
    assert {case[0] for case in CASES.values()} >= set(CATALOGUE) - {"CHAIN_TO_ADMIN"}


@pytest.mark.parametrize(
    ("provider", "host", "audience", "prefix"),
    [
        (GITHUB, "token.actions.githubusercontent.com", "sts.amazonaws.com", "repo"),
        (GITLAB, "gitlab.com", "https://gitlab.com", "project_path"),
    ],
)
def test_ci_subject_wildcards_are_graded_by_what_they_admit(provider: str, host: str, audience: str, prefix: str):
    """GitHub `repo:OWNER/REPO:...` and GitLab `project_path:GROUP/PROJECT:...` subjects grade alike."""

    def severity(sub: str) -> Severity | None:
        snap = snapshot(
            role(
                trust_policy=trust(
                    allow(
                        {"Federated": provider},
                        "sts:AssumeRoleWithWebIdentity",
                        StringEquals={f"{host}:aud": audience},
                        StringLike={f"{host}:sub": sub},
                    )
                )
            )
        )
        found = raised("OIDC_CI_WILDCARD_SUBJECT", snap)
        return found[0].severity if found else None

    assert severity(f"{prefix}:*") is Severity.CRITICAL
    assert severity("*") is Severity.CRITICAL
    assert severity(f"{prefix}:acme-*/app:*") is Severity.CRITICAL
    assert severity(f"{prefix}:acme/*") is Severity.HIGH
    assert severity(f"{prefix}:acme/app:*") is Severity.MEDIUM
    assert severity(f"{prefix}:acme/app:ref:refs/heads/*") is Severity.MEDIUM
    assert severity(f"{prefix}:acme/app:ref:refs/heads/release-*") is None
    assert severity(f"{prefix}:acme/app:environment:prod") is None


def test_a_sub_wildcard_is_forgiven_down_to_what_a_repository_pin_leaves():
    snap = snapshot(
        role(
            trust_policy=trust(
                allow(
                    {"Federated": GITHUB},
                    "sts:AssumeRoleWithWebIdentity",
                    StringEquals={
                        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                        "token.actions.githubusercontent.com:repository": "acme/app",
                    },
                    StringLike={"token.actions.githubusercontent.com:sub": "*"},
                )
            )
        )
    )
    found = raised("OIDC_CI_WILDCARD_SUBJECT", snap)
    assert [f.severity for f in found] == [Severity.MEDIUM]


def test_oidc_audience_severity_depends_on_the_provider():
    google = snapshot(
        role(trust_policy=trust(allow({"Federated": "accounts.google.com"}, "sts:AssumeRoleWithWebIdentity")))
    )
    assert [f.severity for f in raised("OIDC_NO_AUDIENCE", google)] == [Severity.HIGH]
    eks_host = "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF"
    eks = snapshot(
        role(
            trust_policy=trust(
                allow(
                    {"Federated": f"arn:aws:iam::{ACCT}:oidc-provider/{eks_host}"},
                    "sts:AssumeRoleWithWebIdentity",
                    StringEquals={f"{eks_host}:sub": "system:serviceaccount:web:app"},
                )
            )
        ),
        oidc_providers=(
            OidcProvider(
                arn=f"arn:aws:iam::{ACCT}:oidc-provider/{eks_host}",
                url=f"https://{eks_host}",
                client_ids=("sts.amazonaws.com",),
            ),
        ),
    )
    [finding] = raised("OIDC_NO_AUDIENCE", eks)
    assert finding.severity is Severity.MEDIUM and "sts.amazonaws.com" in finding.detail
    assert "OIDC_CI_NO_SUBJECT" not in codes(eks)


def test_mfa_enforced_by_a_deny_statement_counts():
    snap = snapshot(
        role(
            trust_policy=trust(
                allow({"AWS": f"arn:aws:iam::{ACCT}:user/wayne"}),
                {
                    "Effect": "Deny",
                    "Principal": {"AWS": "*"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
                },
            ),
            managed=(ADMIN,),
        )
    )
    assert "PRIVILEGED_NO_MFA" not in codes(snap)


def test_privileged_no_mfa_names_each_human_principal_and_skips_machines():
    snap = snapshot(
        role(
            trust_policy=trust(
                allow(
                    {
                        "AWS": [f"arn:aws:iam::{ACCT}:user/wayne", f"arn:aws:iam::{ACCT}:role/Ci"],
                        "Service": "ec2.amazonaws.com",
                    }
                )
            ),
            policy={"Statement": {"Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": "*"}},
        )
    )
    assert [f.principal for f in raised("PRIVILEGED_NO_MFA", snap)] == [f"arn:aws:iam::{ACCT}:user/wayne"]


def test_unused_is_measured_from_the_capture_time_when_now_is_not_given():
    snap = snapshot(
        role(trust_policy=trust(allow(LAMBDA)), last_used="2026-06-01T00:00:00Z"),
        captured_at="2026-06-15T00:00:00Z",
    )
    only = ["ROLE_UNUSED"]
    assert [f.code for f in run_findings(snap, TrustGraph(), codes=only)] == []
    assert [f.code for f in run_findings(snap, TrustGraph(), now=NOW, codes=only)] == ["ROLE_UNUSED"]


def _chain_graph(*edges: tuple[str, str], kinds: dict[str, NodeKind]) -> TrustGraph:
    graph = TrustGraph()
    for name, kind in kinds.items():
        node_id = arn(name) if kind is NodeKind.ROLE else f"arn:aws:iam::{ACCT}:user/{name}"
        graph.add_node(Node(id=node_id, kind=kind, label=name, account_id=ACCT, arn=node_id))
    ids = {n.label: n.id for n in graph.nodes()}
    for src, dst in edges:
        graph.add_edge(
            TrustEdge(
                source=ids[src],
                target=ids[dst],
                kind=EdgeKind.CAN_ASSUME,
                action="sts:AssumeRole",
                decision=DecisionKind.ALLOWED,
                statement_index=0,
            )
        )
    return graph


def test_chain_to_admin_through_a_non_admin_role():
    admin = role("Admin", trust_policy=trust(allow({"AWS": arn("Jump")})), managed=(ADMIN,))
    jump = role("Jump", trust_policy=trust(allow({"AWS": f"arn:aws:iam::{ACCT}:user/dev"})), policy=READ_ONLY)
    snap = snapshot(admin, jump)
    kinds = {"dev": NodeKind.USER, "Jump": NodeKind.ROLE, "Admin": NodeKind.ROLE}
    graph = _chain_graph(("dev", "Jump"), ("Jump", "Admin"), kinds=kinds)
    [finding] = raised("CHAIN_TO_ADMIN", snap, graph)
    assert finding.role_arn == arn("Admin") and finding.principal.endswith(":user/dev")
    assert finding.chain == (f"arn:aws:iam::{ACCT}:user/dev", arn("Jump"), arn("Admin"))
    assert "dev -> Jump -> Admin" in finding.detail
    # Close variant: the intermediate role is itself an administrator, so the chain reveals nothing new.
    jump_admin = role("Jump", trust_policy=trust(allow({"AWS": f"arn:aws:iam::{ACCT}:user/dev"})), managed=(ADMIN,))
    assert raised("CHAIN_TO_ADMIN", snapshot(admin, jump_admin), graph) == []


def test_findings_are_sorted_most_severe_first_and_filterable():
    snap = snapshot(
        role("Public", trust_policy=trust(allow("*"))),
        role("Gone", trust_policy=trust(allow({"AWS": "AIDAEXAMPLEDELETED01"}))),
        role("Saml", trust_policy=trust(allow({"Federated": SAML}, "sts:AssumeRoleWithSAML"))),
    )
    found = run_findings(snap, TrustGraph(), now=NOW)
    assert [f.code for f in found] == ["TRUST_ANYONE", "SAML_NO_AUDIENCE", "DELETED_PRINCIPAL"]
    assert [f.code for f in at_least(found, Severity.MEDIUM)] == ["TRUST_ANYONE", "SAML_NO_AUDIENCE"]
    assert set(findings_by_role(found)) == {arn("Public"), arn("Gone"), arn("Saml")}
    assert run_findings(snap, TrustGraph(), now=NOW, codes=["SAML_NO_AUDIENCE"])[0].role_arn == arn("Saml")


# --- the built-in samples raise exactly the findings their story intends ---------------------------------------


def _sample_names() -> list[str]:
    from iamviz.loading.samples import list_samples

    return [info.name for info in list_samples()]


@pytest.mark.parametrize("name", _sample_names())
def test_each_sample_raises_exactly_its_intended_findings(name: str) -> None:
    from iamviz.analysis import build_trust_graph
    from iamviz.loading.samples import load_sample, sample_teaching

    snap = load_sample(name)
    intended = {(item["code"], item["role"]) for item in sample_teaching(name).get("intended_findings", [])}
    found = {(f.code, f.role_arn) for f in run_findings(snap, build_trust_graph(snap))}
    assert found == intended
    if not name.endswith("-done-wrong"):
        assert found == set(), f"{name} is a done-right sample"


def test_real_world_exports_are_checked_without_errors(real_world_dir):
    from iamviz.analysis import build_trust_graph
    from iamviz.loading import load_sources

    snap = load_sources([str(real_world_dir / "cloudmapper-demo-gaad.json")])
    found = run_findings(snap, build_trust_graph(snap), now=NOW)
    assert ("TRUST_ANYONE", f"arn:aws:iam::{snap.accounts[0].account_id}:role/bad_role") in {
        (f.code, f.role_arn) for f in found
    }
    big = load_sources([str(real_world_dir / "cloudsplaining-example-gaad.json")])
    assert all(f.code in CATALOGUE for f in run_findings(big, build_trust_graph(big), now=NOW))


def test_chain_to_admin_is_one_finding_per_role_and_skips_principals_with_direct_access():
    admin = role("Admin", trust_policy=trust(allow({"AWS": arn("Jump")})), managed=(ADMIN,))
    jump = role("Jump", trust_policy=trust(allow({"AWS": f"arn:aws:iam::{ACCT}:user/dev"})), policy=READ_ONLY)
    kinds = {"dev": NodeKind.USER, "ops": NodeKind.USER, "qa": NodeKind.USER, "Jump": NodeKind.ROLE}
    kinds["Admin"] = NodeKind.ROLE
    graph = _chain_graph(
        ("dev", "Jump"), ("ops", "Jump"), ("qa", "Jump"), ("Jump", "Admin"), ("ops", "Admin"), kinds=kinds
    )
    [finding] = raised("CHAIN_TO_ADMIN", snapshot(admin, jump), graph)
    assert finding.principal.endswith(":user/dev")
    assert finding.detail.endswith("1 other principal also reaches it (qa).")


def test_account_trust_pinned_to_roles_is_not_human_facing():
    def found(pattern: str) -> list[Finding]:
        statement = allow({"AWS": f"arn:aws:iam::{ACCT}:root"}, ArnLike={"aws:PrincipalArn": pattern})
        return raised("PRIVILEGED_NO_MFA", snapshot(role(trust_policy=trust(statement), managed=(ADMIN,))))

    assert found(f"arn:aws:iam::{ACCT}:role/ci-*") == []
    assert len(found(f"arn:aws:iam::{ACCT}:user/ops-*")) == 1
    assert len(found(f"arn:aws:iam::{ACCT}:*")) == 1
