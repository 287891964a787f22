"""Export to PNG, SVG and PDF through the scene (no view), and the ``iamviz export`` command."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from layout_graphs import WORKLOAD, classroom_scene, role_id

from iamviz.errors import InputError

pytestmark = pytest.mark.gui


@pytest.fixture
def scene(qapp):
    with classroom_scene() as scene:
        yield scene


def _image(path):
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert not image.isNull(), f"{path} does not load"
    return image


def _variance(image) -> float:
    step = max(1, image.width() // 200)
    values = [
        image.pixelColor(x, y).lightness()
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    ]
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def test_png_at_a_given_width_is_that_wide_and_not_blank(scene, tmp_path):
    from iamviz.render.export import export_image, page_layout

    out = export_image(scene, tmp_path / "graph.png", width=1600, title="Classroom")
    image = _image(out)
    page = page_layout(scene, title="Classroom")
    assert image.width() == 1600
    assert image.height() == round(page.height * 1600 / page.width)
    assert _variance(image) > 100


def test_png_scale_multiplies_the_size_for_4k(scene, tmp_path):
    from iamviz.render.export import export_image, page_layout

    page = page_layout(scene)
    image = _image(export_image(scene, tmp_path / "big.png", scale=3.0))
    assert (image.width(), image.height()) == (round(page.width * 3), round(page.height * 3))
    assert image.width() >= 3840


def test_transparent_png_has_a_clear_background(scene, tmp_path):
    from iamviz.render.export import export_image

    image = _image(export_image(scene, tmp_path / "clear.png", transparent=True))
    assert image.hasAlphaChannel()
    assert image.pixelColor(1, 1).alpha() == 0
    opaque = _image(export_image(scene, tmp_path / "opaque.png"))
    assert opaque.pixelColor(1, 1).alpha() == 255


def test_title_caption_and_legend_take_room(scene):
    from iamviz.render.export import page_layout

    bare = page_layout(scene, legend=False)
    full = page_layout(scene, title="T", caption="Step 3: STS issues temporary credentials.", legend=True)
    assert full.height > bare.height + 60
    assert full.title is not None and full.caption is not None and full.legend is not None
    assert full.graph.top() > full.title.bottom()
    assert full.caption.top() >= full.graph.bottom() and full.legend.y() >= full.caption.bottom()


def test_svg_keeps_labels_as_text(scene, tmp_path):
    from iamviz.render.export import export_image

    out = export_image(scene, tmp_path / "graph.svg", title="Classroom", caption="A caption")
    root = ET.parse(out).getroot()
    texts = {"".join(el.itertext()).strip() for el in root.iter() if el.tag.endswith("text")}
    for label in ("DeployRole", "AdminRole", "anyone", "Classroom", "A caption", "MFA"):
        assert label in texts, label
    assert not [el for el in root.iter() if el.tag.endswith("image")], "items were rasterised into the SVG"


def test_pdf_is_a_page_with_vector_text(scene, tmp_path):
    from iamviz.render.export import export_image

    data = export_image(scene, tmp_path / "graph.pdf", title="Classroom").read_bytes()
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") + data.count(b"/Type /Page/") >= 1
    assert b"/Font" in data and b"/FontFile" in data  # text drawn with an embedded font, not as pixels


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_same_input_same_bytes(scene, tmp_path, suffix):
    from iamviz.render.export import export_image

    first = export_image(scene, tmp_path / f"a{suffix}", title="T").read_bytes()
    (tmp_path / "b").mkdir()
    second = export_image(scene, tmp_path / "b" / f"a{suffix}", title="T").read_bytes()
    assert first == second


def test_export_leaves_the_scene_as_it_was(scene, tmp_path):
    from PySide6.QtWidgets import QGraphicsItem

    from iamviz.render.export import export_image

    brush = scene.backgroundBrush().color().name()
    export_image(scene, tmp_path / "x.svg")
    assert scene.backgroundBrush().color().name() == brush
    item = scene.node_item(role_id(WORKLOAD, "DeployRole"))
    assert item.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache


@pytest.mark.parametrize(
    ("name", "options"),
    [("x.gif", {}), ("x", {}), ("x.png", {"width": 0}), ("x.png", {"scale": -1.0}), ("x.png", {"scale": 100.0})],
)
def test_bad_requests_are_input_errors(scene, tmp_path, name, options):
    from iamviz.render.export import export_image

    with pytest.raises(InputError):
        export_image(scene, tmp_path / name, **options)


def test_missing_folder_is_an_input_error(scene, tmp_path):
    from iamviz.render.export import export_image

    with pytest.raises(InputError, match="does not exist"):
        export_image(scene, tmp_path / "nope" / "x.png")


# ---- The command ------------------------------------------------------------------------------------------------


def test_cli_exports_the_classroom_sample(qapp, tmp_path, capsys):
    from iamviz.cli import main

    out = tmp_path / "classroom.png"
    assert main(["export", "-o", str(out), "--width", "1920", "--title", "Classroom"]) == 0
    image = _image(out)
    assert image.width() == 1920 and _variance(image) > 100
    assert str(out) in capsys.readouterr().out


def test_cli_focus_draws_a_smaller_picture(qapp, tmp_path):
    from iamviz.cli import build_parser, main
    from iamviz.cli.export import neighbourhood, prepare, resolve_node

    whole = tmp_path / "whole.svg"
    assert main(["export", "-o", str(whole), "--no-legend"]) == 0
    args = build_parser().parse_args(["export", "-o", "x.png"])
    graph = prepare(args).graph
    role = next(node for node in graph.nodes() if node.kind.value == "role")
    focused = tmp_path / "focus.svg"
    assert main(["export", "-o", str(focused), "--focus", role.id, "--hops", "1", "--no-legend"]) == 0
    assert len(neighbourhood(graph, resolve_node(graph, role.id), 1)) < len(graph)
    assert focused.stat().st_size < whole.stat().st_size
    assert role.label in focused.read_text(encoding="utf-8")


def test_cli_themes_and_formats(qapp, tmp_path):
    from iamviz.cli import main

    for theme, suffix in (("dark", ".svg"), ("projector", ".pdf"), ("light", ".png")):
        out = tmp_path / f"t-{theme}{suffix}"
        assert main(["export", "-o", str(out), "--theme", theme, "--transparent"]) == 0
        assert out.stat().st_size > 1000


def test_cli_bad_focus_and_format_say_so(qapp, tmp_path, capsys):
    from iamviz.cli import main

    assert main(["export", "-o", str(tmp_path / "x.png"), "--focus", "arn:aws:iam::1:role/Nope"]) == 2
    assert "--focus" in capsys.readouterr().err
    assert main(["export", "-o", str(tmp_path / "x.bmp")]) == 2
    assert ".png" in capsys.readouterr().err


def test_only_specific_serious_findings_thicken_edges():
    from types import SimpleNamespace

    from iamviz.cli.export import _marks_an_edge

    def finding(severity, *, index=None, principal=None):
        return SimpleNamespace(severity=severity, statement_index=index, principal=principal)

    assert _marks_an_edge(finding("critical", index=0))
    assert _marks_an_edge(finding("medium", principal="lambda.amazonaws.com"))
    assert not _marks_an_edge(finding("low", index=0))  # ROLE_UNUSED, ACCOUNT_ROOT_TRUST_BROAD: badge only
    assert not _marks_an_edge(finding("high"))  # about the role as a whole
