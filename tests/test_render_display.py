"""The scene at scale: folded account-root expansions are represented, drawn again on selection and focus.

A generated account (bench/make_account.py) has roles that trust their account, so the trust engine expands them
into one edge per user and role whose own policies allow it; the scene draws the account's edge with a
``+N principals`` badge instead, and still answers ``edge_item`` for every graph edge.
"""

from __future__ import annotations

import pytest

from iamviz.layout import layered_layout
from iamviz.model.graph import NodeKind
from iamviz.render.theme import load_theme

pytestmark = pytest.mark.gui


@pytest.fixture
def account_file(generated_150_file):
    return generated_150_file


@pytest.fixture
def graph(generated_150_graph):
    return generated_150_graph


@pytest.fixture
def scene(generated_150_scene):
    return generated_150_scene


def _refs(edges):
    return [(e.source, e.target, e.key) for e in edges]


def _bundled_role(scene):
    ref, count = max(scene.display.bundles.items(), key=lambda kv: (kv[1], kv[0]))
    return ref, count


def test_every_graph_edge_is_represented_and_only_drawn_edges_have_items(scene, graph):
    from iamviz.render.items import EdgeItem

    display = scene.display
    assert display.bundles, "the generated account should fold some expansions"
    items = [item for item in scene.items() if isinstance(item, EdgeItem)]
    assert len(items) == len(display.edges) < graph.edge_count
    for source, target, key in ((e.source, e.target, e.key) for e in graph.edges()):
        if source == target:
            continue
        item = scene.edge_item(source, target, key)
        assert item is not None, (source, target, key)
        stand_in = display.stand_in(graph, source, target, key)
        if stand_in is None:
            assert item.key == (source, target, key)
        else:  # folded: the account's edge through the same statement
            assert item.key == stand_in and item.bundled == display.bundles[stand_in]
            assert graph.node(item.edge.source).kind is NodeKind.ACCOUNT


def test_an_account_edge_standing_for_folded_edges_says_how_many(scene):
    ref, count = _bundled_role(scene)
    item = scene.edge_item(*ref)
    assert item.bundled == count
    assert item.badge.endswith(f"+{count:,} principals")
    assert f"stands for {count:,}" in item.tooltip_text()


def test_selecting_a_role_draws_its_folded_edges_and_clearing_removes_them(scene, graph):
    ref, count = _bundled_role(scene)
    role = ref[1]
    folded = set(_refs(scene.display.folded_edges(graph, ref)))
    assert len(folded) == count
    scene.node_item(role).setSelected(True)
    revealed = set(scene.revealed_refs())
    assert folded <= revealed
    one = sorted(folded)[0]
    item = scene.edge_item(*one)
    assert item.key == one and item.edge.source == one[0] and item.isVisible()
    assert not item.badge_visible  # the account edge keeps the one badge
    assert item in scene.edges_at(role)
    scene.clearSelection()
    assert scene.revealed_refs() == []
    assert scene.edge_item(*one).key == ref


def test_selecting_a_principal_draws_its_folded_edges(scene, graph):
    ref, _ = _bundled_role(scene)
    folded = sorted(_refs(scene.display.folded_edges(graph, ref)))
    principal = folded[0][0]
    scene.node_item(principal).setSelected(True)
    mine = {r for r in scene.revealed_refs() if r[0] == principal}
    assert folded[0] in mine
    expected = {
        (e.source, e.target, e.key)
        for e in graph.out_edges(principal)
        if scene.display.stand_in(graph, e.source, e.target, e.key) is not None
    }
    assert mine == expected


def test_a_focus_highlight_draws_the_folded_edges_it_names(scene, graph):
    ref, _ = _bundled_role(scene)
    folded = sorted(_refs(scene.display.folded_edges(graph, ref)))
    nodes = {ref[1], *(r[0] for r in folded)}
    scene.highlight(nodes, folded, dim_others=True)
    assert set(folded) <= set(scene.revealed_refs())
    assert all(scene.edge_item(*r).highlighted for r in folded)
    scene.set_hidden_nodes({folded[0][0]})
    assert not scene.edge_item(*folded[0]).isVisible()
    assert scene.edge_item(*folded[1]).isVisible()
    scene.set_hidden_nodes(())
    scene.set_text_scale(1.5)  # laid out and built again: the folded edges come back with it
    assert set(folded) <= set(scene.revealed_refs())
    scene.clear_highlight()
    assert scene.revealed_refs() == []


def test_headless_export_applies_the_same_rule(qapp, account_file, tmp_path):
    from iamviz.cli import build_parser
    from iamviz.cli.export import build_scene, prepare
    from iamviz.render.export import export_image

    args = build_parser().parse_args(["export", str(account_file), "-o", str(tmp_path / "a.svg")])
    scene = build_scene(prepare(args), theme="light")
    assert scene.display.bundles
    _ref, count = _bundled_role(scene)
    export_image(scene, tmp_path / "a.svg", legend=False)
    assert f"+{count:,} principals" in (tmp_path / "a.svg").read_text(encoding="utf-8")
    scene.clear()


def test_tooltips_are_made_for_the_item_under_the_mouse_when_asked(scene):
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QGraphicsSceneHelpEvent

    ref, _count = _bundled_role(scene)
    node = scene.node_item(ref[1])
    assert node.toolTip() == ""  # none made up front
    event = QGraphicsSceneHelpEvent(QEvent.Type.GraphicsSceneHelp)
    event.setScenePos(node.scenePos())
    scene.helpEvent(event)
    assert node.toolTip() == node.tooltip_text() and node.node.label in node.toolTip()


def _render(scene, width: int):
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    rect = scene.sceneRect()
    height = max(1, round(width * rect.height() / rect.width()))
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    scene.render(painter, QRectF(0, 0, width, height), rect)
    painter.end()
    return image


def _colours(image) -> set[int]:
    return {image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}


def test_zoomed_far_out_a_large_scene_draws_one_overview_picture(qapp, graph, monkeypatch):
    from PySide6.QtWidgets import QGraphicsItem

    import iamviz.render.scene as scene_module

    monkeypatch.setattr(scene_module, "OVERVIEW_MIN_ITEMS", 50)  # the 150-role account stands in for a large one
    scene = scene_module.TrustScene(theme=load_theme("light"))
    scene.set_graph(graph, layered_layout(graph))
    no_contents = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
    node = next(iter(scene.node_ids()))
    width = round(scene.sceneRect().width() * 0.1)  # 10 %: far below the overview's zoom
    far = _render(scene, width)
    assert scene.overview_active
    assert scene.node_item(node).flags() & no_contents  # Qt does not even call the items' paint
    scene.set_caching(False)  # vector export: every item draws itself
    assert not scene.overview_active and not scene.node_item(node).flags() & no_contents
    items = _render(scene, width)
    assert not scene.overview_active
    # The picture shows what the items show far out: the same coloured boxes and hairlines, give or take smoothing.
    assert len(_colours(far)) > 5
    role_colour = load_theme("light").kind_color(NodeKind.ROLE).lower()
    assert any(f"#{c & 0xFFFFFF:06x}" == role_colour for c in _colours(far))
    assert any(f"#{c & 0xFFFFFF:06x}" == role_colour for c in _colours(items))
    scene.set_caching(True)
    _render(scene, round(scene.sceneRect().width()))  # 100 %: the items again
    assert not scene.overview_active and not scene.node_item(node).flags() & no_contents
    scene.clear()


def test_small_scenes_never_use_the_overview(scene):
    _render(scene, 200)
    assert not scene.overview_active
