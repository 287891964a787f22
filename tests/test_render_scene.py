"""The trust scene: one item per node and edge, styles by decision, highlight/dim/hide, LOD, signals, themes."""

from __future__ import annotations

import pytest
from layout_graphs import WORKLOAD, classroom_graph, classroom_scene, role_id, user_id

from iamviz.layout import layered_layout
from iamviz.model.graph import ANYONE_ID, NodeKind
from iamviz.render.theme import THEME_NAMES, load_theme

pytestmark = pytest.mark.gui

PUBLIC = role_id(WORKLOAD, "PublicReadRole")
DEPLOY = role_id(WORKLOAD, "DeployRole")
ADMIN = role_id(WORKLOAD, "AdminRole")


@pytest.fixture
def graph():
    return classroom_graph()


@pytest.fixture
def scene(qapp, graph):
    with classroom_scene(graph) as scene:
        yield scene


def _edge_ref(graph, source, target):
    (edge,) = [e for e in graph.out_edges(source) if e.target == target]
    return (source, target, edge.key)


def test_one_item_per_node_and_edge(scene, graph):
    from iamviz.render.items import EdgeItem, LaneItem, NodeItem

    nodes = [item for item in scene.items() if isinstance(item, NodeItem)]
    edges = [item for item in scene.items() if isinstance(item, EdgeItem)]
    lanes = [item for item in scene.items() if isinstance(item, LaneItem)]
    assert len(nodes) == len(graph)
    assert len(edges) == graph.edge_count
    assert len(lanes) == 3
    assert {item.node_id for item in nodes} == {node.id for node in graph.nodes()}
    for edge in graph.edges():
        assert scene.edge_item(edge.source, edge.target, edge.key) is not None


def test_nodes_sit_where_the_layout_puts_them(scene):
    layout = scene.layout
    item = scene.node_item(DEPLOY)
    assert (item.pos().x(), item.pos().y()) == pytest.approx(layout.positions[DEPLOY])


def test_edges_are_styled_by_decision_with_badges(scene, graph):
    wayne_mfa = scene.edge_item(*_edge_ref(graph, user_id(WORKLOAD, "wayne"), role_id(WORKLOAD, "BreakGlassAdmin")))
    assert wayne_mfa.style_name == "conditional" and wayne_mfa.badge == "MFA"
    risky = scene.edge_item(*_edge_ref(graph, ANYONE_ID, PUBLIC))
    assert risky.style_name == "risky" and risky.badge == "anyone"  # the short badge of TRUST_ANYONE
    chained = scene.edge_item(*_edge_ref(graph, DEPLOY, ADMIN))
    assert chained.style_name == "allowed" and chained.badge == ""
    unknown = scene.edge_item(*_edge_ref(graph, "deleted:AROAEXAMPLEDELETED01", role_id(WORKLOAD, "AuditRole")))
    assert unknown.style_name == "unknown" and unknown.badge == "?"
    member = scene.edge_item(*_edge_ref(graph, user_id(WORKLOAD, "wayne"), f"arn:aws:iam::{WORKLOAD}:group/Admins"))
    assert member.style_name == "member-of" and member.badge == ""


def test_like_badges_into_one_role_are_shown_once(scene, graph):
    needs = [
        scene.edge_item(*_edge_ref(graph, user_id(WORKLOAD, name), DEPLOY)) for name in ("alice", "bob", "dev", "carol")
    ]
    root = scene.edge_item(*_edge_ref(graph, f"arn:aws:iam::{WORKLOAD}:root", DEPLOY))
    shown = [item for item in [*needs, root] if item.badge_visible]
    assert len(shown) == 1


def test_badges_do_not_cover_node_boxes(scene):
    from iamviz.render.items import EdgeItem, NodeItem

    boxes = [item.scene_box() for item in scene.items() if isinstance(item, NodeItem)]
    for item in scene.items():
        if isinstance(item, EdgeItem) and item.badge_visible:
            badge = item.badge_rect()
            assert not any(badge.intersects(box) for box in boxes), (item.edge.source, item.edge.target, item.badge)


