"""Dense views: wide edges stroked as flattened segments, the PNG encoder, identical badges merged, lane titles that
wrap instead of eliding."""

from __future__ import annotations

import itertools
import math

import pytest
from layout_graphs import WORKLOAD, classroom_scene, role_id

from iamviz.layout import layered_layout
from iamviz.render.theme import load_theme

pytestmark = pytest.mark.gui

PUBLIC = role_id(WORKLOAD, "PublicReadRole")


@pytest.fixture
def scene(qapp):
    with classroom_scene() as scene:
        yield scene


def _cubic(piece, t):
    x0, y0, x1, y1, x2, y2, x3, y3 = piece[5:]
    u = 1 - t
    return (
        u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
        u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
    )


def test_flattened_pieces_stay_within_the_tolerance_of_the_curve(scene):
    from iamviz.render.items import _FLAT_TOLERANCE, _cut, _flatten

    checked = 0
    for ref in scene.edge_refs():
        item = scene.edge_item(*ref)
        for piece in _cut(item.path()):
            points = [(p.x(), p.y()) for p in _flatten(piece)]
            assert points[0] == pytest.approx(piece[5:7]) and points[-1] == pytest.approx(piece[11:13])
            n = len(points) - 1
            for k, ((ax, ay), (bx, by)) in enumerate(itertools.pairwise(points)):
                mx, my = (ax + bx) / 2, (ay + by) / 2  # the chord's middle is where it strays most
                near = [_cubic(piece, (k + j / 400) / n) for j in range(401)]  # the curve over this chord, finely
                assert min(math.hypot(mx - cx, my - cy) for cx, cy in near) <= _FLAT_TOLERANCE + 0.01
            checked += 1
    assert checked > 10


def _render(scene, lod):
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    rect = scene.sceneRect()
    image = QImage(round(rect.width() * lod), round(rect.height() * lod), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    scene.render(painter, QRectF(0, 0, image.width(), image.height()), rect)
    painter.end()
    return image


@pytest.mark.parametrize("lod", [0.8, 1.0, 1.6])
def test_segments_look_like_the_curves(scene, monkeypatch, lod):
    """The same drawing with wide edges stroked as segments and as curves: few pixels differ, none by much."""
    from iamviz.render import items

    segments = _render(scene, lod)
    monkeypatch.setattr(items, "_LINES_MAX_LOD", 0.0)
    curves = _render(scene, lod)
    assert segments.size() == curves.size()
    differ = strong = 0
    for y in range(0, segments.height(), 2):
        for x in range(0, segments.width(), 2):
            a, b = segments.pixelColor(x, y), curves.pixelColor(x, y)
            d = max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue()))
            differ += d > 24
            strong += d > 128
    total = (segments.width() // 2) * (segments.height() // 2)
    assert differ < total * 0.002, (differ, total)
    assert strong < total * 0.0005, (strong, total)


def test_the_png_encoder_keeps_pixels_resolution_and_alpha_and_is_deterministic(qapp, tmp_path):
    from PySide6.QtGui import QColor, QImage, QPainter

    from iamviz.render.export import encode_png

    image = QImage(37, 21, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(0, 0, 0, 0))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(200, 80, 10))
    painter.drawEllipse(3, 2, 30, 16)
    painter.fillRect(5, 5, 6, 6, QColor(10, 120, 230, 128))
    painter.end()
    image.setDotsPerMeterX(7559)
    image.setDotsPerMeterY(7559)
    data = encode_png(image)
    assert data == encode_png(image)
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and b"pHYs" in data
    out = tmp_path / "x.png"
    out.write_bytes(data)
    back = QImage(str(out))
    assert (back.width(), back.height()) == (37, 21)
    assert back.dotsPerMeterX() == 7559
    assert back.pixelColor(0, 0).alpha() == 0
    expected = image.convertToFormat(QImage.Format.Format_ARGB32)
    for y in range(21):
        for x in range(37):
            assert back.pixelColor(x, y) == expected.pixelColor(x, y), (x, y)


def test_identical_badges_on_each_other_are_drawn_once_and_say_how_many(scene):
    badged = [scene.edge_item(*ref) for ref in scene.edge_refs()]
    badged = [item for item in badged if item.badge_item is not None and item.badge_item.isVisible()]
    assert len(badged) >= 2
    first, second = badged[0], badged[1]
    second.badge = first.badge  # the same text, a few px off the first one's place
    second._badge_rect = first.badge_rect().translated(3, 2)
    scene.merge_badges()
    assert first.badge_item.isVisible() != second.badge_item.isVisible()
    kept = first.badge_item if first.badge_item.isVisible() else second.badge_item
    hidden = second.badge_item if kept is first.badge_item else first.badge_item
    assert hidden.merged_into is kept and kept.stacked == 2
    assert f"'{first.badge}' on 2 edges here" in kept.tooltip_text()
    # The kept badge's edge filtered away: the other shows its own badge again.
    scene.set_hidden_nodes({kept.edge_item.edge.source})
    assert hidden.isVisible() and hidden.merged_into is None and not kept.isVisible()
    scene.set_hidden_nodes(set())
    # Lit and dimmed badges are not merged into each other.
    scene.highlight([hidden.edge_item.edge.source, hidden.edge_item.edge.target], [hidden.edge_item.key])
    assert hidden.isVisible() and kept.isVisible()


