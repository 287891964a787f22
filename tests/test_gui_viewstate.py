"""The GUI's Qt-free parts: search, filters, focus, the policy pretty-printer, the document helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from iamviz.gui.document import choose_focus, marks_an_edge, risky_edges, severity_rank, title_for
from iamviz.gui.policytext import format_policy, policy_html
from iamviz.gui.viewstate import FocusMode, ViewFilter, hidden_nodes, neighbourhood, search
from iamviz.model import Snapshot
from iamviz.model.graph import DecisionKind, EdgeKind, Node, NodeKind, TrustEdge, TrustGraph

A = "111111111111"
ROLE_ADMIN = f"arn:aws:iam::{A}:role/Admin"
ROLE_APP = f"arn:aws:iam::{A}:role/AppRole"
ROLE_FN = f"arn:aws:iam::{A}:role/FnExecRole"
USER_WAYNE = f"arn:aws:iam::{A}:user/wayne"
GROUP_OPS = f"arn:aws:iam::{A}:group/ops"
LAMBDA = "service:lambda.amazonaws.com"


@dataclass(frozen=True)
class FakeFinding:
    code: str
    severity: str
    title: str
    role_arn: str
    statement_index: int | None = None
    principal: str | None = None
    detail: str = ""


def _assume(source: str, target: str, index: int = 0, **kw) -> TrustEdge:
    return TrustEdge(
        source=source,
        target=target,
        kind=EdgeKind.CAN_ASSUME,
        action="sts:AssumeRole",
        decision=kw.pop("decision", DecisionKind.ALLOWED),
        statement_index=index,
        **kw,
    )


@pytest.fixture
def graph() -> TrustGraph:
    g = TrustGraph()
    for node_id, kind, label in (
        (USER_WAYNE, NodeKind.USER, "wayne"),
        (GROUP_OPS, NodeKind.GROUP, "ops"),
        (ROLE_ADMIN, NodeKind.ROLE, "Admin"),
        (ROLE_APP, NodeKind.ROLE, "AppRole"),
        (ROLE_FN, NodeKind.ROLE, "FnExecRole"),
        (LAMBDA, NodeKind.SERVICE, "lambda"),
        ("*", NodeKind.ANYONE, "anyone"),
    ):
        arn = node_id if node_id.startswith("arn:") else None
        g.add_node(Node(id=node_id, kind=kind, label=label, account_id=A if arn else None, arn=arn))
    g.add_edge(TrustEdge(source=USER_WAYNE, target=GROUP_OPS, kind=EdgeKind.MEMBER_OF))
    g.add_edge(_assume(USER_WAYNE, ROLE_ADMIN, decision=DecisionKind.CONDITIONAL, requirements=("MFA",)))
    g.add_edge(_assume(ROLE_ADMIN, ROLE_APP))
    g.add_edge(_assume(LAMBDA, ROLE_FN))
    g.add_edge(_assume("*", ROLE_APP, index=1))
    return g


# ---- search -------------------------------------------------------------------------------------------------------


def test_search_matches_labels_first_then_arn_fragments(graph):
    assert search(graph, "role") == [ROLE_APP, ROLE_FN, ROLE_ADMIN]  # labels AppRole, FnExecRole; then ARN ':role/'
    assert search(graph, "WAYNE") == [USER_WAYNE]
    assert search(graph, ":user/") == [USER_WAYNE]
    assert search(graph, "lambda.amazonaws") == [LAMBDA]


def test_search_blank_matches_nothing_and_among_restricts(graph):
    assert search(graph, "   ") == []
    assert search(graph, "role", among={ROLE_FN}) == [ROLE_FN]
    assert search(graph, "nonesuch") == []


# ---- filters and focus --------------------------------------------------------------------------------------------


def test_no_filter_hides_nothing(graph):
    assert hidden_nodes(graph, ViewFilter()) == frozenset()


def test_hide_services_and_groups(graph):
    assert hidden_nodes(graph, ViewFilter(hide_services=True)) == {LAMBDA}
    assert hidden_nodes(graph, ViewFilter(hide_groups=True)) == {GROUP_OPS}
    assert hidden_nodes(graph, ViewFilter(hide_services=True, hide_groups=True)) == {LAMBDA, GROUP_OPS}


def test_only_risky_keeps_flagged_roles_and_risky_edge_ends(graph):
    risky = {("*", ROLE_APP, _assume("*", ROLE_APP, index=1).key)}
    hidden = hidden_nodes(graph, ViewFilter(only_risky=True), risky_edges=risky, flagged={ROLE_APP})
    assert set(graph.nx.nodes) - hidden == {"*", ROLE_APP}


def test_filters_apply_only_to_drawn_nodes(graph):
    hidden = hidden_nodes(graph, ViewFilter(only_risky=True), flagged={ROLE_APP}, drawn={ROLE_APP, ROLE_FN})
    assert hidden == {ROLE_FN}


def test_neighbourhood_by_hops(graph):
    one, edges = neighbourhood(graph, ROLE_ADMIN, 1)
    assert one == {ROLE_ADMIN, USER_WAYNE, ROLE_APP}
    assert all(s in one and t in one for s, t, _ in edges)
    assert (USER_WAYNE, ROLE_ADMIN, _assume(USER_WAYNE, ROLE_ADMIN).key) in edges
    two, _ = neighbourhood(graph, ROLE_ADMIN, 2)
    assert two == {ROLE_ADMIN, USER_WAYNE, ROLE_APP, GROUP_OPS, "*"}
    assert neighbourhood(graph, "nope", 3) == (frozenset(), frozenset())


def test_focus_hide_mode_hides_outside_but_never_the_focus(graph):
    view = ViewFilter(focus=ROLE_FN, hops=1, focus_mode=FocusMode.HIDE)
    assert set(graph.nx.nodes) - hidden_nodes(graph, view) == {ROLE_FN, LAMBDA}
    # dim mode hides nothing (the scene dims instead)
    assert hidden_nodes(graph, ViewFilter(focus=ROLE_FN)) == frozenset()
    # even a kind filter does not hide the focused node
    assert LAMBDA not in hidden_nodes(graph, ViewFilter(focus=LAMBDA, hide_services=True))


# ---- document helpers ---------------------------------------------------------------------------------------------


def test_risky_edges_follow_role_statement_and_principal(graph):
    findings = [FakeFinding(code="TRUST_ANYONE", severity="critical", title="t", role_arn=ROLE_APP, statement_index=1)]
    assert risky_edges(graph, findings) == {("*", ROLE_APP, _assume("*", ROLE_APP, index=1).key)}
    by_principal = [
        FakeFinding(
            code="X",
            severity="medium",
            title="t",
            role_arn=ROLE_FN,
            statement_index=0,
            principal="lambda.amazonaws.com",
        )
    ]
    assert risky_edges(graph, by_principal) == {(LAMBDA, ROLE_FN, _assume(LAMBDA, ROLE_FN).key)}
    assert risky_edges(graph, [FakeFinding(code="X", severity="high", title="t", role_arn="arn:nope")]) == frozenset()


def test_role_wide_and_low_findings_do_not_paint_edges(graph):
    """ROLE_UNUSED (low, about the role as a whole) must not thicken every edge into the role."""
    unused = FakeFinding(code="ROLE_UNUSED", severity="low", title="t", role_arn=ROLE_FN)
    low_specific = FakeFinding(code="X", severity="low", title="t", role_arn=ROLE_FN, statement_index=0)
    role_wide_high = FakeFinding(code="X", severity="high", title="t", role_arn=ROLE_FN)
    assert risky_edges(graph, [unused, low_specific, role_wide_high]) == frozenset()
    assert not any(marks_an_edge(f) for f in (unused, low_specific, role_wide_high))
    assert marks_an_edge(FakeFinding(code="X", severity="medium", title="t", role_arn=ROLE_FN, principal="x"))


def test_window_and_export_share_the_edge_rule():
    from types import SimpleNamespace

    from iamviz.cli.export import _marks_an_edge

    for severity in ("critical", "high", "medium", "low", "info"):
        for index, principal in ((None, None), (0, None), (None, "p")):
            finding = SimpleNamespace(severity=severity, statement_index=index, principal=principal)
            assert _marks_an_edge(finding) == marks_an_edge(finding)


def test_choose_focus_starts_from_the_riskiest_role(graph):
    findings = [FakeFinding(code="X", severity="critical", title="t", role_arn=ROLE_FN)]
    focus = choose_focus(graph, findings, budget=2)
    assert ROLE_FN in focus and LAMBDA in focus
    assert ROLE_ADMIN not in focus


def test_severity_rank_orders_most_severe_first():
    ordered = sorted(["low", "info", "critical", "medium", "high", "weird"], key=severity_rank)
    assert ordered == ["critical", "high", "medium", "low", "info", "weird"]


def test_title_for_names_files_samples_and_live():
    empty = Snapshot()
    assert title_for(["/x/classroom.json"], empty) == "classroom.json"
    assert title_for(["/x/a.json", "/y/b.json"], empty) == "a.json +1"
    assert title_for(["sample:classroom"], Snapshot(title="Classroom")) == "Classroom"
    assert title_for(["live:dev"], empty) == "live:dev"


# ---- policy text --------------------------------------------------------------------------------------------------

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "Users", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"},
    ],
}


def test_format_policy_is_valid_json_with_a_span_per_statement():
    formatted = format_policy(json.dumps(POLICY))
    assert json.loads(formatted.text) == POLICY
    assert len(formatted.spans) == 2
    for (start, end), statement in zip(formatted.spans, POLICY["Statement"], strict=True):
        assert json.loads(formatted.text[start:end]) == statement


def test_format_policy_single_statement_object_and_bad_text():
    single = {"Version": "2012-10-17", "Statement": POLICY["Statement"][1]}
    formatted = format_policy(single)
    assert len(formatted.spans) == 1
    start, end = formatted.spans[0]
    assert json.loads(formatted.text[start:end]) == POLICY["Statement"][1]
    assert format_policy("not json").spans == ()


def test_policy_html_marks_only_the_chosen_statement():
    marked = policy_html(POLICY, highlight=1, style="background:yellow")
    assert marked.count("<span style='background:yellow'>") == 1
    inside = marked.split("<span style='background:yellow'>")[1].split("</span>")[0]
    assert "lambda.amazonaws.com" in inside and "Users" not in inside
    assert "<span" not in policy_html(POLICY, highlight=7)
