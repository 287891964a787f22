"""Export a scenario: one step (or every step) as PNG/SVG/PDF with its caption, or the whole story as a small GIF.

Everything goes through the window's own drawing code: a :class:`~iamviz.render.animator.ScenarioAnimator` with
animations off poses each step on the scene (cuts, no timers), and :func:`iamviz.render.export.page_layout` /
:func:`~iamviz.render.export.paint_page` draw the page (title, graph, caption, legend). Qt has no GIF writer, so
frames are assembled with Pillow: few frames (one per step, two for an assume-role hop: the request at STS, then
the outcome), each quantised to a small palette, so the file stays small enough for slides.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QImage, QPageSize, QPainter, QPdfWriter

from iamviz.errors import InputError
from iamviz.playback import Scenario, Step, StepKind, available_builtins, build_builtin, scenario_from_chain
from iamviz.render.animator import ScenarioAnimator
from iamviz.render.export import MAX_PIXELS, export_image, page_layout, paint_page
from iamviz.render.scene import TrustScene
from iamviz.render.sts_items import HubState

GIF_WIDTH = 960
"""Default GIF width (px): sharp on a slide, a few hundred kB."""
GIF_COLORS = 128
"""Palette size of each GIF frame."""
HOLD_MS = 2800
"""How long a step's final frame stays (time to read its caption)."""
MOVE_MS = 700
"""How long the in-between frame of a hop stays (the request has reached STS)."""
SCENARIO_FORMATS = (".png", ".svg", ".pdf", ".gif")


@dataclass(frozen=True, slots=True, kw_only=True)
class Frame:
    """One picture of a scenario: which step, whether it is the step's end, how long it shows."""

    step: int
    final: bool
    duration_ms: int


def find_scenario(snapshot, graph, name: str) -> Scenario:
    """The scenario called ``name``: ``break-glass``, ``break-glass:no-mfa`` (a what-if) or ``chain:SRC->TARGET``.

    Raises:
        InputError: no such scenario for these sources (the message lists the ones there are).
    """
    if name.startswith("chain:"):
        from iamviz.analysis.chains import find_chains

        source, arrow, target = name.removeprefix("chain:").partition("->")
        if not arrow or not graph.has_node(source) or not graph.has_node(target):
            raise InputError(f"scenario {name!r}: write chain:SOURCE->TARGET with two node ids of the loaded graph")
        chains = find_chains(graph, source=source, target=target)
        if not chains:
            raise InputError(f"scenario {name!r}: no chain leads from {source} to {target}")
        return scenario_from_chain(graph, chains[0])
    facts = snapshot.teaching.get("facts") if snapshot.teaching else None
    base, _, what_if = name.partition(":")
    names = available_builtins(facts)
    if base not in names:
        choices = ", ".join(names) or "none: these sources hold no sample facts; use chain:SOURCE->TARGET"
        raise InputError(f"no scenario {base!r} for these sources; available: {choices}")
    return build_builtin(snapshot, facts, base, what_if or None)


def step_title(scenario: Scenario, step: Step) -> str:
    """``Break-glass emergency role — step 3 / 4: wayne breaks the glass``."""
    what_if = f" (what if: {scenario.what_if.label})" if scenario.what_if else ""
    return f"{scenario.title}{what_if} — step {step.index + 1} / {len(scenario.steps)}: {step.title}"


def step_caption(step: Step) -> str:
    mark = "✓ " if step.allowed else "✗ "
    return mark + step.caption


def _posed(scene: TrustScene, scenario: Scenario) -> ScenarioAnimator:
    animator = ScenarioAnimator(scene)
    animator.set_animations_enabled(False)
    animator.set_scenario(scenario)
    return animator


def _check_step(scenario: Scenario, step: int) -> int:
    if not 1 <= step <= len(scenario.steps):
        raise InputError(f"scenario {scenario.id!r} has steps 1 to {len(scenario.steps)}, not {step}")
    return step - 1