def test_badges_apart_are_not_merged(scene):
    shown = [scene.edge_item(*ref).badge_item for ref in scene.edge_refs()]
    shown = [badge for badge in shown if badge is not None]
    assert all(badge.merged_into is None for badge in shown)


def test_a_narrow_lane_title_wraps_or_turns_instead_of_eliding(qapp):
    from PySide6.QtGui import QFont, QFontMetricsF

    from iamviz.render.items import lane_title_lines

    font = QFont()
    font.setPixelSize(12)
    font.setBold(True)
    fm = QFontMetricsF(font)
    label = "Outside these accounts"
    assert lane_title_lines(label, fm, fm.horizontalAdvance(label) + 1, 100) == ([label], False)
    lines, vertical = lane_title_lines(label, fm, fm.horizontalAdvance("Outside these") + 1, 400)
    assert lines == ["Outside these", "accounts"] and not vertical
    lines, vertical = lane_title_lines(label, fm, fm.horizontalAdvance("Outside") - 5, 400)
    assert vertical and lines == [label]
    lines, vertical = lane_title_lines(label, fm, 20, 10)
    assert not vertical and lines[0].startswith("Out")


# ---- The edge layer of dense scenes ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dense_graph(make_account, tmp_path_factory):
    from iamviz.analysis import build_trust_graph
    from iamviz.loading import load_paths

    path = tmp_path_factory.mktemp("dense") / "account.json"
    make_account.write(make_account.generate(roles=300, seed=3), path)
    graph = build_trust_graph(load_paths([path]).snapshot)
    return graph, layered_layout(graph)


def _dense_scene(dense_graph):
    from iamviz.render.scene import TrustScene

    graph, layout = dense_graph
    scene = TrustScene(theme=load_theme("light"))
    scene.set_animations_enabled(False)
    scene.set_graph(graph, layout)
    scene.set_caching(False)  # as export does: no overview picture far out, the items (and the layer) draw
    return scene


@pytest.fixture
def dense(qapp, dense_graph):
    scene = _dense_scene(dense_graph)
    yield scene
    scene.clear()
    scene.deleteLater()


def _differ(a, b, step=2, level=40):
    count = total = 0
    for y in range(0, a.height(), step):
        for x in range(0, a.width(), step):
            p, q = a.pixelColor(x, y), b.pixelColor(x, y)
            count += max(abs(p.red() - q.red()), abs(p.green() - q.green()), abs(p.blue() - q.blue())) > level
            total += 1
    return count / total


def _focus(scene):
    refs = scene.edge_refs()[::7]
    scene.highlight({node for ref in refs for node in ref[:2]}, refs)


def _hide(scene):
    scene.set_hidden_nodes({ref[0] for ref in scene.edge_refs()[:60]})


@pytest.mark.parametrize(("lod", "change"), [(0.2, None), (0.5, None), (0.5, _focus), (0.5, _hide)])
def test_the_layer_draws_what_the_edges_drew(qapp, dense_graph, monkeypatch, lod, change):
    from iamviz.render import scene as scene_module

    layered = _dense_scene(dense_graph)
    assert layered.edge_layer is not None
    _render(layered, lod)
    if change is not None:  # after a first picture: the layer's paths must follow the change
        change(layered)
    with_layer = _render(layered, lod)
    batched = [layered.edge_item(*ref) for ref in layered.edge_refs()]
    assert sum(item.no_contents for item in batched) > len(batched) // 3  # many edges left to the layer
    monkeypatch.setattr(scene_module, "LAYER_MIN_EDGES", 10**9)
    single = _dense_scene(dense_graph)
    assert single.edge_layer is None
    if change is not None:
        change(single)
    by_items = _render(single, lod)
    for item in [single.edge_item(*ref) for ref in single.edge_refs()]:
        item.setVisible(False)
    bare = _render(single, lod)
    drawn = _differ(by_items, bare)
    assert drawn > 0.01  # the edges are a good part of the picture
    # As many edge pixels, most in the same place (where edges cross, styles may stack in another order).
    assert abs(_differ(with_layer, bare) - drawn) < drawn * 0.1
    assert _differ(with_layer, by_items) < drawn * 0.5


