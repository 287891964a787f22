"""``iamviz export``: draw the trust graph to PNG, SVG or PDF with no window (Qt is imported only when it runs).

The pipeline is :func:`prepare` (load, build the graph, run the findings, pick the nodes) then :func:`draw` (a
scene with animations off, exported through :func:`iamviz.render.export.export_image`). Scenario steps and GIFs
plug in by adding their arguments in :func:`register` and a caption/highlight before :func:`draw`'s export.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iamviz.cli._common import add_sources, load_sources
from iamviz.errors import InputError
from iamviz.model.graph import TrustGraph

THEMES = ("light", "dark", "projector")
FORMATS = (".png", ".svg", ".pdf")
SCENARIO_FORMATS = (*FORMATS, ".gif")  # a GIF is a scenario's animation


def _fitted_width(scene: Any, *, title: str | None, legend: bool) -> int | None:
    """The width that fits the page into ``FIT_PX`` (8K) a side when scale 1 is too large for an image (else
    ``None``); says so."""
    from iamviz.render.export import FIT_PX, MAX_PIXELS, page_layout

    page = page_layout(scene, title=title, legend=legend)
    longest = max(page.width, page.height)
    if round(longest) <= MAX_PIXELS:
        return None
    width = max(1, int(page.width * FIT_PX / longest))
    print(
        f"iamviz: note: the drawing is {round(page.width)} x {round(page.height)} px at scale 1; written "
        f"{width} px wide (pass --scale or --width to choose, or --focus ARN for a readable part)",
        file=sys.stderr,
    )
    return width


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``export`` subcommand."""
    parser = subparsers.add_parser(
        "export",
        help="draw the trust graph to a PNG, SVG or PDF file (no window needed)",
        description="Draw the trust graph of IAM exports, iamviz snapshots or a sample to an image, headless, with "
        "the same drawing code as the window. With no SOURCE: the classroom sample.",
    )
    add_sources(parser)
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="output file: .png, .svg or .pdf")
    parser.add_argument("--focus", metavar="ARN", help="draw only this node and its neighbours")
    parser.add_argument("--hops", type=int, default=1, metavar="N", help="with --focus: how far out (default 1)")
    parser.add_argument("--theme", choices=THEMES, default="light", help="colour theme (default: light)")
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--scale",
        type=float,
        metavar="S",
        help="output pixels per drawing unit (default 1; 2 = crisp); a PNG too large at scale 1 is fitted into 8K",
    )
    size.add_argument("--width", type=int, metavar="PX", help="output width in pixels (overrides --scale)")
    parser.add_argument("--transparent", action="store_true", help="no background (PNG, SVG)")
    parser.add_argument("--title", metavar="TEXT", help="a title above the drawing")
    parser.add_argument("--no-legend", dest="legend", action="store_false", help="leave the legend out")
    scenario = parser.add_argument_group("scenario (see 'iamviz scenarios')")
    scenario.add_argument(
        "--scenario",
        metavar="NAME",
        help="draw a scenario step with its caption: lambda, break-glass:no-mfa, chain:SRC->ROLE",
    )
    steps = scenario.add_mutually_exclusive_group()
    steps.add_argument("--step", type=int, metavar="N", help="which step (1-based; default: the last)")
    steps.add_argument("--all-steps", action="store_true", help="every step: one file each (PDF: one page each)")
    parser.set_defaults(func=run)


@dataclass(slots=True, kw_only=True)
class Prepared:
    """What the scene is built from: the graph, the nodes to draw, and the findings' marks."""

    graph: TrustGraph
    node_ids: Collection[str] | None
    risky_edges: frozenset[tuple[str, str, str]]
    findings_by_node: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    snapshot: Any = None


def prepare(args: argparse.Namespace) -> Prepared:
    """Load the sources, build the trust graph, run the findings, and choose the nodes (Qt-free)."""
    from iamviz.analysis import build_trust_graph
    from iamviz.analysis.findings import run_findings
    from iamviz.gui.document import risky_edges, severity_rank

    snapshot = load_sources(args)
    graph = build_trust_graph(snapshot)
    findings = sorted(run_findings(snapshot, graph), key=lambda f: (severity_rank(f.severity), f.role_arn or ""))
    by_node: dict[str, list[Any]] = {}
    for finding in findings:
        if finding.role_arn:
            by_node.setdefault(finding.role_arn, []).append(finding)
    node_ids = None
    if getattr(args, "focus", None):
        node_ids = neighbourhood(graph, resolve_node(graph, args.focus), max(0, args.hops))
    return Prepared(
        graph=graph,
        node_ids=node_ids,
        risky_edges=risky_edges(graph, findings),  # only findings that mark an edge (marks_an_edge)
        findings_by_node={k: tuple(v) for k, v in by_node.items()},
        snapshot=snapshot,
    )


