"""The Inspector dock: what is selected and why it is so.

For a node: its ARN, kind, account, tags, who can assume it and what it can assume, a permissions summary, its
findings, and its trust policy. For an edge: the decision, the reasons in plain words, the conditions of the
statement that grants it and what would satisfy them, and the role's trust policy with that statement highlighted.
Links in the text (other principals, roles) select what they name.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from iamviz.analysis.conditions import describe_condition
from iamviz.analysis.permissions import summarize_permissions
from iamviz.analysis.trust import AssumeRoleRequest, evaluate_assume_role
from iamviz.errors import IamvizError
from iamviz.gui.document import Document, severity_rank
from iamviz.gui.policytext import policy_html
from iamviz.model.graph import DecisionKind, EdgeKind, Node, NodeKind, TrustEdge

KIND_NAMES = {
    NodeKind.ACCOUNT: "AWS account (its root: every principal the account allows)",
    NodeKind.EXTERNAL_ACCOUNT: "external AWS account (not loaded)",
    NodeKind.USER: "IAM user",
    NodeKind.GROUP: "IAM group",
    NodeKind.ROLE: "IAM role",
    NodeKind.EXTERNAL_PRINCIPAL: "principal in an account that is not loaded",
    NodeKind.SERVICE: "AWS service",
    NodeKind.SAML_PROVIDER: "SAML identity provider",
    NodeKind.OIDC_PROVIDER: "OIDC / web identity provider",
    NodeKind.DELETED: "deleted principal (a bare unique ID left in a trust policy)",
    NodeKind.ANYONE: "anyone (the * principal)",
}

DECISION_WORDS = {
    DecisionKind.ALLOWED: "Allowed: the trust policy lets this caller in with no further context.",
    DecisionKind.CONDITIONAL: "Allowed only with context the caller must bring: {requirements}.",
    DecisionKind.NEEDS_CALLER_POLICY: (
        "Granted by the role's trust policy; the caller also needs an identity policy allowing the call, "
        "and that policy is not known here."
    ),
    DecisionKind.UNKNOWN: "Unknown: a condition iamviz cannot judge. It is never counted as allowed.",
}

VERDICT_MARKS = {"true": "✓", "false": "✗", "unknown": "?"}
"""How a condition's verdict is marked (a symbol, not a colour)."""

HIGHLIGHT_STYLE = "background-color:#F0E442; color:#000000;"
_STYLE = """
<style>
h2 { margin: 0 0 4px 0; font-size: large; }
h3 { margin: 10px 0 2px 0; font-size: medium; }
ul { margin: 0; -qt-list-indent: 1; }
.muted { color: #6b6b6b; }
.sev-critical, .sev-high { color: #D55E00; font-weight: bold; }
.sev-medium { color: #E69F00; font-weight: bold; }
pre { font-family: 'DejaVu Sans Mono', monospace; white-space: pre-wrap; }
td { padding: 0 8px 0 0; vertical-align: top; }
</style>
"""


def _esc(text: object) -> str:
    return html.escape(str(text))


def _link(node_id: str, label: str) -> str:
    return f"<a href='node:{html.escape(node_id, quote=True)}'>{_esc(label)}</a>"


def _rows(pairs: Iterable[tuple[str, str]]) -> str:
    body = "".join(f"<tr><td class='muted'>{_esc(k)}</td><td>{v}</td></tr>" for k, v in pairs if v)
    return f"<table>{body}</table>"


