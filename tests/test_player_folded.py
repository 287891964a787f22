"""A chain's hop over a folded edge follows the account edge that stands for it.

A generated account (bench/make_account.py) has roles that trust their whole account; the picture folds the
expanded edges (one per user and role of the account) into the account's ``+N principals`` edge and draws none of
them. A chain that starts with such an edge used to be drawn as a straight line between the two boxes' centres,
with no edge lit. Now the account edge and the account are lit, and the hop's way runs from the caller's box into
the account edge and along it to the role: these tests measure that way against the drawn account edge.
"""

from __future__ import annotations

import itertools
import math

import pytest
from PySide6.QtCore import QPointF, QRectF

from iamviz.analysis.chains import find_chains
from iamviz.playback import StepKind, scenario_from_chain
from iamviz.render.animator import ScenarioAnimator

pytestmark = pytest.mark.gui

ON_PATH_PX = 1.5
"""How far a point of the account edge may lie from the hop's way (the way samples the edge's curve)."""


@pytest.fixture
def graph(generated_150_graph):
    return generated_150_graph


@pytest.fixture
def scene(generated_150_scene):
    return generated_150_scene


@pytest.fixture
def animator(scene):
    animator = ScenarioAnimator(scene)
    animator.set_animations_enabled(False)
    return animator


def _folded_hops(scene, graph):
    """(folded edge ref, stand-in ref) of every folded edge whose caller is drawn, the biggest bundle first."""
    display = scene.display
    found = []
    for stand_in, _count in sorted(display.bundles.items(), key=lambda kv: (-kv[1], kv[0])):
        for edge in display.folded_edges(graph, stand_in):
            if scene.node_item(edge.source) is not None:
                found.append(((edge.source, edge.target, edge.key), stand_in))
    assert found, "the generated account should fold some account-root expansions"
    return found


def _assume_step(graph, ref):
    source, target, _ = ref
    chains = find_chains(graph, source=source, target=target, limit=10)
    chain = next(c for c in chains if len(c.hops) == 1 and (c.source, c.target, c.hops[0].key) == ref)
    scenario = scenario_from_chain(graph, chain)
    return scenario, next(step for step in scenario.steps if step.kind is StepKind.ASSUME)


def _distance_to_polyline(point: QPointF, polyline: list[QPointF]) -> float:
    best = math.inf
    if len(polyline) == 1:
        return math.hypot(point.x() - polyline[0].x(), point.y() - polyline[0].y())
    for a, b in itertools.pairwise(polyline):
        dx, dy = b.x() - a.x(), b.y() - a.y()
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((point.x() - a.x()) * dx + (point.y() - a.y()) * dy) / length2))
        best = min(best, math.hypot(point.x() - a.x() - t * dx, point.y() - a.y() - t * dy))
    return best


def _polyline(path, samples: int = 2000) -> list[QPointF]:
    return [path.pointAtPercent(i / samples) for i in range(samples + 1)]


def _on_boundary(point: QPointF, box: QRectF) -> bool:
    return box.adjusted(-1, -1, 1, 1).contains(point) and not box.adjusted(1, 1, -1, -1).contains(point)


def _check_folded_hop(scene, animator, graph, ref, stand_in):
    scenario, step = _assume_step(graph, ref)
    animator.set_scenario(scenario)
    animator.show_step(step.index)
    account_edge = scene.edge_item(*stand_in)
    assert account_edge is not None and account_edge.key == stand_in  # the folded edge is not drawn on its own
    # lit: the account edge that stands for the hop, the account, the caller and the role
    assert account_edge.highlighted and not account_edge.dimmed
    for node in (stand_in[0], ref[0], ref[1]):
        assert scene.node_item(node).highlighted, node
    geometry = animator.hop_geometry(step)
    assert geometry.via == stand_in
    route = getattr(animator, "route", None)
    assert route is not None and route.scene() is scene
    way = route.path()
    assert way == geometry.edge_path
    caller, role = scene.node_item(ref[0]).scene_box(), scene.node_item(ref[1]).scene_box()
    assert _on_boundary(way.pointAtPercent(0.0), caller)  # leaves the caller's box, not its centre
    trunk = account_edge.path()
    assert _distance_to_polyline(trunk.pointAtPercent(1.0), [way.pointAtPercent(1.0)]) < 0.01  # ends as the edge
    polyline = _polyline(way)
    for i in range(51):  # the account edge's half that reaches the role is on the way
        point = trunk.pointAtPercent(0.5 + 0.5 * i / 50)
        assert _distance_to_polyline(point, polyline) <= ON_PATH_PX, (i, point)
    # the request starts where the way does, and the ticket arrives where it ends, at the role
    assert geometry.to_hub.pointAtPercent(0.0) == way.pointAtPercent(0.0)
    assert role.adjusted(-12, -12, 12, 12).contains(geometry.connector.pointAtPercent(1.0))
    return way, caller


