"""Hand-built trust graphs for the layout, render and export tests (and the layout bench).

``classroom_graph()`` resembles the classroom sample: two loaded accounts, users in groups, roles trusted by a
service, a SAML provider, Cognito/Google/GitHub, an external account, anyone, a deleted principal, a chain and a
cycle. ``synthetic_graph(roles=N)`` is a large, random-but-seeded account for scale.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

from iamviz.model.graph import ANYONE_ID, DecisionKind, EdgeKind, Node, NodeKind, TrustEdge, TrustGraph

WORKLOAD = "111111111111"
PARTNER = "222222222222"
OUTSIDER = "999988887777"


def role_id(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def user_id(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:user/{name}"


def _assume(
    graph: TrustGraph,
    source: str,
    target: str,
    decision=DecisionKind.ALLOWED,
    requirements=(),
    *,
    action="sts:AssumeRole",
    index=0,
    root=False,
) -> None:
    graph.add_edge(
        TrustEdge(
            source=source,
            target=target,
            kind=EdgeKind.CAN_ASSUME,
            action=action,
            decision=decision,
            requirements=tuple(requirements),
            statement_index=index,
            reasons=(f"trust statement {index} names the caller",),
            via_account_root=root,
        )
    )


def _member(graph: TrustGraph, user: str, group: str) -> None:
    graph.add_edge(TrustEdge(source=user, target=group, kind=EdgeKind.MEMBER_OF))


def classroom_graph() -> TrustGraph:
    g = TrustGraph()
    add = g.add_node
    add(
        Node(
            id=f"arn:aws:iam::{WORKLOAD}:root",
            kind=NodeKind.ACCOUNT,
            label="workload",
            account_id=WORKLOAD,
            arn=f"arn:aws:iam::{WORKLOAD}:root",
        )
    )
    add(
        Node(
            id=f"arn:aws:iam::{PARTNER}:root",
            kind=NodeKind.ACCOUNT,
            label="partner",
            account_id=PARTNER,
            arn=f"arn:aws:iam::{PARTNER}:root",
        )
    )
    for name in ("alice", "bob", "wayne", "dev", "carol"):
        add(
            Node(
                id=user_id(WORKLOAD, name),
                kind=NodeKind.USER,
                label=name,
                account_id=WORKLOAD,
                arn=user_id(WORKLOAD, name),
            )
        )
    add(
        Node(
            id=user_id(PARTNER, "uploader"),
            kind=NodeKind.USER,
            label="uploader",
            account_id=PARTNER,
            arn=user_id(PARTNER, "uploader"),
        )
    )
    for name in ("Developers", "Admins"):
        gid = f"arn:aws:iam::{WORKLOAD}:group/{name}"
        add(Node(id=gid, kind=NodeKind.GROUP, label=name, account_id=WORKLOAD, arn=gid))
    workload_roles = (
        "FnExecRole",
        "BreakGlassAdmin",
        "StaffReadOnly",
        "AppUsers",
        "DeployRole",
        "AdminRole",
        "PublicReadRole",
        "GitHubCiDeploy",
        "AuditRole",
        "Ec2WebServer",
        "CognitoGuest",
    )
    for name in workload_roles:
        add(
            Node(
                id=role_id(WORKLOAD, name),
                kind=NodeKind.ROLE,
                label=name,
                account_id=WORKLOAD,
                arn=role_id(WORKLOAD, name),
            )
        )
    for name in ("UploadRole", "PartnerAdmin", "PingRole", "PongRole"):
        add(
            Node(
                id=role_id(PARTNER, name),
                kind=NodeKind.ROLE,
                label=name,
                account_id=PARTNER,
                arn=role_id(PARTNER, name),
            )
        )
    add(Node(id="service:lambda.amazonaws.com", kind=NodeKind.SERVICE, label="lambda"))
    add(Node(id="service:ec2.amazonaws.com", kind=NodeKind.SERVICE, label="ec2"))
    saml = f"arn:aws:iam::{WORKLOAD}:saml-provider/ADFS"
    add(Node(id=saml, kind=NodeKind.SAML_PROVIDER, label="ADFS", account_id=WORKLOAD, arn=saml))
    gh = f"arn:aws:iam::{WORKLOAD}:oidc-provider/token.actions.githubusercontent.com"
    add(Node(id=gh, kind=NodeKind.OIDC_PROVIDER, label="GitHub Actions", account_id=WORKLOAD, arn=gh))
    add(Node(id="federated:accounts.google.com", kind=NodeKind.OIDC_PROVIDER, label="Google"))
    add(Node(id="federated:cognito-identity.amazonaws.com", kind=NodeKind.OIDC_PROVIDER, label="Cognito"))
    ext_root = f"arn:aws:iam::{OUTSIDER}:root"
    add(Node(id=ext_root, kind=NodeKind.EXTERNAL_ACCOUNT, label=OUTSIDER, account_id=OUTSIDER, arn=ext_root))
    vendor = "arn:aws:iam::444455556666:role/VendorScanner"
    add(Node(id=vendor, kind=NodeKind.EXTERNAL_PRINCIPAL, label="VendorScanner", account_id="444455556666", arn=vendor))
    add(Node(id=ANYONE_ID, kind=NodeKind.ANYONE, label="anyone"))
    add(Node(id="deleted:AROAEXAMPLEDELETED01", kind=NodeKind.DELETED, label="AROAEXAMPLEDELETED01"))

    w = lambda name: role_id(WORKLOAD, name)  # noqa: E731
    p = lambda name: role_id(PARTNER, name)  # noqa: E731
    u = lambda name: user_id(WORKLOAD, name)  # noqa: E731
    _member(g, u("alice"), f"arn:aws:iam::{WORKLOAD}:group/Developers")
    _member(g, u("bob"), f"arn:aws:iam::{WORKLOAD}:group/Developers")
    _member(g, u("dev"), f"arn:aws:iam::{WORKLOAD}:group/Developers")
    _member(g, u("wayne"), f"arn:aws:iam::{WORKLOAD}:group/Admins")
    _assume(g, "service:lambda.amazonaws.com", w("FnExecRole"))
    _assume(g, "service:ec2.amazonaws.com", w("Ec2WebServer"))
    _assume(g, u("wayne"), w("BreakGlassAdmin"), DecisionKind.CONDITIONAL, ["MFA"])
    _assume(g, saml, w("StaffReadOnly"), DecisionKind.CONDITIONAL, ["SAML:aud"], action="sts:AssumeRoleWithSAML")
    _assume(
        g,
        "federated:accounts.google.com",
        w("AppUsers"),
        DecisionKind.CONDITIONAL,
        ["aud", "amr"],
        action="sts:AssumeRoleWithWebIdentity",
    )
    _assume(
        g,
        "federated:cognito-identity.amazonaws.com",
        w("CognitoGuest"),
        DecisionKind.CONDITIONAL,
        ["aud", "amr"],
        action="sts:AssumeRoleWithWebIdentity",
    )
    _assume(
        g, gh, w("GitHubCiDeploy"), DecisionKind.CONDITIONAL, ["aud", "sub"], action="sts:AssumeRoleWithWebIdentity"
    )
    _assume(g, f"arn:aws:iam::{WORKLOAD}:root", w("DeployRole"), DecisionKind.NEEDS_CALLER_POLICY, root=True)
    for name in ("alice", "bob", "dev", "carol"):
        _assume(g, u(name), w("DeployRole"), DecisionKind.NEEDS_CALLER_POLICY, root=True)
    _assume(g, w("DeployRole"), w("AdminRole"))
    _assume(g, ANYONE_ID, w("PublicReadRole"))
    _assume(g, ext_root, w("AuditRole"), DecisionKind.CONDITIONAL, ["ExternalId"])
    _assume(g, vendor, w("AuditRole"), DecisionKind.UNKNOWN, index=1)
    _assume(g, "deleted:AROAEXAMPLEDELETED01", w("AuditRole"), DecisionKind.UNKNOWN, index=2)
    _assume(g, u("dev"), p("UploadRole"), DecisionKind.CONDITIONAL, ["ExternalId"])
    _assume(g, user_id(PARTNER, "uploader"), p("UploadRole"))
    _assume(g, p("UploadRole"), p("PartnerAdmin"), DecisionKind.CONDITIONAL, ["MFA"])
    _assume(g, p("PingRole"), p("PongRole"))
    _assume(g, p("PongRole"), p("PingRole"))
    _assume(g, f"arn:aws:iam::{PARTNER}:root", p("PingRole"), DecisionKind.NEEDS_CALLER_POLICY, root=True)
    return g


RISKY = frozenset({(ANYONE_ID, role_id(WORKLOAD, "PublicReadRole"), "TRUST_ANYONE")})


@contextmanager
def classroom_scene(graph: TrustGraph | None = None) -> Iterator:
    """A light-theme TrustScene of ``graph`` (default :func:`classroom_graph`), laid out, animations off, with
    :data:`RISKY` marked; cleared when the block ends. Qt is imported here only (the layout tests stay Qt-free)."""
    from iamviz.layout import layered_layout
    from iamviz.render.scene import TrustScene
    from iamviz.render.theme import load_theme

    graph = graph if graph is not None else classroom_graph()
    scene = TrustScene(theme=load_theme("light"))
    scene.set_animations_enabled(False)
    scene.set_graph(
        graph,
        layered_layout(graph),
        risky_edges=[(a, b, f"{EdgeKind.CAN_ASSUME}|sts:AssumeRole|0") for a, b, _ in RISKY],
        findings_by_node={role_id(WORKLOAD, "PublicReadRole"): ("TRUST_ANYONE",)},
    )
    try:
        yield scene
    finally:
        scene.clear()
        scene.deleteLater()


def synthetic_graph(*, roles: int = 5000, accounts: int = 3, seed: int = 7) -> TrustGraph:
    """A large seeded graph: ``roles`` roles over ``accounts`` accounts, users, services, chains and cycles."""
    rng = random.Random(seed)
    g = TrustGraph()
    account_ids = [f"{100000000000 + k:012d}" for k in range(accounts)]
    role_ids: list[str] = []
    for k in range(roles):
        acct = account_ids[k % accounts]
        rid = role_id(acct, f"role-{k:05d}-{'x' * rng.randrange(0, 30)}")
        role_ids.append(rid)
        g.add_node(Node(id=rid, kind=NodeKind.ROLE, label=rid.rsplit("/", 1)[1], account_id=acct, arn=rid))
    sources: list[str] = []
    for k in range(max(10, roles // 20)):
        acct = account_ids[k % accounts]
        uid = user_id(acct, f"user{k}")
        g.add_node(Node(id=uid, kind=NodeKind.USER, label=f"user{k}", account_id=acct, arn=uid))
        sources.append(uid)
    for name in ("lambda", "ec2", "ecs-tasks", "glue", "states", "events"):
        sid = f"service:{name}.amazonaws.com"
        g.add_node(Node(id=sid, kind=NodeKind.SERVICE, label=name))
        sources.append(sid)
    for k in range(max(2, roles // 500)):
        acct = f"{900000000000 + k:012d}"
        eid = f"arn:aws:iam::{acct}:root"
        g.add_node(Node(id=eid, kind=NodeKind.EXTERNAL_ACCOUNT, label=acct, account_id=acct, arn=eid))
        sources.append(eid)
    decisions = list(DecisionKind)
    for rid in role_ids:
        for _ in range(rng.randrange(1, 3)):
            _assume(g, rng.choice(sources), rid, rng.choice(decisions))
        if rng.random() < 0.3:
            _assume(g, rng.choice(role_ids), rid, index=1)
    return g
