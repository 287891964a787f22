"""What the window shows, as plain data, and the Qt-free pipeline that produces it.

``sources -> Snapshot -> TrustGraph -> findings -> layout`` runs on a worker thread (see :mod:`iamviz.gui.workers`)
and returns one frozen :class:`Document`; the window then hands it to the scene on the UI thread. Nothing here
imports Qt, so it is tested without a QApplication.

Past :data:`FOCUS_THRESHOLD` nodes the document opens *focused*: only the riskiest and most connected roles and
their direct neighbours are laid out and drawn, and :attr:`Document.focus_note` says so.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iamviz.errors import CancelledError, IamvizError, InputError
from iamviz.model import Snapshot
from iamviz.model.graph import EdgeKind, NodeKind, TrustGraph

if TYPE_CHECKING:
    from iamviz.analysis.findings import Finding
    from iamviz.layout import DisplayEdges, Layout, LayoutMetrics

FOCUS_THRESHOLD = 1500
"""Graphs with more nodes than this open focused on their riskiest roles."""

FOCUS_BUDGET = 400
"""About how many nodes a focused opening draws."""

SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
"""Most severe first."""

LIVE_PHASES = (
    "identity",
    "aliases",
    "authorization-details",
    "saml-providers",
    "oidc-providers",
    "organization",
    "done",
)
"""The phases a live capture reports, in order (for a determinate progress bar)."""

EdgeRef = tuple[str, str, str]
"""An edge as ``(source, target, key)``: what the scene's ``edge_item`` takes."""

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]


def severity_rank(severity: object) -> int:
    """Sort key of a severity: 0 for critical ... 4 for info, 5 for anything unknown."""
    return SEVERITY_RANK.get(str(severity).lower(), 5)


@dataclass(frozen=True, kw_only=True)
class Document:
    """A loaded, analysed and laid-out snapshot, ready to show.

    Attributes:
        snapshot: the accounts as loaded.
        graph: their trust graph.
        findings: every finding, most severe first.
        layout: positions of the drawn nodes (all of them, or the focus set).
        sources: what was opened (paths, ``sample:NAME`` or ``live:PROFILE``).
        title: how the window names it (``classroom.json``).
        focus: the node ids drawn when the graph was too large to draw whole, else ``None``.
        risky_edges: the edges a finding applies to, as ``(source, target, key)``.
        findings_by_node: findings per node id (role ARNs).
        errors: files that could not be read while the others were (``load_paths``).
        edges: how many edges the graph has, counted once in the worker (-1: not counted yet).
    """

    snapshot: Snapshot
    graph: TrustGraph
    findings: tuple[Finding, ...] = ()
    layout: Layout
    sources: tuple[str, ...] = ()
    title: str = ""
    focus: frozenset[str] | None = None
    risky_edges: frozenset[EdgeRef] = frozenset()
    findings_by_node: Mapping[str, tuple[Finding, ...]] = field(default_factory=dict)
    errors: tuple[InputError, ...] = ()
    edges: int = -1

    @property
    def edge_count(self) -> int:
        """How many edges the graph has, account-root expansions included."""
        return self.edges if self.edges >= 0 else self.graph.edge_count

    @property
    def account_count(self) -> int:
        return len(self.snapshot.accounts)

    @property
    def window_title(self) -> str:
        """``iamviz — classroom.json (2 accounts)``."""
        n = self.account_count
        return f"iamviz — {self.title} ({n} account{'s' if n != 1 else ''})"

    @property
    def focus_note(self) -> str | None:
        """What to say in the status bar when the document opened focused."""
        if self.focus is None:
            return None
        return (
            f"Large graph ({len(self.graph):,} nodes): showing the {len(self.focus):,} around the riskiest and "
            "most connected roles. Use View ▸ Show whole graph to draw everything."
        )


# ---- Loading -------------------------------------------------------------------------------------------------


def _check(cancel: CancelFn) -> None:
    if cancel():
        raise CancelledError("cancelled")


def title_for(sources: Iterable[str], snapshot: Snapshot) -> str:
    """A short name for what was opened: the snapshot's title, the file names, or ``sample NAME``."""
    names = []
    for source in sources:
        if source.startswith("sample:"):
            names.append(f"sample {source.removeprefix('sample:')}")
        elif source.startswith("live:"):
            names.append(source)
        else:
            names.append(Path(source).name)
    if snapshot.title and (not names or all(n.startswith("sample ") for n in names)):
        return snapshot.title
    if not names:
        return snapshot.title or "classroom sample"
    return names[0] if len(names) == 1 else f"{names[0]} +{len(names) - 1}"


