"""Snapshot bundles: round trip, versions, atomic writes, bad bundles, and the built-in samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamviz.errors import InputError, SnapshotVersionError
from iamviz.loading import load_file, load_sources
from iamviz.loading.bundle import read_bundle, write_bundle
from iamviz.loading.samples import list_samples, load_sample, sample_teaching
from iamviz.model import Account, InlinePolicy, ManagedPolicy, Role, Snapshot, User, parse_policy_document

WORKLOAD = "111122223333"
PARTNER = "444455556666"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{WORKLOAD}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "x-123"}},
        }
    ],
}


def details(account: str, role_name: str = "uploader", *, trust: object = TRUST) -> dict:
    return {
        "UserDetailList": [],
        "RoleDetailList": [
            {
                "RoleName": role_name,
                "RoleId": "AROAEXAMPLEEXAMPLE01",
                "Arn": f"arn:aws:iam::{account}:role/{role_name}",
                "Path": "/",
                "AssumeRolePolicyDocument": trust,
                "RoleLastUsed": {},
            }
        ],
        "Policies": [],
    }


def bundle(**overrides: object) -> dict:
    data = {
        "format": "iamviz-snapshot",
        "version": 1,
        "generator": "test",
        "created_at": "2026-11-28T12:00:00Z",
        "title": "Two accounts",
        "description": "for tests",
        "teaching": {"intended_findings": [{"code": "ROLE_UNUSED"}], "facts": {"a": 1}},
        "accounts": [
            {
                "account_id": WORKLOAD,
                "alias": "workload",
                "captured_at": "2026-11-28T11:00:00Z",
                "source": "sample",
                "authorization_details": details(WORKLOAD, "deployer"),
                "saml_providers": [{"arn": f"arn:aws:iam::{WORKLOAD}:saml-provider/ADFS", "valid_until": "2030-01-01"}],
                "oidc_providers": [
                    {
                        "arn": f"arn:aws:iam::{WORKLOAD}:oidc-provider/accounts.google.com",
                        "url": "accounts.google.com",
                        "client_ids": ["app.apps.googleusercontent.com"],
                        "thumbprints": [],
                    }
                ],
                "organization": {"id": "o-abc", "management_account_id": WORKLOAD, "account_ids": [WORKLOAD, PARTNER]},
                "gaps": ["organizations:ListAccounts (AccessDenied)"],
                "some_future_key": True,
            },
            {"account_id": PARTNER, "authorization_details": details(PARTNER)},
        ],
        "unknown_top_level": "ignored",
    }
    data.update(overrides)
    return data


def write(tmp_path: Path, data: object, name: str = "bundle.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_bundle_with_two_accounts_reads_every_field(tmp_path):
    snapshot = read_bundle(write(tmp_path, bundle()))
    assert snapshot.title == "Two accounts" and snapshot.description == "for tests"
    workload, partner = snapshot.accounts
    assert (workload.account_id, workload.alias, workload.source) == (WORKLOAD, "workload", "sample")
    assert workload.captured_at == "2026-11-28T11:00:00Z"
    assert workload.saml_providers[0].name == "ADFS"
    assert workload.saml_providers[0].valid_until == "2030-01-01"
    assert workload.oidc_providers[0].url == "https://accounts.google.com"
    assert workload.oidc_providers[0].client_ids == ("app.apps.googleusercontent.com",)
    assert workload.organization.id == "o-abc" and workload.organization.account_ids == (WORKLOAD, PARTNER)
    assert workload.gaps == ("organizations:ListAccounts (AccessDenied)",)
    assert workload.roles[0].last_used == ""
    assert partner.roles[0].trust_policy.statements[0].conditions[0].key == "sts:ExternalId"
    assert partner.organization is None and partner.alias is None


def test_round_trip_keeps_everything(tmp_path):
    original = read_bundle(write(tmp_path, bundle()))
    out = tmp_path / "out" / "copy.json"
    out.parent.mkdir()
    write_bundle(original, out)
    again = read_bundle(out)
    assert again == original  # dataclass equality over every model field
    assert again.title == original.title
    assert again.accounts[1].authorization_details == original.accounts[1].authorization_details
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["format"] == "iamviz-snapshot" and written["version"] == 1
    assert written["generator"].startswith("iamviz ")
    assert list(out.parent.iterdir()) == [out]  # no temporary file left behind
    assert written["teaching"] == bundle()["teaching"] == again.teaching


def test_round_trip_of_a_gaad_export_and_of_real_world_files(tmp_path, real_world_dir):
    for path in sorted(real_world_dir.glob("*.json")):
        original = load_file(path)
        out = tmp_path / f"{path.stem}.bundle.json"
        write_bundle(original, out)
        assert load_file(out).accounts == original.accounts, path.name


def test_write_keeps_teaching_when_given(tmp_path):
    out = tmp_path / "t.json"
    write_bundle(read_bundle(write(tmp_path, bundle())), out, teaching={"facts": {"x": 1}})
    assert json.loads(out.read_text(encoding="utf-8"))["teaching"] == {"facts": {"x": 1}}


def test_accounts_built_in_code_are_written_as_gaad(tmp_path):
    trust = parse_policy_document(TRUST)
    admin = parse_policy_document({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    account = Account(
        account_id=WORKLOAD,
        alias="built",
        users=(User(arn=f"arn:aws:iam::{WORKLOAD}:user/ann", name="ann", group_names=("ops",)),),
        roles=(
            Role(
                arn=f"arn:aws:iam::{WORKLOAD}:role/r",
                name="r",
                trust_policy=trust,
                inline_policies=(InlinePolicy(name="i", document=admin),),
                managed_policy_arns=(f"arn:aws:iam::{WORKLOAD}:policy/p",),
                max_session_duration=3600,
                last_used="",
            ),
        ),
        managed_policies=(
            ManagedPolicy(arn=f"arn:aws:iam::{WORKLOAD}:policy/p", name="p", default_version_id="v2", document=admin),
        ),
    )
    out = tmp_path / "built.json"
    write_bundle(Snapshot(accounts=(account,), title="built"), out)
    again = read_bundle(out).accounts[0]
    assert again == account


def test_a_failed_write_leaves_no_file(tmp_path, monkeypatch):
    snapshot = read_bundle(write(tmp_path, bundle()))
    folder = tmp_path / "target"
    folder.mkdir()
    target = folder / "snap.json"

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("iamviz.loading.bundle.os.fsync", broken_fsync)
    with pytest.raises(InputError, match="No space left"):
        write_bundle(snapshot, target)
    assert list(folder.iterdir()) == []


def test_a_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    target = write(tmp_path, bundle(), "snap.json")
    before = target.read_bytes()
    monkeypatch.setattr("iamviz.loading.bundle.json.dumps", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        write_bundle(read_bundle(target), target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.json"]


def test_writing_into_a_missing_folder_or_onto_a_folder(tmp_path):
    snapshot = read_bundle(write(tmp_path, bundle()))
    with pytest.raises(InputError, match="does not exist"):
        write_bundle(snapshot, tmp_path / "nope" / "x.json")
    with pytest.raises(InputError, match="is a folder"):
        write_bundle(snapshot, tmp_path)


@pytest.mark.parametrize("version", [2, "2.0", 0, 99])
def test_unknown_major_version_is_refused_naming_version_and_file(tmp_path, version):
    path = write(tmp_path, bundle(version=version))
    with pytest.raises(SnapshotVersionError) as info:
        load_file(path)
    assert str(path) in str(info.value)
    assert f"bundle version {version!r}" in str(info.value)
    assert info.value.path == "$.version"


def test_minor_revisions_of_version_1_are_read(tmp_path):
    assert len(read_bundle(write(tmp_path, bundle(version="1.3"))).accounts) == 2


BAD_BUNDLES = [
    ("no-version", {"version": None}, "$.version", "no version"),
    ("version-bool", {"version": True}, "$.version", "must be a number"),
    ("version-word", {"version": "one"}, "$.version", "must be a number"),
    ("no-accounts-key", {"accounts": None}, "$.accounts", "no accounts"),
    ("accounts-empty", {"accounts": []}, "$.accounts", "holds no accounts"),
    ("accounts-object", {"accounts": {}}, "$.accounts", "must be a list"),
    ("account-not-object", {"accounts": ["x"]}, "$.accounts[0]", "expected an object"),
    ("account-id-missing", {"accounts": [{}]}, "$.accounts[0].account_id", "missing"),
    ("account-id-short", {"accounts": [{"account_id": "123"}]}, "$.accounts[0].account_id", "12 digits"),
    ("account-id-number", {"accounts": [{"account_id": 111122223333}]}, "$.accounts[0].account_id", "string"),
    (
        "details-string",
        {"accounts": [{"account_id": WORKLOAD, "authorization_details": "x"}]},
        "$.accounts[0].authorization_details",
        "must be an object",
    ),
    (
        "saml-not-list",
        {"accounts": [{"account_id": WORKLOAD, "saml_providers": {}}]},
        "$.accounts[0].saml_providers",
        "must be a list",
    ),
    (
        "oidc-client-ids-number",
        {"accounts": [{"account_id": WORKLOAD, "oidc_providers": [{"arn": "a", "client_ids": [1]}]}]},
        "$.accounts[0].oidc_providers[0].client_ids[0]",
        "expected a string",
    ),
    (
        "organization-list",
        {"accounts": [{"account_id": WORKLOAD, "organization": []}]},
        "$.accounts[0].organization",
        "must be an object",
    ),
    (
        "gaps-string",
        {"accounts": [{"account_id": WORKLOAD, "gaps": "x"}]},
        "$.accounts[0].gaps",
        "list of strings",
    ),
    (
        "account-twice",
        {"accounts": [{"account_id": WORKLOAD}, {"account_id": WORKLOAD}]},
        "$.accounts[1].account_id",
        "appears twice",
    ),
    (
        "role-of-another-account",
        {"accounts": [{"account_id": WORKLOAD, "authorization_details": details(PARTNER)}]},
        "$.accounts[0].authorization_details.RoleDetailList[0].Arn",
        "belongs to account 444455556666",
    ),
    (
        "bad-principal-inside",
        {
            "accounts": [
                {
                    "account_id": WORKLOAD,
                    "authorization_details": details(
                        WORKLOAD, trust={"Statement": [{"Effect": "Allow", "Principal": ["x"]}]}
                    ),
                }
            ]
        },
        "$.accounts[0].authorization_details.RoleDetailList[0].AssumeRolePolicyDocument.Statement[0].Principal",
        "a principal must be",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "json_path", "fragment"), [b[1:] for b in BAD_BUNDLES], ids=[b[0] for b in BAD_BUNDLES]
)
def test_bad_bundles_name_file_and_path(tmp_path, overrides, json_path, fragment):
    path = write(tmp_path, bundle(**overrides))
    with pytest.raises(InputError) as info:
        load_file(path)
    assert info.value.file == str(path)
    assert info.value.path == json_path
    assert fragment in str(info.value)


def test_a_bundle_must_be_one_json_value(tmp_path):
    text = json.dumps(bundle()) + json.dumps(bundle())
    with pytest.raises(InputError, match="several JSON values"):
        read_bundle(write(tmp_path, text))


def test_read_bundle_refuses_gaad(tmp_path):
    with pytest.raises(InputError, match="not 'iamviz-snapshot'"):
        read_bundle(write(tmp_path, details(WORKLOAD)))


# --- samples --------------------------------------------------------------------------------------------------------


def test_samples_are_listed_from_the_samples_folder(tmp_path, monkeypatch):
    write(tmp_path, bundle(), "classroom.json")
    write(tmp_path, bundle(title=None, description=None), "plain.json")
    write(tmp_path, details(WORKLOAD), "not-a-bundle.json")
    monkeypatch.setattr("iamviz.loading.samples.samples_dir", lambda: tmp_path)
    samples = list_samples()
    assert [(s.name, s.title, s.description) for s in samples] == [
        ("classroom", "Two accounts", "for tests"),
        ("plain", "plain", ""),
    ]
    assert load_sample().accounts[0].alias == "workload"
    assert load_sources([]).accounts[0].account_id == WORKLOAD
    assert load_sources(["sample:plain"]).title is None
    assert sample_teaching("classroom")["facts"] == {"a": 1}
    assert sample_teaching("plain") == {"intended_findings": [{"code": "ROLE_UNUSED"}], "facts": {"a": 1}}
    with pytest.raises(
        InputError, match=r"no built-in sample named 'nope' \(available: classroom, not-a-bundle, plain\)"
    ):
        load_sample("nope")
    with pytest.raises(InputError, match="no built-in sample"):
        load_sample("../classroom")


def test_every_shipped_sample_loads():
    samples = list_samples()
    if not samples:
        pytest.skip("no samples shipped yet")
    names = {s.name for s in samples}
    assert "classroom" in names
    for sample in samples:
        snapshot = load_sample(sample.name)
        assert snapshot.accounts, sample.name
        assert snapshot.title == sample.title
    classroom = load_sample("classroom")
    assert len(classroom.accounts) >= 2
    assert isinstance(sample_teaching("classroom"), dict)
