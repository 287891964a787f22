"""Export a trust scene to PNG, SVG or PDF, headless, through the same items the window draws.

A page is: an optional title, the graph, an optional caption (a scenario step's), and the legend. The page is laid
out in scene units (:func:`page_layout`) and painted by :func:`paint_page`; each format only supplies a paint
device (a dispatch table keyed by suffix). Animated GIFs of scenarios plug in beside these (``export_gif``) and
reuse :func:`paint_page` for every frame.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import sys
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSize, QSizeF, Qt, QUuid
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QImage, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication

from iamviz.errors import InputError
from iamviz.render.items import paint_legend
from iamviz.render.scene import TrustScene

#: Largest raster side we agree to write (px): 16k is four 4K screens across.
MAX_PIXELS = 16384
#: The longest side of a PNG whose page would pass :data:`MAX_PIXELS` at its natural size (the whole graph of a large
#: account): the CLI and the export dialog fit it into an 8K picture instead.
FIT_PX = 7680


def ensure_application() -> QApplication:
    """The running QApplication, or a new one for headless export (offscreen when there is no display).

    The platform is chosen when the application is built, so setting it here, after PySide6 is imported, works.
    """
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    return QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "iamviz"])


@dataclass(frozen=True, slots=True, kw_only=True)
class PageLayout:
    """Where each part of an exported page goes, in scene units (px at scale 1)."""

    width: float
    height: float
    source: QRectF  # the part of the scene drawn
    graph: QRectF  # where it goes on the page
    title: QRectF | None
    caption: QRectF | None
    legend: QPointF | None
    legend_width: float


def page_layout(
    scene: TrustScene, *, title: str | None = None, caption: str | None = None, legend: bool = True
) -> PageLayout:
    """Lay out a page around the scene's drawing."""
    style = scene.style
    theme = style.theme
    margin = round(theme.font_px * 1.6)
    source = _drawn_rect(scene)
    width = source.width() + 2 * margin
    y = float(margin)
    title_rect = None
    if title:
        fm = QFontMetricsF(style.title_font)
        width = max(width, fm.horizontalAdvance(title) + 2 * margin)
        title_rect = QRectF(margin, y, width - 2 * margin, fm.height())
        y += fm.height() + margin * 0.6
    legend_width = 0.0
    legend_size = QSizeF()
    if legend:
        legend_size = paint_legend(None, style, QPointF(0, 0), max(width - 2 * margin, 640.0), scene.legend_entries())
        width = max(width, legend_size.width() + 2 * margin)
        legend_width = width - 2 * margin
        legend_size = paint_legend(None, style, QPointF(0, 0), legend_width, scene.legend_entries())
    graph = QRectF((width - source.width()) / 2, y, source.width(), source.height())
    y += source.height() + margin * 0.6
    caption_rect = None
    if caption:
        fm = QFontMetricsF(style.caption_font)
        box = QRectF(margin, y, width - 2 * margin, 10_000)
        needed = fm.boundingRect(box, int(Qt.TextFlag.TextWordWrap), caption)
        caption_rect = QRectF(margin, y, width - 2 * margin, needed.height())
        y += needed.height() + margin * 0.6
    legend_origin = None
    if legend:
        legend_origin = QPointF(margin, y)
        y += legend_size.height() + margin * 0.6
    height = y + margin * 0.4
    return PageLayout(
        width=width,
        height=height,
        source=source,
        graph=graph,
        title=title_rect,
        caption=caption_rect,
        legend=legend_origin,
        legend_width=legend_width,
    )


def _drawn_rect(scene: TrustScene) -> QRectF:
    rect = QRectF()
    for item in scene.items():
        if item.isVisible() and item.parentItem() is None and item.zValue() < 1000:
            rect = rect.united(item.sceneBoundingRect())
    if rect.isEmpty():
        rect = QRectF(0, 0, 320, 120)
    return rect.adjusted(-4, -4, 4, 4)


