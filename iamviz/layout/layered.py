"""A deterministic layered (left-to-right) layout of the trust graph, in plain floats.

Columns, left to right: IAM groups; identity sources (users, services, identity providers, account roots,
external accounts and principals, anyone); roles that a source may assume directly; roles reached only by
chaining (longest-path layering over the condensation of the role-to-role graph, since trust graphs have cycles).
Accounts are lanes (rounded rectangles); principals outside the loaded accounts share their own lane. A few
barycenter sweeps reduce crossings; each column is then placed near its neighbours without overlaps. Very tall
columns are wrapped into sub-columns so a large account keeps a screen-like aspect ratio.

The lanes are arranged in whichever of three ways (all stacked; side by side; outside lane on the left and the
accounts stacked) fits a 16:9 screen at the largest scale. Everything is pure Python over integer indices: about
0.3 s for 20,000 roles (see ``bench/layout_bench.py``). No networkx layout functions (they need numpy and are
orders of magnitude slower).
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace

from iamviz.layout.display import DisplayEdges, bundle_badge, display_edges
from iamviz.model.graph import DecisionKind, EdgeKind, Node, NodeKind, TrustEdge, TrustGraph

EXTERNAL_LANE_ID = "external"

#: Kinds that always belong to a loaded account when they carry an account id.
_ACCOUNT_KINDS = frozenset(
    {NodeKind.ACCOUNT, NodeKind.USER, NodeKind.GROUP, NodeKind.ROLE, NodeKind.SAML_PROVIDER, NodeKind.OIDC_PROVIDER}
)
#: Kinds that always go to the outside lane.
_OUTSIDE_KINDS = frozenset({NodeKind.EXTERNAL_ACCOUNT, NodeKind.EXTERNAL_PRINCIPAL, NodeKind.ANYONE})
#: Initial order of kinds inside a column (before the crossing sweeps).
_KIND_RANK = {
    kind: rank
    for rank, kind in enumerate(
        (
            NodeKind.GROUP,
            NodeKind.USER,
            NodeKind.ACCOUNT,
            NodeKind.SERVICE,
            NodeKind.SAML_PROVIDER,
            NodeKind.OIDC_PROVIDER,
            NodeKind.EXTERNAL_ACCOUNT,
            NodeKind.EXTERNAL_PRINCIPAL,
            NodeKind.DELETED,
            NodeKind.ANYONE,
            NodeKind.ROLE,
        )
    )
}
#: DejaVu Sans advance widths in em of the printable ASCII characters (space to tilde), measured with Qt.
_DEJAVU_EM = (
    0.318, 0.401, 0.46, 0.838, 0.636, 0.95, 0.78, 0.275, 0.39, 0.39, 0.5, 0.838, 0.318, 0.361, 0.318, 0.337,
    0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.337, 0.337, 0.838, 0.838, 0.838,
    0.531, 1.0, 0.684, 0.686, 0.698, 0.77, 0.632, 0.575, 0.775, 0.752, 0.295, 0.295, 0.656, 0.557, 0.863, 0.748,
    0.787, 0.603, 0.787, 0.695, 0.635, 0.611, 0.732, 0.684, 0.989, 0.685, 0.611, 0.685, 0.39, 0.337, 0.39, 0.838,
    0.5, 0.5, 0.613, 0.635, 0.55, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974, 0.634,
    0.612, 0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592, 0.818, 0.592, 0.592, 0.525, 0.636, 0.337, 0.636, 0.838,
)  # fmt: skip
_DEJAVU_EM_OF = {chr(32 + code): em for code, em in enumerate(_DEJAVU_EM)}
_GROUP_LAYER = 0
_SOURCE_LAYER = 1
_ROLE_LAYER = 2
_MAX_CHAIN_DEPTH = 12
_SWEEPS = 4
_BIG_GRAPH_SWEEPS = 2  # past _BIG_GRAPH nodes: two sweeps already give most of the gain on a hairball
_BIG_GRAPH = 5000


@dataclass(frozen=True, slots=True, kw_only=True)
class LayoutMetrics:
    """Sizes the layout works with, in scene units (pixels at 100 % zoom).

    Labels are measured with DejaVu Sans advance widths at ``font_px`` (``char_width`` for characters outside
    ASCII); a node box is ``icon_size + 3 * padding + label width`` wide and ``node_height`` tall. Labels wider
    than ``max_label_width`` are elided by the renderer, so boxes never grow past that.
    """

    font_px: float = 13.0
    badge_font_px: float = 11.0
    lane_font_px: float = 13.0
    char_width: float = 8.0
    node_height: float = 30.0
    icon_size: float = 20.0
    padding: float = 6.0
    max_label_width: float = 250.0
    column_gap: float = 90.0
    row_gap: float = 12.0
    lane_padding: float = 18.0
    lane_title_height: float = 30.0
    lane_gap: float = 28.0
    min_wrap_rows: int = 16
    target_width: float = 1280.0
    target_height: float = 720.0

    def scaled(self, factor: float) -> LayoutMetrics:
        """The same metrics with every length multiplied by ``factor`` (for larger text)."""
        lengths = (
            "font_px",
            "badge_font_px",
            "lane_font_px",
            "char_width",
            "max_label_width",
            "node_height",
            "icon_size",
            "padding",
            "column_gap",
            "row_gap",
            "lane_padding",
            "lane_title_height",
            "lane_gap",
        )
        return replace(self, **{name: getattr(self, name) * factor for name in lengths})

    def box_width(self, label_px: float) -> float:
        """Width of a node box whose label is ``label_px`` wide (clamped to the elision limit)."""
        return self.icon_size + 3 * self.padding + min(label_px, self.max_label_width)

    def label_width(self, text: str, font_px: float | None = None) -> float:
        """The width of ``text`` in DejaVu Sans at ``font_px`` (default: the label size)."""
        printable = text.isascii() and text.isprintable()
        if printable:
            em = sum(map(_DEJAVU_EM_OF.__getitem__, text))
        else:
            fallback = self.char_width / self.font_px
            em = sum(_DEJAVU_EM_OF.get(ch, fallback) for ch in text)
        return em * (font_px or self.font_px)

    def badge_width(self, text: str) -> float:
        """The width of an edge badge (bold, padded) showing ``text``; 0 for no badge."""
        return self.label_width(text, self.badge_font_px) * 1.12 + 10 if text else 0.0


def edge_badge_text(edge: TrustEdge) -> str:
    """The badge an edge carries unless a finding applies: its requirements, ``needs caller policy``, ``?``."""
    if edge.kind is EdgeKind.MEMBER_OF:
        return ""
    decision = edge.decision or DecisionKind.UNKNOWN
    if decision is DecisionKind.CONDITIONAL:
        return ",".join(edge.requirements) or "if…"
    return _DECISION_BADGES.get(decision, "")


_DECISION_BADGES = {DecisionKind.NEEDS_CALLER_POLICY: "needs caller policy", DecisionKind.UNKNOWN: "?"}


DEFAULT_METRICS = LayoutMetrics()


@dataclass(frozen=True, slots=True, kw_only=True)
class Lane:
    """An account lane: a rounded rectangle with a title, holding that account's nodes."""

    account_id: str
    label: str
    x: float
    y: float
    width: float
    height: float
    external: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Layout:
    """Node positions (box centres) and sizes, the lanes, and the overall size; all in scene units."""

    positions: dict[str, tuple[float, float]]
    lanes: tuple[Lane, ...]
    width: float
    height: float
    sizes: dict[str, tuple[float, float]] = field(default_factory=dict)
    node_lanes: dict[str, str] = field(default_factory=dict)
    layers: dict[str, int] = field(default_factory=dict)
    metrics: LayoutMetrics = DEFAULT_METRICS
    arrangement: str = "stacked"
    display: DisplayEdges | None = field(default=None, compare=False, repr=False)
    """The edges laid out (account-root expansions folded, see :mod:`iamviz.layout.display`); the scene draws
    these."""

    def box(self, node_id: str) -> tuple[float, float, float, float]:
        """The node's box as ``(left, top, width, height)``."""
        x, y = self.positions[node_id]
        w, h = self.sizes[node_id]
        return (x - w / 2, y - h / 2, w, h)