def export_scenario(
    scene: TrustScene,
    scenario: Scenario,
    path: str | Path,
    *,
    step: int | None = None,
    all_steps: bool = False,
    **options,
) -> list[Path]:
    """Write a scenario step (1-based ``step``; the last one by default), every step, or the GIF, by suffix.

    PNG and SVG with ``all_steps`` write one file per step (``NAME-01.png``...); PDF writes one page per step into
    one file; ``.gif`` always holds the whole scenario.

    Returns:
        The files written.
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in SCENARIO_FORMATS:
        raise InputError(
            f"{out}: cannot export a scenario to '{suffix or '(no suffix)'}'; use {', '.join(SCENARIO_FORMATS)}"
        )
    if not scenario.steps:
        raise InputError(f"scenario {scenario.id!r} has no steps to draw")
    title_override = options.pop("title", None)
    if suffix == ".gif":
        return [
            export_gif(
                scene, scenario, out, width=options.get("width") or GIF_WIDTH, legend=options.get("legend", True)
            )
        ]
    if all_steps and suffix == ".pdf":
        return [_export_pdf_pages(scene, scenario, out, title=title_override, **options)]
    indices = (
        range(len(scenario.steps)) if all_steps else [_check_step(scenario, step) if step else len(scenario.steps) - 1]
    )
    animator = _posed(scene, scenario)
    written: list[Path] = []
    try:
        for index in indices:
            animator.show_step(index)
            current = scenario.steps[index]
            target = out.with_name(f"{out.stem}-{index + 1:02d}{out.suffix}") if all_steps else out
            export_image(
                scene,
                target,
                title=title_override or step_title(scenario, current),
                caption=step_caption(current),
                **options,
            )
            written.append(target)
    finally:
        animator.clear()
    return written


def _export_pdf_pages(
    scene: TrustScene,
    scenario: Scenario,
    out: Path,
    *,
    title: str | None = None,
    width: int | None = None,
    scale: float = 1.0,
    transparent: bool = False,
    legend: bool = True,
) -> Path:
    """Every step on its own page of one PDF (all pages the size of the largest)."""
    if out.parent and not out.parent.exists():
        raise InputError(f"{out}: the folder {out.parent} does not exist")
    animator = _posed(scene, scenario)
    pages = []
    try:
        for index, current in enumerate(scenario.steps):
            animator.show_step(index)
            heading = title or step_title(scenario, current)
            pages.append(
                (index, heading, page_layout(scene, title=heading, caption=step_caption(current), legend=legend))
            )
        page_w = max(p.width for _, _, p in pages)
        page_h = max(p.height for _, _, p in pages)
        factor = (width / page_w) if width else scale
        writer = QPdfWriter(str(out))
        writer.setCreator("iamviz")
        writer.setTitle(scenario.title)
        size = QSizeF(page_w * factor * 0.75, page_h * factor * 0.75)  # 96 px = 72 pt
        writer.setPageSize(QPageSize(size, QPageSize.Unit.Point, "iamviz", QPageSize.SizeMatchPolicy.ExactMatch))
        writer.setPageMargins(QMarginsF(0, 0, 0, 0))
        writer.setResolution(288)
        painter = QPainter()
        if not painter.begin(writer):
            raise InputError(f"{out}: could not write the PDF file")
        try:
            for number, (index, heading, page) in enumerate(pages):
                if number:
                    writer.newPage()
                animator.show_step(index)
                painter.save()
                device = painter.device()
                painter.scale(device.width() / page_w, device.height() / page_h)
                if not transparent:
                    painter.fillRect(QRectF(0, 0, page_w, page_h), scene.style.color(scene.theme.colors.background))
                current = scenario.steps[index]
                paint_page(painter, scene, page, title=heading, caption=step_caption(current), transparent=transparent)
                painter.restore()
        finally:
            painter.end()
    finally:
        animator.clear()
    return out


# ---- GIF ----------------------------------------------------------------------------------------------------------


def gif_frames(scenario: Scenario) -> list[Frame]:
    """The frames of a scenario's GIF: an in-between frame for each assume-role hop, then every step's end."""
    frames: list[Frame] = []
    for step in scenario.steps:
        if step.kind is StepKind.ASSUME:
            frames.append(Frame(step=step.index, final=False, duration_ms=MOVE_MS))
        frames.append(Frame(step=step.index, final=True, duration_ms=HOLD_MS))
    return frames


def _pose_in_between(animator: ScenarioAnimator) -> None:
    """The moment the request reaches STS: hub deciding, no ticket or verdict yet."""
    step = animator.current_step
    if step is None or animator.hub is None:
        return
    geometry = animator.hop_geometry(step)
    animator.hub.set_state(HubState.WORKING)
    if animator.token is not None and geometry is not None:
        animator.token.setVisible(True)
        animator.token.setPos(geometry.to_hub.pointAtPercent(0.75))
    for item in (animator.ticket, animator.callout):
        if item is not None:
            item.setVisible(False)
    if animator.flash is not None:
        animator.flash.set_lit(False)


def _asking(step: Step) -> str:
    call = step.api_call.action if step.api_call else "sts:AssumeRole"
    return f"{step.actor_label} calls {call} for {step.target_label}; STS checks the role's trust policy…"


def _frames(scene: TrustScene, scenario: Scenario, *, width: int, legend: bool) -> Iterator[tuple[QImage, int]]:
    animator = _posed(scene, scenario)
    try:
        layouts = []
        for frame in gif_frames(scenario):
            animator.show_step(frame.step)
            step = scenario.steps[frame.step]
            caption = step_caption(step) if frame.final else _asking(step)
            layouts.append(
                (frame, caption, page_layout(scene, title=step_title(scenario, step), caption=caption, legend=legend))
            )
        page_w = max(p.width for _, _, p in layouts)
        page_h = max(p.height for _, _, p in layouts)
        factor = width / page_w
        w, h = round(page_w * factor), round(page_h * factor)
        if w > MAX_PIXELS or h > MAX_PIXELS:
            raise InputError(f"a {w} x {h} px GIF is too large; lower --width")
        background = scene.style.color(scene.theme.colors.background)
        for frame, caption, page in layouts:
            animator.show_step(frame.step)
            if not frame.final:
                _pose_in_between(animator)
            image = QImage(w, h, QImage.Format.Format_RGB32)
            image.fill(background)
            painter = QPainter(image)
            try:
                painter.scale(factor, factor)
                step = scenario.steps[frame.step]
                paint_page(painter, scene, page, title=step_title(scenario, step), caption=caption)
            finally:
                painter.end()
            yield image, frame.duration_ms
    finally:
        animator.clear()


def _to_pillow(image: QImage):
    from PIL import Image

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGB")


def export_gif(
    scene: TrustScene, scenario: Scenario, path: str | Path, *, width: int = GIF_WIDTH, legend: bool = True
) -> Path:
    """Write ``scenario`` as an animated GIF at ``width`` px: a few palette-quantised frames, looping.

    Raises:
        InputError: a bad width, a missing folder, or a file that cannot be written.
    """
    from PIL import Image

    out = Path(path)
    if width <= 0:
        raise InputError(f"{out}: width must be a positive number of pixels, not {width}")
    if out.parent and not out.parent.exists():
        raise InputError(f"{out}: the folder {out.parent} does not exist")
    images, durations = [], []
    for image, duration in _frames(scene, scenario, width=width, legend=legend):
        frame = _to_pillow(image).quantize(
            colors=GIF_COLORS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
        images.append(frame)
        durations.append(duration)
    try:
        images[0].save(
            out, save_all=True, append_images=images[1:], duration=durations, loop=0, optimize=True, disposal=1
        )
    except OSError as exc:
        raise InputError(f"{out}: could not write the GIF file ({exc})") from exc
    return out


def render_step_image(scene: TrustScene, scenario: Scenario, step: int, *, width: int = GIF_WIDTH) -> QImage:
    """One step (0-based) as an image, the way the GIF shows its end (for previews and tests)."""
    animator = _posed(scene, scenario)
    try:
        animator.show_step(step)
        current = scenario.steps[step]
        page = page_layout(scene, title=step_title(scenario, current), caption=step_caption(current))
        factor = width / page.width
        image = QImage(round(page.width * factor), round(page.height * factor), QImage.Format.Format_RGB32)
        image.fill(Qt.GlobalColor.white)
        painter = QPainter(image)
        try:
            painter.scale(factor, factor)
            paint_page(painter, scene, page, title=step_title(scenario, current), caption=step_caption(current))
        finally:
            painter.end()
        return image
    finally:
        animator.clear()
