"""``iamviz can-assume`` and ``iamviz graph`` end to end, through ``iamviz.cli.main``."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from iamviz.cli import main
from iamviz.cli.can_assume import parse_context, parse_tag
from iamviz.cli.graph import mermaid_text
from iamviz.errors import InputError

DANA = "arn:aws:iam::111122223333:user/dataeng/dana"
PARTNER_ROLE = "arn:aws:iam::444455556666:role/PartnerDataUploadRole"


def _gaad(path, trust):
    data = {
        "UserDetailList": [
            {
                "UserName": "alice",
                "UserId": "AIDAALICE00000000000",
                "Arn": "arn:aws:iam::111111111111:user/alice",
                "Path": "/",
                "CreateDate": "2024-01-01T00:00:00Z",
            }
        ],
        "GroupDetailList": [],
        "RoleDetailList": [
            {
                "RoleName": 'Odd"Role',
                "RoleId": "AROATARGET0000000000",
                "Arn": "arn:aws:iam::111111111111:role/Target",
                "Path": "/",
                "CreateDate": "2024-01-01T00:00:00Z",
                "AssumeRolePolicyDocument": trust,
                "RolePolicyList": [],
                "AttachedManagedPolicies": [],
            }
        ],
        "Policies": [],
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_can_assume_json_allow_with_external_id(capsys):
    code = main(
        [
            "can-assume",
            "sample:cross-account",
            "--caller",
            DANA,
            "--role",
            PARTNER_ROLE,
            "--external-id",
            _external_id(),
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["decision"] == "allow"
    assert set(out) >= {"decision", "reasons", "matched_statements", "assumptions"}
    assert out["matched_statements"][0]["policy"].startswith("trust policy")


def _external_id():
    from iamviz.loading import load_sources

    snap = load_sources(["sample:cross-account"])
    role = snap.account("444455556666").roles_by_arn[PARTNER_ROLE]
    for statement in role.trust_policy.statements:
        for condition in statement.conditions:
            if condition.key.lower() == "sts:externalid":
                return condition.values[0]
    raise AssertionError("the sample has no ExternalId condition")


def test_can_assume_deny_still_exits_zero(capsys):
    code = main(["can-assume", "sample:cross-account", "--caller", DANA, "--role", PARTNER_ROLE, "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["decision"] == "deny"
    assert out["reasons"]


def test_can_assume_text_output(capsys, tmp_path):
    source = _gaad(
        tmp_path / "gaad.json",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111111111111:user/alice"},
                    "Action": "sts:AssumeRole",
                }
            ],
        },
    )
    code = main(
        [
            "can-assume",
            source,
            "--caller",
            "arn:aws:iam::111111111111:user/alice",
            "--role",
            "arn:aws:iam::111111111111:role/Target",
        ]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert text.startswith("ALLOW:")
    assert "Assumptions:" in text


def test_can_assume_unknown_role_is_exit_2(capsys, tmp_path):
    source = _gaad(
        tmp_path / "gaad.json",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "sts:AssumeRole"}],
        },
    )
    code = main(
        [
            "can-assume",
            source,
            "--caller",
            "arn:aws:iam::111111111111:user/alice",
            "--role",
            "arn:aws:iam::111111111111:role/Nope",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "Nope" in err and "Traceback" not in err


def test_can_assume_bad_context_is_exit_2(capsys):
    code = main(
        ["can-assume", "sample:cross-account", "--caller", DANA, "--role", PARTNER_ROLE, "--context", "novalue"]
    )
    assert code == 2
    assert "KEY=VALUE" in capsys.readouterr().err


def test_context_key_given_twice_is_multi_valued():
    ctx = parse_context(["aws:TagKeys=a", "AWS:TagKeys=b", "aws:MultiFactorAuthPresent=true"])
    assert ctx.get("aws:tagkeys") == ("a", "b")
    assert ctx.get("aws:MultiFactorAuthPresent") == ("true",)


def test_tag_shorthand():
    assert parse_tag("Key=project,Value=blue") == ("project", "blue")
    with pytest.raises(InputError):
        parse_tag("project=blue")


@pytest.mark.parametrize("fmt", ["json", "graphml", "dot", "mermaid"])
def test_graph_formats_write_files(fmt, tmp_path, capsys):
    out = tmp_path / f"graph.{fmt}"
    assert main(["graph", "sample:classroom", "--format", fmt, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        data = json.loads(text)
        assert any(e["kind"] == "can-assume" for e in data["edges"])
    elif fmt == "graphml":
        graph = nx.read_graphml(out)
        assert graph.number_of_edges() > 0
    elif fmt == "dot":
        assert text.startswith("digraph trust {")
    else:
        assert text.startswith("flowchart LR")


def test_mermaid_labels_are_escaped(tmp_path, capsys):
    source = _gaad(
        tmp_path / "gaad.json",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111111111111:user/alice"},
                    "Action": "sts:AssumeRole",
                }
            ],
        },
    )
    assert main(["graph", source, "--format", "mermaid"]) == 0
    text = capsys.readouterr().out
    assert "Odd#quot;Role" in text
    assert mermaid_text('a"b<c>|d#') == "a#quot;b#lt;c#gt;#124;d#35;"


def test_dot_labels_are_escaped(tmp_path, capsys):
    source = _gaad(
        tmp_path / "gaad.json",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111111111111:user/alice"},
                    "Action": "sts:AssumeRole",
                }
            ],
        },
    )
    assert main(["graph", source, "--format", "dot"]) == 0
    assert 'label="Odd\\"Role"' in capsys.readouterr().out