# ---- The public entry point ------------------------------------------------------------------------------------


def layered_layout(
    graph: TrustGraph,
    *,
    node_ids: Collection[str] | None = None,
    metrics: LayoutMetrics = DEFAULT_METRICS,
    label_width: Callable[[Node], float] | None = None,
    badge_text: Callable[[TrustEdge], str] | None = None,
    badge_width: Callable[[str], float] | None = None,
    display: DisplayEdges | None = None,
) -> Layout:
    """Lay ``graph`` out left to right, accounts as lanes.

    Only the edges that are drawn take part (:func:`~iamviz.layout.display.display_edges`: account-root
    expansions folded into their account's edge), so the cost follows the picture, not the graph.

    Args:
        graph: the trust graph.
        node_ids: lay out only these nodes (and the edges between them); all nodes when None.
        metrics: sizes to work with.
        label_width: width in scene units of a node's label; ``metrics.label_width(label)`` when None.
        badge_text: the badge an edge carries (columns leave room for it); :func:`edge_badge_text` when None.
        badge_width: the width of a badge's text, asked once per distinct text; estimated when None.
        display: the edges to draw, when already computed for these ``node_ids``.

    Returns:
        The layout (with :attr:`Layout.display`); the same input always gives the same output.
    """
    collecting = gc.isenabled()
    gc.disable()  # the layout allocates many small lists; collections over a big graph would dominate its time
    try:
        if display is None:
            display = display_edges(graph, node_ids)
        text = badge_text or edge_badge_text
        return _layered_layout(graph, node_ids, metrics, label_width, text, badge_width or metrics.badge_width, display)
    finally:
        if collecting:
            gc.enable()


