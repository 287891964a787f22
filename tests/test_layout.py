"""The layered layout: deterministic, no overlaps, lanes hold their nodes, cycles and scale handled."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from layout_graphs import PARTNER, WORKLOAD, classroom_graph, role_id, synthetic_graph, user_id

from iamviz.layout import EXTERNAL_LANE_ID, LayoutMetrics, layered_layout
from iamviz.model.graph import ANYONE_ID, DecisionKind, EdgeKind, Node, NodeKind, TrustEdge, TrustGraph


def _overlaps(a, b, gap=0.0) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw + gap and bx < ax + aw + gap and ay < by + bh + gap and by < ay + ah + gap


def _assert_no_overlaps(layout) -> None:
    boxes = sorted((layout.box(node_id), node_id) for node_id in layout.positions)
    # Sweep over x so the check stays fast on big graphs.
    active: list[tuple[tuple[float, float, float, float], str]] = []
    for box, node_id in boxes:
        active = [(b, n) for b, n in active if b[0] + b[2] > box[0]]
        for other, other_id in active:
            assert not _overlaps(box, other), f"{node_id} overlaps {other_id}"
        active.append((box, node_id))


def _assert_lanes_hold_nodes(layout) -> None:
    lanes = {lane.account_id: lane for lane in layout.lanes}
    for node_id, lane_id in layout.node_lanes.items():
        lane = lanes[lane_id]
        x, y, w, h = layout.box(node_id)
        assert lane.x <= x and x + w <= lane.x + lane.width, node_id
        assert lane.y <= y and y + h <= lane.y + lane.height, node_id
    for a, b in itertools.combinations(layout.lanes, 2):
        assert not _overlaps((a.x, a.y, a.width, a.height), (b.x, b.y, b.width, b.height)), (a.label, b.label)


@pytest.fixture(scope="module")
def classroom():
    return classroom_graph()


def test_every_node_is_placed_inside_the_picture(classroom):
    layout = layered_layout(classroom)
    assert set(layout.positions) == {node.id for node in classroom.nodes()}
    assert set(layout.sizes) == set(layout.positions)
    for node_id in layout.positions:
        x, y, w, h = layout.box(node_id)
        assert x >= 0 and x + w <= layout.width and y >= 0 and y + h <= layout.height


def test_layout_is_deterministic(classroom):
    first = layered_layout(classroom)
    second = layered_layout(classroom_graph())
    assert first == second


def test_layout_does_not_depend_on_insertion_order(classroom):
    shuffled = TrustGraph()
    for node in reversed(list(classroom.nodes())):
        shuffled.add_node(node)
    for edge in reversed(list(classroom.edges())):
        shuffled.add_edge(edge)
    assert layered_layout(shuffled).positions == layered_layout(classroom).positions


def test_no_two_node_boxes_overlap(classroom):
    _assert_no_overlaps(layered_layout(classroom))


def test_lanes_contain_their_nodes_and_do_not_overlap(classroom):
    layout = layered_layout(classroom)
    _assert_lanes_hold_nodes(layout)
    lanes = {lane.account_id: lane for lane in layout.lanes}
    assert set(lanes) == {WORKLOAD, PARTNER, EXTERNAL_LANE_ID}
    assert lanes[EXTERNAL_LANE_ID].external and not lanes[WORKLOAD].external
    assert "workload" in lanes[WORKLOAD].label and WORKLOAD in lanes[WORKLOAD].label


def test_nodes_go_to_their_account_lane_and_outsiders_to_the_outside_lane(classroom):
    lanes = layered_layout(classroom).node_lanes
    assert lanes[role_id(WORKLOAD, "FnExecRole")] == WORKLOAD
    assert lanes[role_id(PARTNER, "UploadRole")] == PARTNER
    assert lanes[user_id(WORKLOAD, "dev")] == WORKLOAD
    assert lanes[ANYONE_ID] == EXTERNAL_LANE_ID
    assert lanes["arn:aws:iam::999988887777:root"] == EXTERNAL_LANE_ID
    assert lanes["arn:aws:iam::444455556666:role/VendorScanner"] == EXTERNAL_LANE_ID
    # A service that serves one account only is drawn inside it.
    assert lanes["service:lambda.amazonaws.com"] == WORKLOAD


def test_columns_flow_left_to_right(classroom):
    layout = layered_layout(classroom)
    x = {node_id: pos[0] for node_id, pos in layout.positions.items()}
    group = f"arn:aws:iam::{WORKLOAD}:group/Developers"
    assert x[group] < x[user_id(WORKLOAD, "alice")] < x[role_id(WORKLOAD, "DeployRole")]
    # AdminRole is reached only by chaining from DeployRole: a column further right.
    assert x[role_id(WORKLOAD, "DeployRole")] < x[role_id(WORKLOAD, "AdminRole")]
    assert layout.layers[role_id(WORKLOAD, "AdminRole")] == layout.layers[role_id(WORKLOAD, "DeployRole")] + 1
    assert x[role_id(PARTNER, "UploadRole")] < x[role_id(PARTNER, "PartnerAdmin")]


def test_a_cycle_of_roles_shares_a_column(classroom):
    layout = layered_layout(classroom)
    ping, pong = role_id(PARTNER, "PingRole"), role_id(PARTNER, "PongRole")
    assert layout.layers[ping] == layout.layers[pong]


def test_a_cycle_with_no_way_in_is_laid_out():
    g = TrustGraph()
    names = [role_id(WORKLOAD, f"R{k}") for k in range(4)]
    for rid in names:
        g.add_node(Node(id=rid, kind=NodeKind.ROLE, label=rid, account_id=WORKLOAD))
    for a, b in itertools.pairwise([*names, names[0]]):
        g.add_edge(TrustEdge(source=a, target=b, kind=EdgeKind.CAN_ASSUME, decision=DecisionKind.ALLOWED))
    layout = layered_layout(g)
    assert len(layout.positions) == 4
    _assert_no_overlaps(layout)


def test_group_members_sit_near_their_group(classroom):
    layout = layered_layout(classroom)
    y = {node_id: pos[1] for node_id, pos in layout.positions.items()}
    admins = f"arn:aws:iam::{WORKLOAD}:group/Admins"
    wayne = user_id(WORKLOAD, "wayne")
    row = layout.metrics.node_height + layout.metrics.row_gap
    assert abs(y[admins] - y[wayne]) <= 2 * row


def test_boxes_fit_their_labels_and_label_width_is_an_input(classroom):
    narrow = layered_layout(classroom)
    wide = layered_layout(classroom, label_width=lambda node: len(node.label) * 12.0)
    rid = role_id(WORKLOAD, "BreakGlassAdmin")
    assert narrow.sizes[rid][0] >= len("BreakGlassAdmin") * 7.0
    assert wide.sizes[rid][0] > narrow.sizes[rid][0]
    _assert_no_overlaps(wide)


def test_node_ids_selects_a_subgraph(classroom):
    keep = {role_id(WORKLOAD, "DeployRole"), role_id(WORKLOAD, "AdminRole"), user_id(WORKLOAD, "alice")}
    layout = layered_layout(classroom, node_ids=keep)
    assert set(layout.positions) == keep
    assert [lane.account_id for lane in layout.lanes] == [WORKLOAD]


def test_empty_graph_gives_an_empty_layout():
    layout = layered_layout(TrustGraph())
    assert layout.positions == {} and layout.lanes == () and layout.width == 0


def test_classroom_reads_without_zooming_at_1280x720(classroom):
    layout = layered_layout(classroom)
    scale = min(1280 / layout.width, 720 / layout.height)
    # 11 pt labels stay at least ~8 px tall on screen when the whole picture is fitted.
    assert scale >= 0.6, (layout.width, layout.height, layout.arrangement)


def test_scaled_metrics_scale_the_picture(classroom):
    base = layered_layout(classroom)
    big = layered_layout(classroom, metrics=LayoutMetrics().scaled(2.0))
    assert big.width > 1.5 * base.width
    _assert_no_overlaps(big)


def test_a_2000_role_graph_lays_out_without_overlaps():
    graph = synthetic_graph(roles=2000)
    layout = layered_layout(graph)
    assert len(layout.positions) == len(graph)
    _assert_no_overlaps(layout)
    _assert_lanes_hold_nodes(layout)
    # Wrapping keeps a big account roughly screen-shaped rather than one endless column.
    assert layout.height < 4 * layout.width and layout.width < 8 * layout.height


# ---- Property: any small graph lays out without overlaps --------------------------------------------------------

_KINDS = [k for k in NodeKind if k is not NodeKind.ANYONE]


@st.composite
def _graphs(draw):
    g = TrustGraph()
    count = draw(st.integers(min_value=1, max_value=40))
    ids = []
    for k in range(count):
        kind = draw(st.sampled_from(_KINDS))
        account = draw(st.sampled_from(["111111111111", "222222222222", None]))
        label = draw(st.text(alphabet="abcXYZ-_/é", min_size=1, max_size=50))
        g.add_node(Node(id=f"n{k}", kind=kind, label=label, account_id=account))
        ids.append(f"n{k}")
    if draw(st.booleans()):
        g.add_node(Node(id=ANYONE_ID, kind=NodeKind.ANYONE, label="anyone"))
        ids.append(ANYONE_ID)
    for _ in range(draw(st.integers(min_value=0, max_value=80))):
        s, t = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        kind = draw(st.sampled_from(list(EdgeKind)))
        decision = draw(st.sampled_from(list(DecisionKind)))
        reqs = tuple(draw(st.lists(st.sampled_from(["MFA", "ExternalId", "aud", "sub"]), max_size=3)))
        g.add_edge(TrustEdge(source=s, target=t, kind=kind, decision=decision, requirements=reqs))
    return g


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_graphs())
def test_any_graph_lays_out_without_overlaps_inside_its_lanes(graph):
    layout = layered_layout(graph)
    assert set(layout.positions) == {node.id for node in graph.nodes()}
    _assert_no_overlaps(layout)
    _assert_lanes_hold_nodes(layout)
    assert layered_layout(graph) == layout
