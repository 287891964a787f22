"""Themes are data: every theme loads, decisions differ by line style (not colour alone), projector is legible."""

from __future__ import annotations

import json

import pytest

from iamviz._paths import resources_dir
from iamviz.errors import InputError
from iamviz.layout import DEFAULT_METRICS
from iamviz.model.graph import DecisionKind, NodeKind
from iamviz.render.theme import EDGE_STYLE_NAMES, THEME_NAMES, load_theme

OKABE_ITO = {"#0072B2", "#56B4E9", "#009E73", "#E69F00", "#D55E00", "#CC79A7", "#F0E442"}


@pytest.mark.parametrize("name", THEME_NAMES)
def test_every_theme_loads_with_every_style(name):
    theme = load_theme(name)
    assert theme.name == name
    assert set(theme.edges) == set(EDGE_STYLE_NAMES)
    for kind in NodeKind:
        assert theme.kind_color(kind).startswith("#"), kind
    for decision in DecisionKind:
        assert theme.edge_style(decision.value) is theme.edges[decision.value]


@pytest.mark.parametrize("name", THEME_NAMES)
def test_decisions_differ_by_line_style_not_colour_alone(name):
    theme = load_theme(name)
    looks = {
        (style.dash, style.arrow, style.width >= 1.8 * theme.edges["allowed"].width)
        for key, style in theme.edges.items()
    }
    assert len(looks) == len(theme.edges), "two edge styles differ only in colour"
    assert theme.edges["allowed"].dash == ()
    assert theme.edges["conditional"].dash and theme.edges["needs-caller-policy"].dash
    assert not theme.edges["member-of"].arrow


def test_light_theme_uses_okabe_ito_and_the_default_layout_sizes():
    light = load_theme("light")
    assert light.colors.highlight == "#F0E442"
    assert light.kind_color(NodeKind.ROLE) == "#0072B2"
    assert light.kind_color(NodeKind.ANYONE) == "#D55E00"
    assert light.edges["allowed"].color in OKABE_ITO and light.edges["risky"].color in OKABE_ITO
    # The window lays out with the default sizes off the UI thread; the light theme must not force a relayout.
    assert light.layout == DEFAULT_METRICS


def test_projector_theme_is_high_contrast_with_thick_strokes_and_big_text():
    projector = load_theme("projector")
    assert projector.colors.background.lower() == "#ffffff"
    assert projector.colors.text.lower() in {"#000000", "#111111", "#1b1b1b"}
    assert projector.font_px >= 24 and projector.caption_font_px >= 24
    assert projector.node_stroke_width >= 3 and projector.lane_stroke_width >= 3
    assert all(style.width >= 3 for style in projector.edges.values())


def test_projector_text_is_at_least_24px_when_the_classroom_fills_1920x1080(qapp):
    from layout_graphs import classroom_graph

    from iamviz.layout import layered_layout
    from iamviz.render.scene import TrustScene

    graph = classroom_graph()
    scene = TrustScene(theme=load_theme("projector"))
    scene.set_graph(graph, layered_layout(graph))
    rect = scene.sceneRect()
    fit = min(1920 / rect.width(), 1080 / rect.height())
    assert scene.style.label_font.pixelSize() * fit >= 24 * 0.95  # 5 % for the view's margins


def test_themes_are_frozen():
    theme = load_theme("dark")
    with pytest.raises(AttributeError):
        theme.font_px = 99  # type: ignore[misc]
    with pytest.raises(TypeError):
        theme.kinds["role"] = "#000000"  # type: ignore[index]


def test_unknown_or_broken_theme_is_an_input_error(tmp_path, monkeypatch):
    with pytest.raises(InputError, match="no theme"):
        load_theme("neon")
    broken = json.loads((resources_dir() / "themes" / "light.json").read_text(encoding="utf-8"))
    del broken["colors"]["text"]
    themes = tmp_path / "themes"
    themes.mkdir()
    (themes / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    monkeypatch.setattr("iamviz.render.theme.resources_dir", lambda: tmp_path)
    with pytest.raises(InputError, match=r"broken\.json"):
        load_theme("broken")