def paint_page(
    painter: QPainter,
    scene: TrustScene,
    page: PageLayout,
    *,
    title: str | None = None,
    caption: str | None = None,
    transparent: bool = False,
) -> None:
    """Paint a page laid out by :func:`page_layout` (painter in page units)."""
    style = scene.style
    colors = style.theme.colors
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
    if not transparent:
        painter.fillRect(QRectF(0, 0, page.width, page.height), style.color(colors.background))
    if title and page.title is not None:
        painter.setFont(style.title_font)
        painter.setPen(style.color(colors.text))
        painter.drawText(page.title, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
    background = scene.backgroundBrush()
    scene.setBackgroundBrush(QBrush(Qt.BrushStyle.NoBrush))
    scene.set_caching(False)  # text stays text in SVG/PDF, and no stale pixmaps at export scale
    try:
        scene.render(painter, page.graph, page.source, Qt.AspectRatioMode.KeepAspectRatio)
    finally:
        scene.set_caching(True)
        scene.setBackgroundBrush(background)
    if caption and page.caption is not None:
        painter.setFont(style.caption_font)
        painter.setPen(style.color(colors.text))
        painter.drawText(page.caption, int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft), caption)
    if page.legend is not None:
        size = paint_legend(None, style, page.legend, page.legend_width, scene.legend_entries())
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        fill = QColor(style.color(colors.legend_fill))
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(page.legend, size), 8, 8)
        painter.restore()
        paint_legend(painter, style, page.legend, page.legend_width, scene.legend_entries())


# ---- Formats ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Job:
    path: Path
    page: PageLayout
    factor: float  # output units per page unit
    transparent: bool
    title: str | None
    caption: str | None


def render_page_image(
    scene: TrustScene,
    page: PageLayout,
    factor: float,
    *,
    title: str | None = None,
    caption: str | None = None,
    transparent: bool = False,
) -> QImage:
    """Paint a page into a new image ``factor`` times its size (PNG export; GIF frames reuse it)."""
    w = max(1, round(page.width * factor))
    h = max(1, round(page.height * factor))
    if w > MAX_PIXELS or h > MAX_PIXELS:
        limit = f"at most {MAX_PIXELS} px a side"
        raise InputError(f"{w} x {h} px is too large ({limit}); lower the scale or the width")
    image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    dots_per_metre = round(3779.5 * max(1.0, factor))  # 96 dpi at scale 1, so viewers show it at its size
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    try:
        painter.scale(w / page.width, h / page.height)
        paint_page(painter, scene, page, title=title, caption=caption, transparent=transparent)
    finally:
        painter.end()
    return image


def _write_png(scene: TrustScene, job: _Job) -> None:
    try:
        image = render_page_image(
            scene, job.page, job.factor, title=job.title, caption=job.caption, transparent=job.transparent
        )
    except InputError as exc:
        raise InputError(f"{job.path}: {exc}") from None
    try:
        job.path.write_bytes(encode_png(image))
    except OSError as exc:
        raise InputError(f"{job.path}: could not write the PNG file ({exc.strerror or exc})") from None


#: zlib level of exported PNGs. A graph picture is mostly flat background with thin antialiased lines: level 1 on
#: unfiltered rows is about 3x faster than Qt's writer (zlib's default level, libpng's adaptive row filters) and
#: about 10 % smaller on large graphs (5,000 roles at 7,680 px: 1.3 s and 22.5 MB against 3.1 s and 25.5 MB).
PNG_LEVEL = 1


def encode_png(image: QImage, *, level: int = PNG_LEVEL) -> bytes:
    """``image`` as PNG bytes: 8-bit RGBA, rows unfiltered, one zlib stream at ``level``, the image's resolution
    (``pHYs``). The same pixels always give the same bytes (no time or software chunks)."""
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)  # not premultiplied, bytes in R G B A order
    width, height, stride = rgba.width(), rgba.height(), rgba.bytesPerLine()
    pixels = memoryview(rgba.constBits()).cast("B")
    row = width * 4
    raw = b"".join(b"\0" + pixels[y * stride : y * stride + row] for y in range(height))  # filter type 0: none

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA, deflate, no filter, no interlace
    density = struct.pack(">IIB", max(0, rgba.dotsPerMeterX()), max(0, rgba.dotsPerMeterY()), 1)  # per metre
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"pHYs", density),
            chunk(b"IDAT", zlib.compress(raw, level)),
            chunk(b"IEND", b""),
        )
    )


def _write_svg(scene: TrustScene, job: _Job) -> None:
    w, h = job.page.width * job.factor, job.page.height * job.factor
    generator = QSvgGenerator()
    generator.setFileName(str(job.path))
    generator.setSize(QSize(round(w), round(h)))
    generator.setViewBox(QRectF(0, 0, w, h))
    generator.setResolution(96)
    generator.setTitle(job.title or "iamviz trust graph")
    generator.setDescription("Drawn by iamviz")
    painter = QPainter()
    if not painter.begin(generator):
        raise InputError(f"{job.path}: could not write the SVG file")
    try:
        painter.scale(job.factor, job.factor)
        paint_page(painter, scene, job.page, title=job.title, caption=job.caption, transparent=job.transparent)
    finally:
        painter.end()


