"""The corpus of bad and odd input files (tests/corpus): one clear line each, or a clean load.

``tests/corpus/bad/`` holds small files that must be refused; ``tests/corpus/bad-manifest.json`` gives, for each, the
JSON path its error names (``null`` when the file cannot be parsed at all: the message then gives line and column)
and a fragment of the message. ``tests/corpus/odd/`` holds files that look strange but are valid and must load.
Big inputs (huge strings, deep nesting) and files that are not plain files (a folder, a FIFO, an unreadable file)
are made at test time in ``tmp_path``.

Decisions these tests pin down:

* UTF-8 with a byte-order mark loads (editors on Windows write one; it cannot be mistaken for content); UTF-16 with
  a byte-order mark loads (PowerShell's ``>``); UTF-16 without one is refused with a line that says so.
* ``NaN``/``Infinity`` and duplicate keys are refused: they are not strict JSON, and a duplicated ``Statement`` or
  ``Effect`` would make iamviz show a different policy from the one another reader sees. The same holds inside
  policy documents given as JSON strings or URL-encoded strings (the raw API's form).
* An unknown condition operator is *not* an input error: the file loads and the statement evaluates to unknown,
  which never allows.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from iamviz.cli import main
from iamviz.errors import InputError
from iamviz.loading import load_file, load_paths, load_sources

CORPUS = Path(__file__).parent / "corpus"
BAD = CORPUS / "bad"
ODD = CORPUS / "odd"
MANIFEST = json.loads((CORPUS / "bad-manifest.json").read_text(encoding="utf-8"))["files"]
BAD_NAMES = sorted(MANIFEST)
ODD_NAMES = sorted(p.name for p in ODD.iterdir())
ACCOUNT = "111122223333"


def _one_error_line(capsys, path: Path) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "Traceback" not in captured.out
    lines = captured.err.splitlines()
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith(f"iamviz: error: {path}"), line
    return line


def test_the_corpus_is_complete():
    assert len(BAD_NAMES) >= 60
    assert sorted(p.name for p in BAD.iterdir()) == BAD_NAMES, "every bad file has a manifest entry and vice versa"
    assert len(ODD_NAMES) >= 20
    for path in (*BAD.iterdir(), *ODD.iterdir()):
        assert path.stat().st_size < 4096, f"{path.name}: keep corpus files small; generate big ones in tmp_path"


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_file_is_one_line_naming_file_and_json_path(capsys, name):
    path = BAD / name
    expected = MANIFEST[name]
    assert main(["summary", str(path)]) == 2
    line = _one_error_line(capsys, path)
    assert expected["message"] in line
    if expected["path"] not in (None, "$"):
        assert f"{path}: at {expected['path']}: " in line
    else:
        assert " at $" not in line
    assert capsys.readouterr().out == ""
    [error] = load_paths([path]).errors
    assert isinstance(error, InputError)
    assert error.file == str(path) and error.path == expected["path"]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_file_loads(capsys, name):
    path = ODD / name
    assert main(["summary", "--json", str(path)]) == 0, capsys.readouterr().err
    captured = capsys.readouterr()
    assert "error" not in captured.err and "Traceback" not in captured.err
    out = json.loads(captured.out)
    assert out["errors"] == [] and out["accounts"]
    assert ACCOUNT in {a["account_id"] for a in out["accounts"]}


def test_odd_files_read_what_they_hold():
    roles = {name: load_file(ODD / name).accounts[0].roles_by_name for name in ODD_NAMES}
    for name in ("pages-concatenated.json", "pages-concatenated-no-whitespace.json", "pages-as-a-list.json"):
        assert sorted(roles[name]) == ["one", "two"], name
    assert sorted(roles["pages-overlapping.json"]) == ["one", "two"]
    tags = {t.key: t.value for t in roles["unicode-tags.json"]["app"].tags}
    assert tags == {"équipe": "données 🚀", "チーム": "運用", "rtl": "فريق"}
    assert roles["unicode-escapes.json"]["app"].tags[0].value == "café 😀"
    for name in ("utf8-bom.json", "utf16-le-bom.json", "utf16-be-bom.json", "crlf-line-endings.json"):
        assert list(roles[name]) == ["app"], name
    for name in ("url-encoded-documents.json", "json-string-documents.json"):
        statement = roles[name]["app"].trust_policy.statements[0]
        assert statement.principals[0].value == "lambda.amazonaws.com", name
    [two_a, two_b] = load_file(ODD / "two-accounts-in-one-file.json").accounts
    assert (two_a.account_id, two_b.account_id) == (ACCOUNT, "444455556666")
    snapshot = load_file(ODD / "policy-without-default-version.json")
    assert snapshot.accounts[0].managed_policies[0].document.statements == ()
    assert any("no default version" in w for w in snapshot.warnings)


def test_an_unknown_condition_operator_loads_and_never_allows():
    from iamviz.analysis.trust import AssumeRoleRequest, evaluate_assume_role

    snapshot = load_file(ODD / "unknown-condition-operator.json")
    role = snapshot.accounts[0].roles[0]
    assert role.trust_policy.statements[0].conditions[0].operator == "StringSortOfEquals"
    caller = f"arn:aws:iam::{ACCOUNT}:user/alice"  # whose identity policy allows sts:AssumeRole
    request = AssumeRoleRequest(caller=caller, role_arn=role.arn, external_id="partner-42")
    decision = evaluate_assume_role(snapshot, request)
    assert not decision.allowed
    assert [str(result.verdict) for result in decision.condition_results] == ["unknown"]
    assert any("StringSortOfEquals" in reason for reason in decision.reasons)
    # the same statement with a known operator does allow: the operator is what keeps it shut
    known = json.loads((ODD / "unknown-condition-operator.json").read_text(encoding="utf-8"))
    trust = known["RoleDetailList"][0]["AssumeRolePolicyDocument"]["Statement"][0]
    trust["Condition"] = {"StringEquals": trust["Condition"]["StringSortOfEquals"]}
    from iamviz.loading import snapshot_from_json

    allowed = evaluate_assume_role(snapshot_from_json([known], name="known.json"), request)
    assert allowed.allowed


# ---- made at test time ---------------------------------------------------------------------------------------------


def _role_json(name: str = "app", **extra: object) -> dict:
    return {
        "RoleName": name,
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "AssumeRolePolicyDocument": {
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:*"}]
        },
        **extra,
    }


def _summary_error(capsys, path: Path) -> str:
    assert main(["summary", str(path)]) == 2
    return _one_error_line(capsys, path)


def test_a_huge_valid_string_loads(tmp_path):
    path = tmp_path / "huge-description.json"
    path.write_text(json.dumps({"RoleDetailList": [_role_json(Description="d" * 5_000_000)]}), encoding="utf-8")
    assert len(load_file(path).accounts[0].roles[0].description) == 5_000_000


@pytest.mark.parametrize(
    ("where", "build"),
    [
        ("an ARN", lambda big: {"RoleDetailList": [_role_json(Arn=big)]}),
        ("a top-level key", lambda big: {big: 1}),
        (
            "an Effect",
            lambda big: {
                "RoleDetailList": [
                    _role_json(AssumeRolePolicyDocument={"Statement": {"Effect": big, "Principal": "*"}})
                ]
            },
        ),
        (
            "a condition operator",
            lambda big: {
                "RoleDetailList": [
                    _role_json(
                        AssumeRolePolicyDocument={
                            "Statement": {"Effect": "Allow", "Principal": "*", "Condition": {big: "x"}}
                        }
                    )
                ]
            },
        ),
        ("a bundle version", lambda big: {"format": "iamviz-snapshot", "version": big, "accounts": []}),
        ("a bundle format", lambda big: {"format": big}),
    ],
)
def test_a_huge_bad_string_gives_a_short_line(capsys, tmp_path, where, build):
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(build("x\n" * 1_000_000)), encoding="utf-8")
    line = _summary_error(capsys, path)
    assert len(line) < 1200, f"{where}: {len(line)} characters"


@pytest.mark.parametrize("depth", [100_000, 5_000])
def test_deep_nesting_is_one_line(capsys, tmp_path, depth):
    path = tmp_path / "deep.json"
    path.write_text("[" * depth + "]" * depth, encoding="utf-8")
    assert "nested too deeply" in _summary_error(capsys, path)
    inner = '{"a":' * depth + "1" + "}" * depth
    doc = json.dumps({"Statement": {"Effect": "Allow", "Principal": "*", "X": "@"}}).replace('"@"', inner)
    path.write_text(json.dumps({"RoleDetailList": [_role_json(AssumeRolePolicyDocument=doc)]}), encoding="utf-8")
    line = _summary_error(capsys, path)
    assert "at $.RoleDetailList[0].AssumeRolePolicyDocument" in line


def test_moderate_nesting_in_unknown_fields_loads_and_saves(tmp_path):
    from iamviz.loading import write_bundle

    deep = json.loads("[" * 500 + "]" * 500)
    path = tmp_path / "nested-extra.json"
    path.write_text(json.dumps({"RoleDetailList": [_role_json(Future=deep)]}), encoding="utf-8")
    snapshot = load_file(path)
    write_bundle(snapshot, tmp_path / "out.json")
    assert load_file(tmp_path / "out.json").accounts[0].roles[0].name == "app"


def test_a_folder_a_fifo_a_missing_and_an_unreadable_file(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "a-folder.json"
    folder.mkdir()
    assert "is a folder" in _summary_error(capsys, folder)
    fifo = tmp_path / "a-fifo.json"
    os.mkfifo(fifo)
    assert "not a regular file" in _summary_error(capsys, fifo)  # and does not block reading it
    assert "no such file" in _summary_error(capsys, tmp_path / "missing.json")
    locked = tmp_path / "locked.json"
    locked.write_text(json.dumps({"RoleDetailList": [_role_json()]}), encoding="utf-8")
    real = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self.name == "locked.json":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)  # the tests run as root, for whom chmod 000 changes nothing
    assert "permission denied" in _summary_error(capsys, locked)
    monkeypatch.setattr(Path, "read_bytes", lambda self: (_ for _ in ()).throw(OSError(5, "Input/output error")))
    assert "cannot read the file (Input/output error)" in _summary_error(capsys, locked)


# ---- several files, one bad ----------------------------------------------------------------------------------------


GOOD = [ODD / "unicode-tags.json", ODD / "bundle-unknown-keys.json"]


def test_summary_of_several_files_reports_the_bad_one_and_summarises_the_others(capsys, tmp_path):
    other = tmp_path / "other-account.json"
    other.write_text(json.dumps({"RoleDetailList": [_role_json(Arn="arn:aws:iam::444455556666:role/x")]}))
    bad = BAD / "policy-principal-number.json"
    assert main(["summary", "--json", str(GOOD[0]), str(bad), str(other)]) == 2
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert [a["account_id"] for a in out["accounts"]] == [ACCOUNT, "444455556666"]
    assert len(out["errors"]) == 1 and str(bad) in out["errors"][0]
    errors = [line for line in captured.err.splitlines() if line.startswith("iamviz: error:")]
    assert len(errors) == 1 and f"{bad}: at {MANIFEST[bad.name]['path']}" in errors[0]


def test_load_paths_keeps_the_good_and_reports_each_bad(tmp_path):
    bads = [BAD / "nan-literal.json", BAD / "bundle-version-2.json", tmp_path / "missing.json"]
    result = load_paths([bads[0], GOOD[0], bads[1], bads[2]])
    assert [a.account_id for a in result.snapshot.accounts] == [ACCOUNT]
    assert [e.file for e in result.errors] == [str(b) for b in bads]
    with pytest.raises(InputError) as info:
        load_sources([GOOD[0], bads[0]])
    assert info.value.file == str(bads[0])


def test_commands_that_need_every_file_stop_at_the_bad_one(capsys):
    bad = BAD / "duplicate-key-statement.json"
    assert main(["chains", str(GOOD[0]), str(bad)]) == 2
    line = _one_error_line(capsys, bad)
    assert "duplicate key 'Statement'" in line