def _layered_layout(
    graph: TrustGraph,
    node_ids: Collection[str] | None,
    metrics: LayoutMetrics,
    label_width: Callable[[Node], float] | None,
    badge_text: Callable[[TrustEdge], str],
    badge_width: Callable[[str], float],
    display: DisplayEdges,
) -> Layout:
    measure = label_width or (lambda node: metrics.label_width(node.label))
    nodes = _select_nodes(graph, node_ids)
    if not nodes:
        return Layout(positions={}, lanes=(), width=0.0, height=0.0, metrics=metrics, display=display)
    index = {node.id: i for i, node in enumerate(nodes)}
    succ, pred, members, badges = _adjacency(display, index, badge_text, badge_width)
    lane_keys, lane_labels = _assign_lanes(graph, nodes, succ)
    layer = _assign_layers(nodes, succ, pred)
    widths = [metrics.box_width(measure(node)) for node in nodes]

    lane_order = _lane_order(lane_keys)
    lane_pos = {key: i for i, key in enumerate(lane_order)}
    neighbours = [succ[i] + pred[i] + sorted(members.get(i, ())) for i in range(len(nodes))]
    columns = _order_columns(nodes, lane_keys, lane_pos, layer, neighbours)

    max_rows = _wrap_rows(nodes, widths, metrics)
    grids = {key: _grid(order, max_rows, badges, widths, metrics) for key, order in columns.items()}
    # Measure each arrangement, then place the nodes of the one that fits a screen best.
    scores = []
    for rank, arrange in enumerate(_ARRANGEMENTS):
        lanes, _ = arrange(widths, lane_order, lane_labels, grids, neighbours, metrics, {}, None)
        scores.append((_fit_scale(lanes, metrics), -rank))
    arrange = _ARRANGEMENTS[-max(scores)[1]]
    xs: dict[int, float] = {}
    ys: dict[int, float] = {}
    lanes, name = arrange(widths, lane_order, lane_labels, grids, neighbours, metrics, xs, ys)
    layout = _finish(nodes, widths, layer, xs, ys, lanes, _lane_of(grids), metrics, name)
    return replace(layout, display=display)