def _write_pdf(scene: TrustScene, job: _Job) -> None:
    points = QSizeF(job.page.width * job.factor * 0.75, job.page.height * job.factor * 0.75)  # 96 px = 72 pt
    writer = QPdfWriter(str(job.path))
    writer.setCreator("iamviz")
    writer.setTitle(job.title or "iamviz trust graph")
    digest = hashlib.sha256(f"{job.path.name}|{job.title}|{job.caption}".encode()).hexdigest()
    writer.setDocumentId(QUuid(str(uuid.UUID(digest[:32]))))  # a fixed id: same input, same bytes
    writer.setPageSize(QPageSize(points, QPageSize.Unit.Point, "iamviz", QPageSize.SizeMatchPolicy.ExactMatch))
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
    writer.setResolution(288)
    painter = QPainter()
    if not painter.begin(writer):
        raise InputError(f"{job.path}: could not write the PDF file")
    try:
        device = painter.device()
        painter.scale(device.width() / job.page.width, device.height() / job.page.height)
        paint_page(painter, scene, job.page, title=job.title, caption=job.caption, transparent=job.transparent)
    finally:
        painter.end()
    _pin_pdf_dates(job.path)


_PDF_DATE = re.compile(rb"D:\d{14}[^)]*")
_XMP_DATE = re.compile(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[^<]*")


def _pin_pdf_dates(path: Path) -> None:
    """Pin the PDF's creation dates (same length, so offsets stay valid): same input, same bytes."""
    data = path.read_bytes()

    def same_length(fixed: bytes) -> Callable[[re.Match[bytes]], bytes]:
        def replace(match: re.Match[bytes]) -> bytes:
            found = match.group(0)
            return (fixed + b" " * len(found))[: len(found)] if len(found) >= len(fixed) else found

        return replace

    data = _PDF_DATE.sub(same_length(b"D:20000101000000Z"), data)
    data = _XMP_DATE.sub(same_length(b"2000-01-01T00:00:00Z"), data)
    path.write_bytes(data)


_WRITERS: dict[str, Callable[[TrustScene, _Job], None]] = {".png": _write_png, ".svg": _write_svg, ".pdf": _write_pdf}
EXPORT_FORMATS: tuple[str, ...] = tuple(_WRITERS)


def export_image(
    scene: TrustScene,
    path: str | Path,
    *,
    width: int | None = None,
    scale: float = 1.0,
    transparent: bool = False,
    title: str | None = None,
    caption: str | None = None,
    legend: bool = True,
) -> Path:
    """Write the scene to ``path`` as PNG, SVG or PDF (by its suffix).

    Args:
        scene: the scene (no view needed); animations should be off.
        path: the output file; ``.png``, ``.svg`` or ``.pdf``.
        width: output width in pixels (PNG) or px-units (SVG, PDF); overrides ``scale``.
        scale: output units per scene unit (2.0 for a crisp 4K-ready PNG of a 1920-wide drawing).
        transparent: leave the background transparent (PNG, SVG).
        title: a title above the drawing.
        caption: a caption under the drawing (a scenario step's).
        legend: draw the legend under the drawing.

    Returns:
        The path written.

    Raises:
        InputError: an unknown format, a size out of range, or a file that cannot be written.
    """
    out = Path(path)
    writer = _WRITERS.get(out.suffix.lower())
    if writer is None:
        raise InputError(
            f"{out}: cannot export to '{out.suffix or '(no suffix)'}'; use one of {', '.join(EXPORT_FORMATS)}"
        )
    if width is not None and width <= 0:
        raise InputError(f"{out}: width must be a positive number of pixels, not {width}")
    if scale <= 0:
        raise InputError(f"{out}: scale must be positive, not {scale}")
    page = page_layout(scene, title=title, caption=caption, legend=legend)
    factor = (width / page.width) if width else scale
    if out.parent and not out.parent.exists():
        raise InputError(f"{out}: the folder {out.parent} does not exist")
    job = _Job(path=out, page=page, factor=factor, transparent=transparent, title=title, caption=caption)
    writer(scene, job)
    return out