def _marks_an_edge(finding: Any) -> bool:
    """Whether a finding is drawn on an edge (the rule is shared with the window: ``gui.document.marks_an_edge``)."""
    from iamviz.gui.document import marks_an_edge

    return marks_an_edge(finding)


def resolve_node(graph: TrustGraph, name: str) -> str:
    """The node id for an id, an ARN, or a unique label (``InputError`` otherwise)."""
    if graph.has_node(name):
        return name
    by_arn = [node.id for node in graph.nodes() if node.arn == name]
    by_label = [node.id for node in graph.nodes() if node.label == name]
    for found in (by_arn, by_label):
        if len(found) == 1:
            return found[0]
    if len(by_label) > 1:
        raise InputError(f"--focus {name!r} names {len(by_label)} nodes; give the full ARN")
    raise InputError(f"--focus {name!r}: no such principal or role in the graph (give its ARN)")


def neighbourhood(graph: TrustGraph, node_id: str, hops: int) -> set[str]:
    """``node_id`` and every node within ``hops`` edges of it, in either direction."""
    seen = {node_id}
    frontier = [node_id]
    for _ in range(hops):
        nxt = []
        for current in frontier:
            for other in (*graph.successors(current), *graph.predecessors(current)):
                if other not in seen:
                    seen.add(other)
                    nxt.append(other)
        frontier = nxt
    return seen


def build_scene(prepared: Prepared, *, theme: str) -> Any:
    """A :class:`~iamviz.render.scene.TrustScene` of the prepared graph, animations off (needs a QApplication)."""
    from iamviz.layout import layered_layout
    from iamviz.render.scene import TrustScene
    from iamviz.render.theme import load_theme

    scene = TrustScene(theme=load_theme(theme))
    scene.set_animations_enabled(False)
    metrics = scene.style.metrics
    layout = layered_layout(prepared.graph, node_ids=prepared.node_ids, metrics=metrics)
    scene.set_graph(
        prepared.graph, layout, risky_edges=prepared.risky_edges, findings_by_node=prepared.findings_by_node
    )
    return scene


def run(args: argparse.Namespace) -> int:
    """Export the drawing; return the exit code."""
    output = Path(args.output)
    scenario = getattr(args, "scenario", None)
    formats = SCENARIO_FORMATS if scenario else FORMATS
    if output.suffix.lower() not in formats:
        hint = " (.gif needs --scenario)" if output.suffix.lower() == ".gif" else ""
        raise InputError(f"{output}: the output must end in {', '.join(formats)}{hint}")
    if not scenario and (getattr(args, "step", None) is not None or getattr(args, "all_steps", False)):
        raise InputError("--step and --all-steps need --scenario NAME")
    if args.width is not None and args.width <= 0:
        raise InputError(f"--width must be a positive number of pixels, not {args.width}")
    if args.scale is not None and args.scale <= 0:
        raise InputError(f"--scale must be positive, not {args.scale}")
    prepared = prepare(args)
    from iamviz.render.export import ensure_application  # Qt is loaded only here

    app = ensure_application()
    from iamviz.render.export import export_image

    scene = build_scene(prepared, theme=args.theme)
    try:
        if scenario:
            from iamviz.render.scenario_export import export_scenario, find_scenario

            chosen = find_scenario(prepared.snapshot, prepared.graph, scenario)
            scale = 1.0 if args.scale is None else args.scale
            options = {"width": args.width, "scale": scale, "transparent": args.transparent, "legend": args.legend}
            written = export_scenario(
                scene, chosen, output, step=args.step, all_steps=args.all_steps, title=args.title, **options
            )
            print("\n".join(f"wrote {path}" for path in written))
            return 0
        width = args.width
        if width is None and args.scale is None and output.suffix.lower() == ".png":
            width = _fitted_width(scene, title=args.title, legend=args.legend)
        export_image(
            scene,
            output,
            width=width,
            scale=1.0 if args.scale is None else args.scale,
            transparent=args.transparent,
            title=args.title,
            legend=args.legend,
        )
    finally:
        scene.deleteLater()
        del scene
        app.processEvents()
    print(f"wrote {output}")
    return 0