def test_a_hop_over_a_folded_edge_follows_its_account_edge(scene, animator, graph):
    hops = _folded_hops(scene, graph)
    # a caller before the role (it merges into the account edge) and one past it (it goes to the account first)
    box = {node: scene.node_item(node).scene_box() for (source, target, _), _ in hops for node in (source, target)}
    before = [h for h in hops if box[h[0][0]].right() < box[h[0][1]].left()]
    past = [h for h in hops if box[h[0][0]].left() > box[h[0][1]].left()]
    assert before and past
    _check_folded_hop(scene, animator, graph, *before[0])
    ref, stand_in = past[0]
    way, _ = _check_folded_hop(scene, animator, graph, ref, stand_in)
    account = scene.node_item(stand_in[0]).scene_box()
    trunk = scene.edge_item(*stand_in).path()
    assert _distance_to_polyline(trunk.pointAtPercent(0.0), _polyline(way)) <= ON_PATH_PX  # through the account
    assert account.adjusted(-2, -2, 2, 2).contains(trunk.pointAtPercent(0.0))


def test_a_refused_hop_over_a_folded_edge_flashes_its_way(scene, animator, graph):
    ref, stand_in = _folded_hops(scene, graph)[0]
    scenario, step = _assume_step(graph, ref)
    from dataclasses import replace

    refused = replace(step, allowed=False, credentials=None, reasons=("an explicit deny",), caption="")
    animator.set_scenario(replace(scenario, steps=(refused,)))
    animator.show_step(0)
    assert animator.flash is not None and animator.route is not None
    flash = _polyline(animator.flash.path())
    trunk = scene.edge_item(*stand_in).path()
    assert all(_distance_to_polyline(trunk.pointAtPercent(0.5 + i / 40), flash) <= ON_PATH_PX for i in range(21))


def _assert_followed_as_drawn(scene, animator, graph, ref) -> None:
    """The hop over ``ref`` follows the edge's own drawn path: no account edge to go through, no route of its own."""
    scenario, step = _assume_step(graph, ref)
    animator.set_scenario(scenario)
    animator.show_step(step.index)
    geometry = animator.hop_geometry(step)
    assert geometry.via is None and animator.route is None
    assert geometry.edge_path == scene.edge_item(*ref).path()


def test_a_drawn_edge_and_a_folded_edge_drawn_again_are_followed_as_drawn(scene, animator, graph):
    ref, _ = _folded_hops(scene, graph)[0]
    scene.node_item(ref[0]).setSelected(True)  # a selected principal has its folded edges drawn again
    assert ref in scene.revealed_refs()
    _assert_followed_as_drawn(scene, animator, graph, ref)
    assert scene.edge_item(*ref).highlighted
    scene.clearSelection()
    # an edge drawn on its own (not folded): its own path, no route of the player's
    drawn = next(
        ref
        for ref in scene.edge_refs()
        if ref[1] != ref[0]
        and graph.node(ref[0]).kind.name in ("USER", "ROLE")
        and scene.display.bundled(ref) == 0
        and any(
            len(c.hops) == 1 and c.hops[0].key == ref[2]
            for c in find_chains(graph, source=ref[0], target=ref[1], limit=5)
        )
    )
    _assert_followed_as_drawn(scene, animator, graph, drawn)
