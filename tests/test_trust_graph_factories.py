"""The trust graph's fast Node/TrustEdge factories make exactly the objects the dataclass constructors make."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from iamviz.analysis.trust_graph import _VALUE_ORDER, _edge_from, _node_from
from iamviz.model.graph import DecisionKind, EdgeKind, Node, NodeKind, TrustEdge


def _edge_values() -> tuple:
    return (EdgeKind.CAN_ASSUME, "sts:AssumeRole", DecisionKind.CONDITIONAL, ("MFA",), 2, "Sid1", ("why",), True)


def test_edge_factory_equals_constructor() -> None:
    values = _edge_values()
    made = _edge_from(values, "arn:src", "arn:dst")
    built = TrustEdge(source="arn:src", target="arn:dst", **dict(zip(_VALUE_ORDER, values, strict=True)))
    assert type(made) is TrustEdge
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    assert dataclasses.astuple(made) == dataclasses.astuple(built)
    assert pickle.loads(pickle.dumps(made)) == built
    assert copy.deepcopy(made) == built
    assert dataclasses.replace(made, source="other").source == "other"
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.source = "changed"  # type: ignore[misc]


def test_node_factory_equals_constructor() -> None:
    made = _node_from("arn:r", NodeKind.ROLE, "r", "111122223333", "arn:r")
    built = Node(id="arn:r", kind=NodeKind.ROLE, label="r", account_id="111122223333", arn="arn:r")
    assert type(made) is Node
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    assert pickle.loads(pickle.dumps(made)) == built
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.label = "changed"  # type: ignore[misc]