def open_sources(
    sources: list[str], progress: ProgressFn, cancel: CancelFn, *, metrics: LayoutMetrics | None = None
) -> Document:
    """Load ``sources`` as the CLI does (``[]``: the classroom sample; the first bad file raises) and analyse."""
    from iamviz.loading import load_sources

    progress(0, 0, "Reading " + (", ".join(sources) or "the classroom sample") + "…")
    snapshot = load_sources(list(sources))
    _check(cancel)
    return build_document(
        snapshot, sources=tuple(sources) or ("sample:classroom",), progress=progress, cancel=cancel, metrics=metrics
    )


def open_paths(
    paths: list[str], progress: ProgressFn, cancel: CancelFn, *, metrics: LayoutMetrics | None = None
) -> Document:
    """Load files, keeping going past bad ones (they end up in :attr:`Document.errors`); all bad raises the first."""
    from iamviz.loading import load_paths

    progress(0, 0, f"Reading {len(paths)} file{'s' if len(paths) != 1 else ''}…")
    result = load_paths(list(paths))
    _check(cancel)
    if not result.snapshot.accounts and result.errors:
        raise result.errors[0]
    good = tuple(p for p in paths if not any(e.file and Path(e.file).name == Path(p).name for e in result.errors))
    return build_document(
        result.snapshot,
        sources=good or tuple(paths),
        errors=tuple(result.errors),
        progress=progress,
        cancel=cancel,
        metrics=metrics,
    )


def open_live(
    live: Mapping[str, Any], progress: ProgressFn, cancel: CancelFn, *, metrics: LayoutMetrics | None = None
) -> Document:
    """Capture one live account (``profile``, ``region``, ``endpoint_url``) and analyse it."""
    from iamviz.loading.live import capture_account

    warnings: list[str] = []

    def report(update: Any) -> None:
        # A CaptureProgress: phase, message, pages read so far.
        phase = getattr(update, "phase", "")
        message = str(getattr(update, "message", update))
        if phase == "warning":
            warnings.append(message)
            return
        step = LIVE_PHASES.index(phase) + 1 if phase in LIVE_PHASES else 0
        progress(step, len(LIVE_PHASES), message)

    progress(0, 0, "Connecting to AWS…")
    account = capture_account(
        profile=live.get("profile") or None,
        region=live.get("region") or None,
        endpoint_url=live.get("endpoint_url") or None,
        progress=report,
        cancel=cancel,
    )
    _check(cancel)
    snapshot = Snapshot(accounts=(account,), warnings=tuple(warnings))
    label = f"live:{live.get('profile') or 'default'}"
    return build_document(snapshot, sources=(label,), progress=progress, cancel=cancel, metrics=metrics)


def build_document(
    snapshot: Snapshot,
    *,
    sources: tuple[str, ...] = (),
    errors: tuple[InputError, ...] = (),
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    focus_threshold: int = FOCUS_THRESHOLD,
    whole: bool = False,
    metrics: LayoutMetrics | None = None,
) -> Document:
    """Build the trust graph, run the findings and lay out ``snapshot``.

    Args:
        whole: lay out every node even past ``focus_threshold``.
        metrics: the sizes to lay out with (the scene's theme and text size), so the scene need not lay out again
            on the UI thread.
    """
    from iamviz.analysis import build_trust_graph
    from iamviz.analysis.findings import run_findings
    from iamviz.layout import display_edges, layered_layout

    progress = progress or (lambda done, total, message: None)
    cancel = cancel or (lambda: False)
    progress(1, 4, "Building the trust graph…")
    graph = build_trust_graph(snapshot)
    _settle(graph)
    _check(cancel)
    progress(2, 4, "Looking for risky trust…")
    findings = tuple(sorted(run_findings(snapshot, graph), key=lambda f: (severity_rank(f.severity), f.role_arn)))
    _settle(graph)
    _check(cancel)
    by_node: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.role_arn:
            by_node[finding.role_arn].append(finding)
    risky = risky_edges(graph, findings)
    display = None
    focus = None
    if not whole and len(graph) > focus_threshold:
        display = display_edges(graph)
        focus = choose_focus(graph, findings, display=display)
    progress(3, 4, f"Laying out {len(focus) if focus is not None else len(graph):,} nodes…")
    layout = layered_layout(graph, node_ids=focus, **({"metrics": metrics} if metrics is not None else {}))
    if focus is None:
        display = layout.display  # the whole graph's
    _check(cancel)
    progress(4, 4, "Drawing…")
    return Document(
        snapshot=snapshot,
        graph=graph,
        findings=findings,
        layout=layout,
        sources=sources,
        title=title_for(sources, snapshot),
        focus=focus,
        risky_edges=risky,
        findings_by_node={k: tuple(v) for k, v in by_node.items()},
        errors=errors,
        edges=graph.edge_count,
    )


