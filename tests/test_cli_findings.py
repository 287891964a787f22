"""The ``chains`` and ``findings`` subcommands, run through ``iamviz.cli.main`` on a small GAAD export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamviz.cli import main

ACCT = "111122223333"


def _role(name: str, trust: dict[str, Any], *, managed: list[str] = (), inline: dict | None = None) -> dict[str, Any]:
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": f"AROA{name.upper():X<16}"[:20],
        "Arn": f"arn:aws:iam::{ACCT}:role/{name}",
        "CreateDate": "2025-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust]},
        "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": inline}] if inline else [],
        "AttachedManagedPolicies": [{"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in managed],
        "Tags": [],
        "RoleLastUsed": {"LastUsedDate": "2026-11-27T00:00:00Z", "Region": "us-east-1"},
    }


ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
GAAD = {
    "UserDetailList": [
        {
            "Path": "/",
            "UserName": "wayne",
            "UserId": "AIDAWAYNEEXAMPLE0001",
            "Arn": f"arn:aws:iam::{ACCT}:user/wayne",
            "CreateDate": "2025-01-01T00:00:00Z",
            "UserPolicyList": [
                {
                    "PolicyName": "assume",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
                    },
                }
            ],
            "GroupList": [],
            "AttachedManagedPolicies": [],
            "Tags": [],
        }
    ],
    "GroupDetailList": [],
    "RoleDetailList": [
        _role(
            "BreakGlass",
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCT}:user/wayne"},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            },
            inline={
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole", "ec2:Describe*"], "Resource": "*"}],
            },
        ),
        _role(
            "Admin",
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCT}:role/BreakGlass"},
                "Action": "sts:AssumeRole",
            },
            managed=[ADMIN_ARN],
        ),
    ],
    "Policies": [
        {
            "PolicyName": "AdministratorAccess",
            "PolicyId": "ANPAIWMBCKSKIEE64ZLYK",
            "Arn": ADMIN_ARN,
            "Path": "/",
            "DefaultVersionId": "v1",
            "AttachmentCount": 1,
            "IsAttachable": True,
            "PolicyVersionList": [
                {
                    "Document": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
                    },
                    "VersionId": "v1",
                    "IsDefaultVersion": True,
                }
            ],
        }
    ],
}


@pytest.fixture
def gaad(tmp_path: Path) -> str:
    path = tmp_path / "gaad.json"
    path.write_text(json.dumps(GAAD), encoding="utf-8")
    return str(path)


def test_chains_text_is_one_chain_a_line_with_badges(gaad, capsys):
    assert main(["chains", gaad, "--to", "Admin"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "wayne -AssumeRole[MFA]-> BreakGlass -AssumeRole-> Admin" in lines
    assert lines[0] == "BreakGlass -AssumeRole-> Admin"


def test_chains_json_is_a_list_of_hop_lists(gaad, capsys):
    assert main(["chains", gaad, "--from", "wayne", "--to", f"arn:aws:iam::{ACCT}:role/Admin", "--json"]) == 0
    chains = json.loads(capsys.readouterr().out)
    assert len(chains) == 1
    first, second = chains[0]
    assert first["source"] == f"arn:aws:iam::{ACCT}:user/wayne" and first["requirements"] == ["MFA"]
    assert first["statement"] == {"index": 0, "sid": None} and first["chained"] is False
    assert second["target"] == f"arn:aws:iam::{ACCT}:role/Admin" and second["chained"] is True
    assert set(first) >= {"source", "target", "action", "decision", "requirements", "statement"}


def test_chains_hop_limit_and_unknown_names(gaad, capsys):
    assert main(["chains", gaad, "--from", "wayne", "--to", "Admin", "--max-hops", "1"]) == 0
    assert capsys.readouterr().out.strip() == "No chains."
    assert main(["chains", gaad, "--to", "Nobody"]) == 2
    assert "no principal or role named 'Nobody'" in capsys.readouterr().err


def test_findings_text_and_exit_codes(gaad, capsys):
    assert main(["findings", gaad, "--now", "2026-11-28T00:00:00Z"]) == 0
    out = capsys.readouterr().out
    assert "CHAIN_TO_ADMIN" in out and "wayne -> BreakGlass -> Admin" in out
    assert out.strip().endswith("1 finding: 1 high")
    assert main(["findings", gaad, "--now", "2026-11-28T00:00:00Z", "--fail-on", "high"]) == 1
    assert "severity high or worse" in capsys.readouterr().err
    assert main(["findings", gaad, "--now", "2026-11-28T00:00:00Z", "--fail-on", "critical"]) == 0


def test_findings_json_and_min_severity(gaad, capsys):
    assert main(["findings", gaad, "--now", "2027-06-01T00:00:00Z", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [f["code"] for f in data] == ["CHAIN_TO_ADMIN", "ROLE_UNUSED", "ROLE_UNUSED"]
    assert data[0]["chain"][0].endswith(":user/wayne") and data[0]["fix"] and data[0]["reference"]
    assert main(["findings", gaad, "--now", "2027-06-01T00:00:00Z", "--json", "--min-severity", "HIGH"]) == 0
    assert [f["code"] for f in json.loads(capsys.readouterr().out)] == ["CHAIN_TO_ADMIN"]


def test_bad_severity_is_a_usage_error(gaad, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["findings", gaad, "--fail-on", "severe"])
    assert exit_info.value.code == 2
    assert "unknown severity 'severe'" in capsys.readouterr().err