# ---- Graph reading -----------------------------------------------------------------------------------------------


def _graph_nodes(graph: TrustGraph) -> list[Node]:
    """Every node, in insertion order (from networkx's raw node dict: its public view costs a call per node)."""
    raw = getattr(graph.nx, "_node", None)
    return list(graph.nodes()) if raw is None else [data["node"] for data in raw.values()]


def _select_nodes(graph: TrustGraph, node_ids: Collection[str] | None) -> list[Node]:
    wanted = None if node_ids is None else set(node_ids)
    chosen = [node for node in _graph_nodes(graph) if wanted is None or node.id in wanted]
    chosen.sort(key=lambda n: (_KIND_RANK.get(n.kind, 99), n.label.lower(), n.id))
    return chosen


def _adjacency(
    display: DisplayEdges,
    index: dict[str, int],
    badge_text: Callable[[TrustEdge], str],
    badge_width: Callable[[str], float],
) -> tuple[list[list[int]], list[list[int]], dict[int, set[int]], dict[int, float]]:
    """Successors, predecessors (assume-role edges), group memberships, and the widest badge leaving each node.

    Badge widths are measured once per distinct text; a folded bundle's badge counts its principals.
    """
    n = len(index)
    badges: dict[int, float] = {}
    widths: dict[str, float] = {}
    succ: list[list[int]] = [[] for _ in range(n)]
    pred: list[list[int]] = [[] for _ in range(n)]
    members: dict[int, set[int]] = {}
    member_of = EdgeKind.MEMBER_OF
    bundles = display.bundles
    bundle_sources = {ref[0] for ref in bundles}
    pairs: dict[tuple[int, int], bool] = {}  # (source, target) -> whether an assume-role edge joins them
    for edge in display.edges:
        s = index.get(edge.source)
        t = index.get(edge.target)
        if s is None or t is None or s == t:
            continue
        if edge.kind is member_of:
            pairs.setdefault((s, t), False)
            continue
        pairs[(s, t)] = True
        text = badge_text(edge)
        if edge.source in bundle_sources:
            text = bundle_badge(text, bundles.get((edge.source, edge.target, edge.key), 0))
        width = widths.get(text)
        if width is None:
            width = widths[text] = badge_width(text) if text else 0.0
        if width > badges.get(s, 0.0):
            badges[s] = width
    for (s, t), assumes in pairs.items():
        if assumes:
            succ[s].append(t)
            pred[t].append(s)
        else:
            members.setdefault(s, set()).add(t)
            members.setdefault(t, set()).add(s)
    return succ, pred, members, badges


def _assign_lanes(graph: TrustGraph, nodes: list[Node], succ: list[list[int]]) -> tuple[list[str], dict[str, str]]:
    owners = (NodeKind.ACCOUNT, NodeKind.ROLE, NodeKind.USER)
    loaded = {n.account_id for n in nodes if n.kind in owners and n.account_id}
    labels = _account_labels(graph, loaded)
    keys: list[str] = []
    for node in nodes:
        if node.kind in _OUTSIDE_KINDS:
            keys.append(EXTERNAL_LANE_ID)
        elif node.account_id in loaded and node.kind in _ACCOUNT_KINDS:
            keys.append(node.account_id)
        else:
            keys.append("")  # decided below: services, web identity providers, deleted principals
    for i in range(len(nodes)):
        if keys[i]:
            continue
        targets = {keys[t] for t in succ[i]} - {""}
        if len(targets) == 1 and EXTERNAL_LANE_ID not in targets:
            keys[i] = targets.pop()  # serves one account only: draw it inside that account
        else:
            keys[i] = EXTERNAL_LANE_ID
    labels[EXTERNAL_LANE_ID] = "Outside these accounts"
    return keys, labels


