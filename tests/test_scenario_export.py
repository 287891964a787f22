"""Scenario export, headless: PNG and GIF load with the expected size and frame count, the SVG parses and holds the
node labels and the caption, the PDF has one page a step; none is blank."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image, ImageStat
from PySide6.QtGui import QImage

from iamviz.analysis import build_trust_graph
from iamviz.errors import InputError
from iamviz.layout import layered_layout
from iamviz.loading import load_sources
from iamviz.render.scenario_export import (
    HOLD_MS,
    MOVE_MS,
    export_scenario,
    find_scenario,
    gif_frames,
    render_step_image,
    step_caption,
)
from iamviz.render.scene import TrustScene
from iamviz.render.theme import load_theme

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def classroom():
    snapshot = load_sources([])
    graph = build_trust_graph(snapshot)
    return snapshot, graph, layered_layout(graph)


@pytest.fixture
def scene(qapp, classroom):
    _, graph, layout = classroom
    scene = TrustScene(theme=load_theme("light"))
    scene.set_animations_enabled(False)
    scene.set_graph(graph, layout)
    return scene


def _load(path) -> Image.Image:
    with Image.open(path) as image:
        image.load()
        return image.copy()


def _not_blank(image: Image.Image) -> None:
    stat = ImageStat.Stat(image.convert("L"))
    assert stat.stddev[0] > 10, "the image is one flat colour"


def test_find_scenario_by_name_what_if_and_chain(classroom):
    snapshot, graph, _ = classroom
    assert find_scenario(snapshot, graph, "break-glass").id == "break-glass"
    assert find_scenario(snapshot, graph, "break-glass:no-mfa").what_if.id == "no-mfa"
    chain = find_scenario(
        snapshot,
        graph,
        "chain:arn:aws:iam::111122223333:user/dataeng/dana->arn:aws:iam::444455556666:role/PartnerDataUploadRole",
    )
    assert chain.steps[0].target.endswith("PartnerDataUploadRole")
    with pytest.raises(InputError, match="available: lambda"):
        find_scenario(snapshot, graph, "nope")


def test_png_of_one_step_carries_its_caption_and_is_not_blank(scene, classroom, tmp_path):
    snapshot, graph, _ = classroom
    scenario = find_scenario(snapshot, graph, "break-glass")
    [path] = export_scenario(scene, scenario, tmp_path / "step.png", step=3, width=1200)
    image = _load(path)
    assert image.size[0] == 1200 and image.size[1] > 400
    _not_blank(image)
    # the default is the last step; the caption makes a page taller than none
    [last] = export_scenario(scene, scenario, tmp_path / "last.png", width=1200)
    assert _load(last).size[1] > 400
    with pytest.raises(InputError, match="steps 1 to 4"):
        export_scenario(scene, scenario, tmp_path / "bad.png", step=9)


def test_all_steps_writes_one_png_per_step(scene, classroom, tmp_path):
    snapshot, graph, _ = classroom
    scenario = find_scenario(snapshot, graph, "web-identity")
    paths = export_scenario(scene, scenario, tmp_path / "web.png", all_steps=True)
    assert [p.name for p in paths] == ["web-01.png", "web-02.png", "web-03.png"]
    images = [_load(p) for p in paths]
    for image in images:
        _not_blank(image)
    assert images[0].tobytes() != images[1].tobytes()  # each step lights something else


def test_svg_holds_node_labels_and_the_caption(scene, classroom, tmp_path):
    snapshot, graph, _ = classroom
    scenario = find_scenario(snapshot, graph, "cross-account:no-external-id")
    [path] = export_scenario(scene, scenario, tmp_path / "deny.svg", step=1)
    root = ET.parse(path).getroot()
    text = " ".join(t for t in root.itertext())
    for label in ("dana", "PartnerDataUploadRole", "STS"):
        assert label in text
    caption_words = re.findall(r"[A-Za-z]{5,}", step_caption(scenario.steps[0]))[:6]
    assert all(word in text for word in caption_words)


def test_pdf_all_steps_has_one_page_per_step(scene, classroom, tmp_path):
    snapshot, graph, _ = classroom
    scenario = find_scenario(snapshot, graph, "saml")
    [path] = export_scenario(scene, scenario, tmp_path / "saml.pdf", all_steps=True)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages == len(scenario.steps)


def test_gif_has_a_frame_per_step_and_one_more_per_hop_and_is_small(scene, classroom, tmp_path):
    snapshot, graph, _ = classroom
    scenario = find_scenario(snapshot, graph, "break-glass")
    frames = gif_frames(scenario)
    assert len(frames) == len(scenario.steps) + sum(1 for s in scenario.steps if s.kind == "assume")
    [path] = export_scenario(scene, scenario, tmp_path / "bg.gif", width=800)
    durations = []
    with Image.open(path) as image:
        assert image.format == "GIF" and image.is_animated
        assert image.n_frames == len(frames)
        assert image.size[0] == 800
        for index in range(image.n_frames):
            image.seek(index)
            durations.append(image.info["duration"])
            _not_blank(image.convert("RGB"))
    assert set(durations) <= {HOLD_MS, MOVE_MS}
    assert path.stat().st_size < 1_500_000  # small enough for a slide


def test_same_input_same_png(scene, classroom, tmp_path):
    snapshot, graph, _ = classroom
    scenario = find_scenario(snapshot, graph, "lambda")
    a = render_step_image(scene, scenario, 1, width=640)
    b = render_step_image(scene, scenario, 1, width=640)
    assert isinstance(a, QImage) and a == b


def test_unknown_suffix_is_refused(scene, classroom, tmp_path):
    snapshot, graph, _ = classroom
    with pytest.raises(InputError, match="cannot export a scenario"):
        export_scenario(scene, find_scenario(snapshot, graph, "lambda"), tmp_path / "x.bmp")


def test_cli_exports_a_scenario_gif_and_a_step(qapp, tmp_path, capsys):
    from iamviz.cli import main

    assert main(["export", "--scenario", "lambda", "-o", str(tmp_path / "lambda.gif"), "--width", "640"]) == 0
    with Image.open(tmp_path / "lambda.gif") as image:
        assert image.n_frames == 4 and image.size[0] == 640
    assert main(["export", "--scenario", "break-glass:no-mfa", "--step", "3", "-o", str(tmp_path / "deny.svg")]) == 0
    assert "MultiFactorAuthPresent" in (tmp_path / "deny.svg").read_text(encoding="utf-8")
    assert main(["export", "-o", str(tmp_path / "plain.gif")]) == 2
    assert main(["export", "--all-steps", "-o", str(tmp_path / "plain.png")]) == 2
    assert ".gif needs --scenario" in capsys.readouterr().err