class InspectorPanel(QWidget):
    """Shows the selected node or edge of the current :class:`~iamviz.gui.document.Document`."""

    node_link_activated = Signal(str)
    """A link to a node was clicked; carries the node id."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document: Document | None = None
        self.subject: str | tuple[str, str, str] | None = None
        self.highlighted_statement: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.anchorClicked.connect(self._on_anchor)
        layout.addWidget(self.browser)
        self.clear()

    # ---- Public API
    def set_document(self, document: Document | None) -> None:
        self.document = document
        self.clear()

    def clear(self) -> None:
        """Show the hint that says what to click."""
        self.subject = None
        self.highlighted_statement = None
        hint = "Click a role, a user or an arrow to see who can assume what, and why."
        if self.document is not None:
            g, doc = self.document.graph, self.document
            hint = (
                f"<p>{len(g):,} nodes, {doc.edge_count:,} edges, {len(doc.findings)} findings.</p><p "
                f"class='muted'>{hint}</p>"
            )
        self.browser.setHtml(_STYLE + hint)

    def plain_text(self) -> str:
        """What the panel shows, as plain text (for tests and copying)."""
        return self.browser.toPlainText()

    def show_node(self, node_id: str) -> None:
        """Inspect the node ``node_id``."""
        doc = self.document
        if doc is None or not doc.graph.has_node(node_id):
            self.clear()
            return
        self.subject = node_id
        self.highlighted_statement = None
        node = doc.graph.node(node_id)
        parts = [_STYLE, f"<h2>{_esc(node.label)}</h2>", self._identity_rows(node)]
        parts.append(self._edges_section(node))
        parts.append(self._findings_section(doc.findings_by_node.get(node_id, ())))
        parts.append(self._permissions_section(node))
        entity = self._entity(node)
        if node.kind is NodeKind.ROLE and entity is not None:
            parts.append("<h3>Trust policy</h3>")
            parts.append(policy_html(entity.trust_policy.text))
        self.browser.setHtml("".join(p for p in parts if p))

    def show_edge(self, source: str, target: str, key: str) -> None:
        """Inspect the edge ``source -> target`` with multigraph key ``key``."""
        doc = self.document
        edge: TrustEdge | None = doc.graph.edge(source, target, key) if doc is not None else None
        if doc is None or edge is None:
            self.clear()
            return
        self.subject = (source, target, key)
        src, dst = doc.graph.node(source), doc.graph.node(target)
        if edge.kind is EdgeKind.MEMBER_OF:
            self.highlighted_statement = None
            self.browser.setHtml(
                _STYLE + f"<h2>{_link(source, src.label)} is a member of {_link(target, dst.label)}</h2>"
                "<p>Members get the group's permissions; a group cannot be named in a trust policy.</p>"
            )
            return
        self.highlighted_statement = edge.statement_index
        parts = [
            _STYLE,
            f"<h2>{_link(source, src.label)} → {_link(target, dst.label)}</h2>",
            _rows(
                [("action", _esc(edge.action or "sts:AssumeRole")), ("granted by", _esc(self._statement_label(edge)))]
            ),
            self._decision_section(edge),
            self._conditions_section(dst, edge),
            self._findings_section(
                f for f in doc.findings_by_node.get(target, ()) if f.statement_index in (None, edge.statement_index)
            ),
        ]
        role = self._entity(dst)
        if role is not None and dst.kind is NodeKind.ROLE:
            parts.append(f"<h3>Trust policy of {_esc(dst.label)} ({_esc(self._statement_label(edge))} marked)</h3>")
            parts.append(policy_html(role.trust_policy.text, highlight=edge.statement_index, style=HIGHLIGHT_STYLE))
        parts.append(self._engine_section(src, dst, edge))
        self.browser.setHtml("".join(p for p in parts if p))

    # ---- Sections
    def _identity_rows(self, node: Node) -> str:
        doc = self.document
        assert doc is not None
        account = doc.snapshot.account(node.account_id) if node.account_id else None
        entity = self._entity(node)
        pairs = [
            ("kind", _esc(KIND_NAMES.get(node.kind, str(node.kind)))),
            ("ARN", _esc(node.arn or node.id)),
            ("account", _esc(account.label if account else (node.account_id or ""))),
        ]
        if entity is not None:
            pairs += [
                ("path", _esc(getattr(entity, "path", "") if getattr(entity, "path", "/") != "/" else "")),
                ("description", _esc(getattr(entity, "description", None) or "")),
                ("created", _esc(getattr(entity, "create_date", None) or "")),
                ("last used", _esc(self._last_used(entity))),
                ("tags", "<br>".join(f"{_esc(t.key)} = {_esc(t.value)}" for t in getattr(entity, "tags", ()))),
            ]
        return _rows(pairs)

    @staticmethod
    def _last_used(entity: Any) -> str:
        last = getattr(entity, "last_used", None)
        if last is None:
            return ""
        if last == "":
            return "never (as far as IAM knows)"
        region = getattr(entity, "last_used_region", None)
        return f"{last} in {region}" if region else last

    def _edges_section(self, node: Node) -> str:
        doc = self.document
        assert doc is not None
        graph = doc.graph
        incoming = [e for e in graph.in_edges(node.id) if e.kind is EdgeKind.CAN_ASSUME]
        outgoing = [e for e in graph.out_edges(node.id) if e.kind is EdgeKind.CAN_ASSUME]
        groups = [e for e in graph.out_edges(node.id) if e.kind is EdgeKind.MEMBER_OF]
        members = [e for e in graph.in_edges(node.id) if e.kind is EdgeKind.MEMBER_OF]
        parts = []
        for title, edges, end in (
            ("Who can assume it", incoming, "source"),
            ("What it can assume", outgoing, "target"),
            ("Member of", groups, "target"),
            ("Members", members, "source"),
        ):
            if not edges:
                continue
            items = []
            for e in edges[:200]:
                other = graph.node(getattr(e, end))
                badge = f" <span class='muted'>[{_esc(', '.join(e.requirements))}]</span>" if e.requirements else ""
                kind = f" <span class='muted'>({_esc(e.decision)})</span>" if e.decision else ""
                items.append(f"<li>{_link(other.id, other.label)}{badge}{kind}</li>")
            more = f"<li class='muted'>… and {len(edges) - 200} more</li>" if len(edges) > 200 else ""
            parts.append(f"<h3>{title} ({len(edges)})</h3><ul>{''.join(items)}{more}</ul>")
        return "".join(parts)

    def _findings_section(self, findings: Iterable[Any]) -> str:
        items = sorted(findings, key=lambda f: severity_rank(f.severity))
        if not items:
            return ""
        rows = "".join(
            f"<li><span class='sev-{_esc(str(f.severity).lower())}'>{_esc(str(f.severity).upper())}</span> "
            f"{_esc(f.title)} <span class='muted'>({_esc(f.code)})</span>"
            + (f"<br>{_esc(f.detail)}" if getattr(f, "detail", None) else "")
            + "</li>"
            for f in items
        )
        return f"<h3>Findings ({len(items)})</h3><ul>{rows}</ul>"

    def _permissions_section(self, node: Node) -> str:
        if node.kind not in (NodeKind.ROLE, NodeKind.USER, NodeKind.GROUP) or not node.arn:
            return ""
        doc = self.document
        assert doc is not None
        account = doc.snapshot.account(node.account_id) if node.account_id else None
        if account is None:
            return ""
        summary = summarize_permissions(account, node.arn)
        verdict = (
            "<b>administrator</b> (can do anything)"
            if summary.is_admin
            else "<b>privileged</b> (can change IAM or reach sensitive services)"
            if summary.is_privileged
            else "not privileged"
        )
        services = ", ".join(sorted(summary.services)) or "none"
        reasons = "".join(f"<li>{_esc(r)}</li>" for r in summary.reasons)
        managed = ", ".join(summary.managed_policies)
        return (
            f"<h3>Permissions</h3><p>{verdict}</p>"
            + (f"<ul>{reasons}</ul>" if reasons else "")
            + f"<p class='muted'>services: {_esc(services)}</p>"
            + (f"<p class='muted'>AWS managed: {_esc(managed)}</p>" if managed else "")
        )

    def _decision_section(self, edge: TrustEdge) -> str:
        words = DECISION_WORDS.get(edge.decision, "") if edge.decision else ""
        words = words.format(requirements=", ".join(edge.requirements) or "see the conditions")
        reasons = "".join(f"<li>{_esc(r)}</li>" for r in edge.reasons)
        return f"<h3>Decision</h3><p>{_esc(words)}</p>" + (f"<ul>{reasons}</ul>" if reasons else "")

    def _conditions_section(self, dst: Node, edge: TrustEdge) -> str:
        """The conditions of the statement that grants the edge, in plain words: what would satisfy them."""
        role = self._entity(dst)
        statement = None
        if role is not None and edge.statement_index is not None:
            statements = role.trust_policy.statements
            if 0 <= edge.statement_index < len(statements):
                statement = statements[edge.statement_index]
        if statement is None or not statement.conditions:
            return ""
        items = []
        for condition in statement.conditions:
            raw = f"{condition.operator} {condition.key} {list(condition.values)}"
            items.append(f"<li>{_esc(describe_condition(condition))}<br><span class='muted'>{_esc(raw)}</span></li>")
        return f"<h3>It holds only when (all of these)</h3><ul>{''.join(items)}</ul>"

    def _engine_section(self, src: Node, dst: Node, edge: TrustEdge) -> str:
        """The trust engine's answer when the caller brings no extra context, with its reasons."""
        decision = self._evaluate(src, dst, edge)
        if decision is None:
            return ""
        outcome = "ALLOW" if decision.allowed else "DENY"
        lines = [f"<li>{_esc(r)}</li>" for r in decision.reasons]
        for result in decision.condition_results:
            mark = VERDICT_MARKS.get(str(result.verdict).lower(), "?")
            lines.append(f"<li>{mark} {_esc(result.reason)}</li>")
        lines += [f"<li class='muted'>assumed: {_esc(a)}</li>" for a in decision.assumptions]
        return f"<h3>If {_esc(src.label)} asks with no extra context: {outcome}</h3><ul>{''.join(lines)}</ul>"

    # ---- Helpers
    def _evaluate(self, src: Node, dst: Node, edge: TrustEdge) -> Any:
        doc = self.document
        assert doc is not None
        if dst.kind is not NodeKind.ROLE or not dst.arn:
            return None
        try:
            request = AssumeRoleRequest(caller=src.id, role_arn=dst.arn, action=edge.action)
            return evaluate_assume_role(doc.snapshot, request)
        except IamvizError:  # a caller the engine cannot express (e.g. anyone): the edge's own reasons stand
            return None

    def _entity(self, node: Node) -> Any:
        doc = self.document
        if doc is None or not node.account_id or not node.arn:
            return None
        account = doc.snapshot.account(node.account_id)
        if account is None:
            return None
        lookup = {
            NodeKind.ROLE: lambda: account.roles_by_arn.get(node.arn),
            NodeKind.USER: lambda: account.users_by_arn.get(node.arn),
            NodeKind.GROUP: lambda: next((g for g in account.groups if g.arn == node.arn), None),
        }.get(node.kind)
        return lookup() if lookup else None

    @staticmethod
    def _statement_label(edge: TrustEdge) -> str:
        if edge.statement_sid:
            return f"trust statement Sid {edge.statement_sid!r}"
        if edge.statement_index is not None:
            return f"trust statement #{edge.statement_index + 1}"
        return ""

    def _on_anchor(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("node:"):
            self.node_link_activated.emit(text.removeprefix("node:"))