def _account_labels(graph: TrustGraph, loaded: set[str | None]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    snapshot = getattr(graph, "snapshot", None)
    for account in getattr(snapshot, "accounts", ()) or ():
        alias = getattr(account, "alias", None)
        if alias:
            aliases[account.account_id] = alias
    for node in _graph_nodes(graph):
        if node.kind is NodeKind.ACCOUNT and node.account_id and node.label and node.label != node.account_id:
            aliases.setdefault(node.account_id, node.label)
    return {acct: f"{acct}  {aliases[acct]}" if acct in aliases else acct for acct in loaded if acct}


def _lane_order(lane_keys: list[str]) -> list[str]:
    present = set(lane_keys)
    accounts = sorted(present - {EXTERNAL_LANE_ID})
    return ([EXTERNAL_LANE_ID] if EXTERNAL_LANE_ID in present else []) + accounts


# ---- Layering ------------------------------------------------------------------------------------------------------


def _assign_layers(nodes: list[Node], succ: list[list[int]], pred: list[list[int]]) -> list[int]:
    n = len(nodes)
    is_role = [node.kind is NodeKind.ROLE for node in nodes]
    layer = [_GROUP_LAYER if node.kind is NodeKind.GROUP else _SOURCE_LAYER for node in nodes]
    roles = [i for i in range(n) if is_role[i]]
    if not roles:
        return layer
    role_succ = {i: [t for t in succ[i] if is_role[t]] for i in roles}
    components = _strongly_connected(roles, role_succ)  # sinks first
    comp_of = [0] * n
    for c, comp in enumerate(components):
        for i in comp:
            comp_of[i] = c
    depth = [0] * len(components)
    for c in range(len(components) - 1, -1, -1):  # sources first
        comp = components[c]
        direct = any(not is_role[p] for i in comp for p in pred[i]) or not any(pred[i] for i in comp)
        if direct:
            depth[c] = 0
            continue
        best = 0
        for i in comp:
            for p in pred[i]:
                pc = comp_of[p]
                if pc != c:
                    best = max(best, depth[pc] + 1)
        depth[c] = min(best, _MAX_CHAIN_DEPTH)
    for i in roles:
        layer[i] = _ROLE_LAYER + depth[comp_of[i]]
    return layer


def _strongly_connected(vertices: list[int], succ: dict[int, list[int]]) -> list[list[int]]:
    """Tarjan's algorithm, iterative; components come out in reverse topological order (sinks first)."""
    size = max(vertices) + 1
    unseen = -1
    index_of = [unseen] * size
    low = [0] * size
    on_stack = [False] * size
    stack: list[int] = []
    result: list[list[int]] = []
    counter = 0
    for root in vertices:
        if index_of[root] != unseen:
            continue
        work = [(root, 0)]
        index_of[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            v, i = work[-1]
            children = succ[v]
            if i < len(children):
                work[-1] = (v, i + 1)
                w = children[i]
                if index_of[w] == unseen:
                    index_of[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, 0))
                elif on_stack[w] and index_of[w] < low[v]:
                    low[v] = index_of[w]
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                if low[v] < low[parent]:
                    low[parent] = low[v]
            if low[v] == index_of[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    comp.sort()
                result.append(comp)
    return result


# ---- Ordering inside columns ---------------------------------------------------------------------------------------


def _order_columns(
    nodes: list[Node],
    lane_keys: list[str],
    lane_pos: dict[str, int],
    layer: list[int],
    neighbours: list[list[int]],
) -> dict[tuple[str, int], list[int]]:
    columns: dict[tuple[str, int], list[int]] = {}
    for i in range(len(nodes)):  # nodes are already in the initial (kind, label) order
        columns.setdefault((lane_keys[i], layer[i]), []).append(i)
    pos = [0.0] * len(nodes)

    def place(key: tuple[str, int]) -> None:
        order = columns[key]
        base = lane_pos[key[0]]
        count = len(order)
        for rank, i in enumerate(order):
            pos[i] = base + (rank + 0.5) / count

    for key in columns:
        place(key)
    layers_sorted = sorted({key[1] for key in columns})
    keys_by_layer = {
        lay: sorted((k for k in columns if k[1] == lay), key=lambda k: lane_pos[k[0]]) for lay in layers_sorted
    }
    before = [[j for j in nbrs if layer[j] < layer[i]] for i, nbrs in enumerate(neighbours)]
    after = [[j for j in nbrs if layer[j] > layer[i]] for i, nbrs in enumerate(neighbours)]
    for sweep in range(_SWEEPS if len(nodes) <= _BIG_GRAPH else _BIG_GRAPH_SWEEPS):
        downward = sweep % 2 == 0
        side = before if downward else after
        for lay in layers_sorted if downward else reversed(layers_sorted):
            for key in keys_by_layer[lay]:
                at = pos.__getitem__
                keyed = [
                    (sum(map(at, side[i])) / len(side[i]) if side[i] else pos[i], rank, i)
                    for rank, i in enumerate(columns[key])
                ]
                keyed.sort()
                columns[key] = [i for _, _, i in keyed]
                place(key)
    return columns


# ---- Geometry ------------------------------------------------------------------------------------------------------


def _wrap_rows(nodes: list[Node], widths: list[float], m: LayoutMetrics) -> int:
    """Rows a column may hold before it wraps, chosen so the whole picture is roughly screen-shaped."""
    row = m.node_height + m.row_gap
    area = sum((w + m.column_gap) * row for w in widths)
    height = math.sqrt(area * m.target_height / m.target_width)
    return max(m.min_wrap_rows, math.ceil(height / row))


@dataclass(slots=True)
class _Grid:
    """One lane's one layer: nodes in ``sub`` sub-columns, row-major."""

    order: list[int]
    sub: int
    rows: int
    gap: float  # space after this layer's last sub-column: room for the badges of edges leaving it
    sub_widths: list[float]  # the widest box of each sub-column


def _grid(order: list[int], max_rows: int, badges: dict[int, float], widths: list[float], m: LayoutMetrics) -> _Grid:
    sub = max(1, math.ceil(len(order) / max_rows))
    rows = math.ceil(len(order) / sub)
    widest = max((badges.get(i, 0.0) for i in order), default=0.0)
    # A badge sits 42 % along its edge: keep it clear of the source box and the target's arrowhead.
    gap = max(m.column_gap, 1.2 * widest + 2 * m.padding + 8)
    sub_widths = [max(map(widths.__getitem__, order[k::sub]), default=0.0) for k in range(sub)]
    return _Grid(order=order, sub=sub, rows=rows, gap=gap, sub_widths=sub_widths)


def _column_slots(
    lanes: list[str], grids: dict[tuple[str, int], _Grid], widths: list[float], m: LayoutMetrics, x0: float
) -> tuple[dict[tuple[int, int], float], dict[tuple[int, int], float], float]:
    """Left x and width of each (layer, sub-column) slot shared by ``lanes``; returns (lefts, widths, right)."""
    slot_width: dict[tuple[int, int], float] = {}
    gap_after: dict[int, float] = {}
    last_sub: dict[int, int] = {}
    for (lane, lay), grid in grids.items():
        if lane not in lanes:
            continue
        gap_after[lay] = max(gap_after.get(lay, 0.0), grid.gap)
        last_sub[lay] = max(last_sub.get(lay, 0), grid.sub - 1)
        for k, width in enumerate(grid.sub_widths):  # measured once per grid, not per node and arrangement
            slot = (lay, k)
            slot_width[slot] = max(slot_width.get(slot, 0.0), width)
    lefts: dict[tuple[int, int], float] = {}
    x = x0
    gap = 0.0
    for slot in sorted(slot_width):
        lefts[slot] = x
        gap = gap_after[slot[0]] if slot[1] == last_sub[slot[0]] else m.column_gap
        x += slot_width[slot] + gap
    return lefts, slot_width, (x - gap if slot_width else x0)


def _place_lane(
    lane: str,
    grids: dict[tuple[str, int], _Grid],
    lefts: dict[tuple[int, int], float],
    slot_widths: dict[tuple[int, int], float],
    widths: list[float],
    neighbours: list[list[int]],
    m: LayoutMetrics,
    top: float,
    ys: dict[int, float] | None,
    xs: dict[int, float],
) -> float:
    """Place one lane's nodes with content starting at ``top``; return the content height."""
    row = m.node_height + m.row_gap
    lane_grids = sorted(((lay, g) for (ln, lay), g in grids.items() if ln == lane), key=lambda t: t[0])
    if not lane_grids:
        return 0.0
    rows = max(g.rows for _, g in lane_grids)
    height = rows * row - m.row_gap
    if ys is None:  # measuring only
        return height
    for lay, g in lane_grids:
        for k, i in enumerate(g.order):
            slot = (lay, k % g.sub)
            xs[i] = lefts[slot] + slot_widths[slot] / 2 if g.sub == 1 else lefts[slot] + widths[i] / 2
    # The tallest column is packed; the others sit near their neighbours, outward from it.
    tallest = max(range(len(lane_grids)), key=lambda t: (lane_grids[t][1].rows, -t))
    sequence = [tallest]
    for step in range(1, len(lane_grids)):
        for t in (tallest + step, tallest - step):
            if 0 <= t < len(lane_grids):
                sequence.append(t)
    for t in sequence:
        _lay, g = lane_grids[t]
        if g.sub > 1 or t == tallest:
            offset = (rows - g.rows) * row / 2 if t == tallest else 0.0
            for k, i in enumerate(g.order):
                ys[i] = top + offset + (k // g.sub) * row + m.node_height / 2
            continue
        wanted = []
        for i in g.order:
            placed = [ys[j] for j in neighbours[i] if j in ys]
            wanted.append(sum(placed) / len(placed) if placed else None)
        _spread(g.order, wanted, top + m.node_height / 2, top + height - m.node_height / 2, row, ys)
    return height


def _spread(
    order: list[int], wanted: list[float | None], low: float, high: float, step: float, ys: dict[int, float]
) -> None:
    """Put ``order`` at ``wanted`` centres as far as possible, keeping the order and ``step`` apart within bounds."""
    n = len(order)
    # A node without a wish goes right under the one before it.
    filled: list[float] = []
    last = low - step
    for w in wanted:
        last = last + step if w is None else w
        filled.append(last)
    y = [0.0] * n
    prev = low - step
    for k in range(n):
        prev = y[k] = max(filled[k], prev + step, low)
    nxt = high + step
    for k in range(n - 1, -1, -1):
        nxt = y[k] = min(y[k], nxt - step)
    for k, i in enumerate(order):
        ys[i] = y[k]


def _finish(
    nodes: list[Node],
    widths: list[float],
    layer: list[int],
    xs: dict[int, float],
    ys: dict[int, float],
    lanes: list[Lane],
    lane_of: dict[int, str],
    m: LayoutMetrics,
    arrangement: str,
) -> Layout:
    width = max((lane.x + lane.width for lane in lanes), default=0.0)
    height = max((lane.y + lane.height for lane in lanes), default=0.0)
    ids = [node.id for node in nodes]
    order = range(len(ids))
    return Layout(
        positions=dict(zip(ids, [(xs[i], ys[i]) for i in order], strict=True)),
        sizes=dict(zip(ids, [(w, m.node_height) for w in widths], strict=True)),
        node_lanes=dict(zip(ids, map(lane_of.__getitem__, order), strict=False)),
        layers=dict(zip(ids, layer, strict=True)),
        lanes=tuple(lanes),
        width=width,
        height=height,
        metrics=m,
        arrangement=arrangement,
    )


def _lane_of(grids: dict[tuple[str, int], _Grid]) -> dict[int, str]:
    return {i: lane for (lane, _), g in grids.items() for i in g.order}


def _stack(
    lane_ids: list[str],
    lane_labels: dict[str, str],
    grids: dict[tuple[str, int], _Grid],
    widths: list[float],
    neighbours: list[list[int]],
    m: LayoutMetrics,
    x0: float,
    y0: float,
    xs: dict[int, float],
    ys: dict[int, float] | None,
) -> list[Lane]:
    """Lanes one above the other, sharing their columns; returns the lanes."""
    lefts, slot_widths, right = _column_slots(lane_ids, grids, widths, m, x0 + m.lane_padding)
    lanes = []
    y = y0
    for lane in lane_ids:
        content_top = y + m.lane_title_height + m.lane_padding
        h = _place_lane(lane, grids, lefts, slot_widths, widths, neighbours, m, content_top, ys, xs)
        lane_h = m.lane_title_height + 2 * m.lane_padding + h
        title = m.label_width(lane_labels.get(lane, lane), m.lane_font_px) * 1.2 + 2 * m.lane_padding + 4
        lanes.append(_lane(lane, lane_labels, x0, y, max(right + m.lane_padding - x0, title), lane_h))
        y += lane_h + m.lane_gap
    return lanes


def _lane(lane: str, labels: dict[str, str], x: float, y: float, w: float, h: float) -> Lane:
    return Lane(
        account_id=lane,
        label=labels.get(lane, lane),
        x=x,
        y=y,
        width=w,
        height=h,
        external=lane == EXTERNAL_LANE_ID,
    )


def _arrange_stacked(widths, lane_order, lane_labels, grids, neighbours, m, xs, ys) -> tuple[list[Lane], str]:
    return _stack(lane_order, lane_labels, grids, widths, neighbours, m, 0.0, 0.0, xs, ys), "stacked"


def _arrange_side_by_side(widths, lane_order, lane_labels, grids, neighbours, m, xs, ys) -> tuple[list[Lane], str]:
    lanes = []
    x = 0.0
    for lane in lane_order:
        (stacked,) = _stack([lane], lane_labels, grids, widths, neighbours, m, x, 0.0, xs, ys)
        lanes.append(stacked)
        x += stacked.width + m.lane_gap
    tallest = max(lane.height for lane in lanes)
    return [replace(lane, height=tallest) for lane in lanes], "side-by-side"


def _arrange_outside_left(widths, lane_order, lane_labels, grids, neighbours, m, xs, ys) -> tuple[list[Lane], str]:
    accounts = [lane for lane in lane_order if lane != EXTERNAL_LANE_ID]
    if len(accounts) == len(lane_order) or not accounts:
        return _arrange_stacked(widths, lane_order, lane_labels, grids, neighbours, m, xs, ys)
    # The accounts first (their nodes' heights steer the outside lane's), then the outside lane to their left.
    probe: dict[int, float] | None = None if ys is None else {}
    (outside,) = _stack([EXTERNAL_LANE_ID], lane_labels, grids, widths, neighbours, m, 0.0, 0.0, xs, probe)
    lanes = _stack(accounts, lane_labels, grids, widths, neighbours, m, outside.width + m.lane_gap, 0.0, xs, ys)
    total = max(outside.height, max(lane.y + lane.height for lane in lanes))
    outside = replace(outside, height=total)
    if ys is None or probe is None:
        return [outside, *lanes], "outside-left"
    for key, g in grids.items():
        if key[0] != EXTERNAL_LANE_ID:
            continue
        if g.sub > 1:
            for i in g.order:
                ys[i] = probe[i]
            continue
        wanted = []
        for i in g.order:
            placed = [ys[j] for j in neighbours[i] if j in ys]
            wanted.append(sum(placed) / len(placed) if placed else None)
        top = m.lane_title_height + m.lane_padding
        bottom = total - m.lane_padding - m.node_height / 2
        _spread(g.order, wanted, top + m.node_height / 2, bottom, m.node_height + m.row_gap, ys)
    return [outside, *lanes], "outside-left"


_ARRANGEMENTS = (_arrange_stacked, _arrange_outside_left, _arrange_side_by_side)


def _fit_scale(lanes: list[Lane], m: LayoutMetrics) -> float:
    width = max((lane.x + lane.width for lane in lanes), default=0.0)
    height = max((lane.y + lane.height for lane in lanes), default=0.0)
    if width <= 0 or height <= 0:
        return 1.0
    return min(m.target_width / width, m.target_height / height)