def test_node_boxes_do_not_overlap_and_labels_fit(scene, graph):
    from iamviz.render.items import NodeItem

    items = [item for item in scene.items() if isinstance(item, NodeItem)]
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            assert not a.scene_box().intersects(b.scene_box()), (a.node_id, b.node_id)
    style = scene.style
    for item in items:
        needed = style.label_width(item.node) + style.metrics.icon_size + 3 * style.metrics.padding
        assert item.scene_box().width() >= min(needed, style.metrics.box_width(1e9)) - 0.5, item.node_id


def test_highlight_dims_the_rest_and_clears(scene, graph):
    ref = _edge_ref(graph, DEPLOY, ADMIN)
    scene.highlight({DEPLOY, ADMIN}, [ref])
    assert scene.node_item(DEPLOY).highlighted and scene.node_item(ADMIN).highlighted
    assert not scene.node_item(DEPLOY).dimmed
    other = scene.node_item(PUBLIC)
    assert other.dimmed and other.opacity() < 0.5
    assert scene.edge_item(*ref).highlighted
    assert scene.edge_item(*_edge_ref(graph, ANYONE_ID, PUBLIC)).dimmed
    assert scene.highlighted_nodes() == {DEPLOY, ADMIN}
    scene.clear_highlight()
    assert not other.dimmed and other.opacity() == 1.0
    assert not scene.node_item(DEPLOY).highlighted


def test_highlight_without_dimming(scene):
    scene.highlight({DEPLOY}, dim_others=False)
    assert scene.node_item(DEPLOY).highlighted
    assert not scene.node_item(PUBLIC).dimmed


def test_hidden_nodes_hide_their_edges(scene, graph):
    scene.set_hidden_nodes({DEPLOY})
    assert not scene.node_item(DEPLOY).isVisible()
    assert not scene.edge_item(*_edge_ref(graph, DEPLOY, ADMIN)).isVisible()
    assert scene.node_item(ADMIN).isVisible()
    scene.set_hidden_nodes(set())
    assert scene.node_item(DEPLOY).isVisible()
    assert scene.edge_item(*_edge_ref(graph, DEPLOY, ADMIN)).isVisible()


def test_selection_signals_carry_ids(scene, graph, qtbot):
    with qtbot.waitSignal(scene.node_selected) as blocker:
        scene.node_item(DEPLOY).setSelected(True)
    assert blocker.args == [DEPLOY]
    scene.clearSelection()
    ref = _edge_ref(graph, DEPLOY, ADMIN)
    with qtbot.waitSignal(scene.edge_selected) as blocker:
        scene.edge_item(*ref).setSelected(True)
    assert tuple(blocker.args) == ref
    with qtbot.waitSignal(scene.selection_cleared):
        scene.clearSelection()


def test_member_edges_are_not_selectable(scene, graph):
    from PySide6.QtWidgets import QGraphicsItem

    member = scene.edge_item(*_edge_ref(graph, user_id(WORKLOAD, "wayne"), f"arn:aws:iam::{WORKLOAD}:group/Admins"))
    assert not member.flags() & QGraphicsItem.GraphicsItemFlag.ItemIsSelectable


