"""The trust scene: one item per node and drawn edge of a laid-out trust graph, plus the account lanes.

Used by the window and by headless export alike (no view needed). The scene keeps a node-id -> item map and
signals ids, never items. Highlight/dim, hidden nodes, theme and text scale are set through its API; the items
draw themselves with the shared :class:`~iamviz.render.items.Style`.

Edges are drawn by the layout's display rule (:mod:`iamviz.layout.display`): account-root expansions into a role
are folded into the account's edge (``+94 principals``), so a large account stays linear in trust statements.
Every graph edge is still represented: :meth:`TrustScene.edge_item` gives the folded edge's stand-in, and the
folded edges of a node are drawn again while it is selected, or while a highlight (focus) names them.
"""

from __future__ import annotations

import gc
import math
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QStyleOptionGraphicsItem, QWidget

from iamviz.layout import DisplayEdges, Layout, display_edges, layered_layout
from iamviz.model.graph import EdgeKind, NodeKind, TrustEdge, TrustGraph
from iamviz.render.items import (
    BadgeItem,
    EdgeItem,
    EdgeLayerItem,
    LaneItem,
    LaneTitleItem,
    LegendItem,
    NodeItem,
    Style,
    Z,
    batches,
    edge_badge,
    finding_badge,
    legend_entries,
)
from iamviz.render.theme import Theme

EdgeRef = tuple[str, str, str]

#: Up to this many drawn nodes, edges detour around boxes and the layout makes room for findings' badges.
ROUTE_LIMIT = 800
#: ... and up to this many drawn edges (past it, routing costs more than it clears up).
ROUTE_EDGE_LIMIT = 2500
#: At most this many folded edges are drawn again at once (for a selected node, or named by a highlight).
REVEAL_LIMIT = 600
#: Scenes with more node and edge items than this draw one cached picture of them when zoomed out below
#: :data:`OVERVIEW_LOD` (where nodes are plain boxes and edges hairlines anyway), instead of painting each item.
OVERVIEW_MIN_ITEMS = 500
OVERVIEW_LOD = 0.3
#: The overview picture's longer side is at most this many pixels.
OVERVIEW_MAX_PX = 4096
#: Scenes with at least this many drawn edges draw their plain edges (shown, not lit, not selected) through one
#: :class:`~iamviz.render.items.EdgeLayerItem` up to 200 % zoom, in a few batched calls kept as a picture instead of
#: one paint per edge per frame; smaller scenes (the classroom samples) draw every edge as its own item, as before.
LAYER_MIN_EDGES = 150
#: The depth of the scene index (a BSP tree) of large scenes. Qt picks ~log2(items), and every long edge (an account
#: fanning out to hundreds of roles) then sits in thousands of leaves: 18 s to index 20,000 roles instead of ~2 s.
LARGE_BSP_DEPTH = 8