def _settle(graph: TrustGraph) -> None:
    """For a large graph, move what exists now (the snapshot, the graph, the findings: they live as long as the
    document) out of the cyclic garbage collector's way.

    A full collection walks every tracked object: with a 3.6M-edge graph that is ~5 s each time one comes due, in
    the worker or, worse, on the UI thread while the user pans. Frozen objects are still freed by reference counting
    when the document goes (the graph and the findings hold no reference cycles). Small graphs cost the collector
    little: they are left alone.
    """
    if len(graph) > FOCUS_THRESHOLD:
        gc.freeze()


def relayout_whole(
    document: Document, progress: ProgressFn, cancel: CancelFn, *, metrics: LayoutMetrics | None = None
) -> Document:
    """The same document with every node laid out (View ▸ Show whole graph)."""
    from dataclasses import replace

    from iamviz.layout import layered_layout

    progress(0, 0, f"Laying out all {len(document.graph):,} nodes…")
    layout = layered_layout(document.graph, metrics=metrics or document.layout.metrics)
    _check(cancel)
    return replace(document, layout=layout, focus=None)


# ---- Analysis helpers ------------------------------------------------------------------------------------------


def _principal_matches(graph: TrustGraph, source: str, principal: str) -> bool:
    if source == principal:
        return True
    node = graph.node(source)
    if node.arn == principal:
        return True
    return source.split(":", 1)[-1] == principal  # service:lambda.amazonaws.com, federated:host


EDGE_SEVERITY_LIMIT = 2
"""Findings at least this severe (0 critical .. 4 info) thicken the edges they name."""


def marks_an_edge(finding: Finding) -> bool:
    """Whether a finding is drawn on edges: medium or worse, and about a statement or a principal.

    Findings about a role as a whole (``ROLE_UNUSED``, low ones like ``ACCOUNT_ROOT_TRUST_BROAD``) stay on the
    role's badge instead of painting every edge into it. The window and ``iamviz export`` share this rule.
    """
    specific = getattr(finding, "statement_index", None) is not None or bool(getattr(finding, "principal", None))
    return specific and severity_rank(getattr(finding, "severity", "")) <= EDGE_SEVERITY_LIMIT


def risky_edges(graph: TrustGraph, findings: Iterable[Finding]) -> frozenset[EdgeRef]:
    """The assume-role edges the findings that :func:`marks_an_edge` point at: into the finding's role, from its
    principal and statement when named."""
    risky: set[EdgeRef] = set()
    for finding in findings:
        if not marks_an_edge(finding):
            continue
        role = finding.role_arn
        if not role or not graph.has_node(role):
            continue
        edges = [e for e in graph.in_edges(role) if e.kind is EdgeKind.CAN_ASSUME]
        if finding.statement_index is not None:
            edges = [e for e in edges if e.statement_index == finding.statement_index]
        principal = getattr(finding, "principal", None)
        if principal:
            named = [e for e in edges if _principal_matches(graph, e.source, str(principal))]
            edges = named or edges
        risky.update((e.source, e.target, e.key) for e in edges)
    return frozenset(risky)


def choose_focus(
    graph: TrustGraph,
    findings: Iterable[Finding],
    *,
    budget: int = FOCUS_BUDGET,
    display: DisplayEdges | None = None,
) -> frozenset[str]:
    """The roles worth drawing first in a large graph, with their direct neighbours in the picture.

    Roles are ranked by their most severe finding, then by how many principals can assume them; roles are added
    with their neighbours until about ``budget`` nodes are chosen. Neighbours are those the picture draws
    (:func:`iamviz.layout.display_edges`): the hundreds of users and roles that may assume a role through their
    account's trust count as one neighbour, the account, whose edge says ``+N principals``. ``display``: the whole
    graph's drawn edges, when already computed.
    """
    from iamviz.layout import display_edges

    worst: dict[str, int] = {}
    for finding in findings:
        if finding.role_arn:
            rank = severity_rank(finding.severity)
            worst[finding.role_arn] = min(worst.get(finding.role_arn, 9), rank)
    near: dict[str, set[str]] = defaultdict(set)
    for edge in (display or display_edges(graph)).edges:
        near[edge.source].add(edge.target)
        near[edge.target].add(edge.source)
    count = graph.predecessor_count
    roles = [n.id for n in graph.nodes() if n.kind is NodeKind.ROLE]
    roles.sort(key=lambda r: (worst.get(r, 9), -count(r), r))
    chosen: set[str] = set()
    for role in roles:
        if len(chosen) >= budget:
            break
        chosen.add(role)
        neighbours = sorted(near.get(role, ()))
        chosen.update(neighbours[: max(1, budget // 10)])
    return frozenset(chosen)


def describe_error(exc: BaseException) -> str:
    """One line for a dialog: our own errors as they are, anything else with its type."""
    if isinstance(exc, IamvizError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")
    return f"{type(exc).__name__}: {exc}"