def test_lit_selected_and_hidden_edges_leave_the_layer(dense):
    _render(dense, 0.5)
    from PySide6.QtWidgets import QGraphicsItem

    refs = dense.edge_refs()
    selectable = [
        ref for ref in refs if dense.edge_item(*ref).flags() & QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
    ]
    lit, chosen, hidden_end = dense.edge_item(*refs[0]), dense.edge_item(*selectable[1]), refs[2][0]
    assert lit.plain and chosen.plain
    dense.highlight([lit.edge.source, lit.edge.target], [lit.key])
    assert not lit.plain and not lit.no_contents
    others = [dense.edge_item(*ref) for ref in refs if ref != lit.key]
    assert any(item.dimmed and item.plain for item in others)  # dimmed edges stay in the layer, drawn faint
    dense.clear_highlight()
    assert lit.plain
    chosen.setSelected(True)
    assert not chosen.plain and not chosen.no_contents
    dense.clearSelection()
    assert chosen.plain
    dense.set_hidden_nodes({hidden_end})
    gone = [dense.edge_item(*ref) for ref in refs if hidden_end in ref[:2]]
    assert gone and all(not item.plain for item in gone)
    dense.set_hidden_nodes(set())
    assert all(item.plain for item in gone)
    # The layer's paths follow: a hidden edge's pixels go away.
    before = _render(dense, 0.5)
    dense.set_hidden_nodes({ref[0] for ref in refs[:40]})
    after = _render(dense, 0.5)
    assert _differ(before, after) > 0.0005


def test_the_overview_and_the_layer_agree_on_who_paints(dense):
    _render(dense, 0.5)
    edges = [dense.edge_item(*ref) for ref in dense.edge_refs()]
    dense._use_overview(0.1)  # the picture on: nothing paints itself
    assert all(item.no_contents for item in edges)
    dense._use_overview(0.5)  # the picture off: the layer's edges stay off, the others paint again
    assert [item.no_contents for item in edges] == [item.plain and item.style_name in dense._batched for item in edges]


def _view(qtbot, scene, zoom):
    from iamviz.gui.view import TrustView

    view = TrustView(scene)
    view.resize(700, 450)
    qtbot.addWidget(view)
    view.show()
    view.set_zoom(zoom)
    view.centerOn(scene.sceneRect().center())
    view.viewport().repaint()
    return view


@pytest.mark.parametrize("zoom", [0.45, 0.9])
def test_the_layer_picture_kept_across_a_pan_matches_a_fresh_frame(qtbot, dense_graph, zoom):
    """The layer keeps its picture (Qt's device-coordinate cache): after a pan, what Qt scrolled plus the strip the
    layer drew is the frame a new view draws at that place."""
    from PySide6.QtWidgets import QGraphicsItem

    scene = _dense_scene(dense_graph)
    scene.set_caching(True)
    assert scene.edge_layer.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache
    panned = _view(qtbot, scene, zoom)
    for dx, dy in ((120, 0), (0, 90), (-45, -30)):
        panned.horizontalScrollBar().setValue(panned.horizontalScrollBar().value() + dx)
        panned.verticalScrollBar().setValue(panned.verticalScrollBar().value() + dy)
        qtbot.wait(20)  # Qt paints the scroll: moved pixels and the new strip
    panned.viewport().repaint()
    moved = panned.viewport().grab().toImage()
    fresh = _view(qtbot, _dense_scene(dense_graph), zoom)
    fresh.scene().set_caching(True)
    fresh.horizontalScrollBar().setValue(panned.horizontalScrollBar().value())
    fresh.verticalScrollBar().setValue(panned.verticalScrollBar().value())
    fresh.viewport().repaint()
    drawn = fresh.viewport().grab().toImage()
    assert moved.size() == drawn.size()
    # Thin dashes may be a little out of phase at a strip's seam (Qt's cosmetic dashes start where the clip starts);
    # a strip left blank or drawn twice would differ over a tenth of the frame.
    assert _differ(moved, drawn, step=1, level=60) < 0.02
    scene.set_caching(False)  # export: no picture kept, vector output stays vector
    assert scene.edge_layer.cacheMode() == QGraphicsItem.CacheMode.NoCache


def test_the_layer_indexes_only_the_tiles_a_frame_needs_and_every_piece_once(dense_graph):
    """A frame cuts and indexes only the edges of the tiles it shows (the first frame of a 20,000-role graph cut all
    22,000 edges). Indexed tile by tile, every piece of every edge ends in exactly one cell entry, and every
    arrowhead in one cell."""
    scene = _dense_scene(dense_graph)
    layer = scene.edge_layer
    edges = list(layer._edges())
    rect = scene.sceneRect()
    assert rect.width() > 2 * 2048  # more than two tiles wide
    layer._ensure_cells(0, 0, 1, 1)  # the top left corner's cells: one tile
    assert 0 < len(layer._indexed) < len(edges)
    cells = int(rect.width() // 256) + 1, int(rect.height() // 256) + 1
    layer._ensure_cells(-1, -1, *cells)  # every tile
    assert len(layer._indexed) == len(edges)
    covered: dict[object, list[int]] = {}
    for entries in layer._cells.values():
        for edge, start, last in entries:
            covered.setdefault(edge, []).extend(range(start, last + 1))
    for edge in edges:
        assert sorted(covered.get(edge, [])) == list(range(len(edge._cut_pieces()))), edge.key
    arrows = [edge for entries in layer._arrows.values() for edge in entries]
    assert sorted(map(id, arrows)) == sorted(id(edge) for edge in edges if edge._has_arrow)