class TrustScene(QGraphicsScene):
    """A trust graph drawn as items: lanes, edges, nodes."""

    # ---- Signals
    node_selected = Signal(str)
    """A node was selected (its id)."""
    edge_selected = Signal(str, str, str)
    """An edge was selected: ``(source, target, key)``."""
    selection_cleared = Signal()
    """Nothing is selected any more."""

    def __init__(self, *, theme: Theme, parent: Any = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self._text_scale = 1.0
        self._style = Style(theme)
        self._graph: TrustGraph | None = None
        self._layout: Layout | None = None
        self._nodes: dict[str, NodeItem] = {}
        self._edges: dict[EdgeRef, EdgeItem] = {}
        self._edges_at: dict[str, list[EdgeItem]] = {}
        self._lanes: list[LaneItem] = []
        self._lane_titles: list[LaneTitleItem] = []
        self._hidden: frozenset[str] = frozenset()
        self._highlight: tuple[frozenset[str], frozenset[EdgeRef], bool] | None = None
        self._animations = True
        self._risky: dict[EdgeRef, str] = {}
        self._findings: dict[str, tuple[str, ...]] = {}
        self._box_index: _BoxIndex | None = None
        self._placed_badges = _BoxIndex([])
        self._display = DisplayEdges()
        self._revealed: dict[EdgeRef, EdgeItem] = {}  # folded edges drawn again, for now
        self._reveal_for: dict[str, tuple[EdgeRef, ...]] = {}  # why: "selection" or "highlight" -> the edges
        self._revealing = False
        self._overview: _OverviewItem | None = None
        self._overview_image: QImage | None = None
        self._overview_on = False
        self._overview_allowed = True
        self._layer: EdgeLayerItem | None = None
        self._batched: frozenset[str] = frozenset()  # the edge styles the layer draws at the zoom last painted
        self._selected_edges: set[EdgeItem] = set()
        self._style_names: frozenset[str] | None = None
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.setBackgroundBrush(QBrush(self._style.color(theme.colors.background)))
        self.selectionChanged.connect(self._on_selection_changed)

    # ---- Properties
    @property
    def theme(self) -> Theme:
        return self._theme

    @property
    def style(self) -> Style:
        """The pens and fonts items draw with (the legend and export use it too)."""
        return self._style

    @property
    def graph(self) -> TrustGraph | None:
        return self._graph

    @property
    def layout(self) -> Layout | None:
        """The layout the items are placed by (re-computed when the theme's sizes or the text scale change)."""
        return self._layout

    def layout_metrics(self):
        """The sizes a layout must use to be drawn as is (pass them to ``layered_layout`` off the UI thread)."""
        return self._style.metrics

    @property
    def text_scale(self) -> float:
        return self._text_scale

    @property
    def animations_enabled(self) -> bool:
        return self._animations

    def node_ids(self) -> list[str]:
        return list(self._nodes)

    def edge_refs(self) -> list[EdgeRef]:
        """The drawn edges (folded edges drawn again for a while are not among them)."""
        return list(self._edges)

    @property
    def display(self) -> DisplayEdges:
        """Which graph edges are drawn, and which are folded into an account's edge."""
        return self._display

    def revealed_refs(self) -> list[EdgeRef]:
        """The folded edges drawn again right now (for the selected node, or named by the highlight)."""
        return list(self._revealed)

    # ---- Building
    def set_graph(
        self,
        graph: TrustGraph,
        layout: Layout,
        *,
        risky_edges: Iterable[EdgeRef | tuple[str, str, str, str]] = frozenset(),
        findings_by_node: Mapping[str, Iterable[Any]] | None = None,
    ) -> None:
        """Draw ``graph`` placed by ``layout`` (only the nodes the layout placed, and edges among them).

        Args:
            graph: the trust graph.
            layout: positions; laid out again here if it was made for other sizes than this theme's.
            risky_edges: ``(source, target, key)`` of edges a finding applies to (optionally with the finding code
                as a fourth element); drawn thick in the risk colour with the code as badge.
            findings_by_node: findings (objects with ``code``, ``principal``, ``statement_index``) or codes per node.
        """
        self.clearSelection()
        self.clear()
        self._nodes, self._edges, self._edges_at, self._lanes, self._lane_titles = {}, {}, {}, [], []
        self._revealed, self._reveal_for = {}, {}
        self._graph = graph
        self._findings = {
            node_id: tuple(getattr(f, "code", f) for f in found) for node_id, found in (findings_by_node or {}).items()
        }
        self._finding_objects = dict(findings_by_node or {})
        self._risky = self._risky_codes(risky_edges)
        self._highlight = None
        self._hidden = frozenset()
        if layout.metrics != self._style.metrics or (self._risky and len(layout.positions) <= ROUTE_LIMIT):
            layout = self._relayout(layout)  # this theme's sizes, and room for the findings' badges
        self._layout = layout
        collecting = gc.isenabled()
        gc.disable()  # thousands of items: the collector's passes over a large graph would dominate the build
        try:
            self._build()
        finally:
            if collecting:
                gc.enable()

    def _relayout(self, layout: Layout) -> Layout:
        assert self._graph is not None
        return layered_layout(
            self._graph,
            node_ids=list(layout.positions),
            metrics=self._style.metrics,
            label_width=self._style.label_width,
            badge_text=self._badge_text,
            badge_width=self._style.badge_width,
        )

    def _badge_text(self, edge: TrustEdge) -> str:
        return edge_badge(edge, self._risky.get((edge.source, edge.target, edge.key)) if self._risky else None)

    def _build(self) -> None:
        graph, layout, style = self._graph, self._layout, self._style
        assert graph is not None and layout is not None
        for lane in layout.lanes:
            item = LaneItem(
                lane.account_id,
                lane.label,
                QRectF(lane.x, lane.y, lane.width, lane.height),
                style,
                external=lane.external,
            )
            self.addItem(item)
            self._lanes.append(item)
            title = LaneTitleItem(item)  # the title again, on top and readable, when zoomed far out
            self.addItem(title)
            self._lane_titles.append(title)
        positions, sizes = layout.positions, layout.sizes
        for node in graph.nodes():
            if node.id not in positions:
                continue
            item = NodeItem(node, sizes[node.id], style, findings=self._findings.get(node.id, ()))
            item.setPos(*positions[node.id])
            self.addItem(item)
            self._nodes[node.id] = item
        display = layout.display
        if display is None:  # a layout made elsewhere: the same rule the layout applies
            display = display_edges(graph, list(positions))
        self._display = display
        large = len(self._nodes) + len(display.edges) > OVERVIEW_MIN_ITEMS
        self.setBspTreeDepth(LARGE_BSP_DEPTH if large else 0)  # 0: Qt's own choice
        pairs: dict[tuple[str, str], list[TrustEdge]] = {}
        nodes = self._nodes
        for edge in display.edges:
            if edge.source in nodes and edge.target in nodes and edge.source != edge.target:
                pairs.setdefault((edge.source, edge.target), []).append(edge)
        obstacles = None
        self._box_index = None
        if len(self._nodes) <= ROUTE_LIMIT and sum(map(len, pairs.values())) <= ROUTE_EDGE_LIMIT:
            self._box_index = _BoxIndex([item.scene_box() for item in self._nodes.values()])
            obstacles = self._obstacles
        bundles = display.bundles
        for (source, target), edges in pairs.items():
            for index, edge in enumerate(edges):
                ref = (source, target, edge.key)
                item = EdgeItem(
                    edge,
                    style,
                    risky_code=self._risky.get(ref),
                    parallel=(index, len(edges)),
                    bundled=bundles.get(ref, 0),
                )
                self._edges[ref] = item
                self._edges_at.setdefault(source, []).append(item)
                self._edges_at.setdefault(target, []).append(item)
        self._share_badges()  # before routing: a badge's place is part of its edge's geometry
        covers = self._covers_node if obstacles is not None else None
        self._placed_badges = _BoxIndex([])
        for (source, target, _), item in self._edges.items():
            item.set_geometry(
                self._nodes[source].scene_box(), self._nodes[target].scene_box(), obstacles=obstacles, covers=covers
            )
            if covers is not None and item.badge_visible:
                self._placed_badges.add(item.badge_rect())
            self.addItem(item)
            badge = item.make_badge_item()
            if badge is not None:
                self.addItem(badge)
        self.merge_badges()
        self.setSceneRect(self._content_rect())
        self._overview_on, self._overview_image, self._overview = False, None, None
        if len(self._nodes) + len(self._edges) > OVERVIEW_MIN_ITEMS:
            self._overview = _OverviewItem(self.sceneRect(), self._use_overview, self._overview_picture)
            self.addItem(self._overview)
        self._layer, self._batched, self._selected_edges, self._style_names = None, frozenset(), set(), None
        if len(self._edges) >= LAYER_MIN_EDGES:
            self._layer = EdgeLayerItem(self.sceneRect(), self._edges.values, lambda: self._style)
            self._layer.on_paint = self._batch_for
            for item in self._edges.values():
                item.layer = self._layer
            self.addItem(self._layer)
        self._refresh_plain(self._edges.values())

    # ---- The edge layer
    @property
    def edge_layer(self) -> EdgeLayerItem | None:
        """The item drawing the plain edges of a dense scene in batches (None for small scenes)."""
        return self._layer

    def _refresh_plain(self, items: Iterable[EdgeItem], *, restyled: bool = False) -> None:
        """Work out again which of ``items`` the layer draws (shown, not lit, not selected); ``restyled``: their
        look (dimmed) changed too."""
        layer = self._layer
        changed = restyled
        for item in items:
            plain = layer is not None and item.isVisible() and not item.highlighted and not item.isSelected()
            if plain != item.plain:
                item.plain = plain
                changed = True
            self._edge_contents(item)
        if changed and layer is not None:
            layer.changed()

    def _edge_contents(self, item: EdgeItem) -> None:
        """Tell Qt whether ``item`` paints itself: not while the overview picture or the layer draws it."""
        off = self._overview_on or (item.plain and item.style_name in self._batched)
        if off != item.no_contents:
            item.no_contents = off
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, off)

    def _batch_for(self, lod: float) -> None:
        """The layer is about to paint at ``lod``: the edge styles it draws there stop painting themselves."""
        if self._layer is None:
            return
        style = self._style
        if self._style_names is None:
            self._style_names = frozenset(item.style_name for item in self._edges.values())
        batched = frozenset(name for name in self._style_names if batches(style, name, lod))
        if batched != self._batched:
            self._batched = batched
            for item in self._edges.values():
                self._edge_contents(item)

    def _obstacles(self, start: QPointF, end: QPointF) -> list[QRectF]:
        """Boxes of drawn nodes that the segment ``start -> end`` crosses (with a little clearance)."""
        return self._box_index.crossing(start, end) if self._box_index is not None else []

    def _covers_node(self, rect: QRectF) -> bool:
        """Whether a badge at ``rect`` would cover a node or a badge already placed."""
        if self._box_index is not None and self._box_index.touching(rect):
            return True
        return self._placed_badges.touching(rect)

    def _share_badges(self) -> None:
        """Several edges into one node with the same badge show it once, on the middle one."""
        groups: dict[tuple[str, str], list[EdgeItem]] = {}
        for item in self._edges.values():
            if item.badge and not item.risky:
                groups.setdefault((item.edge.target, item.badge), []).append(item)
        for items in groups.values():
            if len(items) < 2:
                continue
            items.sort(key=lambda it: (self._nodes[it.edge.source].pos().y(), it.edge.source))
            keep = items[(len(items) - 1) // 2]
            for item in items:
                item.set_badge_visible(item is keep)
        # Badges of edges leaving one node would sit side by side at the same x: stagger them along the edges.
        leaving: dict[str, list[EdgeItem]] = {}
        for item in self._edges.values():
            if item.badge and item.badge_visible and item.edge.kind is not EdgeKind.MEMBER_OF:
                leaving.setdefault(item.edge.source, []).append(item)
        for items in leaving.values():
            if len(items) < 2:
                continue
            items.sort(key=lambda it: (self._nodes[it.edge.target].pos().y(), it.edge.target, it.edge.key))
            for k, item in enumerate(items):
                item.set_badge_position(0.3 + 0.3 * k / (len(items) - 1))

    def merge_badges(self) -> None:
        """Draw identical badges that sit on each other once: of the shown badges with the same text and the same
        look (lit, dimmed), one that overlaps another by a fifth of its area or more stands for it (its tooltip says how
        many).
        Run again when what is shown or lit changes; deterministic (the edges' order)."""
        kept: dict[tuple[str, bool, bool], dict[tuple[int, int], list[tuple[BadgeItem, tuple[float, ...]]]]] = {}
        for edge in self._edges.values():
            badge = edge.badge_item
            if badge is None:
                continue
            before = badge.stacked
            badge.merged_into, badge.stacked = None, 1
            host = None
            shown = edge.isVisible() and edge.badge_visible
            if shown:
                box = edge.badge_box()
                cell = max(box[3] - box[1], 1.0)
                cx, cy = int((box[0] + box[2]) / 2 // cell), int((box[1] + box[3]) / 2 // cell)
                grid = kept.setdefault((badge.text, edge.highlighted, edge.dimmed), {})
                for key in ((cx + dx, cy + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
                    for other, other_box in grid.get(key, ()):
                        if _overlap(other_box, box):
                            host = other
                            break
                    if host is not None:
                        break
                if host is None:
                    grid.setdefault((cx, cy), []).append((badge, box))
                else:
                    badge.merged_into = host
                    host.stacked += 1
            want = shown and host is None
            if badge.isVisible() != want:
                badge.setVisible(want)
            if before != 1:
                badge.setToolTip("")  # made again when asked: the count changed
        for grid in kept.values():
            for badges in grid.values():
                for badge, _ in badges:
                    if badge.stacked != 1:
                        badge.setToolTip("")

    def _content_rect(self) -> QRectF:
        layout = self._layout
        if layout is None or not layout.positions:
            return QRectF(0, 0, 1, 1)
        rect = QRectF(0, 0, layout.width, layout.height)
        for item in self._edges.values():  # arcs of same-column cycles may reach past the lanes
            rect = rect.united(item.sceneBoundingRect())
        return rect

    def _risky_codes(self, risky_edges: Iterable[tuple[str, ...]]) -> dict[EdgeRef, str]:
        codes: dict[EdgeRef, str] = {}
        named: dict[str, tuple[dict[str, tuple[int, str]], str]] = {}  # per target: its findings' principals
        for ref in risky_edges:
            source, target, key = ref[0], ref[1], ref[2]
            if len(ref) > 3:
                codes[(source, target, key)] = ref[3]
                continue
            found = named.get(target)
            if found is None:
                found = named[target] = self._finding_principals(target)
            by_principal, first = found
            matches = [m for m in (by_principal.get(source), by_principal.get(source.split(":", 1)[-1])) if m]
            codes[(source, target, key)] = min(matches)[1] if matches else first
        return codes

    def _finding_principals(self, target: str) -> tuple[dict[str, tuple[int, str]], str]:
        """The target's findings by the principal they name (their order, code), and the code of its first finding
        (else ``RISK``): an edge takes the code of the first finding naming its source, else the first one."""
        found = list(self._finding_objects.get(target, ()))
        by_principal: dict[str, tuple[int, str]] = {}
        for order, finding in enumerate(found):
            principal = getattr(finding, "principal", None)
            if principal is not None:
                by_principal.setdefault(principal, (order, str(getattr(finding, "code", finding))))
        return by_principal, (str(getattr(found[0], "code", found[0])) if found else "RISK")

    def helpEvent(self, event) -> None:
        """Tooltips are made when asked for, for the item under the mouse (setting thousands up front is slow)."""
        for item in self.items(event.scenePos()):
            make = getattr(item, "tooltip_text", None)
            if make is not None and not item.toolTip():
                item.setToolTip(make())
                break
        super().helpEvent(event)

    # ---- Lookup
    def node_item(self, node_id: str) -> NodeItem | None:
        """The item drawing ``node_id`` (None when not drawn)."""
        return self._nodes.get(node_id)

    def edge_item(self, source: str, target: str, key: str) -> EdgeItem | None:
        """The item drawing the edge ``(source, target, key)``: its own, or for a folded edge that is not drawn
        again right now, the account edge that stands for it (None when neither end is drawn)."""
        ref = (source, target, key)
        item = self._edges.get(ref) or self._revealed.get(ref)
        if item is None and self._graph is not None:
            stand_in = self._display.stand_in(self._graph, source, target, key)
            item = self._edges.get(stand_in) if stand_in is not None else None
        return item

    def edges_at(self, node_id: str) -> list[EdgeItem]:
        """The drawn edges into or out of ``node_id`` (with its folded edges while they are drawn again)."""
        found = list(self._edges_at.get(node_id, ()))
        if self._revealed:
            found += [item for (s, t, _), item in self._revealed.items() if node_id in (s, t)]
        return found

    def folded_edges_at(self, node_id: str) -> list[TrustEdge]:
        """The folded edges into or out of ``node_id`` whose ends are both drawn (shown again on selection)."""
        graph, display, nodes = self._graph, self._display, self._nodes
        if graph is None or not display.bundles or node_id not in nodes:
            return []
        found: list[TrustEdge] = []
        for ref in display.bundles:
            if ref[1] == node_id:
                found += [e for e in display.folded_edges(graph, ref) if e.source in nodes]
        node = graph.node(node_id)
        if node.kind in (NodeKind.USER, NodeKind.ROLE):
            for edge in graph.out_edges(node_id):
                if edge.target in nodes and display.stand_in(graph, node_id, edge.target, edge.key) is not None:
                    found.append(edge)
        return found

    # ---- Folded edges drawn again
    def _want_revealed(self, why: str, refs: Iterable[EdgeRef]) -> None:
        """Draw these folded edges again (for ``why``: ``selection`` or ``highlight``), and drop ones not wanted."""
        self._reveal_for[why] = tuple(refs)
        wanted: dict[EdgeRef, None] = {}
        for group in self._reveal_for.values():
            for ref in group:
                if len(wanted) >= REVEAL_LIMIT:
                    break
                wanted[ref] = None
        dropped = [ref for ref in self._revealed if ref not in wanted]
        self._revealing = True  # removing a selected item changes the selection: not a new one to react to
        try:
            for ref in dropped:
                self.removeItem(self._revealed.pop(ref))
        finally:
            self._revealing = False
        graph = self._graph
        if graph is None:
            return
        for ref in wanted:
            if ref in self._revealed or ref in self._edges:
                continue
            source, target, key = ref
            if source not in self._nodes or target not in self._nodes:
                continue
            edge = graph.edge(source, target, key)
            if edge is None:
                continue
            item = EdgeItem(edge, self._style, risky_code=self._risky.get(ref))
            item.set_badge_visible(False)  # the account edge carries the badge; dozens of copies would hide it
            item.set_geometry(self._nodes[source].scene_box(), self._nodes[target].scene_box())
            item.set_shown(source not in self._hidden and target not in self._hidden)
            self._style_revealed(item)
            self._edge_contents(item)
            self.addItem(item)
            self._revealed[ref] = item
        self._overview_changed()

    def _style_revealed(self, item: EdgeItem) -> None:
        """Light or dim a folded edge drawn again as the current highlight says."""
        highlight = self._highlight
        if highlight is None:
            item.set_highlighted(True)  # drawn for the selected node: stands out like a lit edge
            return
        nodes, edges, dim_others = highlight
        lit = item.key in edges
        item.set_highlighted(lit)
        item.set_dimmed(dim_others and not lit and not (item.key[0] in nodes and item.key[1] in nodes))

    def _folded_refs(self, refs: Iterable[EdgeRef]) -> list[EdgeRef]:
        """Of ``refs``, the folded ones, those touching the node most of them touch first (a focus's centre)."""
        graph, display = self._graph, self._display
        if graph is None or not display.bundles:
            return []
        folded = [
            ref
            for ref in refs
            if ref not in self._edges and ref[0] in self._nodes and display.stand_in(graph, *ref) is not None
        ]
        if len(folded) <= REVEAL_LIMIT:
            return sorted(folded)
        touches: dict[str, int] = {}
        for source, target, _ in folded:
            touches[source] = touches.get(source, 0) + 1
            touches[target] = touches.get(target, 0) + 1
        centre = max(sorted(touches), key=touches.__getitem__)
        return sorted(folded, key=lambda ref: (centre not in ref[:2], ref))

    def lane_items(self) -> list[LaneItem]:
        return list(self._lanes)

    # ---- Appearance
    def set_theme(self, theme: Theme) -> None:
        """Redraw everything in ``theme`` (laying out again if its sizes differ)."""
        self._theme = theme
        self._restyle()

    def set_text_scale(self, factor: float) -> None:
        """Scale all text (and the boxes and gaps with it, so labels still never overlap)."""
        factor = max(0.5, min(4.0, float(factor)))
        if factor != self._text_scale:
            self._text_scale = factor
            self._restyle()

    def _restyle(self) -> None:
        moving = self._style.moving
        self._style = Style(self._theme, self._text_scale)
        self._style.moving = moving
        self.setBackgroundBrush(QBrush(self._style.color(self._theme.colors.background)))
        if self._graph is None or self._layout is None:
            return
        selected = list(self.selectedItems())
        hidden, highlight = self._hidden, self._highlight
        if self._layout.metrics != self._style.metrics:
            self._layout = self._relayout(self._layout)
            self.blockSignals(True)
            self.clear()
            self._nodes, self._edges, self._edges_at, self._lanes, self._lane_titles = {}, {}, {}, [], []
            self._revealed, reveal_for, self._reveal_for = {}, self._reveal_for, {}
            collecting = gc.isenabled()
            gc.disable()
            try:
                self._build()
            finally:
                if collecting:
                    gc.enable()
            for why, refs in reveal_for.items():
                self._want_revealed(why, refs)
            self.blockSignals(False)
            self._reselect(selected)
        else:
            for item in self.items():
                if hasattr(item, "set_style") and not isinstance(item, EdgeItem):
                    item.set_style(self._style)
            self._placed_badges = _BoxIndex([])  # badges are placed again, in the same order as when built
            for item in self._edges.values():
                item.set_style(self._style)
                if self._box_index is not None and item.badge_visible:
                    self._placed_badges.add(item.badge_rect())
            for item in self._revealed.values():
                item.set_style(self._style)
            self._overview_changed()
        self._hidden = frozenset()
        self.set_hidden_nodes(hidden)
        if highlight is not None:
            self.highlight(highlight[0], highlight[1], dim_others=highlight[2])

    def _reselect(self, previous: list[QGraphicsItem]) -> None:
        for item in previous:
            if isinstance(item, NodeItem) and item.node_id in self._nodes:
                self._nodes[item.node_id].setSelected(True)
            elif isinstance(item, EdgeItem) and (item.key in self._edges or item.key in self._revealed):
                (self._edges.get(item.key) or self._revealed[item.key]).setSelected(True)

    def set_animations_enabled(self, enabled: bool) -> None:
        """Switch animations on or off (off for tests, export and reduced motion); the animator reads it."""
        self._animations = bool(enabled)

    def set_moving(self, moving: bool) -> None:
        """The view is panning or zooming (True) or has come to rest (False): while moving, edges are drawn without
        antialiasing; at rest the view repaints, sharp."""
        self._style.moving = bool(moving)

    @property
    def moving(self) -> bool:
        return self._style.moving

    def set_frame(self, rect: QRectF | None, lod: float = 0.0) -> None:
        """The scene rectangle a view is about to paint and its zoom ``lod`` (None once painted): long edges stroke
        only the part of their curve inside it, and items take the zoom as it is instead of working it out each.
        Export and other renders leave it None and draw every curve whole."""
        self._style.frame = None if rect is None else (rect.left(), rect.top(), rect.right(), rect.bottom())
        self._style.frame_lod = lod if rect is not None else 0.0

    def set_caching(self, enabled: bool) -> None:
        """Turn item pixmap caches and the zoomed-out overview picture on (screen) or off (vector export: text must
        stay text, and every item is drawn)."""
        mode = QGraphicsItem.CacheMode.DeviceCoordinateCache if enabled else QGraphicsItem.CacheMode.NoCache
        for item in self._nodes.values():
            item.setCacheMode(mode)
        for edge in (*self._edges.values(), *self._revealed.values()):
            if edge.badge_item is not None:
                edge.badge_item.setCacheMode(mode)
        if self._layer is not None:
            self._layer.setCacheMode(mode)
        self._overview_allowed = bool(enabled)
        if not enabled:
            self._use_overview(1.0)

    # ---- The zoomed-out overview
    @property
    def overview_active(self) -> bool:
        """Whether the last frame drew the cached overview picture instead of the node and edge items."""
        return self._overview_on

    def _detail_items(self) -> Iterable[QGraphicsItem]:
        yield from self._nodes.values()
        for item in (*self._edges.values(), *self._revealed.values()):
            yield item
            if item.badge_item is not None:
                yield item.badge_item

    def _use_overview(self, lod: float) -> bool:
        """Switch between the overview picture and the items for a frame at ``lod``; say whether it is the picture.

        Called while a frame is painted, before the items are (the overview item sits just above the lanes): the
        items are told they have no contents, so Qt does not call their paint at all.
        """
        want = self._overview is not None and self._overview_allowed and lod < OVERVIEW_LOD
        if want != self._overview_on:
            self._overview_on = want
            flag = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
            for item in self._detail_items():
                if isinstance(item, EdgeItem):
                    self._edge_contents(item)  # the layer may still draw it when the picture is off
                else:
                    item.setFlag(flag, want)
            if self._layer is not None:
                self._layer.setFlag(flag, want)
        return want

    def overview(self) -> tuple[QRectF, QImage] | None:
        """The nodes and edges as one small picture (coloured boxes and hairlines, as the items draw themselves far
        out) and the scene rectangle it covers, drawn now if it is not yet: what a view shows where it has nothing
        better while a zoom gesture runs. None when there is nothing drawn (or caching is off, for export)."""
        if not self._nodes or not self._overview_allowed:
            return None
        image = self._overview_picture()
        return (self.sceneRect(), image) if image is not None else None

    def _overview_changed(self) -> None:
        """What the items show changed (highlight, hidden nodes, edges drawn again): draw the picture anew."""
        self._overview_image = None
        if self._overview is not None:
            self._overview.update()

    def _overview_picture(self) -> QImage | None:
        """The nodes and edges as the items draw themselves far out: coloured boxes and hairlines."""
        if self._overview_image is not None or not self._nodes:
            return self._overview_image
        collecting = gc.isenabled()
        gc.disable()  # thousands of small objects, a large graph alive: no collector pass in the middle of a frame
        try:
            self._overview_image = self._draw_overview()
        finally:
            if collecting:
                gc.enable()
        return self._overview_image

    def _draw_overview(self) -> QImage:
        rect = self.sceneRect()
        scale = min(OVERVIEW_LOD, OVERVIEW_MAX_PX / max(rect.width(), rect.height(), 1.0))
        image = QImage(
            max(1, math.ceil(rect.width() * scale)),
            max(1, math.ceil(rect.height() * scale)),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        image.fill(Qt.GlobalColor.transparent)
        style, theme = self._style, self._style.theme
        painter = QPainter(image)
        painter.scale(scale, scale)
        painter.translate(-rect.left(), -rect.top())
        lines: dict[tuple[str, float], list[QLineF]] = {}
        for item in (*self._edges.values(), *self._revealed.values()):
            if item.isVisible():
                color = theme.edge_style(item.style_name).color
                lines.setdefault((color, item.opacity()), []).append(item.chord())
        for (color, opacity), group in lines.items():
            painter.setOpacity(opacity)
            painter.setPen(QPen(style.color(color), 0))
            painter.drawLines(group)
        for item in self._nodes.values():
            if item.isVisible():
                painter.setOpacity(item.opacity())
                painter.fillRect(item.scene_box(), style.color(theme.kind_color(item.node.kind)))
        painter.end()
        return image

    # ---- Highlight, dim, hide
    def highlight(
        self, node_ids: Collection[str], edge_keys: Collection[EdgeRef] = (), *, dim_others: bool = True
    ) -> None:
        """Light up ``node_ids`` and ``edge_keys``; dim everything else when ``dim_others``.

        Edges between two lit nodes are not dimmed even when not named.
        """
        nodes = frozenset(node_ids)
        edges = frozenset(tuple(e) for e in edge_keys)
        self._highlight = (nodes, edges, dim_others)
        for node_id, item in self._nodes.items():
            lit = node_id in nodes
            item.set_highlighted(lit)
            item.set_dimmed(dim_others and not lit)
        for ref, item in self._edges.items():
            lit = ref in edges
            item.set_highlighted(lit)
            between = ref[0] in nodes and ref[1] in nodes
            item.set_dimmed(dim_others and not lit and not between)
        self._want_revealed("highlight", self._folded_refs(edges))  # a focus shows the folded edges it names
        for item in self._revealed.values():
            self._style_revealed(item)
        self._refresh_plain(self._edges.values(), restyled=True)
        self.merge_badges()
        self._overview_changed()

    def clear_highlight(self) -> None:
        """Nothing lit, nothing dimmed."""
        self._highlight = None
        for item in self._nodes.values():
            item.set_highlighted(False)
            item.set_dimmed(False)
        for item in self._edges.values():
            item.set_highlighted(False)
            item.set_dimmed(False)
        self._want_revealed("highlight", ())
        for item in self._revealed.values():
            item.set_dimmed(False)
            self._style_revealed(item)
        self._refresh_plain(self._edges.values(), restyled=True)
        self.merge_badges()
        self._overview_changed()

    def highlighted_nodes(self) -> frozenset[str]:
        return frozenset(node_id for node_id, item in self._nodes.items() if item.highlighted)

    def set_hidden_nodes(self, node_ids: Collection[str]) -> None:
        """Hide these nodes and their edges; show all others."""
        hidden = frozenset(node_ids)
        self._hidden = hidden
        for node_id, item in self._nodes.items():
            item.setVisible(node_id not in hidden)
        for (source, target, _), item in self._edges.items():
            item.set_shown(source not in hidden and target not in hidden)
        for (source, target, _), item in self._revealed.items():
            item.set_shown(source not in hidden and target not in hidden)
        self._refresh_plain(self._edges.values())
        self.merge_badges()
        self._show_lanes_in_use()
        self._overview_changed()

    def _show_lanes_in_use(self) -> None:
        """Hide the lanes (and their titles) whose every node is hidden; a lane without nodes stays."""
        layout = self._layout
        if layout is None or not layout.node_lanes:
            return
        used: set[str] = set()
        present: set[str] = set()
        for node_id, lane in layout.node_lanes.items():
            if node_id in self._nodes:
                present.add(lane)
                if node_id not in self._hidden:
                    used.add(lane)
        for lane_item, title in zip(self._lanes, self._lane_titles, strict=True):
            shown = lane_item.account_id in used or lane_item.account_id not in present
            lane_item.setVisible(shown)
            title.setVisible(shown)

    # ---- Legend
    def legend_item(self, *, max_width: float = 900.0) -> LegendItem:
        """A legend item for the kinds and edge styles present (not added to the scene)."""
        return LegendItem(self._style, self.legend_entries(), max_width=max_width)

    def legend_entries(self) -> list:
        """The legend entries for what this scene draws (all entries when empty)."""
        if not self._nodes:
            return legend_entries()
        kinds = {item.node.kind for item in self._nodes.values()}
        styles = {item.style_name for item in self._edges.values()}
        badges = {}
        if self._risky:  # the finding most risky edges carry, not a fixed example
            code, _ = Counter(self._risky.values()).most_common(1)[0]
            badges["risky"] = finding_badge(code)
        return legend_entries(kinds, styles, badges=badges)

    # ---- Selection
    def _on_selection_changed(self) -> None:
        selected = self.selectedItems()
        if self._layer is not None:  # a selected edge paints itself (with its halo), above the layer
            now = {item for item in selected if isinstance(item, EdgeItem) and item.layer is not None}
            flipped = now ^ self._selected_edges
            self._selected_edges = now
            if flipped:
                self._refresh_plain(flipped)
        if self._revealing:
            return
        for item in selected:
            if isinstance(item, NodeItem):
                self.node_selected.emit(item.node_id)
                # A selected node shows its folded edges (who can assume it through its account, or what it can).
                refs = sorted((e.source, e.target, e.key) for e in self.folded_edges_at(item.node_id))
                self._want_revealed("selection", refs)
                return
        for item in selected:
            if isinstance(item, EdgeItem):
                self.edge_selected.emit(*item.key)  # a folded edge drawn again stays while it is selected
                return
        self._want_revealed("selection", ())
        self.selection_cleared.emit()


class _BoxIndex:
    """Node boxes bucketed on a coarse grid, for cheap "which boxes does this segment or rectangle touch" queries.

    (The scene's own index is rebuilt while items are being added, so querying it during a build is slow.)
    """

    def __init__(self, boxes: list[QRectF], cell: float = 160.0) -> None:
        self._cell = cell
        self._rects: list[QRectF] = []
        self._boxes: list[tuple[float, float, float, float]] = []
        self._grid: dict[tuple[int, int], list[int]] = {}
        for box in boxes:
            self.add(box)

    def add(self, rect: QRectF) -> None:
        """Add a box (badges are added as they are placed)."""
        i = len(self._rects)
        box = (rect.left(), rect.top(), rect.right(), rect.bottom())
        self._rects.append(QRectF(rect))
        self._boxes.append(box)
        for key in self._cells(*box):
            self._grid.setdefault(key, []).append(i)

    def _cells(self, x0: float, y0: float, x1: float, y1: float) -> list[tuple[int, int]]:
        c = self._cell
        return [(x, y) for x in range(int(x0 // c), int(x1 // c) + 1) for y in range(int(y0 // c), int(y1 // c) + 1)]

    def _candidates(self, x0: float, y0: float, x1: float, y1: float) -> set[int]:
        found: set[int] = set()
        for key in self._cells(x0, y0, x1, y1):
            found.update(self._grid.get(key, ()))
        return found

    def crossing(self, start: QPointF, end: QPointF) -> list[QRectF]:
        """Boxes the segment crosses (boxes grown by 2 px)."""
        ax, ay, bx, by = start.x(), start.y(), end.x(), end.y()
        near = self._candidates(min(ax, bx) - 2, min(ay, by) - 2, max(ax, bx) + 2, max(ay, by) + 2)
        return [self._rects[i] for i in sorted(near) if _segment_hits(ax, ay, bx, by, *self._boxes[i], grow=2.0)]

    def touching(self, rect: QRectF) -> bool:
        """Whether any box intersects ``rect``."""
        x0, y0, x1, y1 = rect.left(), rect.top(), rect.right(), rect.bottom()
        for i in self._candidates(x0, y0, x1, y1):
            left, top, right, bottom = self._boxes[i]
            if left < x1 and x0 < right and top < y1 and y0 < bottom:
                return True
        return False


def _segment_hits(
    ax: float, ay: float, bx: float, by: float, left: float, top: float, right: float, bottom: float, *, grow: float
) -> bool:
    """Whether the segment ``a -> b`` crosses the box (grown by ``grow``): Liang-Barsky clipping."""
    t0, t1 = 0.0, 1.0
    dx, dy = bx - ax, by - ay
    for p, q in (
        (-dx, ax - (left - grow)),
        (dx, (right + grow) - ax),
        (-dy, ay - (top - grow)),
        (dy, (bottom + grow) - ay),
    ):
        if p == 0:
            if q < 0:
                return False
            continue
        r = q / p
        if p < 0:
            if r > t0:
                t0 = r
        elif r < t1:
            t1 = r
        if t0 > t1:
            return False
    return True


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Whether the boxes ``a`` and ``b`` ``(left, top, right, bottom)`` overlap by at least a fifth of the smaller one
    (badges that merely touch stay apart)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return False
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h * 5 >= smaller


class _OverviewItem(QGraphicsItem):
    """The scene's nodes and edges as one cached picture, drawn instead of them when zoomed far out.

    Every frame paints it (it spans the scene, just above the lanes) and it asks the scene whether to draw the
    picture at this zoom; the scene switches its items' painting off and on accordingly. It takes no mouse events
    and has no shape: clicks, hover and rubber bands reach the items under it.
    """

    def __init__(self, rect: QRectF, use: Callable[[float], bool], picture: Callable[[], QImage | None]) -> None:
        super().__init__()
        self._rect = QRectF(rect)
        self._use = use
        self._picture = picture
        self.setZValue(Z.LANE + 1)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)

    def boundingRect(self) -> QRectF:
        return self._rect

    def shape(self) -> QPainterPath:
        return QPainterPath()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if not self._use(option.levelOfDetailFromTransform(painter.worldTransform())):
            return
        image = self._picture()
        if image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(self._rect, image)
