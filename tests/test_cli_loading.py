"""The loading commands: samples, summary, permissions, snapshot (in process and end to end against moto's server)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto_server import moto_server_url

from iamviz.cli import main
from iamviz.loading import load_file
from iamviz.loading.live import required_policy

ACCOUNT = "111122223333"


def _gaad() -> dict:
    def role(name: str, principal: object, **extra: object) -> dict:
        statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}
        return {
            "RoleName": name,
            "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        }

    return {
        "UserDetailList": [{"UserName": "u", "Arn": f"arn:aws:iam::{ACCOUNT}:user/u"}],
        "GroupDetailList": [{"GroupName": "g", "Arn": f"arn:aws:iam::{ACCOUNT}:group/g"}],
        "RoleDetailList": [
            role("svc", {"Service": "lambda.amazonaws.com"}),
            role("both", {"Service": "ec2.amazonaws.com", "AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
            role("open", "*"),
            role("fed", {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/ADFS"}),
        ],
        "Policies": [
            {
                "PolicyName": "ReadOnlyAccess",
                "Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "PolicyVersionList": [
                    {"IsDefaultVersion": True, "Document": {"Statement": {"Effect": "Allow", "Action": "*"}}}
                ],
            }
        ],
    }


@pytest.fixture
def gaad_file(tmp_path: Path) -> Path:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(_gaad()), encoding="utf-8")
    return path


def test_permissions_prints_the_policy(capsys):
    assert main(["permissions"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == required_policy()
    assert "iam:GetAccountAuthorizationDetails" in printed["Statement"][0]["Action"]


def test_samples_lists_name_and_title(capsys, tmp_path, monkeypatch):
    for name, title in (("classroom", "The classroom"), ("lambda", "Lambda role")):
        data = {"format": "iamviz-snapshot", "version": 1, "title": title, "accounts": []}
        (tmp_path / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr("iamviz.loading.samples.samples_dir", lambda: tmp_path)
    assert main(["samples"]) == 0
    assert capsys.readouterr().out.splitlines() == ["classroom  The classroom", "lambda     Lambda role"]
    assert main(["samples", "--json"]) == 0
    assert [s["name"] for s in json.loads(capsys.readouterr().out)] == ["classroom", "lambda"]


def test_samples_lists_the_shipped_classroom(capsys):
    assert main(["samples"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    if names:
        assert "classroom" in names


def test_summary_json_counts(capsys, gaad_file):
    assert main(["summary", str(gaad_file), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    [account] = out["accounts"]
    assert account["account_id"] == ACCOUNT
    assert (account["users"], account["groups"], account["roles"], account["managed_policies"]) == (1, 1, 4, 1)
    assert account["aws_managed_policies"] == 1 and account["customer_managed_policies"] == 0
    assert account["identity_providers"] == {"saml": 0, "oidc": 0}
    assert account["trust_statements"] == {
        "total": 4,
        "aws": 1,
        "service": 2,
        "federated": 1,
        "canonical-user": 0,
        "anyone": 1,
        "not-principal": 0,
    }
    assert out["errors"] == []


def test_summary_text(capsys, gaad_file):
    assert main(["summary", str(gaad_file)]) == 0
    out = capsys.readouterr().out
    assert f"account {ACCOUNT}  [file:export.json]" in out
    assert "users 1, groups 1, roles 4" in out
    assert "trust statements 4: aws 1, service 2, federated 1, canonical-user 0, anyone 1" in out


def test_summary_of_the_default_sample(capsys):
    from iamviz.loading.samples import list_samples

    if not any(s.name == "classroom" for s in list_samples()):
        pytest.skip("no classroom sample yet")
    assert main(["summary", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["accounts"]) >= 2


def test_summary_reports_a_bad_file_and_still_prints_the_good_one(capsys, gaad_file, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"RoleDetailList": [{"Arn": 7}]}', encoding="utf-8")
    assert main(["summary", str(bad), str(gaad_file)]) == 2
    captured = capsys.readouterr()
    assert f"account {ACCOUNT}" in captured.out
    errors = [line for line in captured.err.splitlines() if "error" in line]
    assert errors == [f"iamviz: error: {bad}: at $.RoleDetailList[0].Arn: Arn must be a string, not a number"]


@pytest.mark.parametrize(
    "content",
    ["{", "[]", '"text"', '{"format": "iamviz-snapshot", "version": 7, "accounts": []}', b"\xff\xfe\x00\xd8"],
)
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, content):
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    assert main(["summary", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"iamviz: error: {path}")
    assert "Traceback" not in captured.err


def test_snapshot_with_an_unknown_profile_writes_nothing(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    out = tmp_path / "snap.json"
    assert main(["snapshot", "--profile", "ghost", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["iamviz: error: AWS profile 'ghost' not found (profiles configured: none)"]
    assert not out.exists() and list(tmp_path.iterdir()) == []


# --- end to end: `python -m iamviz snapshot` against moto's server on 127.0.0.1 ---------------------------------------

PLANTED = {
    "AWS_ACCESS_KEY_ID": "AKIAPLANTEDE2E00001",
    "AWS_SECRET_ACCESS_KEY": "plantedE2ESecretNeverStored0123456789xyz",
    "AWS_SESSION_TOKEN": "plantedE2ESessionTokenNeverStored",
}


@pytest.fixture(scope="module")
def moto_server():
    with moto_server_url() as url:
        iam = boto3.client(
            "iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id="seed", aws_secret_access_key="seed"
        )
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": "partner-42"}},
                }
            ],
        }
        iam.create_role(RoleName="partner-upload", AssumeRolePolicyDocument=json.dumps(trust))
        iam.create_user(UserName="bob")
        iam.create_saml_provider(Name="ADFS", SAMLMetadataDocument="m" * 1000)
        yield url


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_DEFAULT_REGION="us-east-1",
    )
    env.update(extra)
    return env


def test_end_to_end_snapshot_against_moto_server(moto_server, tmp_path):
    out = tmp_path / "live.json"
    result = subprocess.run(
        [sys.executable, "-m", "iamviz", "snapshot", "--endpoint-url", moto_server, "-o", str(out)],
        env=_env(**PLANTED),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "authorization details page 1" in result.stderr
    assert f"wrote {out}" in result.stderr
    snapshot = load_file(out)
    [account] = snapshot.accounts
    assert account.account_id == "123456789012" and account.source == "live:default"
    role = account.roles_by_name["partner-upload"]
    assert role.trust_policy.statements[0].conditions[0].values == ("partner-42",)
    assert [u.name for u in account.users] == ["bob"]
    assert [p.name for p in account.saml_providers] == ["ADFS"]
    written = out.read_text(encoding="utf-8")
    for secret in PLANTED.values():
        assert secret not in written
    assert [p.name for p in tmp_path.iterdir()] == ["live.json"]


def test_snapshot_without_credentials_is_one_line(moto_server, tmp_path, monkeypatch, capsys):
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    for key, value in _env().items():
        if key.startswith("AWS_"):
            monkeypatch.setenv(key, value)
    out = tmp_path / "live.json"
    assert main(["snapshot", "--endpoint-url", moto_server, "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("iamviz: error: no usable AWS credentials found")
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()