def _render(scene, zoom: float):
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    item = scene.node_item(DEPLOY)
    source = item.sceneBoundingRect()
    w, h = int(source.width() * zoom) + 1, int(source.height() * zoom) + 1
    image = QImage(w, h, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    scene.render(painter, QRectF(0, 0, w, h), source)
    painter.end()
    return image


def _colours(image) -> int:
    return len({image.pixel(x, y) for x in range(image.width()) for y in range(image.height())})


def test_level_of_detail_drops_labels_when_zoomed_out(scene):
    scene.set_caching(False)
    near = _render(scene, 2.0)
    far = _render(scene, 0.1)
    # Near: antialiased text and icon give many shades; far: a plain box of one colour (and the background).
    assert _colours(near) > 40
    assert _colours(far) <= 6


def test_every_theme_loads_and_restyles_the_scene(scene):
    for name in THEME_NAMES:
        scene.set_theme(load_theme(name))
        assert scene.style.theme.name == name
        assert scene.node_item(DEPLOY) is not None
    # The projector theme lays out bigger: boxes grow with the text.
    assert scene.node_item(DEPLOY).scene_box().height() >= 40


def test_text_scale_grows_boxes_without_overlaps(scene):
    from iamviz.render.items import NodeItem

    before = scene.node_item(DEPLOY).scene_box().width()
    scene.node_item(DEPLOY).setSelected(True)
    scene.set_text_scale(1.5)
    assert scene.text_scale == 1.5
    assert scene.node_item(DEPLOY).scene_box().width() > 1.3 * before
    assert scene.node_item(DEPLOY).isSelected()
    items = [item for item in scene.items() if isinstance(item, NodeItem)]
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            assert not a.scene_box().intersects(b.scene_box())


def test_restyle_keeps_highlight(scene):
    scene.highlight({DEPLOY})
    scene.set_theme(load_theme("projector"))
    assert scene.node_item(DEPLOY).highlighted
    assert scene.node_item(PUBLIC).dimmed


def test_a_focused_layout_draws_only_its_nodes(qapp, graph):
    from iamviz.render.scene import TrustScene

    keep = {DEPLOY, ADMIN, user_id(WORKLOAD, "alice")}
    scene = TrustScene(theme=load_theme("light"))
    scene.set_graph(graph, layered_layout(graph, node_ids=keep))
    assert set(scene.node_ids()) == keep
    assert all(ref[0] in keep and ref[1] in keep for ref in scene.edge_refs())
    assert scene.node_item(PUBLIC) is None


def test_legend_lists_what_is_drawn(scene):
    entries = scene.legend_entries()
    names = {entry.name for entry in entries}
    assert {NodeKind.ROLE.value, NodeKind.ANYONE.value, "risky", "conditional", "member-of"} <= names
    (risky,) = [entry for entry in entries if entry.name == "risky"]
    assert risky.badge == "anyone"  # the badge of the finding the drawing's risky edges carry (TRUST_ANYONE)
    legend = scene.legend_item(max_width=600)
    assert legend.boundingRect().width() <= 602
    assert legend.boundingRect().height() > 20


def test_icons_exist_for_every_kind_and_render(qapp):
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    from iamviz.render.icons import ICON_NAMES, KIND_ICONS, icon_renderer, paint_icon

    assert set(KIND_ICONS) == set(NodeKind)
    for name in ICON_NAMES:
        assert icon_renderer(name, "#0072B2").isValid(), name
        image = QImage(16, 16, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        paint_icon(painter, name, QRectF(0, 0, 16, 16), "#0072B2")
        painter.end()
        tinted = sum(
            1
            for x in range(16)
            for y in range(16)
            if QColor(image.pixel(x, y)).blue() > QColor(image.pixel(x, y)).red() + 40
        )
        assert tinted >= 12, f"{name} is not drawn in the requested colour at 16 px"


def test_badges_are_drawn_above_every_edge_and_follow_their_edge(scene, graph):
    from iamviz.render.items import BadgeItem, EdgeItem

    badges = [item for item in scene.items() if isinstance(item, BadgeItem)]
    edges = [item for item in scene.items() if isinstance(item, EdgeItem)]
    assert badges and all(b.zValue() > max(e.zValue() for e in edges) for b in badges)
    ref = _edge_ref(graph, user_id(WORKLOAD, "wayne"), role_id(WORKLOAD, "BreakGlassAdmin"))
    edge = scene.edge_item(*ref)
    assert edge.badge_item is not None and edge.badge_item.boundingRect().contains(edge.badge_rect())
    scene.set_hidden_nodes({user_id(WORKLOAD, "wayne")})
    assert not edge.badge_item.isVisible()
    scene.set_hidden_nodes(set())
    scene.highlight({DEPLOY})
    assert edge.badge_item.opacity() < 0.5


def test_a_theme_with_the_same_sizes_keeps_every_badge_in_place(scene):
    from iamviz.render.items import EdgeItem

    def badges():
        return {
            item.key: item.badge_rect().getRect()
            for item in scene.items()
            if isinstance(item, EdgeItem) and item.badge_visible
        }

    before = badges()
    scene.set_theme(load_theme("dark"))
    assert badges() == before


# ---- lanes: hidden when empty, titles readable at any zoom ----------------------------------------------------------


def test_a_lane_whose_nodes_are_all_hidden_is_hidden_with_its_title(scene):
    from iamviz.render.items import LaneTitleItem

    layout = scene.layout
    lanes = {lane.account_id: lane for lane in scene.lane_items()}
    titles = {t.lane.account_id: t for t in scene.items() if isinstance(t, LaneTitleItem)}
    assert set(titles) == set(lanes)
    victim = next(key for key in lanes if key != WORKLOAD)
    in_victim = [n for n, lane in layout.node_lanes.items() if lane == victim]
    scene.set_hidden_nodes(in_victim)
    assert not lanes[victim].isVisible() and not titles[victim].isVisible()
    assert all(lanes[k].isVisible() and titles[k].isVisible() for k in lanes if k != victim)
    scene.set_hidden_nodes([])
    assert all(lane.isVisible() for lane in lanes.values())


def test_lane_titles_stay_readable_when_zoomed_out(scene):
    from PySide6.QtGui import QColor, QImage, QPainter

    from iamviz.render.items import MIN_LANE_TITLE_PX, LaneTitleItem

    (title,) = [t for t in scene.items() if isinstance(t, LaneTitleItem) and t.lane.account_id == WORKLOAD]
    assert title.shape().isEmpty()  # never takes clicks meant for the nodes under it
    assert title.screen_px(1.0) == 0  # at 100 % the lane draws its own title
    assert title.screen_px(0.2) == MIN_LANE_TITLE_PX
    # Rendered at 20 %: the plate with the title covers the lane's top-left (hiding the item changes the pixels).
    rect = title.lane.rect()

    def dark_pixels() -> int:
        image = QImage(400, 200, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.scale(0.2, 0.2)
        painter.translate(-rect.topLeft())
        scene.render(painter, rect, rect)
        painter.end()
        return sum(1 for x in range(4, 150) for y in range(4, 20) if image.pixelColor(x, y).lightness() < 100)

    shown = dark_pixels()
    title.setVisible(False)
    assert shown > dark_pixels() + 30


def test_every_finding_code_has_a_short_badge():
    from iamviz.render.items import FINDING_BADGES, finding_badge

    codes = [  # the findings contract's codes (notes/CONTRACTS.md)
        "TRUST_ANYONE",
        "TRUST_ANYONE_CONDITIONED",
        "CROSS_ACCOUNT_NO_EXTERNAL_ID",
        "SERVICE_NO_SOURCE_CONDITION",
        "OIDC_NO_AUDIENCE",
        "OIDC_CI_NO_SUBJECT",
        "OIDC_CI_WILDCARD_SUBJECT",
        "SAML_NO_AUDIENCE",
        "COGNITO_NO_AUDIENCE",
        "COGNITO_UNAUTHENTICATED_PRIVILEGED",
        "PRIVILEGED_NO_MFA",
        "DELETED_PRINCIPAL",
        "NOT_PRINCIPAL_IN_TRUST",
        "ACCOUNT_ROOT_TRUST_BROAD",
        "ROLE_UNUSED",
        "CHAIN_TO_ADMIN",
    ]
    assert set(codes) == set(FINDING_BADGES)
    assert all(len(finding_badge(code)) <= 14 for code in codes)  # short: the columns leave room for badges
    assert finding_badge("SOMETHING_NEW") == "SOMETHING_NEW"
