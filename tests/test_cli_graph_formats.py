"""``iamviz graph`` writes each format as chunks, one node or edge at a time: the JSON says what the whole-graph
dump said, and the GraphML reads back (networkx's reader) as what networkx's own writer wrote."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from iamviz.analysis import build_trust_graph
from iamviz.cli import main
from iamviz.cli.graph import _edge_dict, _node_dict, graphml_chunks, json_chunks
from iamviz.loading import load_file, snapshot_from_json
from iamviz.loading.samples import load_sample


def _graphs(real_world_dir, make_account):
    yield build_trust_graph(load_sample("classroom"))
    for path in sorted(real_world_dir.glob("*.json")):
        yield build_trust_graph(load_file(path))
    yield build_trust_graph(snapshot_from_json([make_account.generate(roles=120, seed=5)], name="synthetic"))
    yield build_trust_graph(snapshot_from_json([_two_grants()], name="parallel"))


def _two_grants() -> dict:
    """A role whose trust grants alice twice (two statements, the second with MFA and odd characters): two
    parallel edges, so GraphML readers make a multigraph."""
    alice = "arn:aws:iam::111111111111:user/alice"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": alice}, "Action": "sts:AssumeRole"},
            {
                "Sid": 'Odd <&> "Sid"',
                "Effect": "Allow",
                "Principal": {"AWS": alice},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            },
        ],
    }
    return {
        "UserDetailList": [{"UserName": "alice", "UserId": "AIDAALICE00000000000", "Arn": alice, "Path": "/"}],
        "GroupDetailList": [],
        "RoleDetailList": [
            {
                "RoleName": "Target & <Co>",
                "RoleId": "AROATARGET0000000000",
                "Arn": "arn:aws:iam::111111111111:role/Target",
                "Path": "/",
                "AssumeRolePolicyDocument": trust,
                "RolePolicyList": [],
                "AttachedManagedPolicies": [],
            }
        ],
        "Policies": [],
    }


def _networkx_graphml(graph) -> str:
    """The former writer: networkx's generate_graphml over a plain copy of the graph."""
    plain = nx.MultiDiGraph()
    for node in graph.nodes():
        plain.add_node(node.id, **{k: ("" if v is None else v) for k, v in _node_dict(node).items() if k != "id"})
    for edge in graph.edges():
        attrs = _edge_dict(edge)
        flat = {
            k: "; ".join(v) if isinstance(v, list) else ("" if v is None else v)
            for k, v in attrs.items()
            if k not in ("source", "target")
        }
        flat["statement_index"] = "" if edge.statement_index is None else str(edge.statement_index)
        plain.add_edge(edge.source, edge.target, key=edge.key, **flat)
    return "\n".join(nx.generate_graphml(plain)) + "\n"


def test_json_holds_every_node_and_edge_as_the_whole_dump_did(real_world_dir, make_account):
    for graph in _graphs(real_world_dir, make_account):
        text = "".join(json_chunks(graph))
        assert json.loads(text) == {
            "nodes": [_node_dict(n) for n in graph.nodes()],
            "edges": [_edge_dict(e) for e in graph.edges()],
        }
        assert text.count("\n") == len(graph) + graph.edge_count + 6  # one a line


def test_graphml_reads_back_as_networkx_writer_output(real_world_dir, make_account, tmp_path):
    multigraphs = []
    for graph in _graphs(real_world_dir, make_account):
        ours, theirs = tmp_path / "ours.graphml", tmp_path / "theirs.graphml"
        ours.write_text("".join(graphml_chunks(graph)), encoding="utf-8")
        theirs.write_text(_networkx_graphml(graph), encoding="utf-8")
        read, expected = nx.read_graphml(ours), nx.read_graphml(theirs)
        assert type(read) is type(expected)  # a multigraph when some pair has parallel edges
        assert list(read.nodes(data=True)) == list(expected.nodes(data=True))
        edges = (lambda g: g.edges(keys=True, data=True)) if read.is_multigraph() else (lambda g: g.edges(data=True))
        assert sorted(edges(read), key=repr) == sorted(edges(expected), key=repr)
        assert read.number_of_edges() == graph.edge_count
        multigraphs.append(read.is_multigraph())
    assert any(multigraphs) and not all(multigraphs)  # both kinds were compared


def test_an_empty_graph_is_still_valid_json_and_graphml(tmp_path):
    from iamviz.model.graph import TrustGraph

    assert json.loads("".join(json_chunks(TrustGraph()))) == {"nodes": [], "edges": []}
    path = tmp_path / "empty.graphml"
    path.write_text("".join(graphml_chunks(TrustGraph())), encoding="utf-8")
    assert nx.read_graphml(path).number_of_nodes() == 0


def test_an_output_that_cannot_be_written_is_one_line_and_leaves_nothing(tmp_path, capsys):
    target = tmp_path / "missing-folder" / "graph.json"
    assert main(["graph", "sample:classroom", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("iamviz: error:") and err.count("\n") == 1 and "does not exist" in err
    assert not target.parent.exists()


@pytest.mark.parametrize("fmt", ["json", "graphml", "dot", "mermaid"])
def test_standard_output_and_file_get_the_same_text(fmt, tmp_path, capsys):
    out = tmp_path / f"g.{fmt}"
    assert main(["graph", "sample:classroom", "--format", fmt, "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["graph", "sample:classroom", "--format", fmt]) == 0
    assert capsys.readouterr().out == out.read_text(encoding="utf-8")


def test_graphml_stays_well_formed_with_control_characters_in_policy_strings(tmp_path):
    """XML 1.0 cannot hold most control characters, even escaped; a Sid may carry one (JSON allows it)."""
    document = _two_grants()
    document["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][1]["Sid"] = "bell\u0007 and nul\u0000"
    graph = build_trust_graph(snapshot_from_json([document], name="control"))
    path = tmp_path / "control.graphml"
    path.write_text("".join(graphml_chunks(graph)), encoding="utf-8")
    read = nx.read_graphml(path)
    sids = {data.get("statement_sid") for _, _, data in read.edges(data=True)}
    assert "bell\ufffd and nul\ufffd" in sids
